package dev.vmsg.device.blk.internal;

import static dev.vmsg.device.blk.internal.BlkRig.seg;
import static dev.vmsg.device.blk.internal.BlkRig.segs;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vmsg.device.blk.internal.BlkRig.Used;
import dev.vmsg.virtqueue.BufferSegment;
import dev.vmsg.wire.DeviceIds;
import dev.vmsg.wire.FeatureSet;
import java.nio.ByteBuffer;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** The blk device model: request validation (every rejection before any I/O), commands, config, multiqueue. */
class BlkBackendTest {

    static final int SECTORS = 128;

    private final RecordingStore store = new RecordingStore(new MemoryBlockStore(SECTORS * 512));

    private BlkRig rig(BlkSettings settings) {
        return new BlkRig(store, settings, 1 << 20);
    }

    private BlkRig rig() {
        return rig(BlkSettings.DEFAULTS.withSerial("vmsg-serial-0001"));
    }

    /** OUT of {@code data} at {@code sector}: header, data, status as three descriptors. */
    private int write(BlkRig r, long sector, byte[] data) {
        long h = r.header(VirtioBlk.T_OUT, sector);
        long d = r.alloc(data.length, 0);
        r.window.write(d, data, 0, data.length);
        long s = r.alloc(1, 0xFF);
        Used u = r.run(0, segs(seg(h, 16), seg(d, data.length)), segs(seg(s, 1)));
        assertEquals(1, u.length(), "OUT writes only the status byte");
        return r.status(s);
    }

    private byte[] read(BlkRig r, long sector, int length) {
        long h = r.header(VirtioBlk.T_IN, sector);
        long d = r.alloc(length, 0xAA);
        long s = r.alloc(1, 0xFF);
        Used u = r.run(0, segs(seg(h, 16)), segs(seg(d, length), seg(s, 1)));
        assertEquals(VirtioBlk.S_OK, r.status(s));
        assertEquals(length + 1, u.length(), "IN reports data plus status as written");
        return r.bytes(d, length);
    }

    private static byte[] pattern(int length, int seed) {
        byte[] b = new byte[length];
        for (int i = 0; i < length; i++) {
            b[i] = (byte) (i * 31 + seed);
        }
        return b;
    }

    @Test
    void writtenSectorsReadBack() {
        BlkRig r = rig();
        byte[] data = pattern(4096, 7);
        assertEquals(VirtioBlk.S_OK, write(r, 10, data));
        assertArrayEquals(data, read(r, 10, 4096));
        assertArrayEquals(new byte[512], read(r, 0, 512), "untouched sectors read as zeroes");
    }

    @Test
    void headerDataAndStatusMayBeSplitOrShareDescriptors() {
        BlkRig r = rig();
        byte[] data = pattern(1024, 3);
        // OUT: the header in two pieces, then data that starts in the header's second descriptor.
        long buf = r.alloc(16 + 1024, 0);
        r.window.putInt(buf, VirtioBlk.T_OUT);
        r.window.putLong(buf + 8, 4);
        r.window.write(buf + 16, data, 0, data.length);
        long s = r.alloc(1, 0xFF);
        r.run(0, segs(seg(buf, 5), seg(buf + 5, 100), seg(buf + 105, 16 + 1024 - 105)), segs(seg(s, 1)));
        assertEquals(VirtioBlk.S_OK, r.status(s));
        // IN: data and status in one writable descriptor.
        long h = r.header(VirtioBlk.T_IN, 4);
        long ds = r.alloc(1025, 0xAA);
        Used u = r.run(0, segs(seg(h, 16)), segs(seg(ds, 1025)));
        assertEquals(1025, u.length());
        assertEquals(VirtioBlk.S_OK, r.status(ds + 1024));
        assertArrayEquals(data, r.bytes(ds, 1024));
    }

