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
}
