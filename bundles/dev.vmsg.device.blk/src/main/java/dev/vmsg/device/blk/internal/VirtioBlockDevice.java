package dev.vmsg.device.blk.internal;

import static dev.vmsg.device.blk.internal.VirtioBlk.SECTOR_SHIFT;
import static dev.vmsg.device.blk.internal.VirtioBlk.SECTOR_SIZE;

import dev.vmsg.device.blk.BlockBuffer;
import dev.vmsg.device.blk.BlockDevice;
import dev.vmsg.device.blk.BlockIoException;
import dev.vmsg.driver.VirtioDeviceException;
import dev.vmsg.driver.VirtioDeviceException.Reason;
import dev.vmsg.memory.DmaAllocator;
import dev.vmsg.memory.DmaRegion;
import dev.vmsg.memory.DmaWindow;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/** {@link BlockDevice} over one blk device's request queues. */
final class VirtioBlockDevice implements BlockDevice {

    private final String busName;
    private final int deviceNumber;
    private final BlkConfigSpace config;
    private final List<BlkQueue> queues;
    private final DmaWindow window;
    private final DmaAllocator allocator;
    private final int chunk;
    private final AtomicInteger nextQueue = new AtomicInteger();
    private final Set<WindowBuffer> buffers = ConcurrentHashMap.newKeySet();
    private volatile String removedReason;

    VirtioBlockDevice(String busName, int deviceNumber, BlkConfigSpace config, List<BlkQueue> queues,
            DmaWindow window, DmaAllocator allocator) {
        this.busName = busName;
        this.deviceNumber = deviceNumber;
        this.config = config;
        this.queues = List.copyOf(queues);
        this.window = window;
        this.allocator = allocator;
        long c = Math.min(queues.get(0).slotSize(), config.sizeMax());
        this.chunk = (int) (c & -SECTOR_SIZE);
    }

    @Override
    public String busName() {
        return busName;
    }

    @Override
    public int deviceNumber() {
        return deviceNumber;
    }

    @Override
    public long capacity() {
        return config.capacityBytes();
    }

    @Override
    public int blockSize() {
        return config.blockSize();
    }

    @Override
    public boolean readOnly() {
        return config.readOnly();
    }

    @Override
    public int queues() {
        return queues.size();
    }

    @Override
    public int queueDepth() {
        return queues.get(0).depth();
    }

    @Override
    public boolean supportsDiscard() {
        return config.discard() && config.writeZeroes();
    }

    List<BlkQueue> queueList() {
        return queues;
    }

    BlkConfigSpace config() {
        return config;
    }

    // ---- reads and writes ----

    @Override
    public CompletableFuture<Void> readAsync(long offset, ByteBuffer dst) {
        int length = dst.remaining();
        checkRange(offset, length);
        int start = dst.position();
        if (aligned(offset, length)) {
            return chunked(offset, length, chunk,
                    (call, sector, done, n) -> BlkRequest.readInto(call, sector, dst, start + done, n),
                    () -> dst.position(start + length));
        }
        long lo = offset & -SECTOR_SIZE;
        long hi = alignUp(offset + length);
        ByteBuffer whole = ByteBuffer.allocate(Math.toIntExact(hi - lo));
        return BlkCall.after(readAsync(lo, whole), () -> dst.put(whole.slice((int) (offset - lo), length)));
    }

