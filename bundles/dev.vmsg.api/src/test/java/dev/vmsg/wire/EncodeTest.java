package dev.vmsg.wire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.ReadOnlyBufferException;
import java.util.Arrays;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Encode writes exactly msg_size little-endian bytes at the position, or nothing at all. */
class EncodeTest {
    private static final byte SENTINEL = (byte) 0xA5;

    @ParameterizedTest
    @EnumSource(WireProfile.class)
    void neverWritesOutsideItsMessage(WireProfile profile) {
        MessageCodec codec = new MessageCodec(profile, 264);
        for (Message m : SampleMessages.of(profile)) {
            ByteBuffer b = ByteBuffer.allocate(300);
            fill(b);
            b.position(7);
            int size = codec.encode(m, 0, 0, b);
            for (int i = 0; i < b.capacity(); i++) {
                if (i < 7 || i >= 7 + size) {
                    assertEquals(SENTINEL, b.get(i), m + " wrote byte " + i);
                }
            }
        }
    }

    @ParameterizedTest
    @EnumSource(WireProfile.class)
    void leavesTheBufferUnchangedWhenItIsTooSmall(WireProfile profile) {
        MessageCodec codec = new MessageCodec(profile, 264);
        for (Message m : SampleMessages.of(profile)) {
            int size = codec.encodedSize(m);
            ByteBuffer b = ByteBuffer.allocate(size + 2);
            fill(b);
            b.position(2);
            b.limit(size + 1);
            WireException e = assertThrows(WireException.class, () -> codec.encode(m, 0, 0, b));
            assertEquals(WireException.Reason.BUFFER_TOO_SMALL, e.reason());
            assertUnchanged(b, 2, size + 1);
        }
    }

    @Test
    void rejectsAndLeavesTheBufferUnchangedWhenOversized() {
        MessageCodec codec = new MessageCodec(WireProfile.REV1, 52);
        ByteBuffer b = ByteBuffer.allocate(200);
        fill(b);
        WireException e = assertThrows(WireException.class,
            () -> codec.encode(new GetConfigResponse(0, 0, 33, new byte[33]), 1, 1, b));
        assertEquals(WireException.Reason.OVERSIZED, e.reason());
        assertUnchanged(b, 0, 200);
        assertEquals(53, codec.encodedSize(new GetConfigResponse(0, 0, 33, new byte[33])));
        codec.encode(new GetConfigResponse(0, 0, 32, new byte[32]), 1, 1, b);
    }

    @Test
    void rejectsFieldsThatDoNotFitTheProfileAndWritesNothing() {
        ByteBuffer b = ByteBuffer.allocate(64);
        fill(b);
        MessageCodec rfc2 = new MessageCodec(WireProfile.RFC2, 64);
        MessageCodec rfc3 = new MessageCodec(WireProfile.RFC3, 64);
        MessageCodec rev1 = new MessageCodec(WireProfile.REV1, 64);
        Message[] tooBigFor2025 = {
            new GetShmResponse(0, 1L << 32, 0),
            new GetShmResponse(0, 0, -1L),
            new GetDeviceInfoResponse(1, 0, GetDeviceInfoResponse.NIL_UUID, 1, 0, 1, 0x10000, 0),
            new GetDeviceInfoResponse(1, 0, GetDeviceInfoResponse.NIL_UUID, 1, 0, 1, 0, 0x10000),
            new GetDeviceInfoResponse(1, 0, GetDeviceInfoResponse.NIL_UUID, 0x0800_0000, 0, 1, 0, 0)};
        for (Message m : tooBigFor2025) {
            for (MessageCodec c : new MessageCodec[] {rfc2, rfc3}) {
                WireException e = assertThrows(WireException.class, () -> c.encode(m, 1, 1, b), m.toString());
                assertEquals(WireException.Reason.FIELD_OUT_OF_RANGE, e.reason());
                assertUnchanged(b, 0, 64);
            }
            rev1.encode(m, 1, 1, ByteBuffer.allocate(64));
        }
        Message[] notU16 = {new GetDevicesRequest(0x10000, 8), new GetDevicesRequest(0, -8),
            new GetDevicesResponse(0, 8, 0x10000, new byte[1]), new EventDevice(0x10000, 1), new EventDevice(1, -1)};
        for (Message m : notU16) {
            WireException e = assertThrows(WireException.class, () -> rev1.encode(m, 0, 1, b), m.toString());
            assertEquals(WireException.Reason.FIELD_OUT_OF_RANGE, e.reason());
        }
        assertEquals(WireException.Reason.FIELD_OUT_OF_RANGE,
            assertThrows(WireException.class, () -> rev1.encode(new EventUsed(0), 0x10000, 0, b)).reason());
        assertEquals(WireException.Reason.FIELD_OUT_OF_RANGE,
            assertThrows(WireException.class, () -> rev1.encode(new EventUsed(0), 1, -1, b)).reason());
        assertUnchanged(b, 0, 64);
    }

