package dev.vmsg.bus.ffa.firmware;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.vmsg.hardening.SeedWriter;
import dev.vmsg.hardening.Corpus;
import org.junit.jupiter.api.Test;
import dev.vmsg.hardening.FuzzInput;
import dev.vmsg.hardening.QuietPartition;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * HARDENING row 21 by fuzzing: the emulated firmware's FFA_MEM_SHARE descriptor parsing and the
 * share / retrieve / relinquish / reclaim machine. A lender partition writes descriptors into its
 * TX buffer, either raw bytes from the input or a well-formed descriptor with fuzzed fields; a
 * borrower retrieves handles (real or guessed) and accesses its mappings at fuzzed offsets.
 *
 * <p>Oracle: only {@link FfaException} escapes; a share the firmware accepted covers pages wholly
 * inside the lender's memory (checked by writing through the borrower's mapping and finding the
 * byte in the lender's memory at the described address); a mapping never reaches outside its
 * share; reclaim of everything at the end leaves no shared handle.
 */
class FfaMemoryDescriptorFuzzTarget {
    private static final int LENDER = 0x0001;
    private static final int BORROWER = 0x8001;
    private static final int MEMORY = 16 * FfaConduit.PAGE_SIZE;


    @FuzzTest(maxDuration = "30s")
    void share(byte[] bytes) {
        FuzzInput in = new FuzzInput(bytes);
        FfaFirmware firmware = new FfaFirmware(0, w -> { });
        try {
            FfaConduit lender = firmware.addPartition(LENDER, new UUID(1, 1), false, true, MEMORY, QuietPartition.INSTANCE);
            FfaConduit borrower = firmware.addPartition(BORROWER, new UUID(2, 2), true, true, 0, QuietPartition.INSTANCE);
            lender.rxTxMap(1);
            Map<Long, Long> shares = new HashMap<>(); // handle -> lender address
            Map<Long, MemoryMapping> mapped = new HashMap<>();
            for (int step = 0; step < 64 && in.hasMore(); step++) {
                try {
                    switch (in.u8() % 6) {
                        case 0 -> {
                            ByteBuffer tx = lender.txBuffer();
                            long address = descriptor(in, tx);
                            long handle = lender.memShare(in.bool() ? MemoryRegionDescriptor.encodedSize() : in.u16());
                            shares.put(handle, address);
                        }
                        case 1 -> {
                            long h = pick(in, shares);
                            MemoryMapping m = borrower.memRetrieve(h);
                            mapped.put(h, m);
                            check(lender, m, shares.get(h));
                        }
                        case 2 -> {
                            long h = pick(in, shares);
                            MemoryMapping m = mapped.get(h);
                            if (m != null) {
                                int off = in.u32();
                                int len = in.u32() & 0xFFFF;
                                ByteBuffer s = m.slice(off, len);
                                assertTrue(off >= 0 && len <= m.size() && off <= m.size() - len, "slice outside");
                                assertEquals(len, s.capacity());
                            }
                        }
                        case 3 -> {
                            long h = pick(in, shares);
                            borrower.memRelinquish(h);
                            mapped.remove(h);
                        }
                        case 4 -> {
                            long h = pick(in, shares);
                            lender.memReclaim(h);
                            shares.remove(h);
                        }
                        default -> {
                            // a guessed handle; the lender may not retrieve its own share
                            boolean byLender = in.bool();
                            long h = in.u64();
                            MemoryMapping m = (byLender ? lender : borrower).memRetrieve(h);
                            assertTrue(!byLender, "the lender retrieved handle " + h);
                            mapped.put(h, m);
                        }
                    }
                } catch (FfaException typed) {
                    // the firmware's answer to a bad call
                }
            }
            for (long h : new ArrayList<>(mapped.keySet())) {
                borrower.memRelinquish(h);
            }
            for (long h : List.copyOf(shares.keySet())) {
                lender.memReclaim(h);
            }
            assertEquals(0, firmware.sharedHandles(), "every share reclaimed");
        } finally {
            firmware.close();
        }
    }

    /** A descriptor in {@code tx}: well formed with fuzzed fields, or raw bytes. Returns the address it names. */
    private static long descriptor(FuzzInput in, ByteBuffer tx) {
        if (in.bool()) {
            byte[] raw = in.bytes(tx.capacity());
            tx.put(0, raw);
            return -1; // where the address field sits depends on the raw offsets
        }
        int sender = in.bool() ? LENDER : in.u16();
        int receiver = in.bool() ? BORROWER : in.u16();
        int access = in.u8() & 3;
        long address = switch (in.u8() % 4) {
            case 0 -> (long) (in.u8() % 20) * FfaConduit.PAGE_SIZE;
            case 1 -> in.u64();
            case 2 -> 0x7FFF_FFFF_FFFF_F000L - (long) (in.u8() % 4) * FfaConduit.PAGE_SIZE;
            default -> in.u32() & 0xFFFF_FFFFL;
        };
        int pages = in.bool() ? 1 + in.u8() % 20 : in.u32();
        new MemoryRegionDescriptor(sender, receiver, MemoryRegionDescriptor.NORMAL_WB_INNER_SHAREABLE, access, 0,
                address, pages).writeTo(tx);
        return address;
    }

    private static long pick(FuzzInput in, Map<Long, Long> shares) {
        if (shares.isEmpty() || in.u8() % 4 == 0) {
            return in.u64();
        }
        List<Long> hs = List.copyOf(shares.keySet());
        return hs.get(in.u8() % hs.size());
    }

    /** A byte written through the mapping appears in the lender's memory at the shared address. */
    private static void check(FfaConduit lender, MemoryMapping m, Long address) {
        assertTrue(m.size() > 0 && m.size() % FfaConduit.PAGE_SIZE == 0, "mapping of " + m.size() + " bytes");
        // The whole mapping is reachable: an untyped IndexOutOfBoundsException here means the
        // firmware accepted pages outside the lender's memory.
        assertEquals(m.size(), m.slice(0, m.size()).capacity());
        ByteBuffer mem = lender.memory();
        if (address == null || address < 0) {
            return; // shared through raw bytes: the address field position is not known here
        }
        assertTrue(address + m.size() <= mem.capacity(), "share [" + address + ", +" + m.size()
                + ") is outside the lender's " + mem.capacity() + " bytes");
        byte marker = (byte) (mem.get(address.intValue()) + 1);
        m.slice(0, 1).put(0, marker);
        assertEquals(marker, mem.get(address.intValue()), "the mapping aliases the described pages");
    }

    /** Seeds: the share, retrieve, access, relinquish, reclaim sequence of the firmware tests. */
    static List<byte[]> seeds() {
        List<byte[]> seeds = new ArrayList<>();
        for (int pages : new int[] {0, 3, 15}) {
            SeedWriter w = new SeedWriter();
            // share: structured descriptor, lender -> borrower, read-write, page 2, 1 + pages pages
            w.u8(0).u8(0).u8(1).u8(1).u8(MemoryRegionDescriptor.ACCESS_RW).u8(0).u8(pages == 15 ? 0 : 2)
                    .u8(1).u8(pages).u8(1);
            w.u8(1).u8(1).u8(0);                          // retrieve it
            w.u8(2).u8(1).u8(0).u32(16).u32(64);          // access 64 bytes at 16
            w.u8(3).u8(1).u8(0);                          // relinquish
            w.u8(4).u8(1).u8(0);                          // reclaim
            seeds.add(w.toByteArray());
        }
        return seeds;
    }

    @Test
    void seedsAreCommitted() {
        Corpus.check(getClass(), "share", seeds());
    }
}
