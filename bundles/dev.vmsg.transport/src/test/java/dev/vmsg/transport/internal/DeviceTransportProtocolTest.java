package dev.vmsg.transport.internal;

import static dev.vmsg.wire.DeviceStatus.ACKNOWLEDGE;
import static dev.vmsg.wire.DeviceStatus.DRIVER;
import static dev.vmsg.wire.DeviceStatus.DRIVER_OK;
import static dev.vmsg.wire.DeviceStatus.FEATURES_OK;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vmsg.bus.loopback.internal.LoopbackBus;
import dev.vmsg.wire.EventDevice;
import dev.vmsg.wire.FeatureBits;
import dev.vmsg.wire.FeatureSet;
import dev.vmsg.wire.Frame;
import dev.vmsg.wire.GetConfigRequest;
import dev.vmsg.wire.GetConfigResponse;
import dev.vmsg.wire.GetDeviceInfoRequest;
import dev.vmsg.wire.GetDeviceInfoResponse;
import dev.vmsg.wire.GetDevicesRequest;
import dev.vmsg.wire.GetDevicesResponse;
import dev.vmsg.wire.GetVqueueRequest;
import dev.vmsg.wire.GetVqueueResponse;
import dev.vmsg.wire.PingRequest;
import dev.vmsg.wire.PingResponse;
import dev.vmsg.wire.SetDeviceStatusRequest;
import dev.vmsg.wire.SetDeviceStatusResponse;
import dev.vmsg.wire.SetDriverFeaturesRequest;
import dev.vmsg.wire.SetVqueueRequest;
import dev.vmsg.wire.VqueueFlags;
import dev.vmsg.wire.WireProfile;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The device transport against a hand-driven, sometimes hostile driver: HARDENING matrix rows 7
 * (queue setup), 8 (config space), 9 (status machine) and rule 8 (messages).
 */
class DeviceTransportProtocolTest {

    private static final int DEV = 3;
    private final List<String> warnings = new ArrayList<>();
    private LoopbackBus bus;
    private DeviceTransport transport;
    private RawDriver driver;
    private EchoBackend backend;
    private long base;

    @BeforeEach
    void setUp() throws Exception {
        bus = LoopbackBus.create("raw", WireProfile.REV1, 264, 1 << 20, warnings::add);
        base = bus.info().window().base();
        transport = new DeviceTransport(bus.deviceEndpoint().orElseThrow(), TransportLog.SILENT);
        transport.start();
        driver = new RawDriver(bus.driverEndpoint().orElseThrow());
        backend = new EchoBackend(16);
        transport.attach(backend, "echo", DEV);
        Frame added = driver.next(5000);
        assertEquals(new EventDevice(DEV, 1), added.message());
    }

    @AfterEach
    void tearDown() {
        transport.stop();
        bus.close();
    }

    private int status(int value) throws InterruptedException {
        SetDeviceStatusResponse r = driver.call(new SetDeviceStatusRequest(value), DEV);
        return r.status();
    }

    private void toFeaturesOk() throws InterruptedException {
        assertEquals(0, status(0));
        assertEquals(ACKNOWLEDGE, status(ACKNOWLEDGE));
        assertEquals(ACKNOWLEDGE | DRIVER, status(ACKNOWLEDGE | DRIVER));
        FeatureSet f = FeatureSet.of(FeatureBits.VIRTIO_F_VERSION_1);
        driver.call(new SetDriverFeaturesRequest(0, 2, f.toBlocks(2)), DEV);
        assertEquals(ACKNOWLEDGE | DRIVER | FEATURES_OK, status(ACKNOWLEDGE | DRIVER | FEATURES_OK));
    }

    @Test
    void deviceInfoDescribesTheBackend() throws Exception {
        GetDeviceInfoResponse info = driver.call(new GetDeviceInfoRequest(), DEV);
        assertEquals(EchoBackend.DEVICE_ID, info.deviceId());
        assertEquals(16, info.configSize());
        assertEquals(2, info.maxVirtqueues());
        assertEquals(2, info.numFeatureBlocks());
    }

