package dev.vmsg.virtqueue;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vmsg.memory.DmaAccessException;
import dev.vmsg.memory.DmaWindow;
import dev.vmsg.virtqueue.VirtqueueException.Reason;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The driver half against a hostile device: HARDENING matrix row 13. */
class DriverVirtqueueTest {
    static final long BASE = 0x2_0000_0000L;
    static final int WINDOW = 1 << 16;
    static final int SIZE = 8;
    static final long DATA = BASE + 0x4000;

    final DmaWindow window = DmaWindow.allocate(BASE, WINDOW);
    final VirtqueueAddresses addrs = SplitRing.contiguousLayout(BASE, SIZE);
    final DriverVirtqueue q = new DriverVirtqueue(window, 1, SIZE, addrs, false);
    final MockDevice device = new MockDevice(window, SIZE, addrs);

    static BufferSegment[] seg(long addr, int len) {
        return new BufferSegment[] {new BufferSegment(addr, len)};
    }

    int addRequest(String cookie) {
        return q.add(seg(DATA, 16), seg(DATA + 0x100, 64), cookie);
    }

    void assertBroken(Reason reason) {
        VirtqueueException e = assertThrows(VirtqueueException.class, q::poll);
        assertEquals(reason, e.reason(), e.getMessage());
        assertTrue(q.isBroken());
        assertEquals(Reason.BROKEN, assertThrows(VirtqueueException.class, q::poll).reason());
        assertFalse(q.kickNeeded());
        assertFalse(q.hasUsed());
        assertEquals(Reason.BROKEN, assertThrows(VirtqueueException.class, () -> addRequest("late")).reason());
    }

    @Test
    void initialisesRingsToZero() {
        window.fill(BASE, 0x1000, (byte) 0xAA);
        DriverVirtqueue fresh = new DriverVirtqueue(window, 0, SIZE, addrs, true);
        assertEquals(0, window.getLong(addrs.descriptorAddr()));
        assertEquals(0, device.availIdx());
        assertEquals(0, window.getShort(addrs.deviceAddr() + 2));
        assertEquals(SIZE, fresh.freeDescriptors());
        assertEquals(addrs, fresh.addresses());
        assertEquals(SIZE * 16 + 6 + 2 * SIZE + 2 + 6 + 8 * SIZE, DriverVirtqueue.ringBytes(SIZE));
    }

    @Test
    void addWritesDescriptorsAndPublishesTheHead() {
        BufferSegment[] r = {new BufferSegment(DATA, 16), new BufferSegment(DATA + 16, 4)};
        int head = q.add(r, seg(DATA + 0x100, 64), "req");
        assertEquals(1, device.availIdx());
        assertEquals(head, device.nextHead());
        assertEquals(SIZE - 3, q.freeDescriptors());
        assertEquals(DATA, device.descAddr(head));
        assertEquals(16, device.descLen(head));
        assertEquals(VirtqDesc.F_NEXT, device.descFlags(head));
        int second = device.descNext(head);
        assertEquals(DATA + 16, device.descAddr(second));
        int third = device.descNext(second);
        assertEquals(VirtqDesc.F_WRITE, device.descFlags(third));
        assertEquals(64, device.descLen(third));
    }

    @Test
    void completesAndFreesTheChain() {
        int head = addRequest("a");
        device.complete(head, 10);
        assertTrue(q.hasUsed());
        DriverVirtqueue.Completion c = q.poll();
        assertEquals(new DriverVirtqueue.Completion("a", head, 10), c);
        assertEquals(SIZE, q.freeDescriptors());
        assertNull(q.poll());
    }

    @Test
    void reportsQueueFullWithoutWritingAnything() {
        for (int i = 0; i < SIZE / 2; i++) {
            addRequest("r" + i);
        }
        VirtqueueException e = assertThrows(VirtqueueException.class, () -> addRequest("one too many"));
        assertEquals(Reason.QUEUE_FULL, e.reason());
        assertEquals(SIZE / 2, device.availIdx());
        assertEquals(0, q.freeDescriptors());
    }

    @Test
    void rejectsSegmentsOutsideTheWindowOrOverARing() {
        assertThrows(DmaAccessException.class, () -> q.add(seg(BASE + WINDOW - 1, 2), null, "x"));
        assertThrows(DmaAccessException.class, () -> q.add(null, seg(0xFFFF_FFFF_FFFF_FFF0L, 0x20), "x"));
        assertEquals(Reason.BUFFER_OVERLAPS_RING, assertThrows(VirtqueueException.class,
                () -> q.add(null, seg(addrs.deviceAddr(), 8), "x")).reason());
        assertThrows(NullPointerException.class, () -> q.add(seg(DATA, 1), null, null));
        assertThrows(IllegalArgumentException.class, () -> q.add(null, null, "x"));
        assertThrows(IllegalArgumentException.class, () -> q.add(seg(DATA, -1), null, "x"));
        assertEquals(SIZE, q.freeDescriptors());
        assertEquals(0, device.availIdx());
    }

    // ---- row 13 ----

