package dev.vmsg.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
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
 * The console bundle hot-uninstalled and reinstalled while a client keeps writing through its
 * {@code ConsolePort} (HARDENING row 23). Like {@link BundleLifecycleIT}, the port is used through
 * reflection so the test bundle never wires to the console bundle's package.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerMethod.class)
public class ConsoleLifecycleIT extends RngTestSupport {

    private static final String CONSOLE_BUNDLE = "dev.vmsg.device.console";
    private static final String CONSOLE_PORT = "dev.vmsg.device.console.ConsolePort";

    private static int write(Object port, Bundle provider, byte[] bytes) throws Exception {
        Class<?> api = provider.loadClass(CONSOLE_PORT);
        Method write = api.getMethod("write", ByteBuffer.class, Duration.class);
        try {
            return (Integer) write.invoke(port, ByteBuffer.wrap(bytes), Duration.ofMillis(500));
        } catch (InvocationTargetException e) {
            if (e.getCause() instanceof Exception ex) {
                throw ex;
            }
            throw e;
        }
    }

    @Test
    public void everyWriteEndsOnceWhileTheConsoleBundleComesAndGoesUnderLoad() throws Exception {
        String bus = "it-con";
        createBus(bus);
        createConsole(bus, "console0");
        String filter = "(&(objectClass=" + CONSOLE_PORT + ")(vmsg.bus.name=" + bus + "))";
        AtomicLong written = new AtomicLong();
        AtomicLong removed = new AtomicLong();
        List<String> unexpected = new CopyOnWriteArrayList<>();
        byte[] line = "a line from the driver side\n".getBytes(StandardCharsets.US_ASCII);
        for (int cycle = 0; cycle < 5; cycle++) {
            ServiceReference<?> ref = awaitAnyServiceReference(filter, DEFAULT_TIMEOUT);
            Object port = context.getService(ref);
            Bundle provider = ref.getBundle();
            long before = written.get();
            AtomicBoolean stop = new AtomicBoolean();
            Thread client = new Thread(() -> {
                while (!stop.get()) {
                    long start = System.nanoTime();
                    try {
                        int n = write(port, provider, line);
                        if (n < 0 || n > line.length) {
                            unexpected.add("write returned " + n);
                        }
                        written.addAndGet(n);
                    } catch (Exception e) {
                        if (!"REMOVED".equals(reasonOf(e))) {
                            unexpected.add(e.toString());
                        }
                        removed.incrementAndGet();
                        return;
                    } finally {
                        long ms = (System.nanoTime() - start) / 1_000_000;
                        if (ms > 2000) {
                            unexpected.add("a write took " + ms + " ms");
                        }
                    }
                }
            }, "it-console-client");
            client.start();
            awaitCondition(() -> written.get() >= before + 10 * line.length, DEFAULT_TIMEOUT,
                    () -> "the client wrote nothing");
            String location = uninstallBundle(CONSOLE_BUNDLE);
            client.join(DEFAULT_TIMEOUT.toMillis());
            stop.set(true);
            assertFalse("the client's write ended with REMOVED", client.isAlive());
            awaitNoServiceAtAll(filter, DEFAULT_TIMEOUT);
            awaitNoThread("vmsg-dev-" + quote(bus) + "-.*", DEFAULT_TIMEOUT);
            awaitNoThread("vmsg-drv-" + quote(bus) + "-\\d+", DEFAULT_TIMEOUT);
            awaitNoThread("vmsg-console-.*", DEFAULT_TIMEOUT);
            reinstallBundle(location);
        }
        assertTrue("unexpected outcomes: " + unexpected, unexpected.isEmpty());
        assertEquals("each cycle's client ended with exactly one REMOVED", 5, removed.get());
        assertNoVmsgErrors();
    }
}
