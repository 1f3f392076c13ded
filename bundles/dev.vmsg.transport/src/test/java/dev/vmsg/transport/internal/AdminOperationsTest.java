package dev.vmsg.transport.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vmsg.admin.DeviceView;
import dev.vmsg.admin.TraceRecord;
import dev.vmsg.admin.TrafficStats;
import dev.vmsg.device.ForwardingDeviceBackend;
import dev.vmsg.device.VirtioDeviceBackend;
import dev.vmsg.wire.MessageIds;
import dev.vmsg.wire.WireProfile;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The operations and metrics behind the vmsg commands, on a real loopback bus. */
class AdminOperationsTest {

    /** The echo device, naming its one feature bit. */
    private static final class NamedEcho extends ForwardingDeviceBackend {
        final EchoBackend echo;

        NamedEcho(EchoBackend echo) {
            this.echo = echo;
        }

        @Override
        protected VirtioDeviceBackend delegate() {
            return echo;
        }

        @Override
        public Map<Integer, String> featureNames() {
            return Map.of(EchoBackend.FEATURE_ECHO, "ECHO_F_ECHO");
        }
    }

    /** The driver side's GET_DEVICES exchange at start is over (no device: one window). */
    private static void awaitDiscovery(Rig rig) throws InterruptedException {
        Rig.await("discovery done", () -> rig.core.busStats().get(0).requestLatency().count() == 1);
    }

    @Test
    void metricsCountBytesMessagesAndRequestLatencyPerBusAndDevice() throws Exception {
        try (Rig rig = new Rig(WireProfile.REV1, 264)) {
            rig.driveEcho(new EchoBackend(0));
            // loopback: both sides are here, so every byte sent is received (once nothing is in flight)
            Rig.await("bytes sent = bytes received", () -> {
                TrafficStats s = rig.core.busStats().get(0);
                return s.bytesSent() > 0 && s.bytesSent() == s.bytesReceived();
            });
            TrafficStats bus = rig.core.busStats().get(0);
            assertEquals("lb", bus.name());
            assertTrue(bus.messages().get("driver tx GET_DEVICE_INFO") >= 1, bus.messages().toString());
            assertTrue(bus.messages().get("device rx GET_DEVICE_INFO") >= 1, bus.messages().toString());
            assertTrue(bus.requestLatency().count() >= 8, "GET_DEVICES + the init sequence: " + bus.requestLatency());
            assertTrue(bus.requestLatency().p50Nanos() > 0
                    && bus.requestLatency().p50Nanos() <= bus.requestLatency().p99Nanos()
                    && bus.requestLatency().p99Nanos() <= bus.requestLatency().maxNanos(), bus.requestLatency().toString());
            assertEquals(Map.of(), bus.errors());

            List<String> names = rig.core.deviceStats().stream().map(TrafficStats::name).toList();
            assertEquals(List.of("lb/0/device", "lb/0/driver"), names);
            TrafficStats driver = rig.core.stats("echo0").orElseThrow();
            assertEquals("lb/0/driver", driver.name(), "without a side, the driver side");
            assertEquals(1, driver.messages().get("tx GET_DEVICE_INFO"));
            assertEquals(1, driver.messages().get("rx GET_DEVICE_INFO (response)"));
            assertTrue(driver.requestLatency().count() < bus.requestLatency().count(), "bus requests are not the device's");
            TrafficStats device = rig.core.stats("lb/0/device").orElseThrow();
            assertEquals(driver.bytesSent(), device.bytesReceived(), "what the driver sent device 0 is what it got");
            assertEquals(0, device.requestLatency().count(), "the device side sends no requests");
            assertTrue(rig.core.stats("nothing").isEmpty());
        }
    }

