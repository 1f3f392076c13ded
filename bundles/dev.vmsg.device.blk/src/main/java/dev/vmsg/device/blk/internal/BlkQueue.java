package dev.vmsg.device.blk.internal;

import dev.vmsg.device.blk.BlockIoException;
import dev.vmsg.driver.QueueListener;
import dev.vmsg.driver.Virtqueue;
import dev.vmsg.driver.VirtioDeviceException;
import dev.vmsg.driver.VirtioDeviceException.Reason;
import dev.vmsg.memory.DmaWindow;
import dev.vmsg.virtqueue.BufferSegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One request queue of the blk driver: a fixed set of slots in the bus window, each lent to one
 * request in flight (16-byte header and status byte in a control area, plus a bounce buffer for
 * copied data). Requests beyond the slots wait in order. Every request ends exactly once: with the
 * device's status, or failed when the queue closes.
 */
final class BlkQueue implements QueueListener {

    private static final int CONTROL_STRIDE = 32;
    private static final int STATUS_OFFSET = VirtioBlk.HEADER_SIZE;
    /** Written into the status byte before submission: a device that never writes it is caught. */
    private static final byte NO_STATUS = (byte) 0xFF;

    private final String device;
    private final DmaWindow window;
    private final long control;
    private final long bounce;
    private final int slotSize;
    private volatile int depth;
    private final Deque<Integer> freeSlots = new ArrayDeque<>();
    private final Deque<BlkRequest> waiting = new ArrayDeque<>();
    private final ByteBuffer header = ByteBuffer.allocate(VirtioBlk.HEADER_SIZE).order(ByteOrder.LITTLE_ENDIAN);
    private final AtomicLong completed = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private volatile Virtqueue queue;
    private String closedReason;

    private record InFlight(int slot, BlkRequest request) {
    }

    /**
     * @param control window address of {@code depth} x 32 bytes for headers and status bytes
     * @param bounce  window address of {@code depth} x {@code slotSize} bytes for copied data
     */
    BlkQueue(String device, DmaWindow window, long control, long bounce, int depth, int slotSize) {
        this.device = device;
        this.window = window;
        this.control = control;
        this.bounce = bounce;
        this.slotSize = slotSize;
        this.depth = depth;
        for (int i = 0; i < depth; i++) {
            freeSlots.add(i);
        }
    }

    static long controlBytes(int depth) {
        return (long) depth * CONTROL_STRIDE;
    }

    /** Takes the live queue; a ring too small for every slot (three descriptors each) lends fewer. */
    synchronized void attach(Virtqueue q) {
        int fits = Math.max(1, q.size() / 3);
        while (depth > fits) {
            freeSlots.remove(--depth);
        }
        this.queue = q;
    }

    int depth() {
        return depth;
    }

    /** The live queue, or null before {@link #attach}. */
    Virtqueue virtqueue() {
        return queue;
    }

    int slotSize() {
        return slotSize;
    }

    long completedRequests() {
        return completed.get();
    }

    long failedRequests() {
        return failed.get();
    }

    synchronized int waitingRequests() {
        return waiting.size();
    }

    synchronized int inFlight() {
        return depth - freeSlots.size();
    }

    /** Submits {@code r} now if a slot is free, else queues it; {@code r.done} ends it either way. */
    void submit(BlkRequest r) {
        if (r.windowAddress < 0 && r.length > slotSize) {
            throw new IllegalArgumentException("request of " + r.length + " bytes is over the slot size " + slotSize);
        }
        Integer slot;
        synchronized (this) {
            if (closedReason != null) {
                r.done.completeExceptionally(removed(closedReason));
                return;
            }
            slot = freeSlots.poll();
            if (slot == null) {
                waiting.add(r);
                return;
            }
        }
        start(slot, r);
    }

