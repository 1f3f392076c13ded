package dev.vmsg.virtqueue;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.util.ArrayList;
import dev.vmsg.hardening.SeedWriter;
import dev.vmsg.hardening.Corpus;
import org.junit.jupiter.api.Test;
import dev.vmsg.hardening.FuzzInput;
import dev.vmsg.memory.GuardedWindow;
import dev.vmsg.memory.DmaAccessException;
import dev.vmsg.memory.DmaWindow;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * HARDENING row 13 by fuzzing: the driver half of the split virtqueue against a hostile device. The
 * driver posts chains with {@link DriverVirtqueue#add}; the device side is raw bytes from the input
 * written into the used ring (ids, lengths, used.idx jumps forwards and backwards) and into its
 * suppression fields.
 *
 * <p>Oracle: only {@link VirtqueueException} escapes; a completion names a head that was
 * outstanding, carries that head's own cookie and a length clamped to what was posted; no request
 * completes twice; once the ring breaks nothing more completes; {@link
 * DriverVirtqueue#detachOutstanding()} then hands back exactly the requests that did not complete,
 * so every request ends exactly once; the free list is whole again afterwards; the driver never
 * writes outside the window. Bounded: at most 256 operations per input.
 */
class DriverVirtqueueFuzzTarget {
    private static final long BASE = 0x2_0000_0000L;
    private static final int WINDOW = 64 * 1024;
    private static final int DATA = 0x4000;

    @FuzzTest(maxDuration = "30s")
    void harvest(byte[] bytes) {
        FuzzInput in = new FuzzInput(bytes);
        int size = 1 << in.below(6);
        boolean eventIdx = in.bool();
        GuardedWindow guarded = new GuardedWindow(BASE, WINDOW);
        DmaWindow w = guarded.window();
        VirtqueueAddresses addrs = SplitRing.contiguousLayout(BASE, size);
        DriverVirtqueue q = new DriverVirtqueue(w, 0, size, addrs, eventIdx);
        MockDevice device = new MockDevice(w, size, addrs);
        Map<Integer, Long> posted = new HashMap<>(); // cookie -> writable bytes
        Set<Integer> completed = new HashSet<>();
        int nextCookie = 0;
        for (int step = 0; step < 256 && in.hasMore(); step++) {
            switch (in.u8() % 6) {
                case 0 -> {
                    int nr = in.u8() % 3;
                    int nw = in.u8() % 3;
                    BufferSegment[] r = segments(in, nr);
                    BufferSegment[] wr = segments(in, nw);
                    if (nr + nw == 0) {
                        break;
                    }
                    try {
                        q.add(r, wr, nextCookie);
                        long writable = 0;
                        for (BufferSegment s : wr) {
                            writable += s.length();
                        }
                        posted.put(nextCookie, writable);
                        nextCookie++;
                    } catch (VirtqueueException e) {
                        assertTrue(e.reason() == VirtqueueException.Reason.QUEUE_FULL
                                || e.reason() == VirtqueueException.Reason.BROKEN
                                || e.reason() == VirtqueueException.Reason.BUFFER_OVERLAPS_RING, e.getMessage());
                    } catch (DmaAccessException e) {
                        assertTrue(!w.contains(e.address(), e.length()), e.getMessage());
                    }
                }
                case 1 -> device.complete(in.bool() ? in.u8() % (size + 2) : in.u32(), in.u32());
                case 2 -> device.setUsedIdx(switch (in.u8() % 3) {
                    case 0 -> device.usedIdx - 1;
                    case 1 -> device.usedIdx + size + 1;
                    default -> in.u16();
                });
                case 3 -> {
                    device.setUsedFlags(in.u16());
                    device.setAvailEvent(in.u16());
                    q.kickNeeded();
                }
                case 4 -> {
                    if (in.bool()) {
                        q.enableCallbacks();
                    } else {
                        q.disableCallbacks();
                    }
                    q.hasUsed();
                }
                default -> poll(q, size, posted, completed);
            }
        }
        while (!q.isBroken() && q.hasUsed()) {
            poll(q, size, posted, completed);
        }
        List<Object> detached = q.detachOutstanding();
        assertEquals(posted.size(), detached.size(), "requests neither completed nor detached");
        for (Object c : detached) {
            assertNotNull(posted.remove(c), "detached a request that completed or never existed: " + c);
        }
        assertEquals(size, q.freeDescriptors(), "the free list is whole again");
        guarded.assertIntact();
    }

    private static void poll(DriverVirtqueue q, int size, Map<Integer, Long> posted, Set<Integer> completed) {
        boolean wasBroken = q.isBroken();
        DriverVirtqueue.Completion c;
        try {
            c = q.poll();
        } catch (VirtqueueException e) {
            assertTrue(q.isBroken(), "a poll fault breaks the ring: " + e.getMessage());
            if (wasBroken) {
                assertEquals(VirtqueueException.Reason.BROKEN, e.reason());
            }
            return;
        }
        if (c == null) {
            return;
        }
        Integer cookie = (Integer) c.cookie();
        Long writable = posted.remove(cookie);
        assertNotNull(writable, "completion for a request that is not outstanding: " + c);
        assertTrue(completed.add(cookie), "request completed twice: " + c);
        assertTrue(c.head() >= 0 && c.head() < size);
        assertTrue(c.length() >= 0 && c.length() <= writable, "length " + c.length() + " over posted " + writable);
    }

    /** Segments in the data area, sometimes over a ring or the window's end (the driver must refuse those). */
    private static BufferSegment[] segments(FuzzInput in, int n) {
        BufferSegment[] s = new BufferSegment[n];
        for (int i = 0; i < n; i++) {
            int off = in.u16();
            int len = in.u16() % 4096;
            long addr = switch (in.u8() % 8) {
                case 0 -> BASE + (off & 0x3FF);             // on the rings
                case 1 -> BASE + WINDOW - (off & 0xFF);     // across the end
                default -> BASE + DATA + off % (WINDOW - DATA - 4096);
            };
            s[i] = new BufferSegment(addr, len);
        }
        return s;
    }

    /** Seeds: chains posted and completed correctly by the device, in and out of order. */
    static List<byte[]> seeds() {
        List<byte[]> seeds = new ArrayList<>();
        for (int e : new int[] {0, 3, 5}) {
            SeedWriter w = new SeedWriter().u8(e).u8(e & 1);
            w.u8(0).u8(1).u8(1).u16(0x100).u16(16).u8(2).u16(0x200).u16(64).u8(2);
            w.u8(1).u8(1).u8(0).u32(64).u8(5);
            if (e > 0) {
                w.u8(0).u8(1).u8(0).u16(0x300).u16(8).u8(2);
                w.u8(0).u8(0).u8(2).u16(0x400).u16(8).u8(2).u16(0x500).u16(8).u8(2);
                w.u8(1).u8(1).u8(2).u32(16).u8(1).u8(1).u8(1).u32(0).u8(5).u8(5);
            }
            seeds.add(w.toByteArray());
        }
        return seeds;
    }

    @Test
    void seedsAreCommitted() {
        Corpus.check(getClass(), "harvest", seeds());
    }
}