    @Test
    void statusMachineRefusesIllegalWritesAndKeepsItsStatus() throws Exception {
        assertEquals(0, status(0x42), "0x42 from reset: NEEDS_RESET is the device's bit");
        assertEquals(0, status(DRIVER), "DRIVER without ACKNOWLEDGE");
        assertEquals(0, status(0x10), "reserved bit");
        assertEquals(0, status(0x100), "bit above the status byte");
        assertEquals(ACKNOWLEDGE, status(ACKNOWLEDGE));
        assertEquals(ACKNOWLEDGE, status(ACKNOWLEDGE | DRIVER | DRIVER_OK), "DRIVER_OK without FEATURES_OK");
        assertEquals(ACKNOWLEDGE | DRIVER, status(ACKNOWLEDGE | DRIVER));
        assertEquals(ACKNOWLEDGE | DRIVER, status(ACKNOWLEDGE), "going backwards");
        // Features the device does not offer: FEATURES_OK is refused.
        driver.call(new SetDriverFeaturesRequest(0, 2, FeatureSet.of(5, FeatureBits.VIRTIO_F_VERSION_1).toBlocks(2)), DEV);
        assertEquals(ACKNOWLEDGE | DRIVER, status(ACKNOWLEDGE | DRIVER | FEATURES_OK));
        // Without VERSION_1 (a legacy driver): refused too.
        driver.call(new SetDriverFeaturesRequest(0, 2, FeatureSet.of(EchoBackend.FEATURE_ECHO).toBlocks(2)), DEV);
        assertEquals(ACKNOWLEDGE | DRIVER, status(ACKNOWLEDGE | DRIVER | FEATURES_OK));
        driver.call(new SetDriverFeaturesRequest(0, 2,
                FeatureSet.of(EchoBackend.FEATURE_ECHO, FeatureBits.VIRTIO_F_VERSION_1).toBlocks(2)), DEV);
        assertEquals(ACKNOWLEDGE | DRIVER | FEATURES_OK, status(ACKNOWLEDGE | DRIVER | FEATURES_OK));
        assertEquals(0, backend.driverOkCount.get());
        assertEquals(0x0F, status(0x0F));
        assertEquals(1, backend.driverOkCount.get());
        assertEquals(0, status(0));
    }

    @Test
    void configAccessOutsideTheSpaceGetsLengthZero() throws Exception {
        int[][] bad = {{0xFFFF_FFFC, 8}, {15, 4}, {16, 1}, {0, 17}, {0, 0xFFFF_FFFF}, {0x7FFF_FFFF, 2}};
        for (int[] r : bad) {
            GetConfigResponse resp = driver.call(new GetConfigRequest(r[0], r[1]), DEV);
            assertEquals(0, resp.length(), "offset " + Integer.toUnsignedString(r[0]) + " length "
                    + Integer.toUnsignedString(r[1]));
            assertEquals(0, resp.data().length);
        }
        GetConfigResponse ok = driver.call(new GetConfigRequest(13, 3), DEV);
        assertEquals(3, ok.length());
        assertArrayEquals(Arrays.copyOfRange(backend.config, 13, 16), ok.data());
    }

    @Test
    void deviceWithoutConfigSpaceAnswersEveryReadWithLengthZero() throws Exception {
        EchoBackend empty = new EchoBackend(0);
        transport.attach(empty, "empty", 9);
        driver.next(5000);
        for (int len : new int[] {0, 1, 3, 4, 8, 16}) {
            GetConfigResponse r = driver.call(new GetConfigRequest(0, len), 9);
            assertEquals(0, r.length());
        }
    }

