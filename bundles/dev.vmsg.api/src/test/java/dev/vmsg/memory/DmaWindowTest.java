package dev.vmsg.memory;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;

class DmaWindowTest {
    private static final long BASE = 0x1000_0000L;
    private static final int SIZE = 0x10000;
    private final DmaWindow w = DmaWindow.allocate(BASE, SIZE);

    @Test
    void reportsBaseAndSize() {
        assertEquals(BASE, w.base());
        assertEquals(SIZE, w.size());
    }

    @Test
    void containsWholeWindowAndEmptyRangeAtTheEnd() {
        assertTrue(w.contains(BASE, SIZE));
        assertTrue(w.contains(BASE + SIZE, 0));
        assertTrue(w.contains(BASE + SIZE - 1, 1));
        assertFalse(w.contains(BASE + SIZE + 1, 0));
    }

    @Test
    void rejectsRangeWhoseEndWrapsPastTwoToTheSixtyFour() {
        assertFalse(w.contains(0xFFFF_FFFF_FFFF_FFF0L, 0x20));
        DmaAccessException e = assertThrows(DmaAccessException.class, () -> w.getLong(0xFFFF_FFFF_FFFF_FFF0L));
        assertEquals(0xFFFF_FFFF_FFFF_FFF0L, e.address());
        // A window near the top of the address space: addr + len wraps to a small value.
        DmaWindow top = DmaWindow.allocate(0xFFFF_FFFF_FFFF_0000L, 0x10000);
        assertTrue(top.contains(0xFFFF_FFFF_FFFF_FFF0L, 0x10));
        assertFalse(top.contains(0xFFFF_FFFF_FFFF_FFF0L, 0x20));
        assertThrows(DmaAccessException.class, () -> top.read(0xFFFF_FFFF_FFFF_FFF0L, new byte[0x20], 0, 0x20));
    }

    @Test
    void rejectsTwoBytesAtTheLastByte() {
        assertFalse(w.contains(BASE + SIZE - 1, 2));
        assertThrows(DmaAccessException.class, () -> w.getShort(BASE + SIZE - 1));
        assertThrows(DmaAccessException.class, () -> w.putShort(BASE + SIZE - 1, (short) 1));
    }

    @Test
    void rejectsTheByteBeforeTheBase() {
        assertFalse(w.contains(BASE - 1, 1));
        assertFalse(w.contains(BASE - 1, 0));
        assertThrows(DmaAccessException.class, () -> w.getByte(BASE - 1));
    }

    @Test
    void rejectsNegativeAndHugeLengths() {
        assertFalse(w.contains(BASE, -1));
        assertFalse(w.contains(BASE, Long.MIN_VALUE));
        assertFalse(w.contains(BASE, SIZE + 1L));
        assertFalse(w.contains(BASE + 8, SIZE));
        assertThrows(DmaAccessException.class, () -> w.checkRange(BASE, -1));
        assertThrows(DmaAccessException.class, () -> w.fill(BASE, -1, (byte) 0));
        assertThrows(DmaAccessException.class, () -> w.slice(BASE, -1));
        assertThrows(DmaAccessException.class, () -> w.fill(BASE, 0xFFFF_FFFFL, (byte) 0));
    }

    @Test
    void exceptionMessageNamesWindowAndRange() {
        DmaAccessException e = assertThrows(DmaAccessException.class, () -> w.checkRange(BASE + SIZE - 1, 2));
        assertTrue(e.getMessage().contains("0x1000ffff"), e.getMessage());
        assertTrue(e.getMessage().contains("[0x10000000, 0x10010000)"), e.getMessage());
        assertEquals(2, e.length());
    }

    @Test
    void failedWriteTouchesNothing() {
        w.fill(BASE + SIZE - 8, 8, (byte) 0x5A);
        assertThrows(DmaAccessException.class, () -> w.write(BASE + SIZE - 4, new byte[8], 0, 8));
        assertThrows(DmaAccessException.class, () -> w.putLong(BASE + SIZE - 4, -1L));
        for (int i = 0; i < 8; i++) {
            assertEquals(0x5A, w.getByte(BASE + SIZE - 8 + i));
        }
    }