    @Test
    void rejectsSectorBeyondCapacityWithIoerrAndReturnsTheHead() {
        BlkRig r = rig();
        long h = r.header(VirtioBlk.T_IN, SECTORS - 1);
        long d = r.alloc(1024, 0xAA);
        long s = r.alloc(1, 0xFF);
        Used u = r.run(0, segs(seg(h, 16)), segs(seg(d, 1024), seg(s, 1)));
        assertEquals(VirtioBlk.S_IOERR, r.status(s));
        assertEquals(1, u.length(), "only the status byte was written");
        assertEquals(0, store.reads, "nothing read for a rejected request");
        assertTrue(Arrays.equals(r.bytes(d, 1024), filled(1024, 0xAA)), "data buffer untouched");
        assertEquals(VirtioBlk.S_IOERR, write(r, SECTORS, pattern(512, 1)));
        assertEquals(0, store.mutations());
    }

    @Test
    void rejectsSectorRangesThatOverflow() {
        BlkRig r = rig();
        for (long sector : new long[] {-1L, -2L, 1L << 55, Long.MAX_VALUE, (1L << 54) + 1, Long.MIN_VALUE}) {
            assertEquals(VirtioBlk.S_IOERR, write(r, sector, pattern(1024, 2)), "sector " + Long.toUnsignedString(sector));
            long h = r.header(VirtioBlk.T_IN, sector);
            long s = r.alloc(513, 0xFF);
            r.run(0, segs(seg(h, 16)), segs(seg(s, 513)));
            assertEquals(VirtioBlk.S_IOERR, r.status(s + 512));
        }
        assertEquals(0, store.reads + store.mutations());
    }

    @Test
    void rejectsHeaderInAWritableDescriptor() {
        BlkRig r = rig();
        long h = r.header(VirtioBlk.T_OUT, 0);
        long d = r.alloc(512, 0x55);
        long s = r.alloc(1, 0xFF);
        Used u = r.run(0, segs(), segs(seg(h, 16), seg(d, 512), seg(s, 1)));
        assertEquals(VirtioBlk.S_IOERR, r.status(s));
        assertEquals(1, u.length());
        // A header cut short: 8 readable bytes, the rest writable.
        long h2 = r.header(VirtioBlk.T_IN, 0);
        long s2 = r.alloc(1, 0xFF);
        r.run(0, segs(seg(h2, 8)), segs(seg(h2 + 8, 8), seg(s2, 1)));
        assertEquals(VirtioBlk.S_IOERR, r.status(s2));
        assertEquals(0, store.reads + store.mutations());
    }

    @Test
    void chainWithStatusInAReadableDescriptorIsReturnedWithLengthZero() {
        BlkRig r = rig();
        long h = r.header(VirtioBlk.T_OUT, 0);
        long d = r.alloc(512, 0x55);
        long s = r.alloc(1, 0xFF);
        Used u = r.run(0, segs(seg(h, 16), seg(d, 512), seg(s, 1)), segs());
        assertEquals(0, u.length(), "no writable byte: nowhere to put a status");
        assertEquals(0xFF, r.status(s), "the readable status byte is not written");
        assertEquals(0, store.mutations(), "the write was not done");
        assertFalse(r.warnings.isEmpty());
    }

    @Test
    void rejectsDataThatIsNotWholeSectors() {
        BlkRig r = rig();
        assertEquals(VirtioBlk.S_IOERR, write(r, 0, pattern(511, 1)));
        assertEquals(VirtioBlk.S_IOERR, write(r, 0, pattern(513, 1)));
        long h = r.header(VirtioBlk.T_IN, 0);
        long d = r.alloc(100, 0);
        long s = r.alloc(1, 0xFF);
        r.run(0, segs(seg(h, 16)), segs(seg(d, 100), seg(s, 1)));
        assertEquals(VirtioBlk.S_IOERR, r.status(s));
        assertEquals(0, store.reads + store.mutations());
    }

    @Test
    void rejectsDataOverTheRequestCap() {
        BlkSettings small = new BlkSettings(1, 64, false, "", 512, 4096, 2, 64, 2, 64, 2);
        BlkRig r = rig(small);
        assertEquals(VirtioBlk.S_IOERR, write(r, 0, pattern(8192 + 512, 1)));
        assertEquals(VirtioBlk.S_OK, write(r, 0, pattern(8192, 1)));
    }

