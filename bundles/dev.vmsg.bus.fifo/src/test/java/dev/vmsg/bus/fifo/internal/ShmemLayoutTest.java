package dev.vmsg.bus.fifo.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;

/** Building and validating the vmamp_shmem v1 layout, including the Linux layout test's cases. */
class ShmemLayoutTest {

    private static ByteBuffer region(int size) {
        return ByteBuffer.allocateDirect(size).order(ByteOrder.LITTLE_ENDIAN);
    }

    /** The Linux test's shape: a 16 KiB region, 100 elements of 64 bytes. */
    private static ByteBuffer linuxShaped() {
        ByteBuffer m = region(16 * 1024);
        ShmemLayout.deviceDefault(64, 100).writeTo(m);
        return m;
    }

    private static String rejection(ByteBuffer m, long size) {
        return assertThrows(LayoutException.class, () -> ShmemLayout.read(m, size)).getMessage();
    }

    @Test
    void acceptsTheLayoutTheDeviceSideBuilds() throws Exception {
        ShmemLayout built = ShmemLayout.deviceDefault(64, 100);
        ByteBuffer m = linuxShaped();
        ShmemLayout read = ShmemLayout.read(m, 16 * 1024);
        assertEquals(built, read);
        assertEquals(128, read.devHead());
        assertEquals(192, read.drvHead());
        assertEquals(256, read.devQueue());
        assertEquals(256 + 6400, read.drvQueue());
        assertTrue(built.fileSize() <= 16 * 1024, "fits the Linux test's 16 KiB");
    }

    @Test
    void headerBytesAreTheSpecsLittleEndianFields() {
        ByteBuffer m = linuxShaped();
        assertEquals(0x4C4F, Short.toUnsignedInt(m.getShort(0)));
        assertEquals(64, m.getShort(2));
        assertEquals(1, m.getShort(4));
        assertEquals(ShmemLayout.FEATURE_VMSG_LIVENESS, Short.toUnsignedInt(m.getShort(6)));
        assertEquals(0, m.get(8));
        assertEquals(100, m.getShort(10));
        assertEquals(64, m.getShort(12));
        assertEquals(0, m.getShort(14));
        assertEquals(128, m.getLong(24));
        assertEquals(192, m.getLong(48));
    }

    @Test
    void rejectsARegionTooSmallForTheHeader() {
        assertTrue(rejection(region(32), 32).contains("too small"));
    }

    @Test
    void rejectsARegionTooSmallForItsQueues() {
        ByteBuffer m = linuxShaped();
        String why = rejection(m, 8 * 1024);
        assertTrue(why.contains("driver queue") && why.contains("outside"), why);
    }

    @Test
    void rejectsBadMagic() {
        ByteBuffer m = linuxShaped();
        m.putShort(0, (short) 0x4C4E);
        assertTrue(rejection(m, 16 * 1024).contains("bad layout magic 0x4C4E"));
    }

    @Test
    void rejectsAnUnwrittenRegion() {
        assertTrue(rejection(region(16 * 1024), 16 * 1024).contains("bad layout magic 0x0000"));
    }

    @Test
    void rejectsWrongLengthVersionAndReserved() {
        ByteBuffer m = linuxShaped();
        m.putShort(2, (short) 60);
        assertTrue(rejection(m, 16 * 1024).contains("layout length 60"));
        m = linuxShaped();
        m.putShort(4, (short) 2);
        assertTrue(rejection(m, 16 * 1024).contains("version 2"));
        m = linuxShaped();
        m.putShort(14, (short) 1);
        assertTrue(rejection(m, 16 * 1024).contains("reserved"));
    }

    @Test
    void rejectsBadElementGeometry() {
        ByteBuffer m = linuxShaped();
        m.putShort(10, (short) 1);
        assertTrue(rejection(m, 16 * 1024).contains("num_queue_elements 1"));
        m = linuxShaped();
        m.putShort(12, (short) 0);
        assertTrue(rejection(m, 16 * 1024).contains("size_queue_elements is 0"));
    }

    @Test
    void rejectsBadNotificationCounts() {
        ByteBuffer m = linuxShaped();
        m.put(8, (byte) 65);
        assertTrue(rejection(m, 16 * 1024).contains("num_notif 65"));
        m = linuxShaped();
        m.put(8, (byte) 1);
        m.put(9, (byte) 3);
        assertTrue(rejection(m, 16 * 1024).contains("num_vq_notif_per_device 3"));
    }

    @Test
    void rejectsMissingLivenessExtension() {
        ByteBuffer m = linuxShaped();
        m.putShort(6, (short) 0);
        assertTrue(rejection(m, 16 * 1024).contains("liveness extension"));
    }

    @Test
    void rejectsOverlappingQueues() {
        ByteBuffer m = linuxShaped();
        m.putLong(56, 256 + 64); // driver queue starts inside the device queue
        String why = rejection(m, 16 * 1024);
        assertTrue(why.contains("overlaps") && why.contains("device queue"), why);
    }

    @Test
    void rejectsAQueueHeadInsideTheHeaderOrAQueue() {
        ByteBuffer m = linuxShaped();
        m.putLong(24, 8);
        assertTrue(rejection(m, 16 * 1024).contains("overlaps"));
        m = linuxShaped();
        m.putLong(48, 300);
        assertTrue(rejection(m, 16 * 1024).contains("overlaps"));
    }

    @Test
    void rejectsZeroMisalignedAndOutOfRegionOffsets() {
        ByteBuffer m = linuxShaped();
        m.putLong(24, 0);
        assertTrue(rejection(m, 16 * 1024).contains("device queue head offset is 0"));
        m = linuxShaped();
        m.putLong(48, 193);
        assertTrue(rejection(m, 16 * 1024).contains("not 2-byte aligned"));
        m = linuxShaped();
        m.putLong(32, -64); // 0xFFFF...C0: far outside, and offset + length would wrap
        assertTrue(rejection(m, 16 * 1024).contains("outside"));
        m = linuxShaped();
        m.putLong(48, 16 * 1024 - 4); // head straddles the end
        assertTrue(rejection(m, 16 * 1024).contains("outside"));
    }

    @Test
    void rejectsNotificationAreasThatOverlap() {
        ByteBuffer m = linuxShaped();
        m.put(8, (byte) 2);
        m.put(9, (byte) 1);
        m.putLong(16, 13104);
        m.putLong(40, 13120); // 2 words x (tx, rx) = 32 bytes: overlaps the device area
        assertTrue(rejection(m, 16 * 1024).contains("notification area"));
        m.putLong(40, 13144);
        try {
            ShmemLayout.read(m, 16 * 1024);
        } catch (LayoutException e) {
            throw new AssertionError("disjoint notification areas must be accepted: " + e.getMessage());
        }
    }

    @Test
    void builderRefusesImpossibleShapes() {
        assertThrows(IllegalArgumentException.class, () -> ShmemLayout.deviceDefault(64, 1));
        assertThrows(IllegalArgumentException.class, () -> ShmemLayout.deviceDefault(0, 16));
        assertThrows(IllegalArgumentException.class, () -> ShmemLayout.deviceDefault(65535, 65535));
    }
}