    @Test
    void readsAndWritesLittleEndian() {
        w.putLong(BASE + 16, 0x0102_0304_0506_0708L);
        assertEquals(0x08, w.getByte(BASE + 16));
        assertEquals(0x0708, w.getShort(BASE + 16));
        assertEquals(0x0506_0708, w.getInt(BASE + 16));
        assertEquals(0x0102_0304_0506_0708L, w.getLong(BASE + 16));
        w.putShortRelease(BASE + 2, (short) 0xBEEF);
        assertEquals((short) 0xBEEF, w.getShortAcquire(BASE + 2));
        assertEquals((byte) 0xEF, w.getByte(BASE + 2));
        w.putIntRelease(BASE + 4, 0xCAFE_BABE);
        assertEquals(0xCAFE_BABE, w.getIntAcquire(BASE + 4));
    }

    @Test
    void rejectsMisalignedAtomicAccess() {
        assertThrows(DmaAccessException.class, () -> w.getShortAcquire(BASE + 1));
        assertThrows(DmaAccessException.class, () -> w.putIntRelease(BASE + 2, 1));
    }

    @Test
    void copiesArraysAndBuffers() {
        byte[] src = {1, 2, 3, 4, 5};
        w.write(BASE + 100, src, 1, 3);
        byte[] dst = new byte[3];
        w.read(BASE + 100, dst, 0, 3);
        assertArrayEquals(new byte[] {2, 3, 4}, dst);

        ByteBuffer in = ByteBuffer.wrap(new byte[] {9, 8, 7, 6});
        in.position(1);
        w.write(BASE + 200, in);
        assertEquals(4, in.position());
        ByteBuffer out = ByteBuffer.allocate(3);
        w.read(BASE + 200, out);
        assertEquals(3, out.position());
        assertArrayEquals(new byte[] {8, 7, 6}, out.array());
    }

    @Test
    void fillsRanges() {
        w.fill(BASE + 3, 21, (byte) 7);
        assertEquals(0, w.getByte(BASE + 2));
        assertEquals(7, w.getByte(BASE + 3));
        assertEquals(7, w.getByte(BASE + 23));
        assertEquals(0, w.getByte(BASE + 24));
    }

    @Test
    void sliceIsABoundedLittleEndianView() {
        ByteBuffer s = w.slice(BASE + 64, 8);
        assertEquals(ByteOrder.LITTLE_ENDIAN, s.order());
        assertEquals(8, s.capacity());
        s.putInt(0, 0x11223344);
        assertEquals(0x11223344, w.getInt(BASE + 64));
        assertThrows(IndexOutOfBoundsException.class, () -> s.get(8));
    }

    @Test
    void wrapsExistingMemoryWithoutTouchingItsPosition() {
        ByteBuffer mem = ByteBuffer.allocateDirect(4096);
        mem.position(100).limit(200);
        DmaWindow wrapped = DmaWindow.wrap(0x8000, mem);
        assertEquals(4096, wrapped.size());
        wrapped.putInt(0x8000 + 4000, 42);
        assertEquals(100, mem.position());
        assertEquals(200, mem.limit());
        assertEquals(42, mem.duplicate().clear().order(ByteOrder.LITTLE_ENDIAN).getInt(4000));
        assertThrows(IllegalArgumentException.class, () -> DmaWindow.wrap(0, mem.asReadOnlyBuffer()));
    }

    @Test
    void rejectsWindowsThatCannotExist() {
        assertThrows(IllegalArgumentException.class, () -> DmaWindow.allocate(0, 0));
        assertThrows(IllegalArgumentException.class, () -> DmaWindow.allocate(0, -1));
        assertThrows(IllegalArgumentException.class, () -> DmaWindow.allocate(0xFFFF_FFFF_FFFF_F000L, 0x2000));
        assertThrows(IllegalArgumentException.class, () -> DmaWindow.allocate(0x1001, 4096));
    }
}
