package dev.vmsg.wire;

import static dev.vmsg.wire.WireBytes.buffer;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Malformed frames fail with a WireException naming the right reason, never with another exception. */
class DecodeRejectionTest {
    private static final MessageCodec REV1 = new MessageCodec(WireProfile.REV1, 64);
    private static final MessageCodec RFC2 = new MessageCodec(WireProfile.RFC2, 64);

    private static WireException.Reason rejection(MessageCodec codec, ByteBuffer src) {
        int position = src.position();
        WireException e = assertThrows(WireException.class, () -> codec.decode(src));
        assertEquals(position, src.position(), "a rejected frame leaves the position alone");
        return e.reason();
    }

    private static ByteBuffer encoded(MessageCodec codec, Message m) {
        ByteBuffer b = ByteBuffer.allocate(codec.maxMessageSize());
        codec.encode(m, 0, 1, b);
        return b.flip();
    }

    @ParameterizedTest
    @EnumSource(WireProfile.class)
    void rejectsEveryTruncationOfAFrame(WireProfile profile) {
        MessageCodec codec = new MessageCodec(profile, 64);
        List<Message> messages = List.of(new GetDeviceInfoRequest(), new SetVqueueRequest(1, 1, 8, 1, 2, 3),
            new GetConfigResponse(1, 0, 4, new byte[] {1, 2, 3, 4}), new PingRequest(7),
            GetDevicesResponse.of(0, 16, 0, List.of(1, 9)));
        for (Message m : messages) {
            ByteBuffer full = encoded(codec, m);
            for (int len = 0; len < full.limit(); len++) {
                ByteBuffer cut = full.duplicate().limit(len);
                assertEquals(WireException.Reason.TRUNCATED, rejection(codec, cut), m + " cut to " + len);
            }
        }
    }

    @Test
    void rejectsMsgSizeAboveTheBusMaximum() {
        ByteBuffer b = ByteBuffer.allocate(65);
        b.put(WireBytes.bytes("00 07 01 00 05 00 41 00")).rewind();
        assertEquals(WireException.Reason.OVERSIZED, rejection(REV1, b));
    }

    @Test
    void rejectsMsgSizeBelowTheHeader() {
        assertEquals(WireException.Reason.BELOW_MINIMUM, rejection(REV1, buffer("00 07 01 00 05 00 07 00 00")));
        assertEquals(WireException.Reason.BELOW_MINIMUM, rejection(RFC2, buffer("00 07 01 00 05 00")));
    }

    @ParameterizedTest
    @EnumSource(WireProfile.class)
    void rejectsMsgSizeBelowTheMessageMinimum(WireProfile profile) {
        MessageCodec codec = new MessageCodec(profile, 64);
        int sizeField = profile.hasToken() ? 6 : 4;
        for (Message m : SampleMessages.of(profile)) {
            ByteBuffer b = encoded(codec, m);
            int size = b.limit();
            if (size == profile.headerSize()) {
                continue;
            }
            b.put(sizeField, (byte) (size - 1));
            WireException.Reason expected = SampleMessages.isFixedSize(m) || size - 1 < fixedSize(profile, m)
                ? WireException.Reason.BELOW_MINIMUM : WireException.Reason.INCONSISTENT_LENGTH;
            if (m instanceof SetConfigResponse r && r.data().length > 0) {
                // The echo is optional: one byte short of it, the response decodes without data.
                Message decoded = codec.decode(b).message();
                assertEquals(new SetConfigResponse(r.generation(), r.offset(), r.length(), new byte[0]), decoded);
                continue;
            }
            assertEquals(expected, rejection(codec, b), m + " with msg_size " + (size - 1));
        }
    }

    private static int fixedSize(WireProfile p, Message m) {
        int fixed = m instanceof EventConfig ? 16 : m instanceof GetDevicesResponse ? 6
            : m instanceof GetDeviceFeaturesResponse || m instanceof SetDriverFeaturesRequest ? 8 : 12;
        return p.headerSize() + fixed;
    }

