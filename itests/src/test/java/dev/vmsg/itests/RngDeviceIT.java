package dev.vmsg.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import dev.vmsg.admin.BusView;
import dev.vmsg.admin.DeviceView;
import dev.vmsg.admin.QueueView;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.Bundle;
import org.osgi.framework.ServiceReference;

/**
 * The rng device end to end over loopback buses: entropy through a real virtqueue, the admin view
 * of both sides, a device added at runtime, a device removed under a holder of its source, and a
 * bus speaking the RFC v2 wire format. One container; each test uses its own bus and deletes its
 * configurations at the end (see {@link RngTestSupport}).
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class RngDeviceIT extends RngTestSupport {

    @Test
    public void entropyFlowsThroughTheVirtqueue() throws Exception {
        String bus = "it-e2e";
        createBus(bus);
        createRng(bus, "rng0");

        ServiceReference<?> ref = awaitEntropySource(bus);
        assertEquals(0, ref.getProperty("vmsg.device.number"));
        awaitRunning(bus, 0);
        long availBefore = counter(bus, "driver tx EVENT_AVAIL");
        long usedBefore = counter(bus, "driver rx EVENT_USED");

        assertDistinctReads(ref, 3, 64);

        assertRunningBothSides(bus, 0);
        List<DeviceView> views = devicesOn(bus);
        assertEquals("one device, two sides: " + views, 2, views.size());
        DeviceView device = views.stream().filter(v -> v.side().equals("device")).findFirst().orElseThrow();
        assertEquals("rng0", device.name());
        DeviceView driver = views.stream().filter(v -> v.side().equals("driver")).findFirst().orElseThrow();
        assertEquals(bus + "/0", driver.name());

        BusView bv = busView(bus).orElseThrow();
        assertEquals("REV1", bv.profile());
        assertTrue(bv.driverSide() && bv.deviceSide());
        long avail = counter(bus, "driver tx EVENT_AVAIL");
        long used = counter(bus, "driver rx EVENT_USED");
        assertTrue("the driver sent EVENT_AVAIL for the reads: " + bv.messages(), avail > availBefore);
        assertTrue("the driver received EVENT_USED for the reads: " + bv.messages(), used > usedBefore);
        assertTrue("the device side received what the driver sent: " + bv.messages(),
                counter(bus, "device rx EVENT_AVAIL") >= avail);
        assertTrue("the device side sent what the driver received: " + bv.messages(),
                counter(bus, "device tx EVENT_USED") >= used);
        // Queue 0: the driver saw at least the three chains of the reads completed, the device was notified.
        QueueView dq = driver.queues().stream().filter(x -> x.index() == 0).findFirst().orElseThrow();
        assertTrue("driver queue 0 completed chains: " + dq, dq.chains() >= 3);
        assertEquals("driver queue 0 failed chains: " + dq, 0, dq.errors());
        QueueView hq = device.queues().stream().filter(x -> x.index() == 0).findFirst().orElseThrow();
        assertTrue("device queue 0 notifications: " + hq, hq.notifications() >= 1);
        assertEquals("device queue 0 rejected chains: " + hq, 0, hq.errors());

        awaitVmsgLog("loopback bus " + bus + " up");
        assertNoVmsgErrors();
    }

    @Test
    public void secondDeviceAtRuntimeLeavesOtherServicesAlone() throws Exception {
        String bus = "it-two";
        createBus(bus);
        createRng(bus, "rng0");
        ServiceReference<?> first = awaitAnyServiceReference(entropyFilter(bus, 0), DEFAULT_TIMEOUT);
        awaitRunning(bus, 0);
        long firstId = serviceId(first);
        long busId = serviceId(awaitAnyServiceReference("(&(objectClass=dev.vmsg.bus.Bus)(vmsg.bus.name=" + bus + "))",
                DEFAULT_TIMEOUT));
        long adminId = serviceId(awaitAnyServiceReference("(objectClass=dev.vmsg.admin.VmsgAdmin)", DEFAULT_TIMEOUT));
        long backendId = serviceId(awaitAnyServiceReference(
                "(&(objectClass=dev.vmsg.device.VirtioDeviceBackend)(name=rng0)(bus=" + bus + "))", DEFAULT_TIMEOUT));

        createRng(bus, "rng1");
        ServiceReference<?> second = awaitAnyServiceReference(entropyFilter(bus, 1), DEFAULT_TIMEOUT);
        awaitRunning(bus, 1);

        assertEquals("two entropy sources on " + bus, 2, entropySources(bus).size());
        assertEquals("first EntropySource kept its registration", firstId,
                serviceId(awaitAnyServiceReference(entropyFilter(bus, 0), DEFAULT_TIMEOUT)));
        assertEquals("Bus kept its registration", busId, serviceId(awaitAnyServiceReference(
                "(&(objectClass=dev.vmsg.bus.Bus)(vmsg.bus.name=" + bus + "))", DEFAULT_TIMEOUT)));
        assertEquals("VmsgAdmin kept its registration", adminId,
                serviceId(awaitAnyServiceReference("(objectClass=dev.vmsg.admin.VmsgAdmin)", DEFAULT_TIMEOUT)));
        assertEquals("rng0 backend kept its registration", backendId, serviceId(awaitAnyServiceReference(
                "(&(objectClass=dev.vmsg.device.VirtioDeviceBackend)(name=rng0)(bus=" + bus + "))", DEFAULT_TIMEOUT)));
        assertTrue("second source is a new registration", serviceId(second) != firstId);

        assertDistinctReads(first, 2, 64);
        assertDistinctReads(second, 2, 64);
        assertRunningBothSides(bus, 0);
        assertRunningBothSides(bus, 1);
        assertEquals("rng1", admin().device(bus + "/1/device").orElseThrow().name());
        assertNoVmsgErrors();
    }

    @Test
    public void deletingTheConfigurationFailsReadsWithRemoved() throws Exception {
        String bus = "it-del";
        createBus(bus);
        String rng = createRng(bus, "rng0");
        ServiceReference<?> ref = awaitEntropySource(bus);
        awaitRunning(bus, 0);
        Object source = context.getService(ref);
        assertNotNull(source);
        Bundle provider = ref.getBundle();
        try {
            assertFalse(allZero(readEntropy(source, provider, 64)));
            long removedBefore = counter(bus, "driver rx BUS_EVENT_DEVICE");

            deleteCreated(rng);
            awaitNoServiceAtAll(entropyFilter(bus), DEFAULT_TIMEOUT);
            awaitCondition(() -> devicesOn(bus).isEmpty(), DEFAULT_TIMEOUT,
                    () -> "devices left on " + bus + ": " + devicesOn(bus));
            assertTrue("the driver heard EVENT_DEVICE (REMOVED)",
                    counter(bus, "driver rx BUS_EVENT_DEVICE") > removedBefore);

            // A read on the old object must fail fast with REMOVED, not hang or time out.
            ExecutorService pool = Executors.newSingleThreadExecutor();
            try {
                long start = System.nanoTime();
                Future<byte[]> read = pool.submit(() -> readEntropy(source, provider, 64));
                try {
                    read.get(READ_TIMEOUT.toMillis() + 5000, TimeUnit.MILLISECONDS);
                    fail("a read on a removed device returned data");
                } catch (TimeoutException e) {
                    read.cancel(true);
                    fail("a read on a removed device hangs past its own timeout");
                } catch (java.util.concurrent.ExecutionException e) {
                    Throwable t = e.getCause();
                    assertEquals("exception type: " + t, "dev.vmsg.driver.VirtioDeviceException", t.getClass().getName());
                    assertEquals("reason of " + t, dev.vmsg.driver.VirtioDeviceException.Reason.REMOVED,
                            ((dev.vmsg.driver.VirtioDeviceException) t).reason());
                }
                long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
                assertTrue("REMOVED came fast (" + ms + " ms), not after the read timeout", ms < READ_TIMEOUT.toMillis());
            } finally {
                pool.shutdownNow();
            }
        } finally {
            try {
                context.ungetService(ref);
            } catch (IllegalStateException | IllegalArgumentException gone) {
                // unregistered already
            }
        }
        awaitNoThread("vmsg-(dev|drv)-" + quote(bus) + "-\\d+", DEFAULT_TIMEOUT);
        assertNull(admin().device(bus + "/0").orElse(null));
        assertNoVmsgErrors();
    }

    @Test
    public void rfc2BusWithSmallMessagesCarriesItsOwnDevice() throws Exception {
        String rev1 = "it-rev1";
        String rfc2 = "it-rfc2";
        createBus(rev1);
        createRng(rev1, "rng0");
        createBus(rfc2, "RFC2", 64);
        createRng(rfc2, "rng0");

        ServiceReference<?> ref = awaitEntropySource(rfc2);
        assertEquals(rfc2, ref.getProperty("vmsg.bus.name"));
        awaitRunning(rfc2, 0);
        assertDistinctReads(ref, 3, 64);
        // A read larger than one message payload: data goes through the window, not the messages.
        assertFalse(allZero(readEntropy(ref, 4096)));
        assertRunningBothSides(rfc2, 0);

        BusView bv = busView(rfc2).orElseThrow();
        assertEquals("RFC2", bv.profile());
        assertEquals(64, bv.maxMessageSize());
        assertTrue("EVENT_AVAIL sent on " + rfc2 + ": " + bv.messages(), counter(rfc2, "driver tx EVENT_AVAIL") > 0);
        assertTrue("EVENT_USED received on " + rfc2 + ": " + bv.messages(), counter(rfc2, "driver rx EVENT_USED") > 0);
        assertTrue("no drops on " + rfc2 + ": " + bv.messages(),
                bv.messages().keySet().stream().noneMatch(k -> k.contains("drop")));

        // The REV1 bus next to it works too, with its own source.
        ServiceReference<?> other = awaitEntropySource(rev1);
        awaitRunning(rev1, 0);
        assertDistinctReads(other, 2, 64);
        assertEquals(1, entropySources(rfc2).size());
        assertEquals(1, entropySources(rev1).size());
        assertNoVmsgErrors();
    }

    /** Both sides of a queue count the chains it completed (the device side once reported 0). */
    @Test
    public void deviceSideQueueViewCountsCompletedChains() throws Exception {
        String bus = "it-chains";
        createBus(bus);
        createRng(bus, "rng0");
        ServiceReference<?> ref = awaitEntropySource(bus);
        awaitRunning(bus, 0);
        assertDistinctReads(ref, 3, 64);
        DeviceView device = admin().device(bus + "/0/device").orElseThrow();
        QueueView q = device.queues().stream().filter(x -> x.index() == 0).findFirst().orElseThrow();
        assertTrue("device queue 0 completed chains: " + q, q.chains() >= 3);
    }
}