    private void start(int slot, BlkRequest r) {
        long ctl = control + (long) slot * CONTROL_STRIDE;
        long data = r.windowAddress >= 0 ? r.windowAddress : bounce + (long) slot * slotSize;
        if (r.source != null) {
            boolean open = r.call.whileOpen(() -> window.write(data,
                    r.source.duplicate().limit(r.sourcePosition + r.length).position(r.sourcePosition)));
            if (!open) {
                // The caller gave up (timeout, cancel) before this write got a slot: do not send it.
                endWith(slot, r, new VirtioDeviceException(Reason.TIMEOUT, device + ": the write was abandoned by its caller"));
                return;
            }
        } else if (r.payload != null) {
            window.write(data, r.payload, 0, r.payload.length);
        }
        synchronized (header) {
            header.clear();
            header.putInt(0, r.type).putInt(4, 0).putLong(8, r.sector);
            window.write(ctl, header);
        }
        window.putByte(ctl + STATUS_OFFSET, NO_STATUS);
        BufferSegment hdr = new BufferSegment(ctl, VirtioBlk.HEADER_SIZE);
        BufferSegment status = new BufferSegment(ctl + STATUS_OFFSET, 1);
        BufferSegment[] readable;
        BufferSegment[] writable;
        if (r.length == 0) {
            readable = new BufferSegment[] {hdr};
            writable = new BufferSegment[] {status};
        } else if (r.deviceWrites()) {
            readable = new BufferSegment[] {hdr};
            writable = new BufferSegment[] {new BufferSegment(data, r.length), status};
        } else {
            readable = new BufferSegment[] {hdr, new BufferSegment(data, r.length)};
            writable = new BufferSegment[] {status};
        }
        try {
            queue.submit(readable, writable, new InFlight(slot, r));
        } catch (VirtioDeviceException e) {
            endWith(slot, r, e);
        }
    }

    @Override
    public void completed(Object cookie, int length) {
        InFlight f = (InFlight) cookie;
        BlkRequest r = f.request();
        long ctl = control + (long) f.slot() * CONTROL_STRIDE;
        long data = r.windowAddress >= 0 ? r.windowAddress : bounce + (long) f.slot() * slotSize;
        int status = window.getByte(ctl + STATUS_OFFSET) & 0xFF;
        Throwable error = null;
        byte[] id = null;
        switch (status) {
            case VirtioBlk.S_OK -> {
                if (r.sink != null) {
                    r.call.whileOpen(() -> window.read(data,
                            r.sink.duplicate().limit(r.sinkPosition + r.length).position(r.sinkPosition)));
                } else if (r.type == VirtioBlk.T_GET_ID) {
                    id = new byte[VirtioBlk.ID_BYTES];
                    window.read(data, id, 0, id.length);
                }
            }
            case VirtioBlk.S_IOERR -> error = new BlockIoException(BlockIoException.Status.IOERR, device + ": "
                    + VirtioBlk.typeName(r.type) + " of " + r.length + " bytes at sector " + r.sector
                    + " failed: the device answered IOERR");
            case VirtioBlk.S_UNSUPP -> error = new BlockIoException(BlockIoException.Status.UNSUPP, device + ": "
                    + VirtioBlk.typeName(r.type) + " is not supported by the device (UNSUPP)");
            default -> error = new VirtioDeviceException(Reason.PROTOCOL, device + ": " + VirtioBlk.typeName(r.type)
                    + " came back with status " + (status == 0xFF ? "unwritten" : "0x" + Integer.toHexString(status)));
        }
        if (error == null) {
            completed.incrementAndGet();
            release(f.slot());
            r.done.complete(id);
        } else {
            endWith(f.slot(), r, error);
        }
    }

    @Override
    public void failed(Object cookie, VirtioDeviceException cause) {
        InFlight f = (InFlight) cookie;
        endWith(f.slot(), f.request(), cause);
    }

    private void endWith(int slot, BlkRequest r, Throwable error) {
        failed.incrementAndGet();
        release(slot);
        r.done.completeExceptionally(error);
    }

    private void release(int slot) {
        BlkRequest next;
        synchronized (this) {
            if (closedReason != null) {
                return;
            }
            next = waiting.poll();
            if (next == null) {
                freeSlots.push(slot);
                return;
            }
        }
        start(slot, next);
    }

    /** Fails every waiting request; in-flight ones fail through {@link #failed} when the queue closes. */
    void close(String reason) {
        Deque<BlkRequest> failing;
        synchronized (this) {
            if (closedReason != null) {
                return;
            }
            closedReason = reason;
            failing = new ArrayDeque<>(waiting);
            waiting.clear();
        }
        for (BlkRequest r : failing) {
            failed.incrementAndGet();
            r.done.completeExceptionally(removed(reason));
        }
    }

    private VirtioDeviceException removed(String reason) {
        return new VirtioDeviceException(Reason.REMOVED, device + ": device removed (" + reason + ")");
    }
}
