package dev.vmsg.virtqueue;

import static dev.vmsg.virtqueue.VirtqDesc.F_INDIRECT;
import static dev.vmsg.virtqueue.VirtqDesc.F_NEXT;
import static dev.vmsg.virtqueue.VirtqDesc.F_WRITE;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vmsg.memory.DmaWindow;
import dev.vmsg.virtqueue.VirtqueueException.Reason;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

/** The device half against a hostile driver: HARDENING matrix rows 1 to 7. */
class DeviceVirtqueueTest {
    static final long BASE = 0x8000_0000L;
    static final int WINDOW = 1 << 20;
    static final int SIZE = 8;
    static final long DATA = BASE + 0x10000;
    static final long INDIRECT_TABLE = BASE + 0x8000;
    static final long MAX_CHAIN = 1 << 20;

    final DmaWindow window = DmaWindow.allocate(BASE, WINDOW);
    final VirtqueueAddresses addrs = SplitRing.contiguousLayout(BASE, SIZE);
    final MockDriver driver = new MockDriver(window, SIZE, addrs);

    DeviceVirtqueue queue(boolean eventIdx, boolean indirect) {
        return new DeviceVirtqueue(window, 0, SIZE, addrs, eventIdx, indirect, MAX_CHAIN);
    }

    final DeviceVirtqueue q = queue(false, true);

    /** Expects a per-chain rejection: typed error, head returned with len 0, queue still usable. */
    void assertRejected(DeviceVirtqueue queue, Reason reason, int head) {
        int usedBefore = driver.usedIdx();
        long rejectedBefore = queue.rejectedChains();
        VirtqueueException e = assertThrows(VirtqueueException.class, queue::pop);
        assertEquals(reason, e.reason(), e.getMessage());
        assertEquals(head, e.head());
        assertFalse(queue.isBroken(), "a bad chain must not break the queue");
        assertEquals((usedBefore + 1) & 0xFFFF, driver.usedIdx(), "rejected head must be returned");
        assertArrayEquals(new int[] {head, 0}, driver.lastUsedElement(), "returned with len 0");
        assertEquals(rejectedBefore + 1, queue.rejectedChains());
        assertEquals(0, queue.inFlight());
        assertQueueStillWorks(queue);
    }

    void assertQueueStillWorks(DeviceVirtqueue queue) {
        int head = 5;
        driver.desc(head, DATA, 16, F_NEXT, 6).desc(6, DATA + 16, 32, F_WRITE, 0).publish(head);
        DescriptorChain chain = queue.pop();
        assertNotNull(chain);
        assertEquals(head, chain.head());
        assertEquals(16, chain.readableLength());
        assertEquals(32, chain.writableLength());
        queue.pushUsed(head, 32);
        assertArrayEquals(new int[] {head, 32}, driver.lastUsedElement());
        assertNull(queue.pop());
    }

    void assertBroken(DeviceVirtqueue queue, Reason reason) {
        VirtqueueException e = assertThrows(VirtqueueException.class, queue::pop);
        assertEquals(reason, e.reason(), e.getMessage());
        assertTrue(queue.isBroken());
        assertFalse(queue.hasAvailable());
        assertEquals(Reason.BROKEN, assertThrows(VirtqueueException.class, queue::pop).reason());
        assertFalse(queue.needsNotification());
    }

    // ---- the good path ----

    @Test
    void popsNothingFromAnEmptyRing() {
        assertFalse(q.hasAvailable());
        assertNull(q.pop());
        assertEquals(0, q.inFlight());
    }