    @Override
    public CompletableFuture<Void> writeAsync(long offset, ByteBuffer src) {
        int length = src.remaining();
        checkRange(offset, length);
        CompletableFuture<Void> refused = refuseWrite();
        if (refused != null) {
            return refused;
        }
        int start = src.position();
        if (aligned(offset, length)) {
            return chunked(offset, length, chunk,
                    (call, sector, done, n) -> BlkRequest.writeFrom(call, sector, src, start + done, n),
                    () -> src.position(start + length));
        }
        // Read the covering sectors, patch them, write them back.
        long lo = offset & -SECTOR_SIZE;
        long hi = alignUp(offset + length);
        ByteBuffer whole = ByteBuffer.allocate(Math.toIntExact(hi - lo));
        BlkCall call = new BlkCall();
        readAsync(lo, whole).whenComplete((v, e) -> {
            if (e != null) {
                call.abandon(unwrap(e));
                return;
            }
            if (!call.whileOpen(() -> whole.clear().put((int) (offset - lo), src, start, length))) {
                return;
            }
            writeAsync(lo, whole).whenComplete((w, f) -> {
                if (f != null) {
                    call.abandon(unwrap(f));
                } else {
                    call.finish(() -> src.position(start + length));
                }
            });
        });
        return call.result();
    }

    @Override
    public CompletableFuture<Void> readAsync(long offset, BlockBuffer dst, int bufferOffset, int length) {
        return zeroCopy(VirtioBlk.T_IN, offset, dst, bufferOffset, length);
    }

    @Override
    public CompletableFuture<Void> writeAsync(long offset, BlockBuffer src, int bufferOffset, int length) {
        CompletableFuture<Void> refused = refuseWrite();
        return refused != null ? refused : zeroCopy(VirtioBlk.T_OUT, offset, src, bufferOffset, length);
    }

    private CompletableFuture<Void> zeroCopy(int type, long offset, BlockBuffer b, int bufferOffset, int length) {
        if (!(b instanceof WindowBuffer wb) || !buffers.contains(wb)) {
            throw new IllegalArgumentException("the buffer was not allocated by " + describe() + " or is closed");
        }
        checkRange(offset, length);
        if (!aligned(offset, length) || bufferOffset < 0 || bufferOffset % SECTOR_SIZE != 0
                || length > wb.size() - bufferOffset) {
            throw new IllegalArgumentException("zero-copy I/O needs sector-aligned offsets and lengths inside the buffer: "
                    + "offset " + offset + ", buffer offset " + bufferOffset + ", length " + length + ", buffer " + wb.size());
        }
        long maxChunk = config.sizeMax() & -SECTOR_SIZE;
        int step = (int) Math.min(maxChunk, 1 << 20);
        long at = wb.region.address() + bufferOffset;
        return chunked(offset, length, step,
                (call, sector, done, n) -> BlkRequest.zeroCopy(call, type, sector, at + done, n), () -> { });
    }

    // ---- commands ----

    @Override
    public CompletableFuture<Void> flushAsync() {
        if (!config.flush()) {
            // Without VIRTIO_BLK_F_FLUSH the device writes through: nothing to wait for.
            return CompletableFuture.completedFuture(null);
        }
        BlkQueue q = pickQueue();
        BlkCall call = new BlkCall(q);
        BlkRequest r = BlkRequest.command(call, VirtioBlk.T_FLUSH, null);
        q.submit(r);
        return finish(call, List.of(r.done), () -> { });
    }

    @Override
    public CompletableFuture<Void> discardAsync(long offset, long length) {
        return zeroRange(VirtioBlk.T_DISCARD, config.discard(), config.maxDiscardSectors(), offset, length);
    }

    @Override
    public CompletableFuture<Void> writeZeroesAsync(long offset, long length) {
        return zeroRange(VirtioBlk.T_WRITE_ZEROES, config.writeZeroes(), config.maxWriteZeroesSectors(), offset, length);
    }

