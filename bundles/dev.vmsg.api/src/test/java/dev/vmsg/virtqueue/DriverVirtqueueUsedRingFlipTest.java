package dev.vmsg.virtqueue;

import static dev.vmsg.virtqueue.FlipOracles.nthSetBit;
import static dev.vmsg.virtqueue.FlipOracles.suppressionWord;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vmsg.memory.DmaWindow;
import dev.vmsg.memory.GuardedWindow;
import dev.vmsg.virtqueue.DriverVirtqueue.Completion;
import dev.vmsg.virtqueue.VirtqueueException.Reason;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * HARDENING matrix row 10 (and 13), the driver half: while the driver posts and harvests 100 000
 * requests against an honest device, a hostile device thread flips used.idx (beyond the queue size
 * ahead, backwards, a little ahead so stale elements show, random), used elements near the next
 * to be harvested (ids out of range, all ones, outstanding heads, any head; lengths of 4 GiB - 1,
 * random), avail_event, used.flags and the descriptor table, which the driver must never read
 * back. A break ends the episode: the owner detaches the outstanding requests, resets the queue
 * (a new {@link DriverVirtqueue} zeroes the rings) and goes on; quiet episodes end the same way.
 *
 * <p>Oracle (rules 1, 5 and 6): only {@link VirtqueueException} escapes; a completion is only ever
 * for an outstanding request, at the head {@code add} returned for it, with 0 <= len <= the
 * writable bytes it posted, never twice; a harvest is bounded (at most size completions before
 * null or a break); a broken queue stays broken (poll and add refuse, nothing is written, no kick,
 * no completion) until the reset; every posted request ends exactly once, completed or returned by
 * {@link DriverVirtqueue#detachOutstanding()}; the free list is the driver's own (heads from
 * {@code add} are never outstanding, and after a detach every descriptor is free); used_event and
 * avail.flags follow the driver's own count and state; the data buffers and the guard zones around
 * the window are never written.
 */
class DriverVirtqueueUsedRingFlipTest {
    static final long BASE = 0x4000_0000L;
    static final int WINDOW = 1 << 16;
    static final int SIZE = 16;
    static final int MASK = SIZE - 1;
    static final long DATA = BASE + 0x8000;
    static final int DATA_BYTES = 0x4000;
    static final byte FILL = 0x3C;
    static final int REQUESTS = 100_000;
    static final int EPISODE_REQUESTS = 2048;
    static final List<Reason> RING_FAULTS = List.of(Reason.USED_INDEX_JUMP, Reason.USED_ID_NOT_OUTSTANDING);

    final GuardedWindow guarded = new GuardedWindow(BASE, WINDOW);
    final DmaWindow window = guarded.window();
    final VirtqueueAddresses addrs = SplitRing.contiguousLayout(BASE, SIZE);
    /** Heads outstanding at the driver, published for the hostile thread (bit h = head h). */
    final AtomicInteger outstandingMask = new AtomicInteger();

    /** One posted request, given to {@code add} as its cookie. */
    static final class Request {
        final long writable;
        final int descriptors;
        int head = -1;
        int ends;

        Request(long writable, int descriptors) {
            this.writable = writable;
            this.descriptors = descriptors;
        }
    }

    @Test
    @Timeout(value = 300, unit = TimeUnit.SECONDS)
    void usedRingFlippedWhileTheDriverHarvestsCompletesOnlyOutstandingRequestsOnceWithClampedLengths()
            throws Exception {
        long seed = new SplittableRandom().nextLong();
        String why = "seed " + seed;
        SplittableRandom rnd = new SplittableRandom(seed);
        window.fill(DATA, DATA_BYTES, FILL);
        Map<Reason, Integer> breaks = new EnumMap<>(Reason.class);
        long requests = 0;
        long completed = 0;
        long detached = 0;
        int episodes = 0;
        try (HostileThread hostile = new HostileThread("hostile-used", seed ^ 0x5DEECE66DL, 8, this::flip)) {
            while (requests < REQUESTS) {
                Episode e = new Episode(rnd.nextBoolean(), why + ", episode " + episodes);
                e.run(rnd);
                requests += e.posted;
                completed += e.completed;
                detached += e.detached;
                if (e.breakReason != null) {
                    breaks.merge(e.breakReason, 1, Integer::sum);
                }
                episodes++;
                if ((episodes & 15) == 0) {
                    checkUntouched();
                }
            }
            checkUntouched();
            assertEquals(requests, completed + detached, why + ": every request ends exactly once");
            assertTrue(hostile.flips() > 0, why);
            System.out.println("used ring flips: " + why + ", " + requests + " requests (" + completed
                    + " completed, " + detached + " detached) in " + episodes + " episodes, breaks " + breaks
                    + ", " + hostile.flips() + " flips");
        }
    }

