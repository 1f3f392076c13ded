package dev.vmsg.device.net.internal;

import dev.vmsg.driver.QueueListener;
import dev.vmsg.driver.VirtioDeviceException;
import dev.vmsg.driver.VirtioDeviceException.Reason;
import dev.vmsg.driver.Virtqueue;
import dev.vmsg.memory.DmaWindow;
import dev.vmsg.virtqueue.BufferSegment;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * The transmit side of the net driver: a fixed set of slots in the bus window, each holding one
 * frame behind its 12-byte header while the device has it. A frame is copied into a free slot and
 * made available; the slot comes back when the device returns the chain (or the queue fails it).
 * Nothing is allocated per frame while frames keep their size (the descriptor array of a slot is
 * reused for the same length).
 */
final class NetTx implements QueueListener {

    private static final BufferSegment[] NONE = new BufferSegment[0];

    private final String device;
    private final DmaWindow window;
    private final long base;
    private final int slotSize;
    private final int[] free;
    private final Integer[] cookies;
    private final BufferSegment[][] segments;
    private int freeCount;
    private int usable;
    private int waiters;
    private Virtqueue queue;
    private String closedReason;
    long frames;
    long bytes;
    long failed;

    /** @param base window address of {@code slots} x {@code slotSize} bytes */
    NetTx(String device, DmaWindow window, long base, int slots, int slotSize) {
        this.device = device;
        this.window = window;
        this.base = base;
        this.slotSize = slotSize;
        this.free = new int[slots];
        this.cookies = new Integer[slots];
        this.segments = new BufferSegment[slots][];
        for (int i = 0; i < slots; i++) {
            free[i] = slots - 1 - i;
            cookies[i] = i;
        }
        this.freeCount = slots;
        this.usable = slots;
    }

    static long bytes(int slots, int slotSize) {
        return (long) slots * slotSize;
    }

    /** Takes the live queue; a ring smaller than the slots lends only as many slots as it has descriptors. */
    synchronized void attach(Virtqueue q) {
        this.queue = q;
        int keep = 0;
        for (int i = 0; i < freeCount; i++) {
            if (free[i] < q.size()) {
                free[keep++] = free[i];
            }
        }
        freeCount = keep;
        usable = keep;
    }

    /** Sends one frame if a slot is free (the frame's length was checked by the caller). */
    synchronized boolean trySend(ByteBuffer frame) {
        checkOpen();
        if (freeCount == 0) {
            return false;
        }
        int slot = free[--freeCount];
        long at = base + (long) slot * slotSize;
        int length = frame.remaining();
        window.putLong(at, 0);
        window.putInt(at + 8, 0);
        window.write(at + VirtioNet.HDR_SIZE, frame.duplicate());
        BufferSegment[] seg = segments[slot];
        if (seg == null || seg[0].length() != VirtioNet.HDR_SIZE + length) {
            seg = new BufferSegment[] {new BufferSegment(at, VirtioNet.HDR_SIZE + length)};
            segments[slot] = seg;
        }
        try {
            queue.submit(seg, NONE, cookies[slot]);
        } catch (VirtioDeviceException e) {
            free[freeCount++] = slot;
            throw e;
        }
        frame.position(frame.limit());
        frames++;
        bytes += length;
        return true;
    }

    /** Waits at most {@code timeout} for a slot, then sends. */
    synchronized void send(ByteBuffer frame, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!trySend(frame)) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new VirtioDeviceException(Reason.TIMEOUT, device + ": no transmit slot came free within " + timeout);
            }
            waiters++;
            try {
                TimeUnit.NANOSECONDS.timedWait(this, left);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new VirtioDeviceException(Reason.TIMEOUT, device + ": interrupted while waiting for a transmit slot");
            } finally {
                waiters--;
            }
        }
    }

    private void checkOpen() {
        if (closedReason != null) {
            throw new VirtioDeviceException(Reason.REMOVED, device + ": device removed (" + closedReason + ")");
        }
    }

    @Override
    public synchronized void completed(Object cookie, int length) {
        release((Integer) cookie);
    }

    @Override
    public synchronized void failed(Object cookie, VirtioDeviceException cause) {
        failed++;
        release((Integer) cookie);
    }

    private void release(int slot) {
        free[freeCount++] = slot;
        if (waiters > 0) {
            notifyAll();
        }
    }

    synchronized int inFlight() {
        return usable - freeCount;
    }

    synchronized int slots() {
        return usable;
    }

    /** Refuses every later send; wakes blocked senders, which then fail with REMOVED. */
    synchronized void close(String reason) {
        if (closedReason == null) {
            closedReason = reason;
            notifyAll();
        }
    }
}