    private CompletableFuture<Void> zeroRange(int type, boolean offered, long maxSectors, long offset, long length) {
        checkRange(offset, length);
        if (!aligned(offset, length)) {
            throw new IllegalArgumentException(VirtioBlk.typeName(type) + " needs a sector-aligned range: offset "
                    + offset + ", length " + length);
        }
        CompletableFuture<Void> refused = refuseWrite();
        if (refused != null) {
            return refused;
        }
        if (!offered) {
            return CompletableFuture.failedFuture(new BlockIoException(BlockIoException.Status.UNSUPP, describe()
                    + " does not offer " + VirtioBlk.typeName(type)));
        }
        BlkQueue q = pickQueue();
        BlkCall call = new BlkCall(q);
        List<CompletableFuture<byte[]>> parts = new ArrayList<>();
        long sector = offset >>> SECTOR_SHIFT;
        long end = (offset + length) >>> SECTOR_SHIFT;
        while (sector < end) {
            long n = Math.min(maxSectors, end - sector);
            ByteBuffer seg = ByteBuffer.allocate(VirtioBlk.SEGMENT_SIZE).order(ByteOrder.LITTLE_ENDIAN);
            seg.putLong(0, sector).putInt(8, (int) n).putInt(12, 0);
            BlkRequest r = BlkRequest.command(call, type, seg.array());
            parts.add(r.done);
            q.submit(r);
            sector += n;
        }
        return finish(call, parts, () -> { });
    }

    @Override
    public CompletableFuture<String> serialAsync() {
        BlkQueue q = pickQueue();
        BlkCall call = new BlkCall(q);
        BlkRequest r = BlkRequest.getId(call);
        q.submit(r);
        return r.done.handle((id, e) -> {
            Throwable cause = unwrap(e);
            if (cause instanceof BlockIoException bio && bio.status() == BlockIoException.Status.UNSUPP) {
                return "";
            }
            if (cause != null) {
                throw new CompletionException(cause);
            }
            int n = 0;
            while (n < id.length && id[n] != 0) {
                n++;
            }
            return new String(id, 0, n, StandardCharsets.US_ASCII);
        });
    }

    // ---- zero-copy buffers ----

    @Override
    public BlockBuffer allocateBuffer(int size) {
        if (size <= 0) {
            throw new IllegalArgumentException("buffer size must be positive: " + size);
        }
        if (removedReason != null) {
            throw removed();
        }
        WindowBuffer b = new WindowBuffer(allocator.allocate(alignUp(size)), (int) alignUp(size));
        buffers.add(b);
        return b;
    }

    private final class WindowBuffer implements BlockBuffer {
        final DmaRegion region;
        final int size;

        WindowBuffer(DmaRegion region, int size) {
            this.region = region;
            this.size = size;
        }

        @Override
        public int size() {
            return size;
        }

        @Override
        public ByteBuffer buffer() {
            if (!buffers.contains(this)) {
                throw new IllegalStateException("block buffer of " + describe() + " is closed or its device was removed");
            }
            return window.slice(region.address(), size);
        }

        @Override
        public void close() {
            if (buffers.remove(this)) {
                allocator.free(region);
            }
        }
    }

    // ---- blocking forms ----

    @Override
    public void read(long offset, ByteBuffer dst, Duration timeout) {
        await(readAsync(offset, dst), timeout, "read of " + dst.remaining() + " bytes at " + offset);
    }

    @Override
    public void write(long offset, ByteBuffer src, Duration timeout) {
        await(writeAsync(offset, src), timeout, "write of " + src.remaining() + " bytes at " + offset);
    }

    @Override
    public void flush(Duration timeout) {
        await(flushAsync(), timeout, "flush");
    }

    @Override
    public void discard(long offset, long length, Duration timeout) {
        await(discardAsync(offset, length), timeout, "discard of " + length + " bytes at " + offset);
    }

    @Override
    public void writeZeroes(long offset, long length, Duration timeout) {
        await(writeZeroesAsync(offset, length), timeout, "write-zeroes of " + length + " bytes at " + offset);
    }

