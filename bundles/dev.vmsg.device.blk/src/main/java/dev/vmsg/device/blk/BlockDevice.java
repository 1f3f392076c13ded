package dev.vmsg.device.blk;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.osgi.annotation.versioning.ProviderType;

/**
 * One virtio-blk device, driven through its request queues. Registered as an OSGi service per
 * device with the properties {@code vmsg.bus.name}, {@code vmsg.device.number},
 * {@code vmsg.device.type} (2), {@code vmsg.blk.capacity} and {@code vmsg.blk.read.only}.
 * Thread-safe; many requests may be in flight at once, up to {@link #queueDepth()} per queue, and
 * more wait in order.
 *
 * <p>Offsets and lengths are in bytes. Requests that start and end on 512-byte sectors go straight
 * to the device; others are widened to whole sectors (a write then reads the edge sectors, patches
 * them and writes them back, which is not atomic against another writer of the same sectors).
 * Data in caller buffers is copied through the bus window; {@link BlockBuffer}s avoid that copy.
 *
 * <p>Every request ends exactly once. Failures: {@link BlockIoException} when the device answers
 * IOERR or UNSUPP; {@link dev.vmsg.driver.VirtioDeviceException} with reason {@code REMOVED} when
 * the device goes away (also mid-I/O), {@code TIMEOUT} when a blocking call's time runs out, and
 * {@code PROTOCOL} when the device answers with nonsense. {@link IllegalArgumentException} for a
 * range outside the device; {@link java.nio.ReadOnlyBufferException} for a write to a read-only one.
 *
 * <p>A caller buffer belongs to the device from the call until the returned future completes (or
 * the blocking call returns); on success its position has advanced by the bytes moved. After a
 * blocking call times out the buffer is the caller's again: a late answer is dropped.
 */
@ProviderType
public interface BlockDevice {

    /** Bytes in a sector, the unit of every request on the wire. */
    int SECTOR_SIZE = 512;

    /** The bus the device sits on. */
    String busName();

    /** The device's number on its bus. */
    int deviceNumber();

    /** Size in bytes (capacity in sectors x 512). */
    long capacity();

    /** The device's logical block size (blk_size, 512 unless the device says otherwise). */
    int blockSize();

    /** Whether the device refuses writes (VIRTIO_BLK_F_RO). */
    boolean readOnly();

    /** Request queues in use (more than one with VIRTIO_BLK_F_MQ). */
    int queues();

    /** Requests in flight per queue at most. */
    int queueDepth();

    /** Whether the device accepts discard and write-zeroes requests. */
    boolean supportsDiscard();

    /** Reads {@code dst.remaining()} bytes from {@code offset}. */
    CompletableFuture<Void> readAsync(long offset, ByteBuffer dst);

    /** Writes {@code src.remaining()} bytes at {@code offset}. */
    CompletableFuture<Void> writeAsync(long offset, ByteBuffer src);

    /** Makes everything written before durable (VIRTIO_BLK_T_FLUSH). */
    CompletableFuture<Void> flushAsync();

    /** Discards whole sectors: they read back as zeroes on this device. Offset and length sector-aligned. */
    CompletableFuture<Void> discardAsync(long offset, long length);

    /** Sets whole sectors to zero. Offset and length sector-aligned. */
    CompletableFuture<Void> writeZeroesAsync(long offset, long length);

    /** The device's serial number (VIRTIO_BLK_T_GET_ID), empty when it has none. */
    CompletableFuture<String> serialAsync();

    /** Zero-copy read into a window buffer: {@code length} bytes at {@code offset}, both sector-aligned. */
    CompletableFuture<Void> readAsync(long offset, BlockBuffer dst, int bufferOffset, int length);

    /** Zero-copy write from a window buffer: {@code length} bytes at {@code offset}, both sector-aligned. */
    CompletableFuture<Void> writeAsync(long offset, BlockBuffer src, int bufferOffset, int length);

    /**
     * Allocates a buffer in the bus window for zero-copy I/O.
     *
     * @param size bytes, rounded up to a sector
     * @throws dev.vmsg.memory.DmaExhaustedException when the window has no room
     */
    BlockBuffer allocateBuffer(int size);

    /** Blocking {@link #readAsync(long, ByteBuffer)}. */
    void read(long offset, ByteBuffer dst, Duration timeout);

    /** Blocking {@link #writeAsync(long, ByteBuffer)}. */
    void write(long offset, ByteBuffer src, Duration timeout);

    /** Blocking {@link #flushAsync()}. */
    void flush(Duration timeout);

    /** Blocking {@link #discardAsync(long, long)}. */
    void discard(long offset, long length, Duration timeout);

    /** Blocking {@link #writeZeroesAsync(long, long)}. */
    void writeZeroes(long offset, long length, Duration timeout);

    /** Blocking {@link #readAsync(long, ByteBuffer)} into a new array. */
    default byte[] read(long offset, int length, Duration timeout) {
        byte[] out = new byte[length];
        read(offset, ByteBuffer.wrap(out), timeout);
        return out;
    }

    /** Blocking read of {@code count} sectors from {@code sector}. */
    default byte[] readSectors(long sector, int count, Duration timeout) {
        return read(Math.multiplyExact(sector, SECTOR_SIZE), Math.multiplyExact(count, SECTOR_SIZE), timeout);
    }

    /** Blocking write of whole sectors from {@code sector}; {@code data.length} must be a multiple of 512. */
    default void writeSectors(long sector, byte[] data, Duration timeout) {
        if (data.length % SECTOR_SIZE != 0) {
            throw new IllegalArgumentException("sector writes need whole sectors, got " + data.length + " bytes");
        }
        write(Math.multiplyExact(sector, SECTOR_SIZE), ByteBuffer.wrap(data), timeout);
    }
}
