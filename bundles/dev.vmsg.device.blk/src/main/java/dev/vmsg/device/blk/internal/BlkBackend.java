package dev.vmsg.device.blk.internal;

import static dev.vmsg.device.blk.internal.VirtioBlk.HEADER_SIZE;
import static dev.vmsg.device.blk.internal.VirtioBlk.SECTOR_SHIFT;
import static dev.vmsg.device.blk.internal.VirtioBlk.SECTOR_SIZE;
import static dev.vmsg.device.blk.internal.VirtioBlk.SEGMENT_SIZE;
import static dev.vmsg.device.blk.internal.VirtioBlk.S_IOERR;
import static dev.vmsg.device.blk.internal.VirtioBlk.S_OK;
import static dev.vmsg.device.blk.internal.VirtioBlk.S_UNSUPP;

import dev.vmsg.device.DeviceContext;
import dev.vmsg.device.VirtioDeviceBackend;
import dev.vmsg.memory.DmaWindow;
import dev.vmsg.virtqueue.Descriptor;
import dev.vmsg.virtqueue.DescriptorChain;
import dev.vmsg.virtqueue.DeviceVirtqueue;
import dev.vmsg.wire.DeviceIds;
import dev.vmsg.wire.FeatureSet;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.Consumer;

/**
 * The virtio-blk device model (virtio 1.x §5.2) over a {@link BlockStore}.
 *
 * <p>Every request is parsed from one private copy of its header and checked whole before the
 * store is touched: a header that is not device-readable, no status byte, a data length that is
 * not whole sectors or over the per-request cap, a sector range that passes the capacity or
 * overflows, a write to a read-only device, an unknown type or an unnegotiated command. A bad
 * request gets IOERR or UNSUPP in its status byte and its head is returned like any other; a chain
 * with no writable byte at all has nowhere to put a status and is returned with length 0.
 *
 * <p>The descriptor layout is free: header, data and status may be split over descriptors or share
 * them, as §5.2.6 requires. Data moves between the store and the window with no intermediate copy
 * (positional I/O on window slices). Requests are served in order on the device executor; the
 * driver may have as many in flight per queue as the ring holds.
 */
public final class BlkBackend implements VirtioDeviceBackend {

    /** Counters per queue: requests, errors (IOERR/UNSUPP or no status), bytes read, bytes written. */
    static final int STAT_REQUESTS = 0;
    static final int STAT_ERRORS = 1;
    static final int STAT_READ_BYTES = 2;
    static final int STAT_WRITTEN_BYTES = 3;

    private final BlockStore store;
    private final BlkSettings settings;
    private final long capacitySectors;
    private final byte[] serial;
    private final Consumer<String> warnings;
    private final AtomicLongArray stats;
    private final ByteBuffer header = ByteBuffer.allocate(HEADER_SIZE).order(ByteOrder.LITTLE_ENDIAN);
    private final ByteBuffer status = ByteBuffer.allocate(1);
    private FeatureSet negotiated = FeatureSet.EMPTY;

    /**
     * @param store    the bytes behind the device; the backend closes it in {@link #close()}
     * @param warnings receives one line per rejected request (rate-limit it in production)
     */
    public BlkBackend(BlockStore store, BlkSettings settings, Consumer<String> warnings) {
        this.store = store;
        this.settings = settings;
        this.capacitySectors = store.capacity() >>> SECTOR_SHIFT;
        this.serial = settings.serial().getBytes(StandardCharsets.US_ASCII);
        this.warnings = warnings;
        this.stats = new AtomicLongArray(4 * settings.numQueues());
    }

    @Override
    public int deviceId() {
        return DeviceIds.BLOCK;
    }

    @Override
    public java.util.Map<Integer, String> featureNames() {
        return VirtioBlk.FEATURE_NAMES;
    }

    @Override
    public FeatureSet features() {
        FeatureSet f = FeatureSet.of(VirtioBlk.F_SIZE_MAX, VirtioBlk.F_SEG_MAX, VirtioBlk.F_BLK_SIZE, VirtioBlk.F_FLUSH);
        if (settings.numQueues() > 1) {
            f = f.with(VirtioBlk.F_MQ);
        }
        if (settings.readOnly()) {
            return f.with(VirtioBlk.F_RO);
        }
        return f.with(VirtioBlk.F_DISCARD).with(VirtioBlk.F_WRITE_ZEROES);
    }

