package dev.vmsg.transport.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vmsg.bus.loopback.internal.LoopbackBus;
import dev.vmsg.driver.VirtioDeviceException;
import dev.vmsg.wire.GetDeviceInfoResponse;
import dev.vmsg.wire.GetDevicesRequest;
import dev.vmsg.wire.GetDevicesResponse;
import dev.vmsg.wire.PingRequest;
import dev.vmsg.wire.PingResponse;
import dev.vmsg.wire.WireProfile;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The driver transport against silent and lying devices (HARDENING rows 13 and 14, rule 8). */
class HostileDeviceTest {

    private final List<String> warnings = new CopyOnWriteArrayList<>();
    private LoopbackBus bus;
    private HostileDevice device;
    private DriverTransport transport;

    @BeforeEach
    void setUp() {
        bus = LoopbackBus.create("hostile", WireProfile.REV1, 264, 1 << 20, warnings::add);
    }

    @AfterEach
    void tearDown() {
        if (transport != null) {
            transport.stop("test over");
        }
        bus.close();
    }

    private DriverTransport start(long timeoutMillis) {
        transport = new DriverTransport(bus.driverEndpoint().orElseThrow(),
                new TransportOptions(timeoutMillis, 200, 5, 2000), Rig.warningsTo(warnings), id -> null);
        transport.start();
        return transport;
    }

    /** Discovery's GET_DEVICES holds the bus request slot; wait until it was answered. */
    private static void awaitDiscovery(DriverTransport t) throws InterruptedException {
        Rig.await("discovery answered", () -> t.messageCounts().getOrDefault("rx BUS_GET_DEVICES (response)", 0L) >= 1);
    }

