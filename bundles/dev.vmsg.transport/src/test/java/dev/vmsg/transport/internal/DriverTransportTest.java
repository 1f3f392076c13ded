package dev.vmsg.transport.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vmsg.admin.DeviceView;
import dev.vmsg.driver.VirtioDeviceException;
import dev.vmsg.memory.DmaRegion;
import dev.vmsg.virtqueue.BufferSegment;
import dev.vmsg.wire.WireProfile;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;

/** The driver transport against the real device transport over a loopback bus (spec section 2.2). */
class DriverTransportTest {

    private static final int RUNNING = 0x0F;

    @ParameterizedTest
    @EnumSource(WireProfile.class)
    void initSequenceReachesDriverOkAndNegotiatesFeaturesInEveryProfile(WireProfile profile) throws Exception {
        try (Rig rig = new Rig(profile, profile.minimumBusMessageSize())) {
            EchoDriver driver = rig.driveEcho(new EchoBackend(16));
            DeviceView drv = rig.view(0, "driver");
            DeviceView dev = rig.view(0, "device");
            assertEquals(RUNNING, drv.status(), drv.toString());
            assertEquals(RUNNING, dev.status(), dev.toString());
            assertEquals("running", drv.state());
            for (String f : new String[] {"VIRTIO_F_VERSION_1", "VIRTIO_F_EVENT_IDX"}) {
                assertTrue(drv.negotiatedFeatures().contains(f), drv.negotiatedFeatures());
            }
            assertEquals(drv.negotiatedFeatures(), dev.negotiatedFeatures());
            assertEquals(1, drv.queues().size());
            assertEquals(64, drv.queues().get(0).size());
            assertEquals(64, dev.queues().get(0).size());
            assertEquals(drv.queues().get(0).descriptorAddr(), dev.queues().get(0).descriptorAddr());
            // The reset was written and the status built up one bit at a time.
            assertEquals(5, rig.count("driver tx SET_DEVICE_STATUS"));
        }
    }

    @ParameterizedTest
    @EnumSource(WireProfile.class)
    void chainTravelsThroughTheVirtqueueInTheWindow(WireProfile profile) throws Exception {
        try (Rig rig = new Rig(profile, 264)) {
            EchoDriver driver = rig.driveEcho(new EchoBackend(0));
            EchoDriver.Bound b = driver.bound.get(0);
            DmaRegion buf = b.device.allocator().allocate(4096);
            byte[] hello = "hello, virtio-msg".getBytes(StandardCharsets.US_ASCII);
            b.device.window().write(buf.address(), hello, 0, hello.length);
            for (int i = 0; i < 500; i++) {
                b.queue.submit(new BufferSegment[] {new BufferSegment(buf.address(), hello.length)},
                        new BufferSegment[] {new BufferSegment(buf.address() + 1024, 64)}, "req" + i);
                assertEquals("completed req" + i + " " + hello.length, Rig.take(b.events, "completed"));
            }
            byte[] echoed = new byte[hello.length];
            b.device.window().read(buf.address() + 1024, echoed, 0, echoed.length);
            assertArrayEquals(hello, echoed);
            assertTrue(rig.count("driver tx EVENT_AVAIL") >= 1);
            assertTrue(rig.count("driver rx EVENT_USED") >= 1);
        }
    }

    @Test
    void configReadIsChunkedToTheBusMaximum() throws Exception {
        try (Rig rig = new Rig(WireProfile.REV1, 64)) {
            EchoBackend backend = new EchoBackend(300);
            EchoDriver driver = rig.driveEcho(backend);
            long before = rig.count("driver tx GET_CONFIG");
            byte[] read = driver.bound.get(0).device.readConfig(0, 300);
            assertArrayEquals(backend.config, read);
            // 64-byte messages carry 64 - 8 - 12 = 44 config bytes: 300 bytes take 7 reads.
            assertEquals(7, rig.count("driver tx GET_CONFIG") - before);
        }
    }

