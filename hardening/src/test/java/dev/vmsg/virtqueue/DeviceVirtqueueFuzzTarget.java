package dev.vmsg.virtqueue;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.code_intelligence.jazzer.junit.FuzzTest;
import static dev.vmsg.hardening.RingSeeds.*;
import dev.vmsg.hardening.SeedWriter;
import dev.vmsg.hardening.Corpus;
import org.junit.jupiter.api.Test;
import dev.vmsg.hardening.FuzzInput;
import dev.vmsg.memory.GuardedWindow;
import dev.vmsg.hardening.HostileRing;
import dev.vmsg.memory.DmaWindow;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * HARDENING rows 1-6 and 10 by fuzzing: the device half of the split virtqueue, structure-aware as
 * rust-vmm fuzzes its queue. The input picks the queue size, EVENT_IDX, INDIRECT_DESC and the chain
 * cap, then a sequence of operations: hostile driver writes ({@link HostileRing}: descriptors, an
 * indirect table, avail entries and indices) interleaved with the device's pop, pushUsed, transfers
 * and notification calls.
 *
 * <p>Oracle: only {@link VirtqueueException} escapes; a popped chain lies wholly in the window, off
 * the rings, readable before writable, under the cap and no longer than the table allows; every
 * pop either hands out a chain or returns the head with length 0 at once (checked in the used
 * ring, element by element), unless the queue broke; used lengths never exceed the chain's
 * writable length; the guard zones around the window stay intact; steps are bounded (at most 256
 * operations, and a pop visits at most size + 64 descriptors by construction of the oracle).
 */
class DeviceVirtqueueFuzzTarget {
    private static final long BASE = 0x1_0000_0000L;
    private static final int WINDOW = 64 * 1024;
    private static final int DATA = 0x4000;

    @FuzzTest(maxDuration = "30s")
    void popAndComplete(byte[] bytes) {
        FuzzInput in = new FuzzInput(bytes);
        int size = 1 << in.below(6);
        boolean eventIdx = in.bool();
        boolean indirect = in.bool();
        long cap = 1 + in.u16() * 16L;
        GuardedWindow guarded = new GuardedWindow(BASE, WINDOW);
        DmaWindow w = guarded.window();
        VirtqueueAddresses addrs = SplitRing.contiguousLayout(BASE, size);
        HostileRing driver = new HostileRing(w, size, addrs, BASE + DATA, WINDOW - DATA);
        DeviceVirtqueue q = new DeviceVirtqueue(w, 0, size, addrs, eventIdx, indirect, cap);
        List<DescriptorChain> held = new ArrayList<>();
        List<int[]> expectedUsed = new ArrayList<>();
        for (int step = 0; step < 256 && in.hasMore(); step++) {
            int op = in.u8() % 6;
            switch (op) {
                case 0, 1 -> driver.apply(in);
                case 2 -> pop(q, w, size, cap, held, expectedUsed);
                case 3 -> {
                    if (!held.isEmpty()) {
                        DescriptorChain c = held.remove(in.u8() % held.size());
                        int len = in.u32();
                        q.pushUsed(c.head(), len);
                        long clamped = Math.min(Integer.toUnsignedLong(len), c.writableLength());
                        if (!q.isBroken()) {
                            expectedUsed.add(new int[] {c.head(), (int) clamped});
                        }
                    }
                }
                case 4 -> transfer(in, held);
                default -> notifications(in, q);
            }
            assertTrue(q.inFlight() <= size, "in flight " + q.inFlight() + " > size " + size);
            assertEquals(held.size(), q.inFlight(), "the queue's in-flight count");
        }
        // Everything popped goes back: the head of every chain appears in the used ring once.
        for (DescriptorChain c : held) {
            q.pushUsed(c.head(), (int) Math.min(c.writableLength(), Integer.MAX_VALUE));
            if (!q.isBroken()) {
                expectedUsed.add(new int[] {c.head(), (int) c.writableLength()});
            }
        }
        assertEquals(0, q.inFlight());
        if (!q.isBroken()) {
            assertEquals(expectedUsed.size() & 0xFFFF, driver.usedIdx(), "used.idx counts every returned head");
            for (int n = Math.max(0, expectedUsed.size() - size); n < expectedUsed.size(); n++) {
                assertArrayEquals(expectedUsed.get(n), driver.usedElement(n), "used element " + n);
            }
        }
        guarded.assertIntact();
    }