    @Test
    void readOnlyDeviceRefusesEveryWriteButReads() {
        BlkRig r = rig(BlkSettings.DEFAULTS.withReadOnly(true));
        assertTrue(r.backend.features().has(VirtioBlk.F_RO));
        assertFalse(r.backend.features().has(VirtioBlk.F_DISCARD));
        assertEquals(VirtioBlk.S_IOERR, write(r, 0, pattern(512, 1)));
        for (int type : new int[] {VirtioBlk.T_DISCARD, VirtioBlk.T_WRITE_ZEROES}) {
            // Even when a driver claims the command was negotiated, a read-only device refuses it.
            BlkRig forced = new BlkRig(store, BlkSettings.DEFAULTS.withReadOnly(true), 1 << 20,
                    FeatureSet.of(VirtioBlk.F_DISCARD, VirtioBlk.F_WRITE_ZEROES));
            assertEquals(VirtioBlk.S_IOERR, zeroSegments(forced, type, segment(0, 8, 0)));
        }
        assertEquals(0, store.mutations());
        read(r, 0, 512);
    }

    @Test
    void unknownTypeIsUnsupported() {
        BlkRig r = rig();
        for (int type : new int[] {2, 3, 5, 7, 9, 10, 12, 14, 0x10, -1}) {
            long h = r.header(type, 0);
            long s = r.alloc(1, 0xFF);
            Used u = r.run(0, segs(seg(h, 16)), segs(seg(s, 1)));
            assertEquals(VirtioBlk.S_UNSUPP, r.status(s), "type " + type);
            assertEquals(1, u.length());
        }
    }

    @Test
    void flushSucceedsAndRejectsData() {
        BlkRig r = rig();
        long h = r.header(VirtioBlk.T_FLUSH, 0);
        long s = r.alloc(1, 0xFF);
        r.run(0, segs(seg(h, 16)), segs(seg(s, 1)));
        assertEquals(VirtioBlk.S_OK, r.status(s));
        assertEquals(1, store.flushes);
        long d = r.alloc(512, 0);
        long s2 = r.alloc(1, 0xFF);
        r.run(0, segs(seg(r.header(VirtioBlk.T_FLUSH, 0), 16), seg(d, 512)), segs(seg(s2, 1)));
        assertEquals(VirtioBlk.S_IOERR, r.status(s2));
    }

    @Test
    void getIdAnswersTheSerialOrUnsupp() {
        BlkRig r = rig();
        long d = r.alloc(20, 0xAA);
        long s = r.alloc(1, 0xFF);
        Used u = r.run(0, segs(seg(r.header(VirtioBlk.T_GET_ID, 0), 16)), segs(seg(d, 20), seg(s, 1)));
        assertEquals(VirtioBlk.S_OK, r.status(s));
        assertEquals(21, u.length());
        byte[] id = new byte[20];
        System.arraycopy("vmsg-serial-0001".getBytes(), 0, id, 0, 16);
        assertArrayEquals(id, r.bytes(d, 20), "serial, zero padded to 20 bytes");
        BlkRig none = rig(BlkSettings.DEFAULTS);
        long s2 = none.alloc(21, 0xFF);
        none.run(0, segs(seg(none.header(VirtioBlk.T_GET_ID, 0), 16)), segs(seg(s2, 21)));
        assertEquals(VirtioBlk.S_UNSUPP, none.status(s2 + 20));
    }

    static byte[] segment(long sector, int sectors, int flags) {
        ByteBuffer b = BlkRig.le(16);
        b.putLong(0, sector).putInt(8, sectors).putInt(12, flags);
        return b.array();
    }

    private static int zeroSegments(BlkRig r, int type, byte[]... segments) {
        int n = segments.length * 16;
        long d = r.alloc(Math.max(n, 1), 0);
        for (int i = 0; i < segments.length; i++) {
            r.window.write(d + 16L * i, segments[i], 0, 16);
        }
        long s = r.alloc(1, 0xFF);
        BufferSegment[] readable = n == 0 ? segs(seg(r.header(type, 0), 16))
                : segs(seg(r.header(type, 0), 16), seg(d, n));
        r.run(0, readable, segs(seg(s, 1)));
        return r.status(s);
    }