    @Test
    void configReadStartsAgainWhileTheGenerationChanges() throws Exception {
        try (Rig rig = new Rig(WireProfile.REV1, 64)) {
            EchoBackend backend = new EchoBackend(100);
            EchoDriver driver = rig.driveEcho(backend);
            backend.configChangesDuringReads.set(2);
            long before = rig.count("driver tx GET_CONFIG");
            assertArrayEquals(backend.config, driver.bound.get(0).device.readConfig(0, 100));
            // 3 chunks per pass. The first pass sees the generation move between chunk 1 and 2
            // (each of its first two reads bumps it), so the whole config is read again: 6 reads.
            assertEquals(6, rig.count("driver tx GET_CONFIG") - before);
        }
    }

    @Test
    void configWriteIsAppliedOrRejectedWhole() throws Exception {
        try (Rig rig = new Rig(WireProfile.REV1, 264)) {
            EchoBackend backend = new EchoBackend(32);
            EchoDriver driver = rig.driveEcho(backend);
            var device = driver.bound.get(0).device;
            device.writeConfig(4, new byte[] {1, 2, 3});
            assertArrayEquals(new byte[] {1, 2, 3}, Arrays.copyOfRange(backend.config, 4, 7));
            byte before = backend.config[0];
            VirtioDeviceException e = assertThrows(VirtioDeviceException.class,
                    () -> device.writeConfig(0, new byte[] {9}));
            assertEquals(VirtioDeviceException.Reason.REJECTED, e.reason());
            assertEquals(before, backend.config[0]);
            assertThrows(IllegalArgumentException.class, () -> device.readConfig(30, 4));
        }
    }

    @Test
    void aChainPostedDuringProbeIsKickedOnceTheDeviceIsLive() throws Exception {
        // Found by RebindingTest: the kick of a chain posted before DRIVER_OK reached a device that
        // was not live yet and was dropped, and nothing kicked again: the request never ended.
        try (Rig rig = new Rig(WireProfile.REV1, 264)) {
            EchoDriver driver = new EchoDriver();
            driver.submitInProbe = true;
            rig.core.addDriver("d", driver);
            rig.core.addBackend("b", new EchoBackend(0), "lb", "echo0", null);
            Rig.take(driver.lifecycle, "ready lb/0");
            assertEquals("completed probe-chain 8", Rig.take(driver.bound.get(0).events, "completed"));
            assertEquals(0, rig.count("device drop EVENT_AVAIL for a queue that is not live"),
                    "a kick was sent before DRIVER_OK");
        }
    }

    @Test
    void deviceThatRefusesTheFeaturesIsNotDriven() throws Exception {
        try (Rig rig = new Rig(WireProfile.REV1, 264)) {
            EchoDriver driver = new EchoDriver();
            EchoBackend backend = new EchoBackend(0);
            backend.acceptFeatures = false;
            rig.core.addDriver("d", driver);
            rig.core.addBackend("b", backend, "lb", "echo0", null);
            Rig.await("device broken", () -> {
                DeviceView v = rig.view(0, "driver");
                return v != null && v.state().startsWith("broken");
            });
            assertTrue(rig.view(0, "driver").state().contains("refused the features"), rig.view(0, "driver").state());
            assertTrue(driver.bound.isEmpty());
            assertEquals(0, backend.driverOkCount.get());
        }
    }

    @Test
    void hotPlugAddsAndRemovesDevicesAndFailsTheirOutstandingChainsOnce() throws Exception {
        try (Rig rig = new Rig(WireProfile.REV1, 264)) {
            EchoDriver driver = new EchoDriver();
            rig.core.addDriver("d", driver);
            rig.core.addBackend("b0", new EchoBackend(0), "lb", "echo0", null);
            Rig.take(driver.lifecycle, "ready lb/0");
            EchoBackend second = new EchoBackend(0);
            second.hold = true;
            rig.core.addBackend("b1", second, "lb", "echo1", 7);
            Rig.take(driver.lifecycle, "ready lb/7");
            EchoDriver.Bound b = driver.bound.stream().filter(x -> x.device.deviceNumber() == 7).findFirst()
                    .orElseThrow();
            DmaRegion buf = b.device.allocator().allocate(4096);
            for (int i = 0; i < 5; i++) {
                b.queue.submit(new BufferSegment[] {new BufferSegment(buf.address(), 8)},
                        new BufferSegment[] {new BufferSegment(buf.address() + 512, 8)}, "held" + i);
            }
            Rig.await("device holds the chains", () -> second.held.size() == 5);
            rig.core.removeBackend("b1");
            Rig.take(driver.lifecycle, "remove lb/7");
            for (int i = 0; i < 5; i++) {
                assertEquals("failed held" + i + " REMOVED", Rig.take(b.events, "failed held" + i));
            }
            Thread.sleep(50);
            assertTrue(b.events.stream().noneMatch(s -> s.startsWith("DOUBLE")), b.events.toString());
            Rig.await("device 7 gone on both sides", () -> rig.view(7, "driver") == null && rig.view(7, "device") == null);
            assertEquals("running", rig.view(0, "driver").state());
            assertTrue(rig.count("driver rx BUS_EVENT_DEVICE") >= 3, "ADDED 0, ADDED 7, REMOVED 7");
        }
    }

