package dev.vmsg.device.rng.internal;

import dev.vmsg.driver.QueueListener;
import dev.vmsg.driver.Virtqueue;
import dev.vmsg.driver.VirtioDeviceException;
import dev.vmsg.driver.VirtioDeviceException.Reason;
import dev.vmsg.memory.DmaRegion;
import dev.vmsg.memory.DmaWindow;
import dev.vmsg.virtqueue.BufferSegment;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.CompletableFuture;

/**
 * The rng driver's requests: a fixed set of buffer slots in the bus window, each lent to one
 * request in flight; requests beyond the slots wait in order. Every request ends exactly once,
 * with the device's bytes or with the device's failure.
 */
final class EntropyRequests implements QueueListener {

    private static final BufferSegment[] NONE = new BufferSegment[0];

    private final DmaWindow window;
    private final DmaRegion buffers;
    private final int slotSize;
    private final Deque<Integer> freeSlots = new ArrayDeque<>();
    private final Deque<Waiter> waiters = new ArrayDeque<>();
    private volatile Virtqueue queue;
    private String closedReason;

    private record Waiter(int length, CompletableFuture<byte[]> result) {
    }

    private record Request(int slot, CompletableFuture<byte[]> result) {
    }

    /**
     * @param buffers a region of the window holding {@code slots} buffers of {@code slotSize} bytes
     */
    EntropyRequests(DmaWindow window, DmaRegion buffers, int slots, int slotSize) {
        if ((long) slots * slotSize > buffers.size()) {
            throw new IllegalArgumentException(slots + " slots of " + slotSize + " bytes do not fit in " + buffers);
        }
        this.window = window;
        this.buffers = buffers;
        this.slotSize = slotSize;
        for (int i = 0; i < slots; i++) {
            freeSlots.add(i);
        }
    }

    void attach(Virtqueue q) {
        this.queue = q;
    }

    /** Asks the device for up to {@code length} bytes (at most one slot); completes with what it gave. */
    CompletableFuture<byte[]> request(int length) {
        int chunk = Math.min(length, slotSize);
        CompletableFuture<byte[]> result = new CompletableFuture<>();
        Integer slot;
        synchronized (this) {
            if (closedReason != null) {
                result.completeExceptionally(new VirtioDeviceException(Reason.REMOVED, closedReason));
                return result;
            }
            slot = freeSlots.poll();
            if (slot == null) {
                waiters.add(new Waiter(chunk, result));
                return result;
            }
        }
        start(slot, chunk, result);
        return result;
    }

    private void start(int slot, int length, CompletableFuture<byte[]> result) {
        long address = buffers.address() + (long) slot * slotSize;
        try {
            queue.submit(NONE, new BufferSegment[] {new BufferSegment(address, length)}, new Request(slot, result));
        } catch (VirtioDeviceException e) {
            release(slot);
            result.completeExceptionally(e);
        }
    }

    @Override
    public void completed(Object cookie, int length) {
        Request r = (Request) cookie;
        byte[] out = new byte[length];
        window.read(buffers.address() + (long) r.slot() * slotSize, out, 0, length);
        release(r.slot());
        r.result().complete(out);
    }

    @Override
    public void failed(Object cookie, VirtioDeviceException cause) {
        Request r = (Request) cookie;
        release(r.slot());
        r.result().completeExceptionally(cause);
    }

    private void release(int slot) {
        Waiter next;
        synchronized (this) {
            if (closedReason != null) {
                return;
            }
            next = waiters.poll();
            if (next == null) {
                freeSlots.push(slot);
                return;
            }
        }
        start(slot, next.length(), next.result());
    }

    /** Fails every waiting request; in-flight ones fail through {@link #failed} when the queue closes. */
    void close(String reason) {
        Deque<Waiter> failing;
        synchronized (this) {
            if (closedReason != null) {
                return;
            }
            closedReason = reason;
            failing = new ArrayDeque<>(waiters);
            waiters.clear();
        }
        for (Waiter w : failing) {
            w.result().completeExceptionally(new VirtioDeviceException(Reason.REMOVED, reason));
        }
    }
}
