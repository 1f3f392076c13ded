package dev.vmsg.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.File;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerMethod;
import org.osgi.framework.Bundle;
import org.osgi.framework.ServiceReference;

/**
 * The virtio-blk bundle hot-installed into a running container and uninstalled under load
 * (HARDENING row 23): a client keeps writing and reading, blocking and async, while the bundle goes;
 * every request ends exactly once, either completed or with "device removed", and the vmsg
 * threads return to their baseline. The probe never links to the blk package (calls are
 * reflective), so uninstalling the bundle cannot drag the probe into the refresh.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerMethod.class)
public class BlkHotplugIT extends RngTestSupport {

    static final String BLK_BUNDLE = "dev.vmsg.device.blk";
    static final String BLOCK_DEVICE = "dev.vmsg.device.blk.BlockDevice";
    static final int CYCLES = 3;

    /** What the client saw: every call and every async completion is counted once. */
    static final class Tally {
        final AtomicLong ok = new AtomicLong();
        final AtomicLong removed = new AtomicLong();
        final AtomicLong submitted = new AtomicLong();
        final AtomicLong ended = new AtomicLong();
        final AtomicInteger doubleEnds = new AtomicInteger();
        final ConcurrentLinkedQueue<String> unexpected = new ConcurrentLinkedQueue<>();

        void outcome(Throwable t) {
            while (t instanceof InvocationTargetException || t instanceof java.util.concurrent.CompletionException
                    || t instanceof java.util.concurrent.ExecutionException) {
                t = t.getCause();
            }
            if (t == null) {
                ok.incrementAndGet();
            } else if (isRemoved(t)) {
                removed.incrementAndGet();
            } else {
                unexpected.add(t.toString());
            }
        }

        static boolean isRemoved(Throwable t) {
            if (!t.getClass().getName().equals("dev.vmsg.driver.VirtioDeviceException")) {
                return false;
            }
            try {
                return "REMOVED".equals(String.valueOf(t.getClass().getMethod("reason").invoke(t)));
            } catch (ReflectiveOperationException e) {
                return false;
            }
        }
    }

    @Test
    public void uninstallUnderLoadEndsEveryRequestOnceAndThreadsReturnToBaseline() throws Exception {
        String bus = "it-blk";
        createBus(bus);
        awaitCondition(() -> busView(bus).isPresent(), DEFAULT_TIMEOUT, () -> "bus " + bus + " not up");
        // The bus starts its own delivery threads with its first device; the baseline is what is
        // left after the first removal, and no later cycle may leave more.
        int baseline = -1;
        Path image = Files.createTempFile("vmsg-blk-it", ".img");
        Files.delete(image);
        String pid = createFactoryConfiguration("dev.vmsg.device.blk", bus + "-blk0", Map.of("bus", bus, "name", "blk0",
                "file", image.toString(), "size", 4L * 1024 * 1024, "queues", 2));
        String location = new File(bundleFile(BLK_BUNDLE).getPath()).toURI().toString();
        try {
            for (int cycle = 0; cycle < CYCLES; cycle++) {
                Bundle blk = context.installBundle(location);
                blk.start();
                String filter = "(&(objectClass=" + BLOCK_DEVICE + ")(vmsg.bus.name=" + bus + "))";
                ServiceReference<?> ref = awaitAnyServiceReference(filter, DEFAULT_TIMEOUT);
                Object device = context.getService(ref);
                Tally tally = runLoadAndUninstall(device, blk, cycle);
                context.ungetService(ref);
                awaitNoServiceAtAll(filter, DEFAULT_TIMEOUT);
                assertTrue("cycle " + cycle + ": unexpected outcomes " + tally.unexpected, tally.unexpected.isEmpty());
                assertEquals("cycle " + cycle + ": async requests completed twice", 0, tally.doubleEnds.get());
                assertEquals("cycle " + cycle + ": every async request ended", tally.submitted.get(), tally.ended.get());
                assertTrue("cycle " + cycle + ": the client got work done before the uninstall: " + tally.ok,
                        tally.ok.get() > 10);
                assertTrue("cycle " + cycle + ": requests after the uninstall end with REMOVED", tally.removed.get() > 0);
                awaitCondition(() -> admin().devices().isEmpty(), DEFAULT_TIMEOUT,
                        () -> "devices left after uninstalling the blk bundle: " + admin().devices());
                awaitNoThread("vmsg-dev-.*", DEFAULT_TIMEOUT);
                awaitNoThread("vmsg-drv-" + quote(bus) + "-\\d+", DEFAULT_TIMEOUT);
                if (baseline < 0) {
                    baseline = countVmsgThreads();
                } else {
                    awaitVmsgThreadsAtMost(baseline, DEFAULT_TIMEOUT);
                }
            }
        } finally {
            deleteConfiguration(pid);
            Files.deleteIfExists(image);
        }
        assertNoVmsgErrors();
    }

    private Tally runLoadAndUninstall(Object device, Bundle blk, int cycle) throws Exception {
        Class<?> api = blk.loadClass(BLOCK_DEVICE);
        Method write = api.getMethod("write", long.class, ByteBuffer.class, Duration.class);
        Method read = api.getMethod("read", long.class, ByteBuffer.class, Duration.class);
        Method writeAsync = api.getMethod("writeAsync", long.class, ByteBuffer.class);
        Method readAsync = api.getMethod("readAsync", long.class, ByteBuffer.class);
        Tally tally = new Tally();
        AtomicBoolean stop = new AtomicBoolean();
        Thread client = new Thread(() -> {
            byte[] pattern = new byte[8192];
            Arrays.fill(pattern, (byte) (cycle + 1));
            long i = 0;
            while (!stop.get()) {
                long off = (i * 8192) % (2L * 1024 * 1024);
                try {
                    write.invoke(device, off, ByteBuffer.wrap(pattern), Duration.ofSeconds(5));
                    ByteBuffer back = ByteBuffer.allocate(8192);
                    read.invoke(device, off, back, Duration.ofSeconds(5));
                    tally.outcome(null);
                    tally.outcome(null);
                    if (!Arrays.equals(pattern, back.array())) {
                        tally.unexpected.add("read back other bytes at " + off);
                    }
                } catch (InvocationTargetException e) {
                    tally.outcome(e);
                } catch (ReflectiveOperationException e) {
                    tally.unexpected.add(e.toString());
                }
                try {
                    for (int k = 0; k < 8; k++) {
                        Object f = (k % 2 == 0 ? writeAsync : readAsync).invoke(device, off + k * 512L,
                                ByteBuffer.allocate(4096));
                        tally.submitted.incrementAndGet();
                        AtomicBoolean once = new AtomicBoolean();
                        ((CompletableFuture<?>) f).whenComplete((v, t) -> {
                            if (!once.compareAndSet(false, true)) {
                                tally.doubleEnds.incrementAndGet();
                            }
                            tally.ended.incrementAndGet();
                            tally.outcome(t);
                        });
                    }
                } catch (InvocationTargetException e) {
                    tally.outcome(e);
                } catch (ReflectiveOperationException e) {
                    tally.unexpected.add(e.toString());
                }
                i++;
            }
        }, "it-blk-client");
        client.start();
        awaitCondition(() -> tally.ok.get() > 50, DEFAULT_TIMEOUT, () -> "the client made no progress: " + tally.ok);
        uninstallBundle(BLK_BUNDLE);
        // The client keeps calling the stale service for a moment: each call must say REMOVED.
        long before = tally.removed.get();
        awaitCondition(() -> tally.removed.get() > before + 5, DEFAULT_TIMEOUT,
                () -> "no REMOVED outcomes after the uninstall; unexpected: " + tally.unexpected);
        stop.set(true);
        client.join(DEFAULT_TIMEOUT.toMillis());
        assertTrue("client thread finished", !client.isAlive());
        awaitCondition(() -> tally.ended.get() == tally.submitted.get(), DEFAULT_TIMEOUT,
                () -> tally.submitted + " async requests, " + tally.ended + " ended");
        List<String> none = List.of();
        assertEquals(none, List.copyOf(tally.unexpected));
        return tally;
    }
}