    @Test
    void driverLeavingReleasesTheDeviceAndANewDriverTakesItAgain() throws Exception {
        try (Rig rig = new Rig(WireProfile.REV1, 264)) {
            EchoDriver first = new EchoDriver();
            rig.core.addDriver("d1", first);
            rig.core.addBackend("b", new EchoBackend(0), "lb", "echo0", null);
            Rig.take(first.lifecycle, "ready");
            rig.core.removeDriver("d1");
            Rig.take(first.lifecycle, "remove lb/0: driver unbound");
            Rig.await("device reset and waiting", () -> rig.view(0, "device").status() == 0
                    && rig.view(0, "driver").state().equals("no driver"));
            EchoDriver second = new EchoDriver();
            rig.core.addDriver("d2", second);
            Rig.take(second.lifecycle, "ready lb/0");
            assertEquals(RUNNING, rig.view(0, "device").status());
        }
    }

    @Test
    void deviceAskingForResetIsInitialisedAgain() throws Exception {
        try (Rig rig = new Rig(WireProfile.REV1, 264)) {
            EchoBackend backend = new EchoBackend(0);
            EchoDriver driver = rig.driveEcho(backend);
            backend.context.needsReset("test asks for it");
            Rig.take(driver.lifecycle, "remove lb/0: device needs reset");
            Rig.take(driver.lifecycle, "ready lb/0");
            assertEquals(2, backend.driverOkCount.get());
            assertEquals(RUNNING, rig.view(0, "device").status());
        }
    }

    @Test
    void busRemovalRemovesItsDevicesOnBothSides() throws Exception {
        try (Rig rig = new Rig(WireProfile.REV1, 264)) {
            EchoDriver driver = rig.driveEcho(new EchoBackend(0));
            rig.core.removeBus("bus");
            Rig.take(driver.lifecycle, "remove lb/0: bus lb removed");
            assertTrue(rig.core.devices().isEmpty());
            // The backend is remembered: when the bus comes back, so does the device.
            rig.core.addBus("bus2", rig.bus);
            Rig.take(driver.lifecycle, "ready lb/0");
        }
    }

    @Test
    void linkDownRemovesDevicesAndFailsTheirChainsAndLinkUpFindsThemAgain() throws Exception {
        try (Rig rig = new Rig(WireProfile.REV1, 264)) {
            EchoDriver driver = new EchoDriver();
            EchoBackend backend = new EchoBackend(0);
            backend.hold = true;
            rig.core.addDriver("d", driver);
            rig.core.addBackend("b", backend, "lb", "echo0", null);
            Rig.take(driver.lifecycle, "ready lb/0");
            EchoDriver.Bound b = driver.bound.get(0);
            DmaRegion buf = b.device.allocator().allocate(4096);
            b.queue.submit(new BufferSegment[] {new BufferSegment(buf.address(), 8)},
                    new BufferSegment[] {new BufferSegment(buf.address() + 64, 8)}, "inflight");
            Rig.await("device holds the chain", () -> backend.held.size() == 1);
            DriverTransport t = rig.core.driverSide("lb").orElseThrow();
            t.onLinkDown("test pulled the cable");
            assertTrue(Rig.take(driver.lifecycle, "remove lb/0").contains("peer lost"));
            assertEquals("failed inflight REMOVED", Rig.take(b.events, "failed inflight"));
            Rig.await("no driver-side device", () -> rig.view(0, "driver") == null);
            backend.hold = false;
            t.onLinkUp();
            Rig.take(driver.lifecycle, "ready lb/0");
            assertEquals(RUNNING, rig.view(0, "driver").status());
        }
    }
}
