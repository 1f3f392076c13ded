package dev.vmsg.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.util.ArrayList;
import java.util.List;
import dev.vmsg.hardening.Corpus;
import org.junit.jupiter.api.Test;
import dev.vmsg.hardening.FuzzInput;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * HARDENING row 11: the message decoder of every profile, for every message type. The first byte
 * picks the profile and the bus maximum, the second how the frame sits in its buffer; the rest is
 * the frame. Oracle: a frame decodes to a message or fails with a {@link WireException} (any other
 * throwable is a finding); a rejected frame leaves the position where it was; a decoded one
 * advances it by msg_size and re-encodes to an equal message (or a FIELD_OUT_OF_RANGE refusal).
 */
class MessageDecoderFuzzTarget {
    private static final int[] MAXIMA = {0, 80, 264, 4096, MessageCodec.MAX_MESSAGE_SIZE_LIMIT};

    @FuzzTest(maxDuration = "30s")
    void decode(byte[] data) {
        FuzzInput in = new FuzzInput(data);
        int sel = in.u8();
        WireProfile profile = WireProfile.values()[sel % 3];
        int max = MAXIMA[(sel / 3) % MAXIMA.length];
        MessageCodec codec = new MessageCodec(profile, Math.max(max, profile.minimumBusMessageSize()));
        int layout = in.u8();
        byte[] frame = in.rest();
        int offset = layout & 3;
        ByteBuffer src = (layout & 4) != 0 ? ByteBuffer.allocateDirect(offset + frame.length)
                : ByteBuffer.allocate(offset + frame.length);
        src.order((layout & 8) != 0 ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN);
        src.position(offset);
        src.put(frame).position(offset);
        Frame f;
        try {
            f = codec.decode(src);
        } catch (WireException rejected) {
            assertEquals(offset, src.position(), "a rejected frame moved the position");
            return;
        }
        assertEquals(offset + f.header().msgSize(), src.position(), "position after a decoded frame");
        ByteBuffer out = ByteBuffer.allocate(codec.maxMessageSize());
        try {
            codec.encode(f.message(), f.header().devNum(), f.header().token(), out);
        } catch (WireException e) {
            // A decoded value may not fit back (e.g. 0xFFFFFFFF feature bits rounds up to 2^27 blocks).
            assertEquals(WireException.Reason.FIELD_OUT_OF_RANGE, e.reason(), e.getMessage());
            return;
        }
        assertEquals(f.message(), codec.decode(out.flip()).message(), "re-encoded message differs");
    }

    /** Seeds: every sample message of the codec tests, encoded in its profile, on a 264-byte bus. */
    static List<byte[]> seeds() {
        List<byte[]> seeds = new ArrayList<>();
        for (WireProfile p : WireProfile.values()) {
            MessageCodec codec = new MessageCodec(p, 264);
            for (Message m : SampleMessages.of(p)) {
                ByteBuffer b = ByteBuffer.allocate(2 + 264);
                b.put((byte) (p.ordinal() + 3 * 2)).put((byte) 0);
                codec.encode(m, 1, 7, b);
                seeds.add(java.util.Arrays.copyOf(b.array(), b.position()));
            }
        }
        return seeds;
    }

    @Test
    void seedsAreCommitted() {
        Corpus.check(getClass(), "decode", seeds());
    }
}