    @Test
    void popsAChainAndGathersAndScatters() {
        window.write(DATA, new byte[] {1, 2, 3, 4, 5, 6}, 0, 6);
        driver.desc(2, DATA, 4, F_NEXT, 7).desc(7, DATA + 4, 2, F_NEXT, 0)
                .desc(0, DATA + 0x100, 3, F_WRITE | F_NEXT, 1).desc(1, DATA + 0x200, 5, F_WRITE, 0).publish(2);
        assertTrue(q.hasAvailable());
        DescriptorChain c = q.pop();
        assertEquals(2, c.head());
        assertEquals(4, c.descriptors().size());
        assertEquals(6, c.readableLength());
        assertEquals(8, c.writableLength());
        assertEquals(1, q.inFlight());

        ByteBuffer in = ByteBuffer.allocate(10);
        assertEquals(6, c.readFrom(in));
        assertArrayEquals(new byte[] {1, 2, 3, 4, 5, 6, 0, 0, 0, 0}, in.array());
        ByteBuffer tail = ByteBuffer.allocate(3);
        assertEquals(3, c.readFrom(3, tail));
        assertArrayEquals(new byte[] {4, 5, 6}, tail.array());

        ByteBuffer out = ByteBuffer.wrap(new byte[] {10, 11, 12, 13, 14, 15, 16, 17, 18, 19});
        assertEquals(8, c.writeTo(out));
        assertEquals(2, out.remaining());
        assertEquals(12, window.getByte(DATA + 0x102));
        assertEquals(13, window.getByte(DATA + 0x200));
        assertEquals(17, window.getByte(DATA + 0x204));
        assertEquals(0, window.getByte(DATA + 0x205), "nothing written past the writable descriptors");

        q.pushUsed(2, 1000);
        assertArrayEquals(new int[] {2, 8}, driver.lastUsedElement(), "used len clamped to writable total");
        assertEquals(0, q.inFlight());
    }

    @Test
    void expandsAnIndirectTableInChainOrder() {
        driver.descAt(INDIRECT_TABLE, 0, DATA, 8, F_NEXT, 2)
                .descAt(INDIRECT_TABLE, 2, DATA + 8, 8, F_NEXT, 1)
                .descAt(INDIRECT_TABLE, 1, DATA + 16, 64, F_WRITE, 0);
        driver.desc(3, INDIRECT_TABLE, 3 * 16, F_INDIRECT, 0).publish(3);
        DescriptorChain c = q.pop();
        assertEquals(3, c.head());
        assertEquals(3, c.descriptors().size());
        assertEquals(DATA + 8, c.descriptors().get(1).address());
        assertEquals(16, c.readableLength());
        assertEquals(64, c.writableLength());
    }

    // ---- row 1: descriptor loops ----

    @Test
    void rejectsChainThatLoopsBackToHead() {
        driver.desc(0, DATA, 8, F_NEXT, 0).publish(0);
        assertRejected(q, Reason.DESCRIPTOR_LOOP, 0);
    }

    @Test
    void rejectsTwoDescriptorCycle() {
        driver.desc(1, DATA, 8, F_NEXT, 2).desc(2, DATA + 8, 8, F_NEXT, 1).publish(1);
        assertRejected(q, Reason.DESCRIPTOR_LOOP, 1);
    }

    @Test
    void rejectsCycleThroughTheWholeTable() {
        for (int i = 0; i < SIZE; i++) {
            driver.desc(i, DATA + 16L * i, 16, F_NEXT, (i + 1) % SIZE);
        }
        driver.publish(0);
        assertRejected(q, Reason.DESCRIPTOR_LOOP, 0);
    }

    @Test
    void acceptsAChainUsingEveryDescriptorOnce() {
        for (int i = 0; i < SIZE; i++) {
            driver.desc(i, DATA + 16L * i, 16, i + 1 < SIZE ? F_NEXT : 0, i + 1);
        }
        driver.publish(0);
        DescriptorChain c = q.pop();
        assertEquals(SIZE, c.descriptors().size());
        assertEquals(16L * SIZE, c.readableLength());
    }

    @Test
    void rejectsLoopInsideAnIndirectTable() {
        driver.descAt(INDIRECT_TABLE, 0, DATA, 8, F_NEXT, 1).descAt(INDIRECT_TABLE, 1, DATA + 8, 8, F_NEXT, 0);
        driver.desc(4, INDIRECT_TABLE, 2 * 16, F_INDIRECT, 0).publish(4);
        assertRejected(q, Reason.DESCRIPTOR_LOOP, 4);
    }

    // ---- row 2: index range ----

    @Test
    void breaksOnHeadEqualToSize() {
        driver.publish(SIZE);
        assertBroken(q, Reason.HEAD_OUT_OF_RANGE);
    }

