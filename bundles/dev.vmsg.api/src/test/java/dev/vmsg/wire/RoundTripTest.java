package dev.vmsg.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/** Every message type survives encode then decode in every profile, with its header. */
class RoundTripTest {

    static Stream<Arguments> samples() {
        return Arrays.stream(WireProfile.values())
            .flatMap(p -> SampleMessages.of(p).stream().map(m -> Arguments.of(p, m)));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("samples")
    void decodesWhatItEncoded(WireProfile profile, Message message) {
        MessageCodec codec = new MessageCodec(profile, 264);
        boolean bus = message instanceof BusMessage;
        int devNum = bus ? 0 : 0xFFFF;
        int token = profile.hasToken() ? 0xFFFE : 0;
        ByteBuffer buf = ByteBuffer.allocate(300);
        buf.position(5);
        int size = codec.encode(message, devNum, token, buf);
        assertEquals(5 + size, buf.position());
        assertEquals(size, codec.encodedSize(message));

        buf.flip().position(5);
        Frame frame = codec.decode(buf);
        assertEquals(message, frame.message());
        assertEquals(new Header(message.type(), message.msgId(), devNum, token, size), frame.header());
        assertEquals(5 + size, buf.position());
        assertEquals(message.kind() == MessageKind.RESPONSE, frame.header().isResponse());
        assertEquals(bus, frame.header().isBusMessage());
        assertEquals(message.kind() == MessageKind.EVENT, frame.header().isEvent());
    }

    @ParameterizedTest
    @EnumSource(WireProfile.class)
    void samplesCoverEveryMessageType(WireProfile profile) {
        Set<Class<?>> all = new HashSet<>(Arrays.asList(TransportMessage.class.getPermittedSubclasses()));
        all.addAll(Arrays.asList(BusMessage.class.getPermittedSubclasses()));
        Set<Class<?>> sampled = new HashSet<>();
        SampleMessages.of(profile).forEach(m -> sampled.add(m.getClass()));
        assertEquals(all, sampled);
        assertEquals(30, all.size());
    }

    @Test
    void rfc3AndRfc2NormaliseVqueueFlags() {
        for (WireProfile p : new WireProfile[] {WireProfile.RFC3, WireProfile.RFC2}) {
            MessageCodec codec = new MessageCodec(p, 64);
            assertEquals(new GetVqueueResponse(0, 8, 8, VqueueFlags.ENABLED, 1, 2, 3),
                roundTrip(codec, new GetVqueueResponse(0, 8, 8, 0x7F, 1, 2, 3)));
            assertEquals(new GetVqueueResponse(0, 8, 0, 0, 0, 0, 0),
                roundTrip(codec, new GetVqueueResponse(0, 8, 0, VqueueFlags.ENABLED, 0, 0, 0)));
            assertEquals(new SetVqueueRequest(0, VqueueFlags.ENABLE, 8, 1, 2, 3),
                roundTrip(codec, new SetVqueueRequest(0, VqueueFlags.KEEP_DISABLED, 8, 1, 2, 3)));
        }
    }

    @Test
    void rfc3DeviceInfoRoundsFeatureBitsUpToBlocksAndDropsUuid() {
        MessageCodec codec = new MessageCodec(WireProfile.RFC3, 64);
        assertEquals(new GetDeviceInfoResponse(1, 2, GetDeviceInfoResponse.NIL_UUID, 4, 5, 6, 7, 8),
            roundTrip(codec, new GetDeviceInfoResponse(1, 2, new java.util.UUID(1, 2), 4, 5, 6, 7, 8)));
        ByteBuffer b = WireBytes.buffer(
            "01 02 01 00 05 00 20 00 04 00 00 00 00 00 00 00 21 00 00 00 00 00 00 00 01 00 00 00 00 00 00 00");
        assertEquals(2, ((GetDeviceInfoResponse) codec.decode(b).message()).numFeatureBlocks(), "33 bits need 2 blocks");
    }

    @Test
    void rev1DeviceUuidIsInRfc4122ByteOrder() {
        MessageCodec codec = new MessageCodec(WireProfile.REV1, 64);
        ByteBuffer b = ByteBuffer.allocate(64);
        codec.encode(new GetDeviceInfoResponse(1, 0, java.util.UUID.fromString("00112233-4455-6677-8899-aabbccddeeff"),
            0, 0, 0, 0, 0), 0, 1, b);
        assertEquals("00 11 22 33 44 55 66 77 88 99 AA BB CC DD EE FF", WireBytes.hex(b, 16, 32));
    }

    @Test
    void decodesFromAReadOnlyBuffer() {
        ByteBuffer ro = WireBytes.buffer("02 03 00 00 02 00 0C 00 EF BE AD DE").asReadOnlyBuffer();
        assertEquals(new PingRequest(0xDEADBEEF), new MessageCodec(WireProfile.REV1, 64).decode(ro).message());
    }

    private static Message roundTrip(MessageCodec codec, Message m) {
        ByteBuffer b = ByteBuffer.allocate(codec.maxMessageSize());
        codec.encode(m, 1, 1, b);
        return codec.decode(b.flip()).message();
    }
}