    @Test
    void pingIsTimedAndCountedAndAnUnknownBusIsAnError() throws Exception {
        try (Rig rig = new Rig(WireProfile.RFC3, 264)) {
            awaitDiscovery(rig);
            long before = 1;
            long rtt = rig.core.ping("lb");
            assertTrue(rtt > 0);
            assertEquals(1, rig.count("driver tx BUS_PING"));
            assertEquals(1, rig.count("device rx BUS_PING"));
            assertEquals(before + 1, rig.core.busStats().get(0).requestLatency().count());
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> rig.core.ping("nope"));
            assertEquals("no bus named 'nope' (see vmsg:buses)", e.getMessage());
        }
    }

    @Test
    void traceIsOffByDefaultRecordsBothSidesWhenOnAndStopsWhenOff() throws Exception {
        try (Rig rig = new Rig(WireProfile.REV1, 264)) {
            assertFalse(rig.core.tracing("lb"));
            awaitDiscovery(rig);
            rig.core.ping("lb");
            assertEquals(List.of(), rig.core.traceRecords("lb", 100), "off by default: nothing recorded");

            rig.core.trace("lb", true, 16);
            assertTrue(rig.core.tracing("lb"));
            rig.core.ping("lb");
            Rig.await("four records of one PING", () -> rig.core.traceRecords("lb", 100).size() == 4);
            List<TraceRecord> rs = rig.core.traceRecords("lb", 100);
            assertEquals(List.of("driver tx", "device rx", "device tx", "driver rx"),
                    rs.stream().map(r -> r.side() + (r.outbound() ? " tx" : " rx")).toList());
            for (TraceRecord r : rs) {
                assertEquals(MessageIds.BUS_PING, r.header().msgId());
                assertTrue(r.header().isBusMessage());
                assertEquals("REV1", r.profile());
                assertEquals(r.header().msgSize(), r.frame().length);
            }
            assertTrue(rs.get(0).decoded().startsWith("PingRequest["), rs.get(0).decoded());
            assertTrue(rs.get(2).decoded().startsWith("PingResponse["), rs.get(2).decoded());
            assertArrayEquals(rs.get(0).frame(), rs.get(1).frame(), "the frame sent is the frame received");
            assertEquals(rs.get(0).header().token(), rs.get(3).header().token());

            rig.core.trace("lb", false, 16);
            rig.core.ping("lb");
            assertEquals(4, rig.core.traceRecords("lb", 100).size(), "off: kept for reading, nothing added");
            rig.core.trace("lb", true, 2);
            assertEquals(List.of(), rig.core.traceRecords("lb", 100), "on again: a fresh ring");
            rig.core.ping("lb");
            Rig.await("the ring holds its last two", () -> rig.core.traceRecords("lb", 100).size() == 2
                    && rig.core.traceRecords("lb", 100).get(1).sequence() == 3);
            assertThrows(IllegalArgumentException.class, () -> rig.core.trace("lb", true, 0));
            assertThrows(IllegalArgumentException.class, () -> rig.core.trace("nope", true, 4));
        }
    }

    @Test
    void featuresReadByNameOnBothSides() throws Exception {
        try (Rig rig = new Rig(WireProfile.REV1, 264)) {
            EchoDriver driver = new EchoDriver();
            rig.core.addDriver("d", driver);
            rig.core.addBackend("b", new NamedEcho(new EchoBackend(0)), "lb", "echo0", null);
            Rig.take(driver.lifecycle, "ready lb/0");
            DeviceView device = rig.view(0, "device");
            assertTrue(device.offeredFeatures().contains("ECHO_F_ECHO"), device.offeredFeatures());
            assertTrue(device.offeredFeatures().contains("VIRTIO_F_VERSION_1"), device.offeredFeatures());
            assertTrue(device.negotiatedFeatures().startsWith("{ECHO_F_ECHO, "), device.negotiatedFeatures());
            DeviceView driven = rig.view(0, "driver");
            assertTrue(driven.offeredFeatures().startsWith("{bit 0, "), "EchoDriver names no bits: "
                    + driven.offeredFeatures());
        }
    }

    @Test
    void resetRunsTheInitSequenceAgainWithTheSameDriver() throws Exception {
        try (Rig rig = new Rig(WireProfile.REV1, 264)) {
            EchoBackend backend = new EchoBackend(0);
            EchoDriver driver = rig.driveEcho(backend);
            DeviceView after = rig.core.reset("echo0");
            assertEquals("running", after.state());
            assertEquals("driver", after.side());
            Rig.take(driver.lifecycle, "remove lb/0: reset by the administrator");
            Rig.take(driver.lifecycle, "ready lb/0");
            assertEquals(2, backend.driverOkCount.get());
            assertTrue(rig.count("driver tx SET_DEVICE_STATUS") >= 8, "two init sequences");
            assertThrows(IllegalArgumentException.class, () -> rig.core.reset("lb/9"));
        }
    }

    @Test
    void configSpaceIsReadThroughTheDriverSide() throws Exception {
        try (Rig rig = new Rig(WireProfile.RFC2, 64)) {
            rig.driveEcho(new EchoBackend(100));
            long before = rig.count("driver tx GET_CONFIG");
            byte[] config = rig.core.readConfig("echo0");
            assertEquals(100, config.length);
            for (int i = 0; i < config.length; i++) {
                assertEquals((byte) (i * 7 + 3), config[i], "byte " + i);
            }
            assertTrue(rig.count("driver tx GET_CONFIG") - before >= 3, "RFC2 at 64 bytes: chunked GET_CONFIG");
            assertArrayEquals(config, rig.core.readConfig("lb/0/driver"), "the same bytes again");
            assertThrows(IllegalArgumentException.class, () -> rig.core.readConfig("lb/9"));
        }
    }
}