    @Test
    void breaksOnHead0xFFFF() {
        driver.publish(0xFFFF);
        assertBroken(q, Reason.HEAD_OUT_OF_RANGE);
    }

    @Test
    void rejectsNextEqualToSize() {
        driver.desc(0, DATA, 8, F_NEXT, SIZE).publish(0);
        assertRejected(q, Reason.NEXT_OUT_OF_RANGE, 0);
    }

    @Test
    void rejectsNext0xFFFF() {
        driver.desc(0, DATA, 8, F_NEXT, 0xFFFF).publish(0);
        assertRejected(q, Reason.NEXT_OUT_OF_RANGE, 0);
    }

    @Test
    void rejectsNextPastTheEndOfAnIndirectTable() {
        driver.descAt(INDIRECT_TABLE, 0, DATA, 8, F_NEXT, 2);
        driver.desc(0, INDIRECT_TABLE, 2 * 16, F_INDIRECT, 0).publish(0);
        assertRejected(q, Reason.NEXT_OUT_OF_RANGE, 0);
    }

    // ---- row 3: window bounds ----

    @Test
    void rejectsDescriptorWhoseRangeWrapsPastTwoToTheSixtyFour() {
        driver.desc(0, 0xFFFF_FFFF_FFFF_FFF0L, 0x20, 0, 0).publish(0);
        assertRejected(q, Reason.DESCRIPTOR_OUT_OF_WINDOW, 0);
    }

    @Test
    void rejectsDescriptorCrossingTheEndOfTheWindow() {
        driver.desc(0, BASE + WINDOW - 1, 2, F_WRITE, 0).publish(0);
        assertRejected(q, Reason.DESCRIPTOR_OUT_OF_WINDOW, 0);
        assertEquals(0, window.getByte(BASE + WINDOW - 1), "nothing written");
    }

    @Test
    void rejectsDescriptorJustBeforeTheBase() {
        driver.desc(0, BASE - 1, 1, 0, 0).publish(0);
        assertRejected(q, Reason.DESCRIPTOR_OUT_OF_WINDOW, 0);
    }

    @Test
    void rejectsWritableDescriptorInAnotherChainAfterAValidOne() {
        driver.desc(0, DATA, 8, F_NEXT, 1).desc(1, BASE + WINDOW, 1, F_WRITE, 0).publish(0);
        assertRejected(q, Reason.DESCRIPTOR_OUT_OF_WINDOW, 0);
    }

    @Test
    void acceptsZeroLengthDescriptorAtTheEndOfTheWindowAndTouchesNothing() {
        driver.desc(0, BASE + WINDOW, 0, F_WRITE, 0).publish(0);
        DescriptorChain c = q.pop();
        assertEquals(0, c.writableLength());
        assertEquals(0, c.writeTo(ByteBuffer.allocate(16)));
        q.pushUsed(0, 16);
        assertArrayEquals(new int[] {0, 0}, driver.lastUsedElement());
    }

    @Test
    void rejectsZeroLengthDescriptorOnePastTheEnd() {
        driver.desc(0, BASE + WINDOW + 1, 0, 0, 0).publish(0);
        assertRejected(q, Reason.DESCRIPTOR_OUT_OF_WINDOW, 0);
    }

    @Test
    void rejectsIndirectTableOutsideTheWindow() {
        driver.desc(0, BASE + WINDOW - 16, 32, F_INDIRECT, 0).publish(0);
        assertRejected(q, Reason.DESCRIPTOR_OUT_OF_WINDOW, 0);
    }

    @Test
    void rejectsBufferOverlappingTheUsedRing() {
        driver.desc(0, addrs.deviceAddr(), 8, F_WRITE, 0).publish(0);
        assertRejected(q, Reason.BUFFER_OVERLAPS_RING, 0);
    }

    // ---- row 4: oversized ----

