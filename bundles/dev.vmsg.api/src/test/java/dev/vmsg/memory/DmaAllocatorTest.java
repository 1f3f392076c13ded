package dev.vmsg.memory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class DmaAllocatorTest {
    private static final long BASE = 0x4000_0000L;
    private final DmaWindow window = DmaWindow.allocate(BASE, 16 * 4096);
    private final DmaAllocator alloc = new DmaAllocator(window);

    @Test
    void roundsUpToGranularityFromTheLowestAddress() {
        DmaRegion a = alloc.allocate(1);
        assertEquals(new DmaRegion(BASE, 4096), a);
        DmaRegion b = alloc.allocate(4097);
        assertEquals(new DmaRegion(BASE + 4096, 8192), b);
        assertEquals(3 * 4096, alloc.allocatedBytes());
        assertEquals(13 * 4096, alloc.freeBytes());
    }

    @Test
    void firstFitReusesTheLowestHoleThatFits() {
        DmaRegion a = alloc.allocate(4096);
        DmaRegion b = alloc.allocate(2 * 4096);
        DmaRegion c = alloc.allocate(4096);
        alloc.free(a);
        alloc.free(c);
        // a's hole (1 page) is too small for 2 pages; c's hole merges with the tail.
        assertEquals(BASE + 3 * 4096, alloc.allocate(2 * 4096).address());
        assertEquals(BASE, alloc.allocate(4096).address());
        alloc.free(b);
    }

    @Test
    void coalescesNeighboursSoTheWholeWindowIsAllocatableAgain() {
        List<DmaRegion> all = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
            all.add(alloc.allocate(4096));
        }
        // Free in an order that creates holes on both sides before merging them.
        int[] order = {1, 3, 5, 2, 4, 0, 15, 7, 9, 8, 6, 10, 12, 14, 13, 11};
        for (int i : order) {
            alloc.free(all.get(i));
        }
        assertEquals(16 * 4096, alloc.freeBytes());
        assertEquals(new DmaRegion(BASE, 16 * 4096), alloc.allocate(16 * 4096));
    }

    @Test
    void exhaustionIsATypedErrorWithAClearMessage() {
        alloc.allocate(15 * 4096);
        DmaExhaustedException e = assertThrows(DmaExhaustedException.class, () -> alloc.allocate(2 * 4096));
        assertTrue(e.getMessage().contains("4096 bytes free"), e.getMessage());
        assertThrows(DmaExhaustedException.class, () -> alloc.allocate(Long.MAX_VALUE));
        assertThrows(IllegalArgumentException.class, () -> alloc.allocate(0));
        assertThrows(IllegalArgumentException.class, () -> alloc.allocate(-5));
    }

    @Test
    void rejectsDoubleAndForeignFrees() {
        DmaRegion a = alloc.allocate(4096);
        alloc.free(a);
        assertThrows(IllegalArgumentException.class, () -> alloc.free(a));
        DmaRegion b = alloc.allocate(8192);
        assertThrows(IllegalArgumentException.class, () -> alloc.free(new DmaRegion(b.address(), 4096)));
        assertThrows(IllegalArgumentException.class, () -> alloc.free(new DmaRegion(b.address() + 4096, 4096)));
        assertThrows(IllegalArgumentException.class, () -> alloc.free(new DmaRegion(0xDEAD_0000L, 4096)));
        assertEquals(8192, alloc.allocatedBytes());
    }

    @Test
    void subRangeAllocatorStaysInsideItsRange() {
        DmaAllocator sub = new DmaAllocator(window, 4096, 4 * 4096, 64);
        DmaRegion r = sub.allocate(100);
        assertEquals(new DmaRegion(BASE + 4096, 128), r);
        assertEquals(4 * 4096 - 128, sub.freeBytes());
        assertThrows(IllegalArgumentException.class, () -> new DmaAllocator(window, 0, 17 * 4096, 4096));
        assertThrows(IllegalArgumentException.class, () -> new DmaAllocator(window, 0, 4096, 3));
    }

    @Test
    void randomAllocateFreeKeepsAccountingExact() {
        long seed = System.nanoTime();
        SplittableRandom rnd = new SplittableRandom(seed);
        List<DmaRegion> live = new ArrayList<>();
        for (int step = 0; step < 5000; step++) {
            if (live.isEmpty() || rnd.nextBoolean()) {
                try {
                    DmaRegion r = alloc.allocate(1 + rnd.nextInt(3 * 4096));
                    for (DmaRegion o : live) {
                        boolean overlap = r.address() < o.address() + o.size() && o.address() < r.address() + r.size();
                        assertTrue(!overlap, "seed " + seed + ": " + r + " overlaps " + o);
                    }
                    assertTrue(window.contains(r.address(), r.size()), "seed " + seed);
                    live.add(r);
                } catch (DmaExhaustedException full) {
                    // fine
                }
            } else {
                alloc.free(live.remove(rnd.nextInt(live.size())));
            }
            long used = 0;
            for (DmaRegion o : live) {
                used += o.size();
            }
            assertEquals(used, alloc.allocatedBytes(), "seed " + seed);
            assertEquals(16 * 4096 - used, alloc.freeBytes(), "seed " + seed);
        }
        for (DmaRegion r : live) {
            alloc.free(r);
        }
        assertEquals(16 * 4096, alloc.allocate(16 * 4096).size(), "seed " + seed);
    }
}