    /**
     * One write of the hostile device into the used ring or the descriptor table, or a burst that
     * toggles a used element near the next to be harvested, or used.idx, between what is there and
     * something bad (the double-fetch attack).
     */
    void flip(SplittableRandom rnd) {
        long used = addrs.deviceAddr();
        int idx = window.getShortAcquire(used + SplitRing.OFFSET_IDX) & 0xFFFF;
        int slot = rnd.nextBoolean() ? (idx - 1 - rnd.nextInt(3)) & MASK : rnd.nextInt(SIZE);
        long elem = used + SplitRing.OFFSET_RING + (long) SplitRing.USED_ELEM_SIZE * slot;
        if (rnd.nextBoolean()) {
            switch (rnd.nextInt(3)) {
                case 0 -> HostileThread.toggleInt(window, elem, SIZE + rnd.nextInt(Integer.MAX_VALUE - SIZE));
                case 1 -> HostileThread.toggleInt(window, elem + 4, -1);
                default -> HostileThread.toggleShort(window, used + SplitRing.OFFSET_IDX,
                        (short) (idx + SIZE + 1 + rnd.nextInt(0x8000)));
            }
            return;
        }
        switch (rnd.nextInt(12)) {
            case 0 -> setIdx(idx + SIZE + 1 + rnd.nextInt(0x8000));
            case 1 -> setIdx(idx - 1 - rnd.nextInt(SIZE));
            case 2 -> setIdx(idx + 1 + rnd.nextInt(SIZE));
            case 3 -> setIdx(rnd.nextInt(0x10000));
            case 4 -> window.putInt(elem, rnd.nextBoolean() ? -1 : SIZE + rnd.nextInt(Integer.MAX_VALUE - SIZE));
            case 5 -> {
                int out = outstandingMask.get();
                if (out != 0) {
                    window.putInt(elem, nthSetBit(out, rnd.nextInt(Integer.bitCount(out))));
                }
            }
            case 6 -> window.putInt(elem, rnd.nextInt(SIZE));
            case 7 -> window.putInt(elem + 4, rnd.nextBoolean() ? -1 : rnd.nextInt());
            case 8 -> window.putShortRelease(used + SplitRing.availEventOffset(SIZE), (short) rnd.nextInt(0x10000));
            case 9 -> window.putShortRelease(used + SplitRing.OFFSET_FLAGS, (short) rnd.nextInt(0x10000));
            default -> {
                long at = addrs.descriptorAddr() + (long) VirtqDesc.SIZE * rnd.nextInt(SIZE);
                switch (rnd.nextInt(4)) {
                    case 0 -> window.putLong(at + VirtqDesc.OFFSET_ADDR, rnd.nextLong());
                    case 1 -> window.putInt(at + VirtqDesc.OFFSET_LEN, rnd.nextInt());
                    case 2 -> window.putShort(at + VirtqDesc.OFFSET_FLAGS, (short) rnd.nextInt(0x10000));
                    default -> window.putShort(at + VirtqDesc.OFFSET_NEXT, (short) rnd.nextInt(0x10000));
                }
            }
        }
    }

    private void setIdx(int idx) {
        window.putShortRelease(addrs.deviceAddr() + SplitRing.OFFSET_IDX, (short) idx);
    }