    @Test
    void rejectsThreeMaximalLengthsWithoutAllocatingForThem() {
        driver.desc(0, DATA, 0xFFFF_FFFFL, F_NEXT, 1).desc(1, DATA, 0xFFFF_FFFFL, F_NEXT, 2)
                .desc(2, DATA, 0xFFFF_FFFFL, F_WRITE, 0).publish(0);
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long before = mx.getCurrentThreadAllocatedBytes();
        VirtqueueException e = assertThrows(VirtqueueException.class, q::pop);
        long allocated = mx.getCurrentThreadAllocatedBytes() - before;
        assertEquals(Reason.CHAIN_TOO_LARGE, e.reason());
        assertTrue(allocated < (1 << 20), "allocated " + allocated + " bytes");
        assertArrayEquals(new int[] {0, 0}, driver.lastUsedElement());
        assertQueueStillWorks(q);
    }

    @Test
    void rejectsChainWhoseSumExceedsTheDeviceCap() {
        DeviceVirtqueue capped = new DeviceVirtqueue(window, 0, SIZE, addrs, false, false, 4096);
        driver.desc(0, DATA, 2048, F_NEXT, 1).desc(1, DATA, 2048, F_NEXT, 2).desc(2, DATA, 1, F_WRITE, 0).publish(0);
        assertRejected(capped, Reason.CHAIN_TOO_LARGE, 0);
    }

    @Test
    void rejectsIndirectTablesOfBadLength() {
        long[] badLengths = {0, 24, 16L * (SIZE + 1)};
        for (long len : badLengths) {
            driver.desc(0, INDIRECT_TABLE, len, F_INDIRECT, 0).publish(0);
            assertRejected(q, Reason.BAD_INDIRECT_TABLE, 0);
        }
        driver.descAt(INDIRECT_TABLE, 0, DATA, 8, 0, 0);
        driver.desc(0, INDIRECT_TABLE, 16, F_INDIRECT | F_NEXT, 1).publish(0);
        assertRejected(q, Reason.BAD_INDIRECT_TABLE, 0);
    }

    @Test
    void rejectsIndirectWhenNotNegotiated() {
        DeviceVirtqueue plain = queue(false, false);
        driver.descAt(INDIRECT_TABLE, 0, DATA, 8, 0, 0);
        driver.desc(0, INDIRECT_TABLE, 16, F_INDIRECT, 0).publish(0);
        assertRejected(plain, Reason.INDIRECT_NOT_NEGOTIATED, 0);
    }

    @Test
    void rejectsNestedIndirectTable() {
        driver.descAt(INDIRECT_TABLE, 0, INDIRECT_TABLE + 0x100, 16, F_INDIRECT, 0);
        driver.descAt(INDIRECT_TABLE + 0x100, 0, DATA, 8, 0, 0);
        driver.desc(0, INDIRECT_TABLE, 16, F_INDIRECT, 0).publish(0);
        assertRejected(q, Reason.NESTED_INDIRECT, 0);
    }

    // ---- row 5: direction and order ----

    @Test
    void rejectsReadableAfterWritable() {
        driver.desc(0, DATA, 8, F_WRITE | F_NEXT, 1).desc(1, DATA + 8, 8, 0, 0).publish(0);
        assertRejected(q, Reason.READABLE_AFTER_WRITABLE, 0);
    }

    @Test
    void rejectsReadableAfterZeroLengthWritable() {
        driver.desc(0, DATA, 0, F_WRITE | F_NEXT, 1).desc(1, DATA + 8, 8, 0, 0).publish(0);
        assertRejected(q, Reason.READABLE_AFTER_WRITABLE, 0);
    }

    // ---- row 6: avail index abuse ----

    @Test
    void breaksWhenAvailIdxJumpsMoreThanSizeAhead() {
        driver.setAvailIdx(SIZE + 1);
        assertBroken(q, Reason.AVAIL_INDEX_JUMP);
    }

    @Test
    void acceptsAvailIdxExactlySizeAhead() {
        for (int i = 0; i < SIZE; i++) {
            driver.desc(i, DATA + 16L * i, 16, 0, 0).publish(i);
        }
        for (int i = 0; i < SIZE; i++) {
            assertEquals(i, q.pop().head());
        }
        assertNull(q.pop());
        assertEquals(SIZE, q.inFlight());
    }