    /** Waits for {@code f}; on timeout ends it (so no late copy touches the caller's buffer) and says so. */
    private void await(CompletableFuture<Void> f, Duration timeout, String what) {
        try {
            f.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
            return;
        } catch (TimeoutException e) {
            VirtioDeviceException t = new VirtioDeviceException(Reason.TIMEOUT, describe() + ": " + what
                    + " did not finish within " + timeout.toMillis() + " ms");
            BlkCall.abandon(f, t);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            BlkCall.abandon(f, new VirtioDeviceException(Reason.TIMEOUT, describe() + ": " + what + " interrupted"));
        } catch (ExecutionException e) {
            // handled below
        }
        Throwable cause = unwrap(f.handle((v, e) -> e).join());
        if (cause == null) {
            return;
        }
        if (cause instanceof RuntimeException re) {
            throw re;
        }
        throw new VirtioDeviceException(Reason.BROKEN, describe() + ": " + what + " failed: " + cause, cause);
    }

    // ---- helpers ----

    /** Ends the call when every part did: success runs {@code last} (under the call's lock), else the first failure. */
    /** Makes the request for one chunk: {@code done} bytes into the operation, {@code length} long. */
    private interface ChunkRequest {
        BlkRequest make(BlkCall call, long sector, int done, int length);
    }

    /**
     * One operation of {@code length} bytes at {@code offset} as requests of at most {@code step}
     * bytes, all on one queue (so its waiters poll that queue); it ends when every request has, running
     * {@code last} on success.
     */
    private CompletableFuture<Void> chunked(long offset, int length, int step, ChunkRequest maker, Runnable last) {
        BlkQueue q = pickQueue();
        BlkCall call = new BlkCall(q);
        List<CompletableFuture<byte[]>> parts = new ArrayList<>();
        for (int done = 0; done < length; done += step) {
            BlkRequest r = maker.make(call, (offset + done) >>> SECTOR_SHIFT, done, Math.min(step, length - done));
            parts.add(r.done);
            q.submit(r);
        }
        return finish(call, parts, last);
    }

    private CompletableFuture<Void> finish(BlkCall call, List<CompletableFuture<byte[]>> parts, Runnable last) {
        CompletableFuture.allOf(parts.toArray(CompletableFuture[]::new)).whenComplete((v, e) -> {
            if (e == null) {
                call.finish(last);
            } else {
                call.abandon(unwrap(e));
            }
        });
        return call.result();
    }

    private BlkQueue pickQueue() {
        return queues.get(Math.floorMod(nextQueue.getAndIncrement(), queues.size()));
    }

    private CompletableFuture<Void> refuseWrite() {
        if (config.readOnly()) {
            return CompletableFuture.failedFuture(new BlockIoException(BlockIoException.Status.IOERR, describe()
                    + " is read-only"));
        }
        return null;
    }

    private void checkRange(long offset, long length) {
        long cap = capacity();
        if (offset < 0 || length < 0 || length > cap || offset > cap - length) {
            throw new IllegalArgumentException("range [" + offset + ", +" + length + ") is outside " + describe()
                    + " of " + cap + " bytes");
        }
    }

    private static boolean aligned(long offset, long length) {
        return (offset & (SECTOR_SIZE - 1)) == 0 && (length & (SECTOR_SIZE - 1)) == 0;
    }

    private static long alignUp(long v) {
        return (v + SECTOR_SIZE - 1) & -SECTOR_SIZE;
    }

    private static Throwable unwrap(Throwable e) {
        while ((e instanceof CompletionException || e instanceof ExecutionException) && e.getCause() != null) {
            e = e.getCause();
        }
        return e;
    }

    private VirtioDeviceException removed() {
        return new VirtioDeviceException(Reason.REMOVED, describe() + ": device removed (" + removedReason + ")");
    }

    /** The device is gone: fail waiting requests, free window buffers. In-flight ones fail through their queue. */
    void close(String reason) {
        removedReason = reason;
        for (BlkQueue q : queues) {
            q.close(reason);
        }
        for (WindowBuffer b : List.copyOf(buffers)) {
            b.close();
        }
    }

    String describe() {
        return "block device " + busName + "/" + deviceNumber;
    }

    @Override
    public String toString() {
        return describe();
    }
}