    @Override
    public int numQueues() {
        return settings.numQueues();
    }

    @Override
    public int queueMaxSize(int index) {
        return settings.queueSize();
    }

    @Override
    public int configSize() {
        return VirtioBlk.CONFIG_SIZE;
    }

    @Override
    public void readConfig(int offset, ByteBuffer dst) {
        ByteBuffer cfg = config();
        dst.put(cfg.slice(offset, dst.remaining()));
    }

    /** struct virtio_blk_config as this device fills it. */
    ByteBuffer config() {
        ByteBuffer c = ByteBuffer.allocate(VirtioBlk.CONFIG_SIZE).order(ByteOrder.LITTLE_ENDIAN);
        c.putLong(VirtioBlk.CFG_CAPACITY, capacitySectors);
        c.putInt(VirtioBlk.CFG_SIZE_MAX, settings.sizeMax());
        c.putInt(VirtioBlk.CFG_SEG_MAX, settings.segMax());
        c.putInt(VirtioBlk.CFG_BLK_SIZE, settings.blockSize());
        // topology: physical_block_exp 0, alignment_offset 0, min_io_size = 1 block, opt_io_size 0
        c.putShort(VirtioBlk.CFG_TOPOLOGY + 2, (short) 1);
        c.putShort(VirtioBlk.CFG_NUM_QUEUES, (short) settings.numQueues());
        c.putInt(VirtioBlk.CFG_MAX_DISCARD_SECTORS, settings.maxDiscardSectors());
        c.putInt(VirtioBlk.CFG_MAX_DISCARD_SEG, settings.maxDiscardSegments());
        c.putInt(VirtioBlk.CFG_DISCARD_SECTOR_ALIGNMENT, settings.blockSize() >>> SECTOR_SHIFT);
        c.putInt(VirtioBlk.CFG_MAX_WRITE_ZEROES_SECTORS, settings.maxWriteZeroesSectors());
        c.putInt(VirtioBlk.CFG_MAX_WRITE_ZEROES_SEG, settings.maxWriteZeroesSegments());
        c.put(VirtioBlk.CFG_WRITE_ZEROES_MAY_UNMAP, (byte) 0);
        return c;
    }

    @Override
    public boolean acceptFeatures(FeatureSet driverFeatures) {
        negotiated = driverFeatures;
        return true;
    }

    @Override
    public void driverOk(DeviceContext context) {
        negotiated = context.negotiatedFeatures();
    }

    @Override
    public void queueNotified(DeviceContext context, DeviceVirtqueue queue) {
        DmaWindow window = context.window();
        DescriptorChain chain;
        while ((chain = queue.pop()) != null) {
            queue.pushUsed(chain.head(), serve(window, queue.index(), chain));
        }
    }

    @Override
    public void reset() {
        negotiated = FeatureSet.EMPTY;
    }

    /** Closes the store; the device must not be used afterwards. */
    public void close() throws IOException {
        store.close();
    }

    long capacitySectors() {
        return capacitySectors;
    }

    long stat(int queue, int which) {
        return stats.get(4 * queue + which);
    }

    /** A request that failed its checks: the status it gets and why. */
    private static final class Rejected extends Exception {
        private static final long serialVersionUID = 1L;
        final int status;

        Rejected(int status, String why) {
            super(why, null, false, false);
            this.status = status;
        }
    }

    /** Serves one chain; returns the used length. Never throws. */
    int serve(DmaWindow window, int queue, DescriptorChain chain) {
        stats.incrementAndGet(4 * queue + STAT_REQUESTS);
        long writable = chain.writableLength();
        if (writable == 0) {
            stats.incrementAndGet(4 * queue + STAT_ERRORS);
            warnings.accept("queue " + queue + ", head " + chain.head()
                    + ": no device-writable byte for the status (status in a readable descriptor?); returned with length 0");
            return 0;
        }
        int type = -1;
        try {
            if (chain.readableLength() < HEADER_SIZE) {
                throw new Rejected(S_IOERR, "the " + HEADER_SIZE + "-byte header is not in device-readable descriptors ("
                        + chain.readableLength() + " readable bytes)");
            }
            header.clear();
            chain.readFrom(0, header);
            type = header.getInt(0);
            long sector = header.getLong(8);
            int written = execute(window, queue, chain, type, sector);
            writeStatus(chain, S_OK);
            return written + 1;
        } catch (Rejected r) {
            stats.incrementAndGet(4 * queue + STAT_ERRORS);
            warnings.accept("queue " + queue + ", head " + chain.head() + ", " + VirtioBlk.typeName(type) + ": "
                    + r.getMessage() + " -> " + (r.status == S_IOERR ? "IOERR" : "UNSUPP"));
            writeStatus(chain, r.status);
            return 1;
        }
    }