    private static void pop(DeviceVirtqueue q, DmaWindow w, int size, long cap, List<DescriptorChain> held,
            List<int[]> expectedUsed) {
        boolean wasBroken = q.isBroken();
        long rejectedBefore = q.rejectedChains();
        DescriptorChain c;
        try {
            c = q.pop();
        } catch (VirtqueueException e) {
            if (wasBroken) {
                assertEquals(VirtqueueException.Reason.BROKEN, e.reason());
            } else if (q.isBroken()) {
                assertTrue(e.head() < size, "a broken queue names a head in range or -1");
            } else {
                // A rejected chain goes back at once with length 0.
                assertEquals(rejectedBefore + 1, q.rejectedChains(), "rejection counted: " + e.getMessage());
                assertTrue(e.head() >= 0 && e.head() < size, "rejection names its head: " + e.getMessage());
                expectedUsed.add(new int[] {e.head(), 0});
            }
            return;
        }
        if (c == null) {
            return;
        }
        held.add(c);
        assertTrue(c.head() >= 0 && c.head() < size);
        assertTrue(c.descriptors().size() <= size + size, "chain of " + c.descriptors().size() + " descriptors");
        assertTrue(c.readableLength() + c.writableLength() <= cap, "chain over the cap");
        boolean seenWritable = false;
        long readable = 0;
        long writable = 0;
        for (Descriptor d : c.descriptors()) {
            assertTrue(w.contains(d.address(), d.lengthUnsigned()), "descriptor outside the window: " + d);
            assertTrue(!d.isIndirect(), "an indirect descriptor is expanded, not handed out");
            if (d.isWritable()) {
                seenWritable = true;
                writable += d.lengthUnsigned();
            } else {
                if (seenWritable) {
                    fail("readable descriptor after a writable one: " + c.descriptors());
                }
                readable += d.lengthUnsigned();
            }
            long off = d.address() - w.base();
            VirtqueueAddresses a = SplitRing.contiguousLayout(w.base(), size);
            assertTrue(d.lengthUnsigned() == 0
                    || !(SplitRing.overlaps(off, d.lengthUnsigned(), a.descriptorAddr() - w.base(),
                            SplitRing.descriptorTableBytes(size))
                    || SplitRing.overlaps(off, d.lengthUnsigned(), a.driverAddr() - w.base(), SplitRing.availRingBytes(size))
                    || SplitRing.overlaps(off, d.lengthUnsigned(), a.deviceAddr() - w.base(), SplitRing.usedRingBytes(size))),
                    "descriptor overlaps the rings: " + d);
        }
        assertEquals(readable, c.readableLength());
        assertEquals(writable, c.writableLength());
    }

    /** The device reads and writes the chain's buffers: bounded by the chain, inside the window. */
    private static void transfer(FuzzInput in, List<DescriptorChain> held) {
        if (held.isEmpty()) {
            return;
        }
        DescriptorChain c = held.get(in.u8() % held.size());
        int n = in.u16() % 8192;
        long offset = in.u16();
        boolean read = in.bool();
        ByteBuffer buf = ByteBuffer.allocate(n);
        int done = read ? c.readFrom(offset, buf) : c.writeTo(offset, buf);
        long part = read ? c.readableLength() : c.writableLength();
        assertEquals(Math.max(0, Math.min(n, part - offset)), done, "bytes moved by a transfer");
        assertEquals(done, buf.position());
    }

    private static void notifications(FuzzInput in, DeviceVirtqueue q) {
        switch (in.u8() % 3) {
            case 0 -> q.enableNotifications();
            case 1 -> q.disableNotifications();
            default -> q.needsNotification();
        }
        q.hasAvailable();
    }

    /** Seeds: the chain shapes of the virtqueue unit tests, popped, transferred and completed. */
    static List<byte[]> seeds() {
        List<byte[]> seeds = new ArrayList<>();
        // one readable descriptor; readable + writable; three with two writable; size 1 and 32
        for (int e : new int[] {0, 3, 5}) {
            SeedWriter w = new SeedWriter().u8(e).u8(0).u8(0).u16(0x1000);
            desc(w.u8(0), 0, 0x100, 64, 0, 0);
            publish(w.u8(0), 0);
            w.u8(2).u8(4).u8(0).u16(64).u16(0).u8(1).u8(3).u8(0).u32(0);
            seeds.add(w.toByteArray());
        }
        SeedWriter w = new SeedWriter().u8(3).u8(1).u8(0).u16(0x1000);
        desc(w.u8(0), 0, 0x100, 16, NEXT, 1);
        desc(w.u8(0), 1, 0x200, 512, WRITE, 0);
        publish(w.u8(0), 0);
        desc(w.u8(0), 2, 0x400, 8, NEXT, 3);
        desc(w.u8(0), 3, 0x500, 100, WRITE | NEXT, 4);
        desc(w.u8(0), 4, 0x600, 1, WRITE, 0);
        publish(w.u8(0), 2);
        w.u8(5).u8(2).u8(2).u8(2).u8(4).u8(1).u16(600).u16(0).u8(0);
        w.u8(3).u8(0).u32(512).u8(3).u8(0).u32(101).u8(5).u8(0);
        seeds.add(w.toByteArray());
        // an indirect table of three descriptors
        w = new SeedWriter().u8(3).u8(0).u8(1).u16(0x1000);
        indirectDesc(w.u8(0), 0, 0x300, 16, NEXT, 1);
        indirectDesc(w.u8(0), 1, 0x400, 64, WRITE | NEXT, 2);
        indirectDesc(w.u8(0), 2, 0x500, 1, WRITE, 0);
        desc(w.u8(0), 0, 0, 48, INDIRECT, 0);
        publish(w.u8(0), 0);
        w.u8(2).u8(4).u8(0).u16(65).u16(0).u8(0).u8(3).u8(0).u32(65);
        seeds.add(w.toByteArray());
        // a self-loop and a chain off the window's end: rejected, head returned
        w = new SeedWriter().u8(3).u8(0).u8(0).u16(0x1000);
        desc(w.u8(0), 0, 0x100, 16, NEXT, 0);
        publish(w.u8(0), 0);
        w.u8(2);
        seeds.add(w.toByteArray());
        return seeds;
    }

    @Test
    void seedsAreCommitted() {
        Corpus.check(getClass(), "popAndComplete", seeds());
    }
}