    /** Neither the driver nor anyone else wrote the data buffers or past the window. */
    void checkUntouched() {
        guarded.assertIntact();
        for (long b = 0; b < DATA_BYTES; b++) {
            assertEquals(FILL, window.getByte(DATA + b), "data byte " + b + " was written");
        }
    }

    /** A fresh queue against an honest device and the hostile thread, until a break or a quota. */
    final class Episode {
        final boolean eventIdx;
        final String why;
        final DriverVirtqueue q;
        final MockDevice device = new MockDevice(window, SIZE, addrs);
        /** The test's own view: outstanding requests by head. */
        final Request[] outstanding = new Request[SIZE];
        /** Heads the honest device took from the avail ring and has not completed. */
        final List<Integer> deviceHeld = new ArrayList<>();
        int descriptorsInUse;
        int harvested;
        boolean callbacks = true;
        long posted;
        long completed;
        long detached;
        Reason breakReason;

        Episode(boolean eventIdx, String why) {
            this.eventIdx = eventIdx;
            this.why = why + (eventIdx ? " (EVENT_IDX)" : "");
            q = new DriverVirtqueue(window, 0, SIZE, addrs, eventIdx);
            outstandingMask.set(0);
        }

        void run(SplittableRandom rnd) {
            int idle = 0;
            while (breakReason == null && posted < EPISODE_REQUESTS && idle < 4) {
                int moved = add(rnd) + serve(rnd) + harvest();
                callbacks(rnd);
                idle = moved == 0 ? idle + 1 : 0;
            }
            if (breakReason != null) {
                assertStaysBroken(rnd);
            }
            // The owner resets the device and fails what is still outstanding, each once.
            Set<Object> expected = Collections.newSetFromMap(new IdentityHashMap<>());
            for (Request r : outstanding) {
                if (r != null) {
                    expected.add(r);
                }
            }
            List<Object> returned = q.detachOutstanding();
            assertEquals(expected.size(), returned.size(), why + ": detached " + returned.size());
            for (Object o : returned) {
                assertTrue(expected.contains(o), why + ": detach returned a request that is not outstanding");
                end((Request) o);
                detached++;
            }
            assertEquals(0, q.outstanding(), why);
            assertEquals(SIZE, q.freeDescriptors(), why + ": after a detach every descriptor is free");
            outstandingMask.set(0);
        }

        int add(SplittableRandom rnd) {
            int n = 0;
            for (int k = rnd.nextInt(4); k > 0; k--) {
                BufferSegment[] readable = segments(rnd.nextInt(3), rnd);
                BufferSegment[] writable = segments(readable.length == 0 ? 1 + rnd.nextInt(2) : rnd.nextInt(3), rnd);
                int total = readable.length + writable.length;
                long writableBytes = 0;
                for (BufferSegment s : writable) {
                    writableBytes += s.length();
                }
                int availBefore = device.availIdx();
                Request r = new Request(writableBytes, total);
                if (total > SIZE - descriptorsInUse) {
                    VirtqueueException e = assertThrows(VirtqueueException.class,
                            () -> q.add(readable, writable, r), why);
                    assertEquals(Reason.QUEUE_FULL, e.reason(), why);
                    assertEquals(availBefore, device.availIdx(), why + ": a refused add published");
                    return n;
                }
                int head = q.add(readable, writable, r);
                assertTrue(head >= 0 && head < SIZE, why + ": head " + head);
                assertEquals(null, outstanding[head], why + ": add returned head " + head + " which is outstanding");
                assertEquals(availBefore + 1 & 0xFFFF, device.availIdx(), why);
                r.head = head;
                outstanding[head] = r;
                descriptorsInUse += total;
                assertEquals(SIZE - descriptorsInUse, q.freeDescriptors(), why);
                outstandingMask.set(outstandingMask.get() | 1 << head);
                posted++;
                n++;
            }
            return n;
        }

        BufferSegment[] segments(int n, SplittableRandom rnd) {
            BufferSegment[] s = new BufferSegment[n];
            for (int i = 0; i < n; i++) {
                int len = rnd.nextInt(0x200);
                s[i] = new BufferSegment(DATA + rnd.nextInt(DATA_BYTES - len + 1), len);
            }
            return s;
        }