    private void writeStatus(DescriptorChain chain, int value) {
        status.clear();
        status.put(0, (byte) value);
        chain.writeTo(chain.writableLength() - 1, status);
    }

    /** Checks and runs one request; returns the data bytes written into the chain. */
    private int execute(DmaWindow window, int queue, DescriptorChain chain, int type, long sector) throws Rejected {
        long readable = chain.readableLength();
        long writable = chain.writableLength();
        switch (type) {
            case VirtioBlk.T_IN -> {
                expect(readable == HEADER_SIZE, "IN carries " + (readable - HEADER_SIZE) + " device-readable data bytes");
                long length = writable - 1;
                long position = checkData(sector, length);
                transfer(window, chain, true, 0, position, length);
                stats.addAndGet(4 * queue + STAT_READ_BYTES, length);
                return (int) length;
            }
            case VirtioBlk.T_OUT -> {
                if (settings.readOnly()) {
                    throw new Rejected(S_IOERR, "write to a read-only device");
                }
                expect(writable == 1, "OUT has " + (writable - 1) + " device-writable bytes besides the status");
                long length = readable - HEADER_SIZE;
                long position = checkData(sector, length);
                transfer(window, chain, false, HEADER_SIZE, position, length);
                stats.addAndGet(4 * queue + STAT_WRITTEN_BYTES, length);
                return 0;
            }
            case VirtioBlk.T_FLUSH -> {
                expect(readable == HEADER_SIZE && writable == 1, "FLUSH carries data");
                try {
                    store.flush();
                } catch (IOException e) {
                    throw new Rejected(S_IOERR, "flush failed: " + e.getMessage());
                }
                return 0;
            }
            case VirtioBlk.T_GET_ID -> {
                expect(readable == HEADER_SIZE, "GET_ID carries device-readable data");
                if (serial.length == 0) {
                    throw new Rejected(S_UNSUPP, "the device has no serial");
                }
                int n = (int) Math.min(VirtioBlk.ID_BYTES, writable - 1);
                ByteBuffer id = ByteBuffer.allocate(VirtioBlk.ID_BYTES);
                id.put(serial).clear().limit(n);
                return chain.writeTo(0, id);
            }
            case VirtioBlk.T_DISCARD, VirtioBlk.T_WRITE_ZEROES -> {
                boolean discard = type == VirtioBlk.T_DISCARD;
                int feature = discard ? VirtioBlk.F_DISCARD : VirtioBlk.F_WRITE_ZEROES;
                if (!negotiated.has(feature)) {
                    throw new Rejected(S_UNSUPP, VirtioBlk.typeName(type) + " was not negotiated");
                }
                if (settings.readOnly()) {
                    throw new Rejected(S_IOERR, "write to a read-only device");
                }
                expect(writable == 1, VirtioBlk.typeName(type) + " has device-writable bytes besides the status");
                zeroSegments(chain, discard, readable - HEADER_SIZE);
                return 0;
            }
            default -> throw new Rejected(S_UNSUPP, "unknown request type");
        }
    }

    private static void expect(boolean ok, String why) throws Rejected {
        if (!ok) {
            throw new Rejected(S_IOERR, why);
        }
    }

    /** Checks a data transfer of {@code length} bytes at {@code sector}; returns its byte position. */
    private long checkData(long sector, long length) throws Rejected {
        if (length % SECTOR_SIZE != 0) {
            throw new Rejected(S_IOERR, "data length " + length + " is not a multiple of " + SECTOR_SIZE);
        }
        if (length > settings.maxRequestBytes()) {
            throw new Rejected(S_IOERR, "data length " + length + " is over the device's " + settings.maxRequestBytes()
                    + "-byte cap (size_max x seg_max)");
        }
        checkSectors(sector, length >>> SECTOR_SHIFT);
        return sector << SECTOR_SHIFT;
    }