    @Test
    void writeZeroesAndDiscardZeroTheirSegmentsOnly() {
        BlkRig r = rig();
        byte[] ones = filled(SECTORS * 512, 0x11);
        assertEquals(VirtioBlk.S_OK, write(r, 0, Arrays.copyOf(ones, 64 * 1024)));
        assertEquals(VirtioBlk.S_OK, zeroSegments(r, VirtioBlk.T_WRITE_ZEROES, segment(2, 3, 0),
                segment(20, 1, VirtioBlk.SEGMENT_F_UNMAP)));
        assertEquals(VirtioBlk.S_OK, zeroSegments(r, VirtioBlk.T_DISCARD, segment(100, 28, 0)));
        byte[] all = read(r, 0, SECTORS * 512);
        for (int sector = 0; sector < SECTORS; sector++) {
            boolean zero = (sector >= 2 && sector < 5) || sector == 20 || sector >= 100;
            byte[] got = Arrays.copyOfRange(all, sector * 512, sector * 512 + 512);
            assertArrayEquals(filled(512, zero ? 0 : 0x11), got, "sector " + sector);
        }
    }

    @Test
    void zeroingRequestsAreCheckedWholeBeforeAnyIo() {
        BlkRig r = rig();
        long before = store.zeroes;
        // The first segment is fine, the second passes the capacity: nothing may be zeroed.
        assertEquals(VirtioBlk.S_IOERR, zeroSegments(r, VirtioBlk.T_WRITE_ZEROES, segment(0, 1, 0),
                segment(SECTORS - 1, 2, 0)));
        assertEquals(VirtioBlk.S_IOERR, zeroSegments(r, VirtioBlk.T_WRITE_ZEROES, segment(0, 1, 0),
                segment(-1L, 1, 0)));
        assertEquals(VirtioBlk.S_UNSUPP, zeroSegments(r, VirtioBlk.T_DISCARD, segment(0, 1, 0),
                segment(1, 1, VirtioBlk.SEGMENT_F_UNMAP)), "discard takes no unmap flag");
        assertEquals(VirtioBlk.S_UNSUPP, zeroSegments(r, VirtioBlk.T_WRITE_ZEROES, segment(0, 1, 4)),
                "unknown flags");
        assertEquals(VirtioBlk.S_IOERR, zeroSegments(r, VirtioBlk.T_WRITE_ZEROES, segment(0, 8193, 0)),
                "over max_write_zeroes_sectors");
        byte[][] nine = new byte[9][];
        Arrays.fill(nine, segment(0, 1, 0));
        assertEquals(VirtioBlk.S_IOERR, zeroSegments(r, VirtioBlk.T_DISCARD, nine), "over max_discard_seg");
        assertEquals(VirtioBlk.S_IOERR, zeroSegments(r, VirtioBlk.T_DISCARD), "no segment");
        assertEquals(before, store.zeroes);
    }

    @Test
    void discardAndWriteZeroesNeedTheirFeature() {
        BlkRig r = new BlkRig(store, BlkSettings.DEFAULTS, 1 << 20, FeatureSet.of(VirtioBlk.F_FLUSH));
        assertEquals(VirtioBlk.S_UNSUPP, zeroSegments(r, VirtioBlk.T_DISCARD, segment(0, 1, 0)));
        assertEquals(VirtioBlk.S_UNSUPP, zeroSegments(r, VirtioBlk.T_WRITE_ZEROES, segment(0, 1, 0)));
        assertEquals(0, store.zeroes);
    }