        /** The honest device takes what is available and completes some of it, claiming any length. */
        int serve(SplittableRandom rnd) {
            int n = 0;
            for (int h; (h = device.nextHead()) >= 0; ) {
                deviceHeld.add(h);
                n++;
            }
            for (int k = rnd.nextInt(4); k > 0 && !deviceHeld.isEmpty(); k--) {
                int head = deviceHeld.remove(rnd.nextInt(deviceHeld.size()));
                device.complete(head, rnd.nextInt(3) == 0 ? -1 : rnd.nextInt(0x800));
                n++;
            }
            return n;
        }

        int harvest() {
            int n = 0;
            while (true) {
                Completion c;
                try {
                    c = q.poll();
                } catch (VirtqueueException e) {
                    assertTrue(RING_FAULTS.contains(e.reason()), why + ": " + e.reason() + ": " + e.getMessage());
                    assertTrue(q.isBroken(), why + ": a ring fault must break the queue: " + e.getMessage());
                    if (e.head() >= 0) {
                        assertEquals(null, outstanding[e.head()], why + ": head " + e.head()
                                + " refused as not outstanding but it is");
                    }
                    breakReason = e.reason();
                    return n + 1;
                } catch (RuntimeException e) {
                    throw new AssertionError(why + ": untyped exception from poll: " + e, e);
                }
                if (c == null) {
                    return n;
                }
                assertTrue(++n <= SIZE, why + ": a harvest completed more than the queue size");
                assertTrue(c.head() >= 0 && c.head() < SIZE, why + ": completion at head " + c.head());
                Request r = outstanding[c.head()];
                assertNotNull(r, why + ": completion at head " + c.head() + " which is not outstanding");
                assertSame(r, c.cookie(), why + ": completion at head " + c.head() + " carries another cookie");
                assertTrue(c.length() >= 0 && c.length() <= r.writable, why + ": used len " + c.length()
                        + " for a request that posted " + r.writable + " writable bytes");
                end(r);
                completed++;
                outstanding[c.head()] = null;
                outstandingMask.set(outstandingMask.get() & ~(1 << c.head()));
                descriptorsInUse -= r.descriptors;
                assertEquals(SIZE - descriptorsInUse, q.freeDescriptors(), why);
                harvested = (harvested + 1) & 0xFFFF;
                assertCallbackSuppression();
            }
        }

        void end(Request r) {
            assertEquals(0, r.ends, why + ": request at head " + r.head + " ended twice");
            r.ends++;
        }

        void callbacks(SplittableRandom rnd) {
            switch (rnd.nextInt(8)) {
                case 0 -> {
                    q.disableCallbacks();
                    callbacks = false;
                }
                case 1 -> {
                    q.enableCallbacks();
                    callbacks = true;
                }
                case 2 -> q.kickNeeded();
                case 3 -> q.hasUsed();
                default -> {
                    return;
                }
            }
            if (!q.isBroken()) {
                assertCallbackSuppression();
            }
        }

        /** used_event or avail.flags follow the driver's own count and state, not used.idx. */
        void assertCallbackSuppression() {
            assertEquals(suppressionWord(eventIdx, callbacks, harvested, SplitRing.AVAIL_F_NO_INTERRUPT),
                    eventIdx ? device.usedEvent() : device.availFlags(),
                    why + ": suppression after " + harvested + " completions");
        }

        void assertStaysBroken(SplittableRandom rnd) {
            assertTrue(q.isBroken(), why);
            int availBefore = device.availIdx();
            for (int i = 0; i < 2; i++) {
                assertEquals(Reason.BROKEN, assertThrows(VirtqueueException.class, q::poll, why).reason(), why);
            }
            BufferSegment[] one = segments(1, rnd);
            assertEquals(Reason.BROKEN, assertThrows(VirtqueueException.class,
                    () -> q.add(null, one, new Object()), why).reason(), why);
            assertEquals(availBefore, device.availIdx(), why + ": a broken queue published a chain");
            assertFalse(q.hasUsed(), why);
            assertFalse(q.kickNeeded(), why);
        }
    }
}
