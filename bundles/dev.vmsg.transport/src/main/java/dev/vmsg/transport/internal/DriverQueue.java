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
 * thread, or on a caller's thread that polls ({@link #pollUntil}). Every submitted chain ends
 * exactly once: completed, or failed when the queue closes.
 */
final class DriverQueue implements Virtqueue {

    private final DriverDevice device;
    private final DriverVirtqueue ring;
    private final DmaRegion rings;
    private final QueueListener listener;
    private final EventAvail kick;
    private final java.nio.ByteBuffer kickFrame;
    private final long pollNanos;
    private boolean closed;
    /**
     * Set once the device has accepted DRIVER_OK. Until then no kick is sent (a driver must not
     * notify before DRIVER_OK, and the device drops such notifications); chains a driver posts
     * during probe are kicked by {@link #goLive()}.
     */
    private boolean live;
    /** Threads inside {@link #pollUntil}; while positive the device is asked not to send EVENT_USED. */
    private int pollers;
    private long usedEvents;
    private long completed;
    private long failed;

    DriverQueue(DriverDevice device, DriverVirtqueue ring, DmaRegion rings, QueueListener listener, long pollNanos) {
        this.device = device;
        this.pollNanos = pollNanos;
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
            if (ring.kickNeeded() && live) {
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
        synchronized (this) {
            usedEvents++;
        }
        while (harvestOne()) {
            // every completion is delivered by harvestOne
        }
    }

    /**
     * Takes one completion off the used ring and delivers it; false when none is there (callbacks
     * are then asked for again unless a thread polls), the queue is closed, or it broke.
     */
    private boolean harvestOne() {
        DriverVirtqueue.Completion c;
        synchronized (this) {
            if (closed) {
                return false;
            }
            try {
                c = ring.poll();
                if (c == null && pollers == 0) {
                    ring.enableCallbacks();
                    c = ring.poll();
                }
            } catch (VirtqueueException e) {
                device.broken("queue " + index() + ": the device returned a bad used element: " + e.getMessage());
                return false;
            }
            if (c == null) {
                return false;
            }
            completed++;
        }
        try {
            listener.completed(c.cookie(), c.length());
        } catch (RuntimeException e) {
            device.listenerFailed(index(), e);
        }
        return true;
    }

    @Override
    public boolean pollUntil(java.util.function.BooleanSupplier done) {
        if (pollNanos <= 0 || done.getAsBoolean()) {
            return done.getAsBoolean();
        }
        synchronized (this) {
            if (closed) {
                return done.getAsBoolean();
            }
            if (pollers++ == 0) {
                ring.disableCallbacks();
            }
        }
        try {
            long deadline = System.nanoTime() + pollNanos;
            while (!done.getAsBoolean()) {
                if (harvestOne()) {
                    deadline = System.nanoTime() + pollNanos;
                } else if (isClosed() || System.nanoTime() - deadline > 0) {
                    break;
                } else {
                    Thread.onSpinWait();
                }
            }
        } finally {
            synchronized (this) {
                pollers--;
            }
        }
        // The last poller asks for EVENT_USED again; what the device published before that took
        // effect raised no event, so it is taken here.
        while (harvestOne()) {
            // delivered
        }
        return done.getAsBoolean();
    }

    /** The device accepted DRIVER_OK: from now on chains are kicked; those posted before are kicked now. */
    synchronized void goLive() {
        live = true;
        renotify();
    }

    @Override
    public synchronized void renotify() {
        if (!live || closed || ring.isBroken() || ring.outstanding() == 0) {
            return;
        }
        // Under the queue's lock, as in submit: the kick frame buffer is shared.
        try {
            device.sendEvent(kick, kickFrame);
        } catch (VirtioDeviceException e) {
            device.listenerFailed(index(), e);
        }
    }

    private synchronized boolean isClosed() {
        return closed;
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