    @Test
    void breaksWhenAvailIdxMovesBackwards() {
        driver.desc(0, DATA, 8, 0, 0).publish(0);
        q.pushUsed(q.pop().head(), 0);
        driver.setAvailIdx(0); // last - 1 relative to what the device saw
        assertBroken(q, Reason.AVAIL_INDEX_JUMP);
    }

    @Test
    void breaksWhenAvailIdxIsLastMinusOneFromTheStart() {
        driver.setAvailIdx(0xFFFF);
        assertBroken(q, Reason.AVAIL_INDEX_JUMP);
    }

    @Test
    void breaksWhenTheSameHeadIsMadeAvailableTwiceWhileInFlight() {
        driver.desc(3, DATA, 8, 0, 0).publish(3).publish(3);
        assertEquals(3, q.pop().head());
        assertBroken(q, Reason.HEAD_ALREADY_IN_FLIGHT);
    }

    @Test
    void acceptsTheSameHeadAgainAfterItWasCompleted() {
        driver.desc(3, DATA, 8, 0, 0).publish(3).publish(3);
        q.pushUsed(q.pop().head(), 0);
        assertEquals(3, q.pop().head());
    }

    @Test
    void refusesToCompleteAHeadThatIsNotInFlight() {
        assertEquals(Reason.NOT_IN_FLIGHT, assertThrows(VirtqueueException.class, () -> q.pushUsed(0, 0)).reason());
        assertEquals(Reason.NOT_IN_FLIGHT, assertThrows(VirtqueueException.class, () -> q.pushUsed(-1, 0)).reason());
        assertEquals(Reason.NOT_IN_FLIGHT, assertThrows(VirtqueueException.class, () -> q.pushUsed(SIZE, 0)).reason());
        driver.desc(0, DATA, 8, 0, 0).publish(0);
        q.pushUsed(q.pop().head(), 0);
        assertEquals(Reason.NOT_IN_FLIGHT, assertThrows(VirtqueueException.class, () -> q.pushUsed(0, 0)).reason());
        assertEquals(1, driver.usedIdx());
    }

    // ---- row 7: queue setup ----

    @Test
    void rejectsQueueSizesThatAreNotPowersOfTwoInRange() {
        for (int bad : new int[] {0, 3, 255, 65535, SplitRing.MAX_SIZE + 1, SplitRing.MAX_SIZE * 2, -8}) {
            VirtqueueException e = assertThrows(VirtqueueException.class,
                    () -> new DeviceVirtqueue(window, 0, bad, addrs, false, false, MAX_CHAIN), "size " + bad);
            assertEquals(Reason.BAD_SIZE, e.reason());
        }
        DmaWindow big = DmaWindow.allocate(0, 1 << 20);
        new DeviceVirtqueue(big, 0, SplitRing.MAX_SIZE, SplitRing.contiguousLayout(0, SplitRing.MAX_SIZE), false,
                false, MAX_CHAIN);
    }

    @Test
    void rejectsMisalignedRings() {
        assertSetupFails(Reason.MISALIGNED, addrs.descriptorAddr() + 8, addrs.driverAddr(), addrs.deviceAddr());
        assertSetupFails(Reason.MISALIGNED, addrs.descriptorAddr(), addrs.driverAddr() + 1, addrs.deviceAddr());
        assertSetupFails(Reason.MISALIGNED, addrs.descriptorAddr(), addrs.driverAddr(), addrs.deviceAddr() + 2);
    }

    @Test
    void rejectsOverlappingRings() {
        assertSetupFails(Reason.RINGS_OVERLAP, BASE, BASE + 16L * SIZE - 2, BASE + 0x1000);
        assertSetupFails(Reason.RINGS_OVERLAP, BASE, BASE + 0x1000, BASE + 0x1000 + 4);
        assertSetupFails(Reason.RINGS_OVERLAP, BASE + 0x1000, BASE, BASE + 0x1000 + 16L * SIZE - 4);
    }

    @Test
    void rejectsRingsOutsideTheWindow() {
        assertSetupFails(Reason.OUT_OF_WINDOW, BASE - 0x1000, addrs.driverAddr(), addrs.deviceAddr());
        assertSetupFails(Reason.OUT_OF_WINDOW, addrs.descriptorAddr(), BASE + WINDOW - 4, addrs.deviceAddr());
        assertSetupFails(Reason.OUT_OF_WINDOW, addrs.descriptorAddr(), addrs.driverAddr(), 0xFFFF_FFFF_FFFF_FFF0L);
    }

