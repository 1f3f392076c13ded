package dev.vmsg.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

/**
 * Random bytes and random headers never make the decoder throw anything but a WireException (HARDENING matrix row
 * 11, the bounded in-CI part). Reproduce a failure with {@code -Dvmsg.wire.seed=<seed from the message>}; run a longer campaign with
 * {@code -Dvmsg.wire.frames=<frames per profile>}.
 */
class RandomFrameTest {
    private static final int FRAMES_PER_PROFILE = Integer.getInteger("vmsg.wire.frames", 20_000);
    private static final int[] INTERESTING_IDS = {0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0A,
        0x0B, 0x0C, 0x0D, 0x3F, 0x40, 0x41, 0x42, 0x43, 0x7F, 0x80, 0x87, 0xBF, 0xC0, 0xFF};

    @Test
    void decodeEitherReturnsAMessageOrThrowsWireException() {
        long seed = Long.getLong("vmsg.wire.seed", System.nanoTime());
        SplittableRandom rnd = new SplittableRandom(seed);
        int decoded = 0;
        for (WireProfile profile : WireProfile.values()) {
            MessageCodec codec = new MessageCodec(profile, rnd.nextBoolean() ? 80 : 65535);
            for (int i = 0; i < FRAMES_PER_PROFILE; i++) {
                byte[] frame = randomFrame(rnd, profile);
                int offset = rnd.nextInt(4);
                ByteBuffer src = rnd.nextBoolean() ? ByteBuffer.allocate(offset + frame.length)
                    : ByteBuffer.allocateDirect(offset + frame.length);
                src.order(rnd.nextBoolean() ? ByteOrder.LITTLE_ENDIAN : ByteOrder.BIG_ENDIAN);
                src.position(offset);
                src.put(frame).position(offset);
                String context = "seed " + seed + ", " + profile + " frame " + i + ": " + WireBytes.hex(frame);
                try {
                    Frame f = codec.decode(src);
                    decoded++;
                    assertEquals(offset + f.header().msgSize(), src.position(), context);
                    reencodeIsStable(codec, f, context);
                } catch (WireException expected) {
                    assertEquals(offset, src.position(), "rejected frame moved the position, " + context);
                } catch (RuntimeException | Error e) {
                    throw new AssertionError("decode threw " + e + " for " + context, e);
                }
            }
        }
        if (decoded == 0) {
            fail("no random frame decoded at all (seed " + seed + "): the generator is too weak");
        }
    }

    private static void reencodeIsStable(MessageCodec codec, Frame f, String context) {
        ByteBuffer out = ByteBuffer.allocate(codec.maxMessageSize());
        try {
            codec.encode(f.message(), f.header().devNum(), f.header().token(), out);
        } catch (WireException e) {
            // A decoded value may not fit back (e.g. 0xFFFFFFFF feature bits rounds up to 2^27 blocks).
            assertEquals(WireException.Reason.FIELD_OUT_OF_RANGE, e.reason(), context);
            return;
        }
        assertEquals(f.message(), codec.decode(out.flip()).message(), "re-encoded message differs, " + context);
    }

    private static byte[] randomFrame(SplittableRandom rnd, WireProfile p) {
        byte[] b = new byte[rnd.nextInt(81)];
        rnd.nextBytes(b);
        if (b.length < p.headerSize() || rnd.nextInt(4) == 0) {
            return b;
        }
        int type = rnd.nextInt(4) | (rnd.nextInt(8) == 0 ? rnd.nextInt(256) & ~3 : 0);
        int msgId = rnd.nextInt(5) == 0 ? rnd.nextInt(256) : INTERESTING_IDS[rnd.nextInt(INTERESTING_IDS.length)];
        int devNum = rnd.nextBoolean() ? 0 : rnd.nextInt(0x10000);
        int msgSize = switch (rnd.nextInt(4)) {
            case 0 -> rnd.nextInt(0x10000);
            case 1 -> rnd.nextInt(b.length + 1);
            default -> b.length;
        };
        b[0] = (byte) type;
        b[1] = (byte) msgId;
        b[2] = (byte) devNum;
        b[3] = (byte) (devNum >> 8);
        int at = p.hasToken() ? 6 : 4;
        b[at] = (byte) msgSize;
        b[at + 1] = (byte) (msgSize >> 8);
        // Small length fields make the variable parts plausible more often.
        if (rnd.nextBoolean() && b.length >= p.headerSize() + 16) {
            int field = p.headerSize() + 4 * rnd.nextInt(4);
            b[field] = (byte) rnd.nextInt(8);
            b[field + 1] = 0;
            if (field + 3 < b.length) {
                b[field + 2] = 0;
                b[field + 3] = 0;
            }
        }
        return b;
    }
}