    @ParameterizedTest
    @EnumSource(WireProfile.class)
    void rejectsUnknownMessageIds(WireProfile profile) {
        MessageCodec codec = new MessageCodec(profile, 64);
        int[][] typeAndId = {{0, 0x00}, {0, 0x0D}, {0, 0x43}, {0, 0x80}, {0, 0x01}, {0, 0x3F}, {1, 0x00}, {1, 0x0D},
            {2, 0x04}, {2, 0x80}, {2, 0xC0}, {3, 0x04}, {3, 0x80}, {2, 0x00}};
        for (int[] t : typeAndId) {
            ByteBuffer b = frame(profile, t[0], t[1], 0, 16);
            assertEquals(WireException.Reason.UNKNOWN_ID, rejection(codec, b),
                "type " + t[0] + " msg_id 0x" + Integer.toHexString(t[1]));
        }
    }

    @ParameterizedTest
    @EnumSource(WireProfile.class)
    void rejectsEventIdWithResponseTypeBit(WireProfile profile) {
        MessageCodec codec = new MessageCodec(profile, 64);
        assertEquals(WireException.Reason.BAD_TYPE, rejection(codec, frame(profile, 1, 0x40, 1, 32)));
        assertEquals(WireException.Reason.BAD_TYPE, rejection(codec, frame(profile, 1, 0x41, 1, 32)));
        assertEquals(WireException.Reason.BAD_TYPE, rejection(codec, frame(profile, 1, 0x42, 1, 32)));
        assertEquals(WireException.Reason.BAD_TYPE, rejection(codec, frame(profile, 3, 0x40, 0, 32)));
    }

    @ParameterizedTest
    @EnumSource(WireProfile.class)
    void rejectsBusMessageAddressedToADevice(WireProfile profile) {
        MessageCodec codec = new MessageCodec(profile, 64);
        ByteBuffer b = frame(profile, MessageType.BUS_REQUEST, MessageIds.BUS_PING, 1, 16);
        WireException e = assertThrows(WireException.class, () -> codec.readHeader(b));
        assertEquals(WireException.Reason.BAD_HEADER, e.reason());
        assertEquals(WireException.Reason.BAD_HEADER, rejection(codec, b));
    }

    @Test
    void readMessageRevalidatesACallerMadeHeader() {
        ByteBuffer b = buffer("02 03 00 00 02 00 0C 00 EF BE AD DE");
        WireException e = assertThrows(WireException.class,
            () -> REV1.readMessage(new Header(2, 3, 0, 2, 13), b));
        assertEquals(WireException.Reason.TRUNCATED, e.reason());
        e = assertThrows(WireException.class, () -> REV1.readMessage(new Header(2, 3, 5, 2, 12), b));
        assertEquals(WireException.Reason.BAD_HEADER, e.reason());
        assertEquals(0, b.position());
    }

    @Test
    void rev1FrameIsRejectedByAnRfc2Codec() {
        // token 5 is read as msg_size 5: below the 6-byte header.
        assertEquals(WireException.Reason.BELOW_MINIMUM, rejection(RFC2, buffer("00 02 01 00 05 00 08 00")));
        // token 0 (an event) is read as msg_size 0.
        assertEquals(WireException.Reason.BELOW_MINIMUM,
            rejection(RFC2, buffer("00 42 01 00 00 00 0C 00 00 00 00 00")));
        // token 12 is read as msg_size 12, so 0x0C00 .. are payload: a GET_VQUEUE response needs 42 bytes.
        assertEquals(WireException.Reason.BELOW_MINIMUM,
            rejection(RFC2, buffer("01 09 01 00 0C 00 30 00 00 00 00 00")));
    }