    void assertSetupFails(Reason reason, long d, long a, long u) {
        VirtqueueAddresses bad = new VirtqueueAddresses(d, a, u);
        assertEquals(reason, assertThrows(VirtqueueException.class,
                () -> new DeviceVirtqueue(window, 0, SIZE, bad, false, false, MAX_CHAIN)).reason());
        assertEquals(reason, assertThrows(VirtqueueException.class,
                () -> new DriverVirtqueue(window, 0, SIZE, bad, false)).reason());
    }

    // ---- notification suppression ----

    @Test
    void notifiesUnlessTheDriverSetNoInterrupt() {
        driver.desc(0, DATA, 8, 0, 0).publish(0).publish(0);
        assertFalse(q.needsNotification(), "nothing pushed yet");
        q.pushUsed(q.pop().head(), 0);
        assertTrue(q.needsNotification());
        assertFalse(q.needsNotification(), "nothing pushed since the last call");
        driver.setAvailFlags(SplitRing.AVAIL_F_NO_INTERRUPT);
        q.pushUsed(q.pop().head(), 0);
        assertFalse(q.needsNotification());
    }

    @Test
    void notifiesOnlyWhenUsedIdxCrossesUsedEvent() {
        DeviceVirtqueue ev = queue(true, false);
        for (int i = 0; i < 4; i++) {
            driver.desc(i, DATA + 16L * i, 8, 0, 0).publish(i);
        }
        driver.setUsedEvent(2); // wake me when entry 2 is used, i.e. used.idx passes 2
        ev.pushUsed(ev.pop().head(), 0);
        assertFalse(ev.needsNotification(), "used.idx 1 has not crossed used_event 2");
        ev.pushUsed(ev.pop().head(), 0);
        assertFalse(ev.needsNotification(), "used.idx 2 has not crossed used_event 2");
        ev.pushUsed(ev.pop().head(), 0);
        ev.pushUsed(ev.pop().head(), 0);
        assertTrue(ev.needsNotification(), "used.idx 4 crossed used_event 2");
    }

    @Test
    void suppressesKicksWithUsedFlagsOrAvailEvent() {
        q.disableNotifications();
        assertEquals(SplitRing.USED_F_NO_NOTIFY, driver.usedFlags());
        q.enableNotifications();
        assertEquals(0, driver.usedFlags());

        DeviceVirtqueue ev = queue(true, false);
        driver.desc(0, DATA, 8, 0, 0).publish(0).publish(0);
        ev.pushUsed(ev.pop().head(), 0);
        assertEquals(1, driver.availEvent(), "avail_event follows last_avail while notifications are on");
        ev.disableNotifications();
        assertEquals(1 + SplitRing.EVENT_PARKED, driver.availEvent(), "avail_event parked half the index space ahead");
        ev.pushUsed(ev.pop().head(), 0);
        assertEquals(2 + SplitRing.EVENT_PARKED, driver.availEvent(), "avail_event stays parked ahead while off");
        assertFalse(SplitRing.needEvent(driver.availEvent(), 2, 1), "a parked avail_event asks for no kick");
        ev.enableNotifications();
        assertEquals(2, driver.availEvent());
    }

    @Test
    void writesUsedFlagsFromItsOwnCopyNotFromWhatTheDriverScribbledThere() {
        // used.flags belongs to the device; a hostile driver sets every other bit of it. Reading
        // it back to set or clear NO_NOTIFY would publish the driver's garbage as the device's.
        window.putShort(addrs.deviceAddr() + SplitRing.OFFSET_FLAGS, (short) 0xFFFE);
        q.disableNotifications();
        assertEquals(SplitRing.USED_F_NO_NOTIFY, driver.usedFlags());
        window.putShort(addrs.deviceAddr() + SplitRing.OFFSET_FLAGS, (short) 0xFFFF);
        q.enableNotifications();
        assertEquals(0, driver.usedFlags());
    }
}
