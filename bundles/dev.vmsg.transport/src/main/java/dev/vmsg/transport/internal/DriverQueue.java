package dev.vmsg.transport.internal;

import dev.vmsg.admin.QueueView;
import dev.vmsg.driver.QueueListener;
import dev.vmsg.driver.Virtqueue;
import dev.vmsg.driver.VirtioDeviceException;
import dev.vmsg.driver.VirtioDeviceException.Reason;
import dev.vmsg.memory.DmaRegion;
import dev.vmsg.virtqueue.BufferSegment;
import dev.vmsg.virtqueue.DriverVirtqueue;
import dev.vmsg.virtqueue.VirtqueueException;
import dev.vmsg.wire.EventAvail;
import java.util.List;

/**
 * A live driver-side queue: the split ring in the bus window plus the kick (EVENT_AVAIL) and the
 * harvest on EVENT_USED. Submitters may be any thread; completions run on the device's driver
 * thread. Every submitted chain ends exactly once: completed, or failed when the queue closes.
 */
final class DriverQueue implements Virtqueue {

    private final DriverDevice device;
    private final DriverVirtqueue ring;
    private final DmaRegion rings;
    private final QueueListener listener;
    private final EventAvail kick;
    private final java.nio.ByteBuffer kickFrame;
    private boolean closed;
    private long usedEvents;
    private long completed;
    private long failed;

    DriverQueue(DriverDevice device, DriverVirtqueue ring, DmaRegion rings, QueueListener listener) {
        this.device = device;
        this.ring = ring;
        this.rings = rings;
        this.listener = listener;
        this.kick = new EventAvail(ring.index(), 0);
        this.kickFrame = device.newFrameBuffer();
    }

    @Override
    public int index() {
        return ring.index();
    }

    @Override
    public int size() {
        return ring.size();
    }

    DmaRegion rings() {
        return rings;
    }

    @Override
    public synchronized int freeDescriptors() {
        return ring.freeDescriptors();
    }

    @Override
    public void submit(BufferSegment[] readable, BufferSegment[] writable, Object cookie) {
        synchronized (this) {
            if (closed) {
                throw new VirtioDeviceException(Reason.REMOVED, device.describe() + ": queue " + index() + " is closed");
            }
            if (ring.isBroken()) {
                throw new VirtioDeviceException(Reason.BROKEN, device.describe() + ": queue " + index() + " is broken");
            }
            try {
                ring.add(readable, writable, cookie);
            } catch (VirtqueueException e) {
                throw new VirtioDeviceException(e.reason() == VirtqueueException.Reason.QUEUE_FULL ? Reason.QUEUE_FULL
                        : Reason.BROKEN, device.describe() + ": queue " + index() + ": " + e.getMessage(), e);
            }
            if (ring.kickNeeded()) {
                // The chain is in the ring: if the kick cannot be sent the device is gone, and
                // the chain ends through close() like every other outstanding one.
                try {
                    device.sendEvent(kick, kickFrame);
                } catch (VirtioDeviceException e) {
                    device.listenerFailed(index(), e);
                }
            }
        }
    }

    /** EVENT_USED arrived: hand every used chain to the listener. Device driver thread. */
    void harvest() {
        usedEvents++;
        while (true) {
            DriverVirtqueue.Completion c;
            synchronized (this) {
                if (closed) {
                    return;
                }
                try {
                    c = ring.poll();
                    if (c == null) {
                        ring.enableCallbacks();
                        c = ring.poll();
                    }
                } catch (VirtqueueException e) {
                    device.broken("queue " + index() + ": the device returned a bad used element: " + e.getMessage());
                    return;
                }
            }
            if (c == null) {
                return;
            }
            completed++;
            try {
                listener.completed(c.cookie(), c.length());
            } catch (RuntimeException e) {
                device.listenerFailed(index(), e);
            }
        }
    }

    /** Closes the queue and fails every outstanding chain exactly once. */
    void close(VirtioDeviceException cause) {
        List<Object> outstanding;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            outstanding = ring.detachOutstanding();
        }
        for (Object cookie : outstanding) {
            failed++;
            try {
                listener.failed(cookie, cause);
            } catch (RuntimeException e) {
                device.listenerFailed(index(), e);
            }
        }
    }

    QueueView view() {
        var a = ring.addresses();
        return new QueueView(index(), size(), a.descriptorAddr(), a.driverAddr(), a.deviceAddr(), usedEvents, completed,
                failed);
    }
}