    private static long vmsgThreads() {
        return Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().startsWith("vmsg-")).count();
    }

    @Test
    void silentDeviceFailsEveryRequestAtItsDeadlineAndLeaksNoThread() throws Exception {
        device = new HostileDevice(bus.deviceEndpoint().orElseThrow(), f -> null);
        DriverTransport t = start(1);
        // Discovery's GET_DEVICES shares the bus request slot with the pings: let it finish first.
        awaitDiscovery(t);
        long timedOutBefore = t.messageCounts().getOrDefault("drop request timed out", 0L);
        long threadsBefore = vmsgThreads();
        long start = System.nanoTime();
        int iterations = 10_000;
        for (int i = 0; i < iterations; i++) {
            VirtioDeviceException e = assertThrows(VirtioDeviceException.class, () -> t.ping(1));
            assertEquals(VirtioDeviceException.Reason.TIMEOUT, e.reason());
        }
        long elapsedMs = (System.nanoTime() - start) / 1_000_000;
        assertTrue(elapsedMs >= iterations, "each request waited its deadline: " + elapsedMs + " ms");
        assertEquals(threadsBefore, vmsgThreads());
        long timedOut = t.messageCounts().getOrDefault("drop request timed out", 0L) - timedOutBefore;
        assertTrue(timedOut >= iterations, "every ping was sent and timed out waiting for its response: " + timedOut);
    }

    @Test
    void aRequestOfARemovedDeviceEndsAtOnceInsteadOfAtItsDeadline() throws Exception {
        // Found by FrameworkShutdownIT's 20 runs: a driver unbinding a device the device side had
        // already removed sent SET_DEVICE_STATUS after the removal had failed the outstanding
        // requests, and waited out its 2 s deadline (twice, a 4 s framework stop).
        device = new HostileDevice(bus.deviceEndpoint().orElseThrow(), f -> null);
        DriverTransport t = start(60_000);
        VirtioDeviceException removed = new VirtioDeviceException(VirtioDeviceException.Reason.REMOVED,
                "device 3: device removed from the bus");
        long start = System.nanoTime();
        VirtioDeviceException e = assertThrows(VirtioDeviceException.class, () -> t.engine().call(3,
                new dev.vmsg.wire.GetDeviceInfoRequest(), 60_000, "GET_DEVICE_INFO", () -> removed));
        long ms = (System.nanoTime() - start) / 1_000_000;
        assertEquals(VirtioDeviceException.Reason.REMOVED, e.reason());
        assertTrue(ms < 30_000, "ended at once, not at its 60 s deadline: " + ms + " ms");
        assertTrue(device.received.stream().noneMatch(f -> f.message() instanceof dev.vmsg.wire.GetDeviceInfoRequest),
                "nothing was sent for the removed device");
    }

    @Test
    void lateResponseNeverCompletesANewerRequest() throws Exception {
        AtomicReference<dev.vmsg.wire.Frame> first = new AtomicReference<>();
        AtomicInteger pings = new AtomicInteger();
        device = new HostileDevice(bus.deviceEndpoint().orElseThrow(), f -> {
            if (!(f.message() instanceof PingRequest p)) {
                return null;
            }
            if (pings.incrementAndGet() == 1) {
                first.set(f); // too slow: answered only after the next request
                return null;
            }
            // Answer the stale request first, then this one.
            device.send(new PingResponse(((PingRequest) first.get().message()).data()), 0,
                    first.get().header().token());
            return new PingResponse(p.data());
        });
        DriverTransport t = start(500);
        awaitDiscovery(t);
        assertThrows(VirtioDeviceException.class, () -> t.ping(111));
        t.ping(222);
        assertEquals(1L, t.messageCounts().get("drop response matches no outstanding request"),
                t.messageCounts().toString());
    }

    @Test
    void responseWithTheWrongTokenIsDropped() throws Exception {
        device = new HostileDevice(bus.deviceEndpoint().orElseThrow(), f -> null);
        device.script = f -> {
            if (f.message() instanceof PingRequest p) {
                device.send(new PingResponse(p.data()), 0, (f.header().token() + 1) & 0xFFFF);
            }
            return null;
        };
        DriverTransport t = start(500);
        awaitDiscovery(t);
        VirtioDeviceException e = assertThrows(VirtioDeviceException.class, () -> t.ping(5));
        assertEquals(VirtioDeviceException.Reason.TIMEOUT, e.reason());
        assertEquals(1L, t.messageCounts().get("drop response matches no outstanding request"));
    }

    @Test
    void deviceInfoWithAbsurdValuesMarksTheDeviceBrokenWithoutAllocating() throws Exception {
        device = new HostileDevice(bus.deviceEndpoint().orElseThrow(), f -> {
            if (f.message() instanceof GetDevicesRequest r) {
                return GetDevicesResponse.of(r.offset(), r.count(), 0, List.of(1, 2));
            }
            if (f.message() instanceof dev.vmsg.wire.GetDeviceInfoRequest) {
                // Device 1: admin queues beyond max_virtqueues. Device 2: 2^32-1 feature blocks.
                return f.header().devNum() == 1
                        ? new GetDeviceInfoResponse(4, 0, new UUID(0, 0), 2, 0, 0, 0, 65535)
                        : new GetDeviceInfoResponse(4, 0, new UUID(0, 0), -1, -1, 65535, 0, 0);
            }
            return null;
        });
        DriverTransport t = start(500);
        Rig.await("both devices broken", () -> t.views().size() == 2
                && t.views().stream().allMatch(v -> v.state().startsWith("broken")));
        assertTrue(t.views().get(0).state().contains("admin queues"), t.views().get(0).state());
        assertTrue(t.views().get(1).state().contains("num_feature_blocks"), t.views().get(1).state());
    }

    @Test
    void getDevicesThatNeverAdvancesStopsDiscovery() throws Exception {
        AtomicInteger windows = new AtomicInteger();
        device = new HostileDevice(bus.deviceEndpoint().orElseThrow(), f -> {
            if (f.message() instanceof GetDevicesRequest r) {
                windows.incrementAndGet();
                // Window 0 points at 8; window 8 points at 8 again.
                return GetDevicesResponse.of(r.offset(), r.count(), Math.max(8, r.offset()), List.of());
            }
            return null;
        });
        start(500);
        Rig.await("discovery gave up", () -> warnings.stream().anyMatch(w -> w.contains("does not advance")));
        assertEquals(2, windows.get());
    }

    @Test
    void runningDeviceThatStopsAnsweringIsMarkedBrokenAndItsDriverRemoved() throws Exception {
        try (Rig rig = new Rig(WireProfile.REV1, 264, new TransportOptions(1000, 1000, 5, 2000))) {
            EchoBackend backend = new EchoBackend(8);
            EchoDriver driver = rig.driveEcho(backend);
            var device = driver.bound.get(0).device;
            // Silence the device side: its bus side stops taking frames.
            rig.bus.deviceEndpoint().orElseThrow().detach(
                    rig.core.deviceSideForTest("lb"));
            VirtioDeviceException e = assertThrows(VirtioDeviceException.class, () -> device.readConfig(0, 8));
            assertEquals(VirtioDeviceException.Reason.TIMEOUT, e.reason());
            assertTrue(Rig.take(driver.lifecycle, "remove lb/0").contains("no response to GET_CONFIG"));
            Rig.await("broken", () -> rig.view(0, "driver").state().startsWith("broken"));
        }
    }
}
