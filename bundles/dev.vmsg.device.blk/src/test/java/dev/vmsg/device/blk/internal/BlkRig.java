package dev.vmsg.device.blk.internal;

import dev.vmsg.device.DeviceContext;
import dev.vmsg.memory.DmaWindow;
import dev.vmsg.virtqueue.BufferSegment;
import dev.vmsg.virtqueue.DeviceVirtqueue;
import dev.vmsg.virtqueue.DriverVirtqueue;
import dev.vmsg.virtqueue.SplitRing;
import dev.vmsg.virtqueue.VirtqueueAddresses;
import dev.vmsg.virtqueue.VirtqueueException;
import dev.vmsg.wire.FeatureSet;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;

/**
 * A blk backend on real split rings: the driver half ({@link DriverVirtqueue}) writes descriptors
 * and avail entries into a window the way any driver would, the backend pops them through the
 * device half. Buffers come from a bump allocator in the window's upper part.
 */
final class BlkRig implements DeviceContext {

    static final long BASE = 0x4000_0000L;

    final DmaWindow window;
    final BlkBackend backend;
    final FeatureSet negotiated;
    final List<DriverVirtqueue> drivers = new ArrayList<>();
    final List<DeviceVirtqueue> devices = new ArrayList<>();
    final List<String> warnings = new ArrayList<>();
    private final long heapStart;
    private long next;

    BlkRig(BlockStore store, BlkSettings settings, int windowSize) {
        this(store, settings, windowSize, null);
    }

    BlkRig(BlockStore store, BlkSettings settings, int windowSize, FeatureSet negotiated) {
        this.window = DmaWindow.allocate(BASE, windowSize);
        this.backend = new BlkBackend(store, settings, warnings::add);
        this.negotiated = negotiated != null ? negotiated : backend.features();
        backend.acceptFeatures(this.negotiated);
        long at = BASE;
        for (int q = 0; q < settings.numQueues(); q++) {
            VirtqueueAddresses a = SplitRing.contiguousLayout(at, settings.queueSize());
            drivers.add(new DriverVirtqueue(window, q, settings.queueSize(), a, false));
            devices.add(new DeviceVirtqueue(window, q, settings.queueSize(), a, false, false, 16L * 1024 * 1024));
            at += (SplitRing.contiguousBytes(settings.queueSize()) + 4095) & -4096L;
        }
        heapStart = at;
        next = at;
        backend.driverOk(this);
    }

    /** A fresh buffer of {@code length} bytes (16-byte aligned), filled with {@code fill}. */
    long alloc(int length, int fill) {
        long a = next;
        next = (next + Math.max(length, 1) + 15) & -16L;
        if (next - BASE > window.size()) {
            throw new IllegalStateException("rig window exhausted");
        }
        window.fill(a, length, (byte) fill);
        return a;
    }

    /** Forgets every buffer (call when no chain is in flight). */
    void freeAll() {
        next = heapStart;
    }

    long header(int type, long sector) {
        long a = alloc(16, 0);
        window.putInt(a, type);
        window.putLong(a + 8, sector);
        return a;
    }

    static BufferSegment seg(long address, int length) {
        return new BufferSegment(address, length);
    }

    static BufferSegment[] segs(BufferSegment... s) {
        return s;
    }

    /** One completed chain as the driver saw it. */
    record Used(int head, int length) {
    }

    /**
     * Posts one chain on queue {@code q}, lets the backend serve it and returns what the driver
     * harvested: exactly one used element is expected.
     */
    Used run(int q, BufferSegment[] readable, BufferSegment[] writable) {
        DriverVirtqueue d = drivers.get(q);
        int head = d.add(readable, writable, "chain");
        serve(q);
        DriverVirtqueue.Completion c = d.poll();
        if (c == null || c.head() != head) {
            throw new AssertionError("chain " + head + " was not returned: " + c);
        }
        if (d.poll() != null) {
            throw new AssertionError("more than one completion for one chain");
        }
        return new Used(c.head(), c.length());
    }

    /** Lets the backend serve queue {@code q} until it has nothing left; counts typed chain rejections. */
    int serve(int q) {
        int rejected = 0;
        while (true) {
            try {
                backend.queueNotified(this, devices.get(q));
                return rejected;
            } catch (VirtqueueException e) {
                if (devices.get(q).isBroken()) {
                    throw e;
                }
                rejected++;
            }
        }
    }

    byte[] bytes(long address, int length) {
        byte[] b = new byte[length];
        window.read(address, b, 0, length);
        return b;
    }

    int status(long address) {
        return window.getByte(address) & 0xFF;
    }

    static ByteBuffer le(int size) {
        return ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
    }

    // ---- DeviceContext ----

    @Override
    public String busName() {
        return "rig";
    }

    @Override
    public int deviceNumber() {
        return 0;
    }

    @Override
    public DmaWindow window() {
        return window;
    }

    @Override
    public FeatureSet negotiatedFeatures() {
        return negotiated;
    }

    @Override
    public DeviceVirtqueue queue(int index) {
        return devices.get(index);
    }

    @Override
    public void notifyUsed(DeviceVirtqueue queue) {
    }

    @Override
    public void configChanged() {
    }

    @Override
    public void needsReset(String reason) {
        throw new AssertionError("backend asked for a reset: " + reason);
    }

    @Override
    public Executor executor() {
        return Runnable::run;
    }
}