    @Test
    void queueSetupWithBadValuesLeavesTheQueueUnconfigured() throws Exception {
        toFeaturesOk();
        long d = base + 0x1000;
        long a = base + 0x2000;
        long u = base + 0x3000;
        List<long[]> bad = List.of(
                new long[] {0, d, a, u}, new long[] {3, d, a, u}, new long[] {255, d, a, u},
                new long[] {65535, d, a, u}, new long[] {256, d, a, u}, // max is 128
                new long[] {64, d + 8, a, u}, // descriptor table not 16-aligned
                new long[] {64, d, a + 1, u}, // avail not 2-aligned
                new long[] {64, d, a, u + 2}, // used not 4-aligned
                new long[] {64, base - 0x1000, a, u}, // outside the window
                new long[] {64, base + (1 << 20) - 16, a, u}, // runs off the end
                new long[] {64, 0xFFFF_FFFF_FFFF_FFF0L, a, u}, // wraps
                new long[] {64, d, d + 512, u}); // avail ring overlaps the descriptor table
        for (long[] q : bad) {
            driver.call(new SetVqueueRequest(0, VqueueFlags.ENABLE, (int) q[0], q[1], q[2], q[3]), DEV);
            GetVqueueResponse r = driver.call(new GetVqueueRequest(0), DEV);
            assertEquals(0, r.size(), "queue taken: " + Arrays.toString(q));
            assertEquals(0, r.flags() & VqueueFlags.ENABLED);
        }
        // Reserved flags or state 3: no-op.
        driver.call(new SetVqueueRequest(0, 0x40 | VqueueFlags.ENABLE, 64, d, a, u), DEV);
        driver.call(new SetVqueueRequest(0, 3, 64, d, a, u), DEV);
        assertEquals(0, ((GetVqueueResponse) driver.call(new GetVqueueRequest(0), DEV)).size());
        // A good one is taken and reads back.
        driver.call(new SetVqueueRequest(0, VqueueFlags.ENABLE, 64, d, a, u), DEV);
        GetVqueueResponse good = driver.call(new GetVqueueRequest(0), DEV);
        assertEquals(new GetVqueueResponse(0, 128, 64, VqueueFlags.ENABLED, d, a, u), good);
        // Queue index beyond the device: max_size 0.
        assertEquals(0, ((GetVqueueResponse) driver.call(new GetVqueueRequest(0x8000_0000), DEV)).maxSize());
        // After DRIVER_OK, a queue cannot be set up any more.
        assertEquals(0x0F, status(0x0F));
        driver.call(new SetVqueueRequest(1, VqueueFlags.ENABLE, 64, base + 0x8000, base + 0x9000, base + 0xA000), DEV);
        assertEquals(0, ((GetVqueueResponse) driver.call(new GetVqueueRequest(1), DEV)).size());
    }

    @Test
    void queueSetupBeforeFeaturesOkIsRefused() throws Exception {
        assertEquals(ACKNOWLEDGE, status(ACKNOWLEDGE));
        driver.call(new SetVqueueRequest(0, VqueueFlags.ENABLE, 64, base + 0x1000, base + 0x2000, base + 0x3000), DEV);
        assertEquals(0, ((GetVqueueResponse) driver.call(new GetVqueueRequest(0), DEV)).size());
    }

    @Test
    void messagesForUnknownDevicesAndMalformedFramesAreDroppedUnanswered() throws Exception {
        driver.send(new GetDeviceInfoRequest(), 77);
        // msg_size says 12 but GET_VQUEUE's request is fine; then a truncated one and an unknown id.
        driver.sendRaw(new byte[] {0x00, 0x09, DEV, 0x00, 0x01, 0x00, 0x0B, 0x00, 0, 0, 0});
        driver.sendRaw(new byte[] {0x00, 0x0D, DEV, 0x00, 0x01, 0x00, 0x08, 0x00});
        driver.send(new dev.vmsg.wire.GetDeviceStatusResponse(0), DEV); // a response sent to a device
        assertNull(driver.next(300), "nothing may be answered");
        var counts = transport.messageCounts();
        assertEquals(1L, counts.get("drop unknown device number"));
        assertTrue(counts.keySet().stream().filter(k -> k.startsWith("drop malformed")).count() >= 1, counts.toString());
        assertEquals(1L, counts.get("drop response sent to the device side"));
        // The device still works.
        assertEquals(EchoBackend.DEVICE_ID, ((GetDeviceInfoResponse) driver.call(new GetDeviceInfoRequest(), DEV)).deviceId());
    }

    @Test
    void busMessagesListDevicesAndEchoPings() throws Exception {
        transport.attach(new EchoBackend(0), "echo9", 9);
        driver.next(5000);
        GetDevicesResponse devices = driver.call(new GetDevicesRequest(0, 16), 0);
        assertEquals(0, devices.offset());
        assertTrue(devices.isPresent(DEV));
        assertTrue(devices.isPresent(9));
        assertEquals(2, devices.presentDevices().cardinality());
        assertEquals(0, devices.nextOffset());
        PingResponse pong = driver.call(new PingRequest(0xDEADBEEF), 0);
        assertEquals(0xDEADBEEF, pong.data());
        transport.detach(backend);
        assertEquals(new EventDevice(DEV, 2), driver.next(5000).message());
        assertTrue(!((GetDevicesResponse) driver.call(new GetDevicesRequest(0, 16), 0)).isPresent(DEV));
    }
}
