package dev.vmsg.examples.i2c.internal;

import dev.vmsg.device.DeviceContext;
import dev.vmsg.device.VirtioDeviceBackend;
import dev.vmsg.driver.QueueListener;
import dev.vmsg.driver.VirtioDevice;
import dev.vmsg.driver.Virtqueue;
import dev.vmsg.memory.DmaAllocator;
import dev.vmsg.memory.DmaRegion;
import dev.vmsg.memory.DmaWindow;
import dev.vmsg.virtqueue.BufferSegment;
import dev.vmsg.virtqueue.DeviceVirtqueue;
import dev.vmsg.virtqueue.DriverVirtqueue;
import dev.vmsg.virtqueue.SplitRing;
import dev.vmsg.virtqueue.VirtqueueAddresses;
import dev.vmsg.wire.FeatureSet;
import java.util.UUID;
import java.util.concurrent.Executor;

/**
 * A device and its driver joined by one real split virtqueue in a real DMA window, with the API's
 * own ring halves (DriverVirtqueue, DeviceVirtqueue) and nothing else of vmsg: what a plugin can
 * test against dev.vmsg.api alone. A submit makes the chain available and lets the device model
 * serve it at once (as the transport would on EVENT_AVAIL), then hands the used entries to the
 * driver's listener.
 */
final class SplitRingRig implements VirtioDevice, Virtqueue, DeviceContext {

    static final long BASE = 0x4000_0000L;

    final DmaWindow window = DmaWindow.allocate(BASE, 1 << 20);
    final DmaAllocator allocator = new DmaAllocator(window);
    final VirtioDeviceBackend backend;
    final FeatureSet negotiated;
    DriverVirtqueue driverQueue;
    DeviceVirtqueue deviceQueue;
    private QueueListener listener;

    SplitRingRig(VirtioDeviceBackend backend, FeatureSet negotiated) {
        this.backend = backend;
        this.negotiated = negotiated;
    }

    // ---------------------------------------------------------------- driver side (VirtioDevice)

    @Override
    public Virtqueue openQueue(int index, int size, QueueListener l) {
        DmaRegion rings = allocator.allocate(SplitRing.contiguousBytes(size));
        VirtqueueAddresses addrs = SplitRing.contiguousLayout(rings.address(), size);
        driverQueue = new DriverVirtqueue(window, index, size, addrs, false);
        deviceQueue = new DeviceVirtqueue(window, index, size, addrs, false, false, 1 << 16);
        listener = l;
        backend.driverOk(this);
        return this;
    }

    @Override
    public void submit(BufferSegment[] readable, BufferSegment[] writable, Object cookie) {
        driverQueue.add(readable, writable, cookie);
        backend.queueNotified(this, deviceQueue);
        DriverVirtqueue.Completion c;
        while ((c = driverQueue.poll()) != null) {
            listener.completed(c.cookie(), c.length());
        }
    }

    @Override
    public String busName() {
        return "rig0";
    }

    @Override
    public int deviceNumber() {
        return 0;
    }

    @Override
    public int deviceId() {
        return backend.deviceId();
    }

    @Override
    public int vendorId() {
        return backend.vendorId();
    }

    @Override
    public UUID deviceUuid() {
        return new UUID(0, 0);
    }

    @Override
    public FeatureSet offeredFeatures() {
        return backend.features();
    }

    @Override
    public FeatureSet negotiatedFeatures() {
        return negotiated;
    }

    @Override
    public int configSize() {
        return backend.configSize();
    }

    @Override
    public int maxVirtqueues() {
        return backend.numQueues();
    }

    @Override
    public byte[] readConfig(int offset, int length) {
        throw new UnsupportedOperationException("virtio-i2c has no config space");
    }

    @Override
    public void writeConfig(int offset, byte[] data) {
        throw new UnsupportedOperationException("virtio-i2c has no config space");
    }

    @Override
    public DmaWindow window() {
        return window;
    }

    @Override
    public DmaAllocator allocator() {
        return allocator;
    }

    @Override
    public int status() {
        return 0x0F;
    }

    // ---------------------------------------------------------------- Virtqueue

    @Override
    public int index() {
        return driverQueue.index();
    }

    @Override
    public int size() {
        return driverQueue.size();
    }

    @Override
    public int freeDescriptors() {
        return driverQueue.freeDescriptors();
    }

    // ---------------------------------------------------------------- device side (DeviceContext)

    @Override
    public DeviceVirtqueue queue(int index) {
        return index == 0 ? deviceQueue : null;
    }

    @Override
    public void notifyUsed(DeviceVirtqueue queue) {
        // completions are polled right after the device model returns
    }

    @Override
    public void configChanged() {
        throw new AssertionError("virtio-i2c has no config space to change");
    }

    @Override
    public void needsReset(String reason) {
        throw new AssertionError("the device asked for a reset: " + reason);
    }

    @Override
    public Executor executor() {
        return Runnable::run;
    }
}