    @Test
    void rfc2FrameIsRejectedByARev1Codec() {
        // msg_size 10 is read as the token, the first payload bytes 01 00 as msg_size 1.
        assertEquals(WireException.Reason.BELOW_MINIMUM, rejection(REV1, buffer("00 42 01 00 0A 00 01 00 00 00")));
        // A 42-byte SET_VQUEUE: payload bytes 00 00 are read as msg_size 0.
        assertEquals(WireException.Reason.BELOW_MINIMUM, rejection(REV1, buffer(
            "00 0A 01 00 2A 00 00 00 00 00 00 00 00 00 00 01 00 00 00 10 00 40 00 00 00 00 00 20 00 40 00 00"
                + " 00 00 00 30 00 40 00 00 00 00")));
        // Too short for the 8-byte header at all.
        assertEquals(WireException.Reason.TRUNCATED, rejection(REV1, buffer("00 07 01 00 06 00")));
    }

    @Test
    void rejectsFeatureBlocksThatDoNotFitMsgSize() {
        ByteBuffer b = buffer("01 03 01 00 06 00 18 00 00 00 00 00 03 00 00 00 00 00 00 00 01 00 00 00");
        assertEquals(WireException.Reason.INCONSISTENT_LENGTH, rejection(REV1, b));
        b = buffer("00 04 01 00 06 00 10 00 00 00 00 00 FF FF FF FF");
        assertEquals(WireException.Reason.INCONSISTENT_LENGTH, rejection(REV1, b));
    }

    @Test
    void rejectsConfigLengthThatDoesNotFitMsgSize() {
        ByteBuffer b = buffer("01 05 01 00 06 00 18 00 00 00 00 00 00 00 00 00 FF FF FF FF 01 02 03 04");
        assertEquals(WireException.Reason.INCONSISTENT_LENGTH, rejection(REV1, b));
        b = buffer("00 40 01 00 00 00 1C 00 0F 00 00 00 03 00 00 00 00 00 00 00 05 00 00 00 01 02 03 04");
        assertEquals(WireException.Reason.INCONSISTENT_LENGTH, rejection(REV1, b));
    }

    @Test
    void rejectsBitmapThatDoesNotFitMsgSize() {
        ByteBuffer b = buffer("03 02 00 00 01 00 10 00 00 00 00 00 18 00 25 00");
        assertEquals(WireException.Reason.INCONSISTENT_LENGTH, rejection(REV1, b));
    }

    @Test
    void ignoresReservedTypeBitsAndPaddingAfterTheLayout() {
        ByteBuffer b = ByteBuffer.allocate(64);
        b.put(WireBytes.bytes("FC 42 01 00 00 00 0C 00 02 00 00 00 AA BB CC")).clear();
        Frame f = REV1.decode(b);
        assertEquals(new EventUsed(2), f.message());
        assertEquals(MessageType.TRANSPORT_REQUEST, f.header().type());
        assertEquals(12, b.position());
        // msg_size larger than the layout: the extra bytes are padding.
        b = buffer("00 42 01 00 00 00 10 00 02 00 00 00 AA BB CC DD");
        assertEquals(new EventUsed(2), REV1.decode(b).message());
        assertEquals(16, b.position());
    }

    @Test
    void decodesAFrameInsideALargerBufferFromItsPosition() {
        ByteBuffer b = ByteBuffer.allocate(40);
        b.position(10);
        REV1.encode(new PingResponse(42), 0, 3, b);
        REV1.encode(new EventUsed(1), 2, 0, b);
        b.flip().position(10);
        assertEquals(new PingResponse(42), REV1.decode(b).message());
        Frame second = REV1.decode(b);
        assertEquals(new EventUsed(1), second.message());
        assertEquals(2, second.header().devNum());
        assertTrue(!b.hasRemaining());
    }

    /** A frame of {@code size} bytes whose header says (type, msgId, devNum, token 1, size) and payload is zero. */
    private static ByteBuffer frame(WireProfile p, int type, int msgId, int devNum, int size) {
        ByteBuffer b = ByteBuffer.allocate(size);
        b.put(0, (byte) type).put(1, (byte) msgId).put(2, (byte) devNum).put(3, (byte) (devNum >> 8));
        int sizeAt = p.hasToken() ? 6 : 4;
        if (p.hasToken()) {
            b.put(4, (byte) 1);
        }
        b.put(sizeAt, (byte) size).put(sizeAt + 1, (byte) (size >> 8));
        return b;
    }
}
