package dev.vmsg.wire;

import static dev.vmsg.wire.WireBytes.buffer;
import static dev.vmsg.wire.WireBytes.hex;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every byte-exact example of spec §10 decodes to the expected message and encodes back to exactly those bytes. */
class GoldenVectorTest {
    private static final java.util.UUID NIL = GetDeviceInfoResponse.NIL_UUID;
    private static final int QEMU = 0x554D4551;

    // The §10 GET_DEVICES rows carry next_offset 0 (enumeration done), though the §1.4 prose example says 16.
    record Vector(String name, WireProfile profile, int devNum, int token, Message message, String hex) {
        @Override
        public String toString() {
            return profile + " " + name;
        }
    }

    static List<Vector> vectors() {
        WireProfile r1 = WireProfile.REV1;
        WireProfile pr28 = WireProfile.RFC3;
        WireProfile rfc2 = WireProfile.RFC2;
        return List.of(
            new Vector("GET_DEVICE_INFO request", r1, 1, 5, new GetDeviceInfoRequest(),
                "00 02 01 00 05 00 08 00"),
            new Vector("GET_DEVICE_INFO response virtio-rng", r1, 1, 5,
                new GetDeviceInfoResponse(DeviceIds.ENTROPY, QEMU, NIL, 2, 0, 1, 0, 0),
                "01 02 01 00 05 00 34 00 04 00 00 00 51 45 4D 55 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00"
                    + " 02 00 00 00 00 00 00 00 01 00 00 00 00 00 00 00 00 00 00 00"),
            new Vector("GET_DEVICE_FEATURES request", r1, 1, 6, new GetDeviceFeaturesRequest(0, 2),
                "00 03 01 00 06 00 10 00 00 00 00 00 02 00 00 00"),
            new Vector("GET_DEVICE_FEATURES response VERSION_1", r1, 1, 6,
                new GetDeviceFeaturesResponse(0, 2, new int[] {0, 1}),
                "01 03 01 00 06 00 18 00 00 00 00 00 02 00 00 00 00 00 00 00 01 00 00 00"),
            new Vector("SET_DRIVER_FEATURES request", r1, 1, 7,
                new SetDriverFeaturesRequest(0, 2, new int[] {0, 1}),
                "00 04 01 00 07 00 18 00 00 00 00 00 02 00 00 00 00 00 00 00 01 00 00 00"),
            new Vector("SET_DEVICE_STATUS request ACK+DRIVER+FEATURES_OK", r1, 1, 8,
                new SetDeviceStatusRequest(DeviceStatus.ACKNOWLEDGE | DeviceStatus.DRIVER | DeviceStatus.FEATURES_OK),
                "00 08 01 00 08 00 0C 00 0B 00 00 00"),
            new Vector("SET_DEVICE_STATUS response accepted", r1, 1, 8, new SetDeviceStatusResponse(0x0B),
                "01 08 01 00 08 00 0C 00 0B 00 00 00"),
            new Vector("GET_CONFIG request", r1, 1, 9, new GetConfigRequest(0, 8),
                "00 05 01 00 09 00 10 00 00 00 00 00 08 00 00 00"),
            new Vector("GET_VQUEUE request", r1, 1, 10, new GetVqueueRequest(0),
                "00 09 01 00 0A 00 0C 00 00 00 00 00"),
            new Vector("GET_VQUEUE response unconfigured", r1, 1, 10, new GetVqueueResponse(0, 256, 0, 0, 0, 0, 0),
                "01 09 01 00 0A 00 30 00 00 00 00 00 00 01 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00"
                    + " 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00"),
            new Vector("SET_VQUEUE request ENABLE", r1, 1, 11,
                new SetVqueueRequest(0, VqueueFlags.ENABLE, 256, 0x40001000L, 0x40002000L, 0x40003000L),
                "00 0A 01 00 0B 00 30 00 00 00 00 00 01 00 00 00 00 01 00 00 00 00 00 00 00 10 00 40 00 00 00 00"
                    + " 00 20 00 40 00 00 00 00 00 30 00 40 00 00 00 00"),
            new Vector("EVENT_AVAIL", r1, 1, 0, new EventAvail(0, 0),
                "00 41 01 00 00 00 10 00 00 00 00 00 00 00 00 00"),
            new Vector("EVENT_USED", r1, 1, 0, new EventUsed(0),
                "00 42 01 00 00 00 0C 00 00 00 00 00"),
            new Vector("EVENT_CONFIG without data", r1, 1, 0, new EventConfig(0x0F, 3, 0, 0, new byte[0]),
                "00 40 01 00 00 00 18 00 0F 00 00 00 03 00 00 00 00 00 00 00 00 00 00 00"),
            new Vector("GET_SHM response not present", r1, 1, 12, new GetShmResponse(0, 0, 0),
                "01 0C 01 00 0C 00 20 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00"),
            new Vector("bus GET_DEVICES request", r1, 0, 1, new GetDevicesRequest(0, 16),
                "02 02 00 00 01 00 0C 00 00 00 10 00"),
            new Vector("bus GET_DEVICES response devices 0,2,5", r1, 0, 1,
                new GetDevicesResponse(0, 16, 0, new byte[] {0x25, 0x00}),
                "03 02 00 00 01 00 10 00 00 00 00 00 10 00 25 00"),
            new Vector("bus GET_DEVICES response devices 0,2,5", pr28, 0, 1,
                new GetDevicesResponse(0, 16, 0, new byte[] {0x25, 0x00}),
                "03 02 00 00 01 00 10 00 00 00 10 00 00 00 25 00"),
            new Vector("bus PING request", r1, 0, 2, new PingRequest(0xDEADBEEF),
                "02 03 00 00 02 00 0C 00 EF BE AD DE"),
            new Vector("bus EVENT_DEVICE ADDED", r1, 0, 0, new EventDevice(3, DeviceBusState.ADDED),
                "02 40 00 00 00 00 0C 00 03 00 01 00"),
            new Vector("GET_DEVICE_INFO response num_feature_bits 64", pr28, 1, 5,
                new GetDeviceInfoResponse(DeviceIds.ENTROPY, QEMU, NIL, 2, 0, 1, 0, 0),
                "01 02 01 00 05 00 20 00 04 00 00 00 51 45 4D 55 40 00 00 00 00 00 00 00 01 00 00 00 00 00 00 00"),
            new Vector("GET_SHM response u32 fields", pr28, 1, 12, new GetShmResponse(0, 0, 0),
                "01 0C 01 00 0C 00 14 00 00 00 00 00 00 00 00 00 00 00 00 00"),
            new Vector("SET_VQUEUE request 6-byte header", rfc2, 1, 0,
                new SetVqueueRequest(0, VqueueFlags.ENABLE, 256, 0x40001000L, 0x40002000L, 0x40003000L),
                "00 0A 01 00 2A 00 00 00 00 00 00 00 00 00 00 01 00 00 00 10 00 40 00 00 00 00 00 20 00 40 00 00"
                    + " 00 00 00 30 00 40 00 00 00 00"),
            new Vector("EVENT_USED 6-byte header", rfc2, 1, 0, new EventUsed(1),
                "00 42 01 00 0A 00 01 00 00 00"));
    }

    static Stream<Arguments> cases() {
        return vectors().stream().map(Arguments::of);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void decodesSpecExampleToExpectedMessage(Vector v) {
        MessageCodec codec = new MessageCodec(v.profile(), 264);
        ByteBuffer src = buffer(v.hex());
        Frame frame = codec.decode(src);
        assertEquals(v.message(), frame.message());
        assertEquals(new Header(v.message().type(), v.message().msgId(), v.devNum(), v.token(), src.capacity()),
            frame.header());
        assertEquals(src.capacity(), src.position(), "position advanced by msg_size");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void encodesMessageToExactSpecExampleBytes(Vector v) {
        MessageCodec codec = new MessageCodec(v.profile(), 264);
        ByteBuffer dst = ByteBuffer.allocate(264);
        int size = codec.encode(v.message(), v.devNum(), v.token(), dst);
        assertEquals(v.hex(), hex(dst, 0, size));
        assertEquals(size, dst.position());
        assertEquals(size, codec.encodedSize(v.message()));
    }
}