    @Test
    void breaksOnUsedIdOutOfRange() {
        addRequest("a");
        device.complete(SIZE, 0);
        assertBroken(Reason.USED_ID_NOT_OUTSTANDING);
    }

    @Test
    void breaksOnUsedIdAllOnes() {
        addRequest("a");
        device.complete(0xFFFF_FFFF, 0);
        assertBroken(Reason.USED_ID_NOT_OUTSTANDING);
    }

    @Test
    void breaksOnUsedIdThatIsNotOutstanding() {
        int head = addRequest("a");
        device.complete((head + 3) % SIZE, 0);
        assertBroken(Reason.USED_ID_NOT_OUTSTANDING);
    }

    @Test
    void breaksOnDoubleCompletionAfterDeliveringTheFirstOnce() {
        int head = addRequest("a");
        device.complete(head, 4).complete(head, 4);
        assertEquals("a", q.poll().cookie());
        assertBroken(Reason.USED_ID_NOT_OUTSTANDING);
    }

    @Test
    void breaksWhenUsedIdxJumpsForwardByMoreThanSize() {
        addRequest("a");
        device.setUsedIdx(SIZE + 1);
        assertBroken(Reason.USED_INDEX_JUMP);
    }

    @Test
    void breaksWhenUsedIdxJumpsBack() {
        int head = addRequest("a");
        device.complete(head, 0);
        q.poll();
        device.setUsedIdx(0);
        assertBroken(Reason.USED_INDEX_JUMP);
    }

    @Test
    void clampsUsedLengthToWhatWasPosted() {
        int head = addRequest("a");
        device.complete(head, 1 << 30);
        assertEquals(64, q.poll().length());
        head = addRequest("b");
        device.complete(head, 0xFFFF_FFFF);
        assertEquals(64, q.poll().length());
        head = q.add(seg(DATA, 16), null, "read only");
        device.complete(head, 16);
        assertEquals(0, q.poll().length(), "no writable buffer, nothing can have been written");
    }

    @Test
    void detachesEveryOutstandingCookieExactlyOnce() {
        addRequest("a");
        int b = addRequest("b");
        addRequest("c");
        device.complete(b, 0);
        assertEquals("b", q.poll().cookie());
        List<Object> detached = q.detachOutstanding();
        assertEquals(2, detached.size());
        assertTrue(detached.containsAll(List.of("a", "c")));
        assertEquals(SIZE, q.freeDescriptors());
        assertEquals(List.of(), q.detachOutstanding());
    }

    @Test
    void detachWorksOnABrokenQueue() {
        addRequest("a");
        device.complete(7, 0);
        assertThrows(VirtqueueException.class, q::poll);
        assertEquals(List.of("a"), q.detachOutstanding());
    }

    // ---- notification suppression ----

    @Test
    void kicksUnlessTheDeviceSetNoNotify() {
        assertFalse(q.kickNeeded(), "nothing added");
        addRequest("a");
        assertTrue(q.kickNeeded());
        assertFalse(q.kickNeeded(), "nothing added since the last call");
        device.setUsedFlags(SplitRing.USED_F_NO_NOTIFY);
        addRequest("b");
        assertFalse(q.kickNeeded());
    }

    @Test
    void kicksOnlyWhenAvailIdxCrossesAvailEvent() {
        DriverVirtqueue ev = new DriverVirtqueue(window, 0, SIZE, addrs, true);
        device.setAvailEvent(1);
        ev.add(seg(DATA, 8), null, "a");
        assertFalse(ev.kickNeeded(), "avail.idx 1 has not crossed avail_event 1");
        ev.add(seg(DATA, 8), null, "b");
        assertTrue(ev.kickNeeded(), "avail.idx 2 crossed avail_event 1");
        ev.add(seg(DATA, 8), null, "c");
        assertFalse(ev.kickNeeded());
    }

    @Test
    void suppressesCallbacksWithAvailFlagsOrUsedEvent() {
        q.disableCallbacks();
        assertEquals(SplitRing.AVAIL_F_NO_INTERRUPT, device.availFlags());
        q.enableCallbacks();
        assertEquals(0, device.availFlags());

        DriverVirtqueue ev = new DriverVirtqueue(window, 0, SIZE, addrs, true);
        int h = ev.add(seg(DATA, 8), null, "a");
        device.complete(h, 0);
        ev.poll();
        assertEquals(1, device.usedEvent(), "used_event follows last_used while callbacks are on");
        ev.disableCallbacks();
        assertEquals(1 + SplitRing.EVENT_PARKED, device.usedEvent(), "used_event parked half the index space ahead");
        h = ev.add(seg(DATA, 8), null, "b");
        device.complete(h, 0);
        ev.poll();
        assertEquals(2 + SplitRing.EVENT_PARKED, device.usedEvent(), "used_event stays parked ahead while off");
        assertFalse(SplitRing.needEvent(device.usedEvent(), 2, 1), "a parked used_event asks for no EVENT_USED");
        ev.enableCallbacks();
        assertEquals(2, device.usedEvent());
    }
}
