package dev.vmsg.wire;

import java.util.Arrays;
import java.util.BitSet;
import java.util.Collection;
import java.util.Objects;

/**
 * Bus GET_DEVICES response (0x02): which device numbers in {@code [offset, offset+count)} exist, as an LSB-first
 * bitmap of {@code ceil(count/8)} bytes (bit n of byte k is device offset+8k+n). {@code nextOffset} is 0 when the
 * enumeration is done. The u16 fields are laid out offset, next_offset, count in REV1 and offset, count, next_offset
 * in RFC3/RFC2. The array is not copied: treat it as read-only. Spec §1.4.
 */
public record GetDevicesResponse(int offset, int count, int nextOffset, byte[] bitmap) implements BusMessage {

    /** @throws IllegalArgumentException if {@code bitmap.length != ceil(count / 8)} or count is negative */
    public GetDevicesResponse {
        Objects.requireNonNull(bitmap, "bitmap");
        if (count < 0 || bitmap.length != bitmapLength(count)) {
            throw new IllegalArgumentException("count " + count + " needs a bitmap of " + bitmapLength(count)
                    + " bytes, got " + bitmap.length);
        }
    }

    /** Bytes of bitmap needed for {@code count} device numbers: {@code ceil(count / 8)}. */
    public static int bitmapLength(int count) {
        return (int) ((Integer.toUnsignedLong(count) + 7) >>> 3);
    }

    /**
     * A response for the window {@code [offset, offset+count)}, marking the device numbers set in {@code present}
     * (absolute device numbers; those outside the window are ignored).
     */
    public static GetDevicesResponse of(int offset, int count, int nextOffset, BitSet present) {
        byte[] bitmap = new byte[bitmapLength(count)];
        for (int d = present.nextSetBit(Math.max(offset, 0)); d >= 0 && d - offset < count; d = present.nextSetBit(d + 1)) {
            int rel = d - offset;
            bitmap[rel >>> 3] |= (byte) (1 << (rel & 7));
            if (d == Integer.MAX_VALUE) {
                break;
            }
        }
        return new GetDevicesResponse(offset, count, nextOffset, bitmap);
    }

    /** Like {@link #of(int, int, int, BitSet)} from a collection of absolute device numbers. */
    public static GetDevicesResponse of(int offset, int count, int nextOffset, Collection<Integer> deviceNumbers) {
        BitSet present = new BitSet();
        for (int d : deviceNumbers) {
            if (d >= 0) {
                present.set(d);
            }
        }
        return of(offset, count, nextOffset, present);
    }

    /** Whether {@code deviceNumber} lies in this window and its bit is set. */
    public boolean isPresent(int deviceNumber) {
        long rel = (long) deviceNumber - offset;
        if (rel < 0 || rel >= count) {
            return false;
        }
        return (bitmap[(int) (rel >>> 3)] & (1 << (rel & 7))) != 0;
    }

    /** The present device numbers as absolute numbers. */
    public BitSet presentDevices() {
        BitSet out = new BitSet();
        for (int rel = 0; rel < count; rel++) {
            if ((bitmap[rel >>> 3] & (1 << (rel & 7))) != 0) {
                out.set(offset + rel);
            }
        }
        return out;
    }

    @Override
    public int msgId() {
        return MessageIds.BUS_GET_DEVICES;
    }

    @Override
    public MessageKind kind() {
        return MessageKind.RESPONSE;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof GetDevicesResponse r && r.offset == offset && r.count == count
                && r.nextOffset == nextOffset && Arrays.equals(r.bitmap, bitmap);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * (31 * offset + count) + nextOffset) + Arrays.hashCode(bitmap);
    }

    @Override
    public String toString() {
        return "GetDevicesResponse[offset=" + offset + ", count=" + count + ", nextOffset=" + nextOffset
                + ", present=" + presentDevices() + "]";
    }
}