    @Test
    void configSpaceFollowsTheSpecLayout() {
        BlkSettings s = new BlkSettings(4, 256, false, "x", 4096, 65536, 32, 1000, 3, 2000, 5);
        BlkBackend b = new BlkBackend(store, s, w -> { });
        assertEquals(DeviceIds.BLOCK, b.deviceId());
        assertEquals(60, b.configSize());
        ByteBuffer c = BlkRig.le(60);
        b.readConfig(0, c);
        assertEquals(SECTORS, c.getLong(0), "capacity");
        assertEquals(65536, c.getInt(8), "size_max");
        assertEquals(32, c.getInt(12), "seg_max");
        assertEquals(4096, c.getInt(20), "blk_size");
        assertEquals(4, c.getShort(34), "num_queues");
        assertEquals(1000, c.getInt(36), "max_discard_sectors");
        assertEquals(3, c.getInt(40), "max_discard_seg");
        assertEquals(8, c.getInt(44), "discard_sector_alignment in sectors");
        assertEquals(2000, c.getInt(48), "max_write_zeroes_sectors");
        assertEquals(5, c.getInt(52), "max_write_zeroes_seg");
        ByteBuffer part = BlkRig.le(2);
        b.readConfig(34, part);
        assertEquals(4, part.getShort(0), "partial reads see the same bytes");
        FeatureSet f = b.features();
        for (int bit : new int[] {VirtioBlk.F_SIZE_MAX, VirtioBlk.F_SEG_MAX, VirtioBlk.F_BLK_SIZE, VirtioBlk.F_FLUSH,
            VirtioBlk.F_MQ, VirtioBlk.F_DISCARD, VirtioBlk.F_WRITE_ZEROES}) {
            assertTrue(f.has(bit), "feature " + bit);
        }
        assertFalse(new BlkBackend(store, BlkSettings.DEFAULTS, w -> { }).features().has(VirtioBlk.F_MQ),
                "one queue: no MQ");
    }

    @Test
    void everyQueueServesRequestsOnTheSameDisk() {
        BlkRig r = rig(BlkSettings.DEFAULTS.withQueues(4, 32));
        for (int q = 0; q < 4; q++) {
            long h = r.header(VirtioBlk.T_OUT, q * 8);
            long d = r.alloc(512, 0x20 + q);
            long s = r.alloc(1, 0xFF);
            r.run(q, segs(seg(h, 16), seg(d, 512)), segs(seg(s, 1)));
            assertEquals(VirtioBlk.S_OK, r.status(s));
        }
        for (int q = 0; q < 4; q++) {
            int from = (q + 1) % 4; // read each sector through another queue
            long h = r.header(VirtioBlk.T_IN, q * 8);
            long d = r.alloc(512, 0);
            long s = r.alloc(1, 0xFF);
            r.run(from, segs(seg(h, 16)), segs(seg(d, 512), seg(s, 1)));
            assertArrayEquals(filled(512, 0x20 + q), r.bytes(d, 512));
        }
        for (int q = 0; q < 4; q++) {
            assertEquals(2, r.backend.stat(q, BlkBackend.STAT_REQUESTS), "queue " + q);
        }
    }

    @Test
    void manyRequestsInFlightOnOneQueueAllComplete() {
        BlkRig r = rig(BlkSettings.DEFAULTS.withQueues(1, 64));
        var d = r.drivers.get(0);
        long[] status = new long[20];
        for (int i = 0; i < 20; i++) {
            long h = r.header(VirtioBlk.T_OUT, i);
            long data = r.alloc(512, i);
            status[i] = r.alloc(1, 0xFF);
            d.add(segs(seg(h, 16), seg(data, 512)), segs(seg(status[i], 1)), i);
        }
        r.serve(0);
        boolean[] seen = new boolean[20];
        for (var c = d.poll(); c != null; c = d.poll()) {
            int i = (Integer) c.cookie();
            assertFalse(seen[i], "request " + i + " completed twice");
            seen[i] = true;
        }
        for (int i = 0; i < 20; i++) {
            assertTrue(seen[i], "request " + i);
            assertEquals(VirtioBlk.S_OK, r.status(status[i]));
            assertArrayEquals(filled(512, i), read(r, i, 512));
        }
    }

    static byte[] filled(int n, int v) {
        byte[] b = new byte[n];
        Arrays.fill(b, (byte) v);
        return b;
    }
}
