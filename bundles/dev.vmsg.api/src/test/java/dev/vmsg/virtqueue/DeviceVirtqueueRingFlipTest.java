package dev.vmsg.virtqueue;

import static dev.vmsg.virtqueue.FlipOracles.nthSetBit;
import static dev.vmsg.virtqueue.FlipOracles.suppressionWord;
import static dev.vmsg.virtqueue.VirtqDesc.F_WRITE;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vmsg.memory.DmaWindow;
import dev.vmsg.memory.GuardedWindow;
import dev.vmsg.virtqueue.VirtqueueException.Reason;
import java.nio.ByteBuffer;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * HARDENING matrix row 10, the avail ring: while the device pops and completes 100 000 chains, a
 * hostile thread flips avail.idx (beyond the queue size ahead, backwards, a little ahead so stale
 * entries show, random), avail ring entries near the next to be popped (heads out of range, heads
 * in flight, any head, random), avail.flags and used_event. The descriptors stay valid and are
 * never flipped here ({@link DeviceVirtqueueDoubleFetchTest} flips those), so every fault the
 * device may report is a ring fault, which breaks the queue. After a break the backend finishes its
 * chains, the queue is reset as a device reset does (zeroed rings, a new {@link DeviceVirtqueue})
 * and the run goes on: the chains are spread over many episodes, quiet ones end with a reset too.
 *
 * <p>Oracle (rule 1: the device reads each index once and uses only its copy): only
 * {@link VirtqueueException} escapes, and only a ring fault that leaves the queue broken, sticky
 * until the reset; a popped head is in range, not in flight, and its chain is exactly that head's
 * descriptor; a head reported as already in flight is one; every popped head goes to the used ring
 * exactly once with len = min(claimed, the chain's writable length) unless the queue broke first,
 * and a broken queue publishes nothing; the device writes avail_event and used.flags from its own
 * count and state, whatever avail.idx said; the descriptor table, the data beyond each writable
 * buffer and the guard zones around the window are never written. A pop is bounded: the test has
 * a deadline and every chain is one descriptor.
 */
class DeviceVirtqueueRingFlipTest {
    static final long BASE = 0x4000_0000L;
    static final int WINDOW = 1 << 16;
    static final int SIZE = 16;
    static final int MASK = SIZE - 1;
    static final long DATA = BASE + 0x8000;
    static final int SLOT = 0x100;
    static final byte FILL = 0x5A;
    static final int CHAINS = 100_000;
    static final int EPISODE_CHAINS = 2048;
    static final List<Reason> RING_FAULTS =
            List.of(Reason.AVAIL_INDEX_JUMP, Reason.HEAD_OUT_OF_RANGE, Reason.HEAD_ALREADY_IN_FLIGHT);

    final GuardedWindow guarded = new GuardedWindow(BASE, WINDOW);
    final DmaWindow window = guarded.window();
    final VirtqueueAddresses addrs = SplitRing.contiguousLayout(BASE, SIZE);
    /** Heads the device holds, published for the hostile thread (bit h = head h). */
    final AtomicInteger inFlightMask = new AtomicInteger();

    /** Head h is one descriptor: a buffer of its own, writable unless h is a multiple of 3. */
    static Descriptor expected(int head) {
        return new Descriptor(DATA + (long) SLOT * head, 16 + 8 * head, head % 3 == 0 ? 0 : F_WRITE, 0);
    }

    static long writable(int head) {
        Descriptor d = expected(head);
        return d.isWritable() ? d.lengthUnsigned() : 0;
    }

    @Test
    @Timeout(value = 300, unit = TimeUnit.SECONDS)
    void ringIndicesFlippedWhileTheDevicePopsBreakTheQueueWithTypedErrorsOnlyAndNothingIsCompletedTwice()
            throws Exception {
        long seed = new SplittableRandom().nextLong();
        String why = "seed " + seed;
        SplittableRandom rnd = new SplittableRandom(seed);
        window.fill(DATA, (long) SLOT * SIZE, FILL);
        Map<Reason, Integer> breaks = new EnumMap<>(Reason.class);
        long chains = 0;
        int episodes = 0;
        try (HostileThread hostile = new HostileThread("hostile-avail", seed ^ 0x5DEECE66DL, 8, this::flip)) {
            while (chains < CHAINS) {
                Episode e = new Episode(rnd.nextBoolean(), why + ", episode " + episodes);
                chains += e.run(rnd);
                if (e.breakReason != null) {
                    breaks.merge(e.breakReason, 1, Integer::sum);
                }
                episodes++;
                if ((episodes & 15) == 0) {
                    checkUntouched(why);
                }
            }
            checkUntouched(why);
            assertTrue(hostile.flips() > 0, why);
            System.out.println("avail ring flips: " + why + ", " + chains + " chains in " + episodes
                    + " episodes, breaks " + breaks + ", " + hostile.flips() + " flips");
        }
    }

    /**
     * One write of the hostile driver into the avail ring, or a burst that toggles an entry near
     * the next to be popped, or avail.idx, between what is there and something bad: the classic
     * double-fetch attack, which a device that read the value twice would see change in between.
     */
    void flip(SplittableRandom rnd) {
        long avail = addrs.driverAddr();
        int idx = window.getShortAcquire(avail + SplitRing.OFFSET_IDX) & 0xFFFF;
        int slot = rnd.nextBoolean() ? (idx - 1 - rnd.nextInt(3)) & MASK : rnd.nextInt(SIZE);
        long entry = avail + SplitRing.OFFSET_RING + 2L * slot;
        if (rnd.nextBoolean()) {
            if (rnd.nextBoolean()) {
                HostileThread.toggleShort(window, entry, (short) (SIZE + rnd.nextInt(0x10000 - SIZE)));
            } else {
                HostileThread.toggleShort(window, avail + SplitRing.OFFSET_IDX,
                        (short) (idx + SIZE + 1 + rnd.nextInt(0x8000)));
            }
            return;
        }
        switch (rnd.nextInt(10)) {
            case 0 -> setIdx(idx + SIZE + 1 + rnd.nextInt(0x8000));
            case 1 -> setIdx(idx - 1 - rnd.nextInt(SIZE));
            case 2 -> setIdx(idx + 1 + rnd.nextInt(SIZE));
            case 3 -> setIdx(rnd.nextInt(0x10000));
            case 4 -> window.putShort(entry, (short) (SIZE + rnd.nextInt(0x10000 - SIZE)));
            case 5 -> {
                int held = inFlightMask.get();
                if (held != 0) {
                    window.putShort(entry, (short) nthSetBit(held, rnd.nextInt(Integer.bitCount(held))));
                }
            }
            case 6 -> window.putShort(entry, (short) rnd.nextInt(SIZE));
            case 7 -> window.putShort(entry, (short) rnd.nextInt(0x10000));
            case 8 -> window.putShortRelease(avail + SplitRing.OFFSET_FLAGS, (short) rnd.nextInt(0x10000));
            default -> window.putShortRelease(avail + SplitRing.usedEventOffset(SIZE), (short) rnd.nextInt(0x10000));
        }
    }

    private void setIdx(int idx) {
        window.putShortRelease(addrs.driverAddr() + SplitRing.OFFSET_IDX, (short) idx);
    }

    /** The device wrote nothing but the used ring and its chains' writable buffers. */
    void checkUntouched(String why) {
        guarded.assertIntact();
        for (int h = 0; h < SIZE; h++) {
            long at = addrs.descriptorAddr() + (long) VirtqDesc.SIZE * h;
            Descriptor d = new Descriptor(window.getLong(at), window.getInt(at + 8), window.getShort(at + 12) & 0xFFFF,
                    window.getShort(at + 14) & 0xFFFF);
            assertEquals(expected(h), d, why + ": the device wrote descriptor " + h);
            Descriptor e = expected(h);
            for (long b = writable(h); b < SLOT; b++) {
                assertEquals(FILL, window.getByte(e.address() + b), why + ": byte " + b + " of head " + h
                        + "'s slot, past its writable buffer of " + writable(h));
            }
        }
    }

    /** Rings zeroed and set up by an honest driver, a fresh queue, run until a break or a quota. */
    final class Episode {
        final boolean eventIdx;
        final String why;
        final MockDriver driver = new MockDriver(window, SIZE, addrs);
        final DeviceVirtqueue q;
        /** Heads the honest driver published and the device has not popped (some lost to flips). */
        int posted;
        /** Heads the device popped and has not completed, as this test saw them. */
        int held;
        int pops;
        int published;
        boolean notifications = true;
        Reason breakReason;

        Episode(boolean eventIdx, String why) {
            this.eventIdx = eventIdx;
            this.why = why + (eventIdx ? " (EVENT_IDX)" : "");
            for (int h = 0; h < SIZE; h++) {
                Descriptor d = expected(h);
                driver.desc(h, d.address(), d.length(), d.flags(), 0);
            }
            q = new DeviceVirtqueue(window, 0, SIZE, addrs, eventIdx, false, 1 << 16);
            inFlightMask.set(0);
        }

        /** Returns the chains popped. */
        int run(SplittableRandom rnd) {
            int idle = 0;
            while (breakReason == null && pops < EPISODE_CHAINS && idle < 4) {
                int moved = post(rnd) + popSome(rnd) + completeSome(rnd);
                notifications(rnd);
                idle = moved == 0 ? idle + 1 : 0;
            }
            if (breakReason != null) {
                assertStaysBroken();
            }
            // The backend finishes what it holds; a broken queue publishes none of it.
            while (held != 0) {
                complete(Integer.numberOfTrailingZeros(held), rnd);
            }
            assertEquals(0, q.inFlight(), why);
            assertEquals(published, driver.usedIdx(), why + ": used.idx is what the device published");
            assertEquals(0, q.rejectedChains(), why + ": valid descriptors were rejected");
            return pops;
        }

        int post(SplittableRandom rnd) {
            int n = 0;
            for (int k = rnd.nextInt(4); k > 0; k--) {
                int free = ~(posted | held) & ((1 << SIZE) - 1);
                if (free == 0) {
                    break;
                }
                int head = nthSetBit(free, rnd.nextInt(Integer.bitCount(free)));
                driver.publish(head);
                posted |= 1 << head;
                n++;
            }
            return n;
        }

        int popSome(SplittableRandom rnd) {
            int n = 0;
            for (int k = 1 + rnd.nextInt(4); k > 0 && breakReason == null; k--) {
                int usedBefore = driver.usedIdx();
                DescriptorChain chain;
                try {
                    chain = q.pop();
                } catch (VirtqueueException e) {
                    assertTrue(RING_FAULTS.contains(e.reason()), why + ": " + e.reason() + ": " + e.getMessage());
                    assertTrue(q.isBroken(), why + ": a ring fault must break the queue: " + e.getMessage());
                    if (e.reason() == Reason.HEAD_ALREADY_IN_FLIGHT) {
                        assertTrue((held & (1 << e.head())) != 0, why + ": head " + e.head()
                                + " reported in flight but the device does not hold it");
                    }
                    assertEquals(usedBefore, driver.usedIdx(), why + ": a breaking pop published a used element");
                    breakReason = e.reason();
                    return n + 1;
                } catch (RuntimeException e) {
                    throw new AssertionError(why + ": untyped exception from pop: " + e, e);
                }
                if (chain == null) {
                    return n;
                }
                int head = chain.head();
                assertTrue(head >= 0 && head < SIZE, why + ": popped head " + head);
                assertEquals(0, held & (1 << head), why + ": popped head " + head + " which is already in flight");
                assertEquals(List.of(expected(head)), chain.descriptors(), why + ": chain of head " + head);
                assertEquals(writable(head), chain.writableLength(), why);
                assertEquals(expected(head).lengthUnsigned() - writable(head), chain.readableLength(), why);
                held |= 1 << head;
                posted &= ~(1 << head);
                inFlightMask.set(held);
                pops++;
                n++;
                assertEquals(pops, q.inFlight() + q.completedChains(), why);
                assertSuppression();
                transfer(chain, rnd);
            }
            return n;
        }

        /** Scatters a response of random size: never more than the chain's writable length. */
        void transfer(DescriptorChain chain, SplittableRandom rnd) {
            ByteBuffer src = ByteBuffer.allocate(rnd.nextInt(2 * SLOT));
            int written = chain.writeTo(src);
            assertEquals(Math.min(src.capacity(), chain.writableLength()), written, why);
        }

        int completeSome(SplittableRandom rnd) {
            int n = 0;
            for (int k = rnd.nextInt(4); k > 0 && held != 0; k--) {
                complete(nthSetBit(held, rnd.nextInt(Integer.bitCount(held))), rnd);
                n++;
            }
            return n;
        }

        void complete(int head, SplittableRandom rnd) {
            int claimed = switch (rnd.nextInt(5)) {
                case 0 -> -1;
                case 1 -> 0;
                case 2 -> (int) writable(head);
                case 3 -> (int) writable(head) + 1;
                default -> rnd.nextInt();
            };
            int usedBefore = driver.usedIdx();
            q.pushUsed(head, claimed);
            held &= ~(1 << head);
            inFlightMask.set(held);
            if (q.isBroken()) {
                assertEquals(usedBefore, driver.usedIdx(), why + ": a broken queue published head " + head);
            } else {
                published = (published + 1) & 0xFFFF;
                assertEquals(published, driver.usedIdx(), why);
                long len = Math.min(Integer.toUnsignedLong(claimed), writable(head));
                assertArrayEquals(new int[] {head, (int) len}, driver.lastUsedElement(),
                        why + ": used element of head " + head + " claimed " + Integer.toUnsignedString(claimed));
            }
            VirtqueueException twice = assertThrows(VirtqueueException.class, () -> q.pushUsed(head, 0), why);
            assertEquals(Reason.NOT_IN_FLIGHT, twice.reason(), why);
        }

        void notifications(SplittableRandom rnd) {
            switch (rnd.nextInt(8)) {
                case 0 -> {
                    q.disableNotifications();
                    notifications = false;
                }
                case 1 -> {
                    q.enableNotifications();
                    notifications = true;
                }
                case 2 -> q.needsNotification();
                case 3 -> q.hasAvailable();
                case 4 -> q.availIndex();
                default -> {
                    return;
                }
            }
            if (!q.isBroken()) {
                assertSuppression();
            }
        }

        /** avail_event or used.flags follow the device's own count and state, not avail.idx. */
        void assertSuppression() {
            assertEquals(suppressionWord(eventIdx, notifications, pops, SplitRing.USED_F_NO_NOTIFY),
                    eventIdx ? driver.availEvent() : driver.usedFlags(), why + ": suppression after " + pops + " pops");
        }

        void assertStaysBroken() {
            assertTrue(q.isBroken(), why);
            for (int i = 0; i < 2; i++) {
                VirtqueueException e = assertThrows(VirtqueueException.class, q::pop, why);
                assertEquals(Reason.BROKEN, e.reason(), why);
            }
            assertFalse(q.hasAvailable(), why);
            assertEquals(-1, q.availIndex(), why);
            assertFalse(q.needsNotification(), why);
        }
    }

    /** The oracle's own helpers and layout: if these were wrong, the run above would prove nothing. */
    @Test
    void theTestsLayoutAndBitHelperAreSound() {
        assertEquals(1, nthSetBit(0b1010_0110, 0));
        assertEquals(5, nthSetBit(0b1010_0110, 2));
        assertEquals(7, nthSetBit(0b1010_0110, 3));
        assertEquals(5 + SplitRing.EVENT_PARKED, suppressionWord(true, false, 5, 1));
        assertEquals(3, suppressionWord(true, true, 0x10003, 1));
        assertEquals(1, suppressionWord(false, false, 5, 1));
        assertEquals(0, suppressionWord(false, true, 5, 1));
        assertTrue(expected(SIZE - 1).lengthUnsigned() < SLOT, "every buffer fits its slot");
        assertTrue(SplitRing.contiguousBytes(SIZE) <= DATA - BASE, "the rings end before the data area");
        assertTrue(DATA + (long) SLOT * SIZE <= BASE + WINDOW, "the data area is inside the window");
    }
}
