package dev.vmsg.bus.ffa.firmware;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The FF-A v1.1+ memory transaction descriptor for FFA_MEM_SHARE with one receiver and one
 * address range, as the lender writes it into its TX buffer (little-endian):
 *
 * <pre>
 * transaction descriptor (48 B): sender u16 @0, attributes u16 @2, flags u32 @4, handle u64 @8,
 *     tag u64 @16, emad_size u32 @24, emad_count u32 @28, emad_offset u32 @32, reserved 12 B @36
 * endpoint memory access descriptor (16 B, at emad_offset): receiver u16 @0, permissions u8 @2,
 *     flags u8 @3, composite_offset u32 @4, reserved u64 @8
 * composite memory region (16 B, at composite_offset): total_pages u32 @0, range_count u32 @4,
 *     reserved u64 @8, then range_count constituents (16 B each): address u64 @0, pages u32 @8, reserved u32 @12
 * </pre>
 *
 * @param sender the lender's endpoint id
 * @param receiver the borrower's endpoint id
 * @param attributes memory region attributes (normal, write-back, inner shareable = 0x2F)
 * @param permissions data access bits[1:0]: 1 read-only, 2 read-write
 * @param tag the sender's tag
 * @param address byte offset of the first page in the lender's memory (page aligned)
 * @param pages number of 4 KiB pages
 */
public record MemoryRegionDescriptor(int sender, int receiver, int attributes, int permissions, long tag,
        long address, int pages) {

    public static final int TRANSACTION_SIZE = 48;
    public static final int EMAD_SIZE = 16;
    public static final int COMPOSITE_SIZE = 16;
    public static final int CONSTITUENT_SIZE = 16;
    /** Normal memory, write-back cacheable, inner shareable. */
    public static final int NORMAL_WB_INNER_SHAREABLE = 0x2F;
    public static final int ACCESS_RO = 1;
    public static final int ACCESS_RW = 2;

    /** Encoded size with one constituent. */
    public static int encodedSize() {
        return TRANSACTION_SIZE + EMAD_SIZE + COMPOSITE_SIZE + CONSTITUENT_SIZE;
    }

    /** Writes the descriptor at the start of {@code tx}; returns its length. */
    public int writeTo(ByteBuffer tx) {
        ByteBuffer b = tx.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        int emad = TRANSACTION_SIZE;
        int composite = emad + EMAD_SIZE;
        int length = encodedSize();
        for (int i = 0; i < length; i++) {
            b.put(i, (byte) 0);
        }
        b.putShort(0, (short) sender);
        b.putShort(2, (short) attributes);
        b.putInt(4, 0);
        b.putLong(8, 0);
        b.putLong(16, tag);
        b.putInt(24, EMAD_SIZE);
        b.putInt(28, 1);
        b.putInt(32, emad);
        b.putShort(emad, (short) receiver);
        b.put(emad + 2, (byte) permissions);
        b.putInt(emad + 4, composite);
        b.putInt(composite, pages);
        b.putInt(composite + 4, 1);
        b.putLong(composite + 16, address);
        b.putInt(composite + 24, pages);
        return length;
    }
}
