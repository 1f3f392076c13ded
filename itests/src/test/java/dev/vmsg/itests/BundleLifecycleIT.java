package dev.vmsg.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerMethod;
import org.osgi.framework.Bundle;
import org.osgi.framework.ServiceReference;

/**
 * Device and bus bundles going away and coming back under running devices. A fresh container per
 * test, since the tests uninstall and stop bundles. This class must not touch the type
 * {@code dev.vmsg.device.rng.EntropySource} (reads go through {@link RngTestSupport#readEntropy}
 * reflectively): were the probe wired to the rng bundle's package, refreshing after the uninstall
 * would refresh the probe too.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerMethod.class)
public class BundleLifecycleIT extends RngTestSupport {

    private static final String RNG_BUNDLE = "dev.vmsg.device.rng";
    private static final String LOOPBACK_BUNDLE = "dev.vmsg.bus.loopback";

    @Test
    public void uninstallingTheRngBundleRemovesTheDeviceOnBothSidesAndReinstallBringsItBack() throws Exception {
        String bus = "it-unin";
        createBus(bus);
        createRng(bus, "rng0");
        ServiceReference<?> ref = awaitEntropySource(bus);
        awaitRunning(bus, 0);
        assertDistinctReads(ref, 2, 64);
        long eventsBefore = counter(bus, "driver rx BUS_EVENT_DEVICE");

        String location = uninstallBundle(RNG_BUNDLE);

        awaitNoServiceAtAll(entropyFilter(bus), DEFAULT_TIMEOUT);
        awaitNoServiceAtAll("(objectClass=dev.vmsg.device.VirtioDeviceBackend)", DEFAULT_TIMEOUT);
        awaitCondition(() -> admin().devices().isEmpty(), DEFAULT_TIMEOUT,
                () -> "devices left after uninstalling the rng bundle: " + admin().devices());
        awaitCondition(() -> counter(bus, "driver rx BUS_EVENT_DEVICE") >= eventsBefore + 1, DEFAULT_TIMEOUT,
                () -> "the driver side did not count EVENT_DEVICE (REMOVED): " + busView(bus));
        awaitNoThread("vmsg-dev-.*", DEFAULT_TIMEOUT);
        awaitNoThread("vmsg-drv-" + quote(bus) + "-\\d+", DEFAULT_TIMEOUT);
        assertEquals("exactly one EVENT_DEVICE (REMOVED) more: " + busView(bus), eventsBefore + 1,
                counter(bus, "driver rx BUS_EVENT_DEVICE"));
        // The bus itself is still served.
        assertTrue("bus " + bus + " still served", busView(bus).isPresent());
        assertEquals("loopback delivery threads of " + bus, 2, threadsMatching("vmsg-loopback-" + quote(bus) + "-.*").size());

        Bundle again = reinstallBundle(location);
        assertEquals(Bundle.ACTIVE, again.getState());
        ServiceReference<?> back = awaitEntropySource(bus);
        assertEquals("the new source comes from the reinstalled bundle", again.getBundleId(), back.getBundle().getBundleId());
        awaitRunning(bus, 0);
        assertDistinctReads(back, 3, 64);
        assertRunningBothSides(bus, 0);
        assertTrue("the driver heard EVENT_DEVICE (ADDED) again: " + busView(bus),
                counter(bus, "driver rx BUS_EVENT_DEVICE") >= eventsBefore + 2);
        assertNoVmsgErrors();
    }

    @Test
    public void stoppingTheLoopbackBundleRemovesItsDevicesAndStartingRestoresThem() throws Exception {
        String bus = "it-stop";
        createBus(bus);
        createRng(bus, "rng0");
        ServiceReference<?> ref = awaitEntropySource(bus);
        awaitRunning(bus, 0);
        assertDistinctReads(ref, 2, 64);
        assertFalse(threadsMatching("vmsg-loopback-" + quote(bus) + "-(driver|device)").isEmpty());

        Bundle loopback = findBundle(LOOPBACK_BUNDLE);
        loopback.stop();
        try {
            awaitNoServiceAtAll(entropyFilter(bus), DEFAULT_TIMEOUT);
            awaitNoServiceAtAll("(objectClass=dev.vmsg.bus.Bus)", DEFAULT_TIMEOUT);
            awaitNoThread("vmsg-loopback-.*", DEFAULT_TIMEOUT);
            awaitNoThread("vmsg-(dev|drv)-.*", DEFAULT_TIMEOUT);
            awaitCondition(() -> admin().devices().isEmpty(), DEFAULT_TIMEOUT,
                    () -> "device views left after stopping the bus bundle: " + admin().devices());
            assertTrue("no bus view left: " + admin().buses(), admin().buses().isEmpty());
            // The device backend stays registered, waiting for its bus.
            awaitAnyServiceReference("(&(objectClass=dev.vmsg.device.VirtioDeviceBackend)(bus=" + bus + "))",
                    DEFAULT_TIMEOUT);
        } finally {
            loopback.start();
        }

        ServiceReference<?> back = awaitEntropySource(bus);
        awaitRunning(bus, 0);
        assertDistinctReads(back, 3, 64);
        assertRunningBothSides(bus, 0);
        assertEquals("loopback delivery threads of " + bus, 2,
                threadsMatching("vmsg-loopback-" + quote(bus) + "-(driver|device)").size());
        assertNoVmsgErrors();
    }

    /**
     * HARDENING row 23: a client keeps reading entropy while the rng bundle is uninstalled and
     * reinstalled, ten times. Every read ends exactly once, with bytes or with REMOVED, none hangs
     * past its timeout, and the device threads are back to none after each removal.
     */
    @Test
    public void everyReadEndsOnceWhileTheRngBundleComesAndGoesUnderLoad() throws Exception {
        String bus = "it-load";
        createBus(bus);
        createRng(bus, "rng0");
        java.util.concurrent.atomic.AtomicLong ok = new java.util.concurrent.atomic.AtomicLong();
        java.util.concurrent.atomic.AtomicLong removed = new java.util.concurrent.atomic.AtomicLong();
        java.util.List<String> unexpected = new java.util.concurrent.CopyOnWriteArrayList<>();
        for (int cycle = 0; cycle < 10; cycle++) {
            ServiceReference<?> ref = awaitEntropySource(bus);
            awaitRunning(bus, 0);
            Object source = context.getService(ref);
            Bundle provider = ref.getBundle();
            long okBefore = ok.get();
            java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
            Thread client = new Thread(() -> {
                while (!stop.get()) {
                    long start = System.nanoTime();
                    try {
                        byte[] b = readEntropy(source, provider, 256);
                        if (allZero(b)) {
                            unexpected.add("all-zero read");
                        }
                        ok.incrementAndGet();
                    } catch (Exception e) {
                        String reason = reasonOf(e);
                        if (!"REMOVED".equals(reason)) {
                            unexpected.add(e.toString());
                        }
                        removed.incrementAndGet();
                        return; // the device is gone: this source object will not come back
                    } finally {
                        long ms = (System.nanoTime() - start) / 1_000_000;
                        if (ms > READ_TIMEOUT.toMillis() + 1000) {
                            unexpected.add("a read took " + ms + " ms");
                        }
                    }
                }
            }, "it-load-client");
            client.start();
            awaitCondition(() -> ok.get() >= okBefore + 20, DEFAULT_TIMEOUT, () -> "client made no progress");
            String location = uninstallBundle(RNG_BUNDLE);
            client.join(DEFAULT_TIMEOUT.toMillis());
            stop.set(true);
            assertFalse("the client thread ended (its read failed with REMOVED)", client.isAlive());
            awaitNoThread("vmsg-dev-.*", DEFAULT_TIMEOUT);
            awaitNoThread("vmsg-drv-" + quote(bus) + "-\\d+", DEFAULT_TIMEOUT);
            reinstallBundle(location);
        }
        assertTrue("unexpected outcomes: " + unexpected, unexpected.isEmpty());
        assertEquals("each cycle's client ended with exactly one REMOVED", 10, removed.get());
        assertTrue("reads succeeded: " + ok.get(), ok.get() >= 200);
        assertNoVmsgErrors();
    }
}
