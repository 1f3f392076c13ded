package dev.vmsg.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.File;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerMethod;
import org.osgi.framework.Bundle;
import org.osgi.framework.ServiceReference;

/**
 * The virtio-net bundle hot-installed into a running container and uninstalled while frames flow
 * (HARDENING row 23): two devices on one switch, one port sending to the other as fast as it can.
 * Every send returns once, either sent or failing with "device removed"; frames arrive while the
 * bundle is in; the vmsg threads return to their baseline. The probe never links to the net
 * package (calls are reflective, the receiver a proxy), so uninstalling the bundle cannot drag
 * the probe into the refresh.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerMethod.class)
public class NetHotplugIT extends RngTestSupport {

    static final String NET_BUNDLE = "dev.vmsg.device.net";
    static final String NETWORK_PORT = "dev.vmsg.device.net.NetworkPort";
    static final String FRAME_HANDLER = "dev.vmsg.device.net.FrameHandler";
    static final int CYCLES = 3;

    /** What the sender saw: every send call is counted once by its outcome. */
    static final class Tally {
        final AtomicLong sent = new AtomicLong();
        final AtomicLong removed = new AtomicLong();
        final AtomicLong received = new AtomicLong();
        final AtomicLong calls = new AtomicLong();
        final ConcurrentLinkedQueue<String> unexpected = new ConcurrentLinkedQueue<>();

        void outcome(Throwable t) {
            calls.incrementAndGet();
            while (t instanceof InvocationTargetException) {
                t = t.getCause();
            }
            if (t == null) {
                sent.incrementAndGet();
            } else if (BlkHotplugIT.Tally.isRemoved(t)) {
                removed.incrementAndGet();
            } else {
                unexpected.add(t.toString());
            }
        }
    }

    @Test
    public void uninstallWhileFramesFlowEndsEverySendOnceAndThreadsReturnToBaseline() throws Exception {
        String bus = "it-net";
        createBus(bus);
        awaitCondition(() -> busView(bus).isPresent(), DEFAULT_TIMEOUT, () -> "bus " + bus + " not up");
        int baseline = -1;
        for (int n = 1; n <= 2; n++) {
            createdPids.add(createFactoryConfiguration("dev.vmsg.device.net", bus + "-net" + n, Map.of("bus", bus,
                    "name", "net" + n, "mac", "02:00:00:00:0a:0" + n, "backend", "switch:it-sw", "queue.size", 128)));
        }
        String location = new File(bundleFile(NET_BUNDLE).getPath()).toURI().toString();
        for (int cycle = 0; cycle < CYCLES; cycle++) {
            Bundle net = context.installBundle(location);
            net.start();
            String any = "(&(objectClass=" + NETWORK_PORT + ")(vmsg.bus.name=" + bus + "))";
            ServiceReference<?> refA = awaitAnyServiceReference("(&" + any + "(vmsg.net.mac=02:00:00:00:0a:01))",
                    DEFAULT_TIMEOUT);
            ServiceReference<?> refB = awaitAnyServiceReference("(&" + any + "(vmsg.net.mac=02:00:00:00:0a:02))",
                    DEFAULT_TIMEOUT);
            Object a = context.getService(refA);
            Object b = context.getService(refB);
            Tally tally = runTrafficAndUninstall(net, a, b, cycle);
            context.ungetService(refA);
            context.ungetService(refB);
            awaitNoServiceAtAll(any, DEFAULT_TIMEOUT);
            assertTrue("cycle " + cycle + ": unexpected outcomes " + tally.unexpected, tally.unexpected.isEmpty());
            assertEquals("cycle " + cycle + ": every send ended once", tally.calls.get(),
                    tally.sent.get() + tally.removed.get());
            assertTrue("cycle " + cycle + ": frames arrived before the uninstall: " + tally.received,
                    tally.received.get() > 10);
            assertTrue("cycle " + cycle + ": sends after the uninstall end with REMOVED", tally.removed.get() > 0);
            awaitCondition(() -> admin().devices().isEmpty(), DEFAULT_TIMEOUT,
                    () -> "devices left after uninstalling the net bundle: " + admin().devices());
            awaitNoThread("vmsg-dev-.*", DEFAULT_TIMEOUT);
            awaitNoThread("vmsg-drv-" + java.util.regex.Pattern.quote(bus) + "-\\d+", DEFAULT_TIMEOUT);
            if (baseline < 0) {
                baseline = countVmsgThreads();
            } else {
                awaitVmsgThreadsAtMost(baseline, DEFAULT_TIMEOUT);
            }
        }
        assertNoVmsgErrors();
    }

    private Tally runTrafficAndUninstall(Bundle net, Object a, Object b, int cycle) throws Exception {
        Class<?> api = net.loadClass(NETWORK_PORT);
        Class<?> handlerType = net.loadClass(FRAME_HANDLER);
        Method send = api.getMethod("send", ByteBuffer.class, Duration.class);
        Method setReceiver = api.getMethod("setReceiver", handlerType);
        Tally tally = new Tally();
        Object handler = Proxy.newProxyInstance(handlerType.getClassLoader(), new Class<?>[] {handlerType},
                (proxy, method, args) -> {
                    if (method.getName().equals("frame")) {
                        ByteBuffer f = (ByteBuffer) args[0];
                        if (f.remaining() != 64 || f.get(f.position() + 14) != (byte) cycle) {
                            tally.unexpected.add("a frame of " + f.remaining() + " bytes that was not sent");
                        }
                        tally.received.incrementAndGet();
                        return null;
                    }
                    return method.getName().equals("hashCode") ? System.identityHashCode(proxy)
                            : method.getName().equals("equals") ? proxy == args[0] : "frame handler";
                });
        setReceiver.invoke(b, handler);
        byte[] frame = new byte[64];
        byte[] dst = {2, 0, 0, 0, 0x0a, 2};
        byte[] src = {2, 0, 0, 0, 0x0a, 1};
        System.arraycopy(dst, 0, frame, 0, 6);
        System.arraycopy(src, 0, frame, 6, 6);
        frame[12] = (byte) 0x88;
        frame[13] = (byte) 0xB5;
        java.util.Arrays.fill(frame, 14, 64, (byte) cycle);
        AtomicBoolean stop = new AtomicBoolean();
        Thread client = new Thread(() -> {
            while (!stop.get()) {
                try {
                    send.invoke(a, ByteBuffer.wrap(frame), Duration.ofSeconds(5));
                    tally.outcome(null);
                } catch (InvocationTargetException e) {
                    tally.outcome(e);
                } catch (ReflectiveOperationException e) {
                    tally.unexpected.add(e.toString());
                }
            }
        }, "it-net-client");
        client.start();
        awaitCondition(() -> tally.sent.get() > 200 && tally.received.get() > 50, DEFAULT_TIMEOUT,
                () -> "no traffic: sent " + tally.sent + ", received " + tally.received + ", " + tally.unexpected);
        uninstallBundle(NET_BUNDLE);
        long before = tally.removed.get();
        awaitCondition(() -> tally.removed.get() > before + 5, DEFAULT_TIMEOUT,
                () -> "no REMOVED outcomes after the uninstall; unexpected: " + tally.unexpected);
        stop.set(true);
        client.join(DEFAULT_TIMEOUT.toMillis());
        assertTrue("client thread finished", !client.isAlive());
        assertEquals(List.of(), List.copyOf(tally.unexpected));
        return tally;
    }
}