    /** {@code [sector, sector + count)} must lie inside the capacity; unsigned, overflow-free. */
    private void checkSectors(long sector, long count) throws Rejected {
        if (Long.compareUnsigned(sector, capacitySectors) > 0 || count > capacitySectors - sector) {
            throw new Rejected(S_IOERR, "sectors [" + Long.toUnsignedString(sector) + ", +" + count
                    + ") pass the capacity of " + capacitySectors + " sectors");
        }
    }

    /** Moves {@code length} bytes between the store at {@code position} and one part of the chain. */
    private void transfer(DmaWindow window, DescriptorChain chain, boolean toWindow, long skip, long position,
            long length) throws Rejected {
        long done = 0;
        try {
            for (Descriptor d : chain.descriptors()) {
                if (done == length) {
                    break;
                }
                if (d.isWritable() != toWindow) {
                    continue;
                }
                long len = d.lengthUnsigned();
                if (skip >= len) {
                    skip -= len;
                    continue;
                }
                int n = (int) Math.min(len - skip, length - done);
                ByteBuffer slice = window.slice(d.address() + skip, n);
                if (toWindow) {
                    store.read(position + done, slice);
                } else {
                    store.write(position + done, slice);
                }
                done += n;
                skip = 0;
            }
        } catch (IOException e) {
            throw new Rejected(S_IOERR, (toWindow ? "read" : "write") + " failed: " + e.getMessage());
        }
    }

    /** Reads every discard/write-zeroes segment once, checks them all, then zeroes them. */
    private void zeroSegments(DescriptorChain chain, boolean discard, long bytes) throws Rejected {
        int maxSegments = discard ? settings.maxDiscardSegments() : settings.maxWriteZeroesSegments();
        long maxSectors = discard ? settings.maxDiscardSectors() : settings.maxWriteZeroesSectors();
        if (bytes == 0 || bytes % SEGMENT_SIZE != 0 || bytes / SEGMENT_SIZE > maxSegments) {
            throw new Rejected(S_IOERR, bytes + " bytes of segments: need 1.." + maxSegments + " segments of "
                    + SEGMENT_SIZE + " bytes");
        }
        int count = (int) (bytes / SEGMENT_SIZE);
        ByteBuffer segs = ByteBuffer.allocate(count * SEGMENT_SIZE).order(ByteOrder.LITTLE_ENDIAN);
        chain.readFrom(HEADER_SIZE, segs);
        long[] starts = new long[count];
        long[] lengths = new long[count];
        for (int i = 0; i < count; i++) {
            long sector = segs.getLong(i * SEGMENT_SIZE);
            long sectors = Integer.toUnsignedLong(segs.getInt(i * SEGMENT_SIZE + 8));
            int flags = segs.getInt(i * SEGMENT_SIZE + 12);
            if ((flags & ~VirtioBlk.SEGMENT_F_UNMAP) != 0 || (discard && flags != 0)) {
                throw new Rejected(S_UNSUPP, "segment " + i + " has flags 0x" + Integer.toHexString(flags)
                        + (discard ? " (discard takes none)" : " (only unmap is defined)"));
            }
            if (sectors > maxSectors) {
                throw new Rejected(S_IOERR, "segment " + i + " covers " + sectors + " sectors, over the cap of "
                        + maxSectors);
            }
            checkSectors(sector, sectors);
            starts[i] = sector << SECTOR_SHIFT;
            lengths[i] = sectors << SECTOR_SHIFT;
        }
        try {
            // Discarded blocks read back as zeroes too: one defined behaviour for both commands.
            for (int i = 0; i < count; i++) {
                store.zero(starts[i], lengths[i]);
            }
        } catch (IOException e) {
            throw new Rejected(S_IOERR, (discard ? "discard" : "write zeroes") + " failed: " + e.getMessage());
        }
    }

    @Override
    public String toString() {
        return "virtio-blk over " + store;
    }
}
