package dev.vmsg.device.net.internal;

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
import java.util.function.Function;

/**
 * A net device model on real split rings: the driver half ({@link DriverVirtqueue}) writes
 * descriptors into a window as any driver would, the backend pops them through the device half.
 * The device executor runs tasks at once on the caller's thread, so a frame sent by one rig
 * through a switch lands in the other rig's receive queue before {@link #transmit} returns.
 */
final class NetRig implements DeviceContext {

    static final long BASE = 0x1000_0000L;

    final DmaWindow window;
    final NetBackend backend;
    final FeatureSet negotiated;
    final DriverVirtqueue[] drivers = new DriverVirtqueue[3];
    final DeviceVirtqueue[] devices = new DeviceVirtqueue[3];
    int configChanges;
    private final long heapStart;
    private long next;

    NetRig(NetSettings settings, Function<NetReceiver, NetLink> attach, FeatureSet negotiated, int windowSize) {
        this.window = DmaWindow.allocate(BASE, windowSize);
        this.backend = new NetBackend(settings, attach);
        this.negotiated = negotiated;
        if (!backend.acceptFeatures(negotiated)) {
            throw new IllegalArgumentException("backend refused " + negotiated);
        }
        long at = BASE;
        for (int q = 0; q < 3; q++) {
            VirtqueueAddresses a = SplitRing.contiguousLayout(at, settings.queueSize());
            drivers[q] = new DriverVirtqueue(window, q, settings.queueSize(), a, false);
            devices[q] = new DeviceVirtqueue(window, q, settings.queueSize(), a, false, false, 1L << 20);
            at += (SplitRing.contiguousBytes(settings.queueSize()) + 4095) & -4096L;
        }
        heapStart = at;
        next = at;
        backend.driverOk(this);
    }

    /** With every feature the device offers. */
    static NetRig onSwitch(L2Switch sw, NetSettings settings) {
        return new NetRig(settings, sw::attach, NetBackend.OFFERED, 1 << 20);
    }

    static NetRig onSwitch(L2Switch sw, NetSettings settings, FeatureSet negotiated) {
        return new NetRig(settings, sw::attach, negotiated, 1 << 20);
    }

    long alloc(int length, int fill) {
        long a = next;
        next = (next + Math.max(length, 1) + 15) & -16L;
        if (next - BASE > window.size()) {
            throw new IllegalStateException("rig window exhausted");
        }
        window.fill(a, length, (byte) fill);
        return a;
    }

    long put(byte[] bytes) {
        long a = alloc(bytes.length, 0);
        window.write(a, bytes, 0, bytes.length);
        return a;
    }

    void freeAll() {
        next = heapStart;
    }

    static BufferSegment seg(long address, int length) {
        return new BufferSegment(address, length);
    }

    /** A virtio_net_hdr with these fields. */
    static byte[] header(int flags, int gsoType, int numBuffers) {
        ByteBuffer h = ByteBuffer.allocate(VirtioNet.HDR_SIZE).order(ByteOrder.LITTLE_ENDIAN);
        h.put(0, (byte) flags).put(1, (byte) gsoType).putShort(VirtioNet.HDR_NUM_BUFFERS, (short) numBuffers);
        return h.array();
    }

    static byte[] concat(byte[] a, byte[] b) {
        byte[] out = new byte[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    /** Posts one transmit chain (given segments), lets the device serve it, returns its used length. */
    int transmitChain(BufferSegment[] readable, BufferSegment[] writable) {
        DriverVirtqueue d = drivers[VirtioNet.TX_QUEUE];
        int head = d.add(readable, writable, "tx");
        serve(VirtioNet.TX_QUEUE);
        DriverVirtqueue.Completion c = d.poll();
        if (c == null || c.head() != head || d.poll() != null) {
            throw new AssertionError("transmit chain " + head + " not returned exactly once: " + c);
        }
        return c.length();
    }

    /** Transmits header + frame as one readable buffer; returns the used length. */
    int transmit(byte[] header, byte[] frame) {
        return transmitChain(new BufferSegment[] {seg(put(concat(header, frame)), header.length + frame.length)}, null);
    }

    int transmit(byte[] frame) {
        return transmit(header(0, 0, 0), frame);
    }

    /** Posts {@code count} receive buffers of {@code size} bytes (not yet noticed by the device). */
    List<Long> postRx(int count, int size) {
        List<Long> addrs = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            long a = alloc(size, 0x5A);
            drivers[VirtioNet.RX_QUEUE].add(null, new BufferSegment[] {seg(a, size)}, a);
            addrs.add(a);
        }
        return addrs;
    }

    /** Tells the device receive buffers were posted (EVENT_AVAIL on the receive queue). */
    void kickRx() {
        serve(VirtioNet.RX_QUEUE);
    }

    int serve(int q) {
        int rejected = 0;
        while (true) {
            try {
                backend.queueNotified(this, devices[q]);
                return rejected;
            } catch (VirtqueueException e) {
                if (devices[q].isBroken()) {
                    throw e;
                }
                rejected++;
            }
        }
    }

    /** One used receive buffer: where it was and what the device wrote. */
    record Rx(long address, int length, byte[] bytes) {
        int numBuffers() {
            return ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getShort(VirtioNet.HDR_NUM_BUFFERS) & 0xFFFF;
        }
    }

    /** Every used receive buffer, in used-ring order. */
    List<Rx> harvestRx() {
        List<Rx> out = new ArrayList<>();
        DriverVirtqueue.Completion c;
        while ((c = drivers[VirtioNet.RX_QUEUE].poll()) != null) {
            long a = (Long) c.cookie();
            byte[] b = new byte[c.length()];
            window.read(a, b, 0, b.length);
            out.add(new Rx(a, c.length(), b));
        }
        return out;
    }

    /** The frames in {@code used} without MRG_RXBUF: each buffer minus its header. */
    static List<byte[]> frames(List<Rx> used) {
        List<byte[]> out = new ArrayList<>();
        for (Rx r : used) {
            byte[] f = new byte[r.length() - VirtioNet.HDR_SIZE];
            System.arraycopy(r.bytes(), VirtioNet.HDR_SIZE, f, 0, f.length);
            out.add(f);
        }
        return out;
    }

    long stat(NetStat s) {
        return backend.stat(s);
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
        return devices[index];
    }

    @Override
    public void notifyUsed(DeviceVirtqueue queue) {
    }

    @Override
    public void configChanged() {
        configChanges++;
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