    @ParameterizedTest
    @EnumSource(WireProfile.class)
    void writesLittleEndianIntoABigEndianOrDirectBuffer(WireProfile profile) {
        MessageCodec codec = new MessageCodec(profile, 264);
        for (Message m : SampleMessages.of(profile)) {
            ByteBuffer le = ByteBuffer.allocate(264).order(ByteOrder.LITTLE_ENDIAN);
            ByteBuffer be = ByteBuffer.allocate(264).order(ByteOrder.BIG_ENDIAN);
            ByteBuffer direct = ByteBuffer.allocateDirect(264);
            int size = codec.encode(m, 0x0102, 0x0304, le);
            codec.encode(m, 0x0102, 0x0304, be);
            codec.encode(m, 0x0102, 0x0304, direct);
            assertEquals(WireBytes.hex(le, 0, size), WireBytes.hex(be, 0, size), m.toString());
            assertEquals(WireBytes.hex(le, 0, size), WireBytes.hex(direct, 0, size), m.toString());
            assertEquals(ByteOrder.BIG_ENDIAN, be.order(), "encode leaves the buffer's order alone");
            assertEquals(m, codec.decode(be.flip()).message());
        }
        ByteBuffer be = ByteBuffer.allocate(16).order(ByteOrder.BIG_ENDIAN);
        new MessageCodec(WireProfile.REV1, 64).encode(new PingRequest(0xDEADBEEF), 0, 0x0102, be);
        assertEquals("02 03 00 00 02 01 0C 00 EF BE AD DE", WireBytes.hex(be, 0, 12));
    }

    @Test
    void busMessagesAlwaysCarryDevNumZeroAndRfc2HasNoToken() {
        ByteBuffer b = ByteBuffer.allocate(16);
        new MessageCodec(WireProfile.REV1, 64).encode(new PingRequest(1), 7, 9, b);
        assertEquals("02 03 00 00 09 00 0C 00 01 00 00 00", WireBytes.hex(b, 0, 12));
        b.clear();
        new MessageCodec(WireProfile.RFC2, 64).encode(new EventUsed(1), 1, 0x1234, b);
        assertEquals("00 42 01 00 0A 00 01 00 00 00", WireBytes.hex(b, 0, 10));
    }

    @Test
    void refusesAReadOnlyBufferWithoutWriting() {
        ByteBuffer ro = ByteBuffer.allocate(16).asReadOnlyBuffer();
        assertThrows(ReadOnlyBufferException.class,
            () -> new MessageCodec(WireProfile.REV1, 64).encode(new EventUsed(0), 0, 0, ro));
        assertEquals(0, ro.position());
    }

    @Test
    void codecRefusesMaximumsOutsideTheProfileRange() {
        assertThrows(IllegalArgumentException.class, () -> new MessageCodec(WireProfile.REV1, 51));
        assertThrows(IllegalArgumentException.class, () -> new MessageCodec(WireProfile.RFC3, 47));
        assertThrows(IllegalArgumentException.class, () -> new MessageCodec(WireProfile.RFC2, 43));
        assertThrows(IllegalArgumentException.class, () -> new MessageCodec(WireProfile.REV1, 65536));
        assertEquals(52, new MessageCodec(WireProfile.REV1, 52).maxMessageSize());
        assertEquals(65535, new MessageCodec(WireProfile.RFC2, 65535).maxMessageSize());
        assertEquals(WireProfile.RFC3, new MessageCodec(WireProfile.RFC3, 48).profile());
    }

    @Test
    void largestFixedMessageOfEachProfileFitsItsMinimumBusSize() {
        for (WireProfile p : WireProfile.values()) {
            MessageCodec codec = new MessageCodec(p, p.minimumBusMessageSize());
            int largest = 0;
            for (Message m : SampleMessages.of(p)) {
                if (SampleMessages.isFixedSize(m)) {
                    largest = Math.max(largest, codec.encodedSize(m));
                }
            }
            assertEquals(p == WireProfile.RFC2 ? 42 : p.minimumBusMessageSize(), largest, p.toString());
        }
    }

    private static void fill(ByteBuffer b) {
        for (int i = 0; i < b.capacity(); i++) {
            b.put(i, SENTINEL);
        }
    }

    private static void assertUnchanged(ByteBuffer b, int position, int limit) {
        assertEquals(position, b.position());
        assertEquals(limit, b.limit());
        byte[] all = new byte[b.capacity()];
        b.duplicate().clear().get(0, all);
        byte[] expected = new byte[all.length];
        Arrays.fill(expected, SENTINEL);
        assertArrayEquals(expected, all);
    }
}
