package dev.vmsg.device.net.internal;

import java.nio.ByteBuffer;

/**
 * A bounded queue of Ethernet frames with preallocated slots: many producers (the switch, from
 * the transmitting devices' threads; a UDP receive thread), one consumer (the receiving device's
 * thread). Producers copy a frame into the next free slot under a lock; the consumer reads slots
 * without it and frees them by moving its head. Nothing is allocated per frame; a full queue
 * refuses the frame (the caller counts the drop).
 */
final class FrameQueue {

    private final byte[][] slots;
    private final ByteBuffer[] views;
    private final int[] lengths;
    private final int mask;
    private final int slotSize;
    /** Next slot the consumer reads; written by the consumer only. */
    private volatile long head;
    /** Next slot a producer fills; written under the lock only. */
    private volatile long tail;

    /**
     * @param capacity frames (rounded up to a power of two)
     * @param slotSize the longest frame a slot holds
     */
    FrameQueue(int capacity, int slotSize) {
        int n = Integer.highestOneBit(Math.max(1, capacity - 1)) << 1;
        this.slots = new byte[n][slotSize];
        this.lengths = new int[n];
        this.views = new ByteBuffer[n];
        for (int i = 0; i < n; i++) {
            views[i] = ByteBuffer.wrap(slots[i]);
        }
        this.mask = n - 1;
        this.slotSize = slotSize;
    }

    int capacity() {
        return slots.length;
    }

    int slotSize() {
        return slotSize;
    }

    /**
     * Copies the frame (position to limit; the buffer is not moved) into a free slot.
     *
     * @return false when the queue is full or the frame is longer than a slot
     */
    boolean offer(ByteBuffer frame) {
        int length = frame.remaining();
        if (length > slotSize) {
            return false;
        }
        synchronized (this) {
            long t = tail;
            if (t - head >= slots.length) {
                return false;
            }
            int i = (int) t & mask;
            frame.get(frame.position(), slots[i], 0, length);
            lengths[i] = length;
            tail = t + 1;
        }
        return true;
    }

    /** Frames waiting. Any thread. */
    int size() {
        return (int) (tail - head);
    }

    boolean isEmpty() {
        return tail == head;
    }

    // ---- consumer only ----

    /** The bytes of the oldest frame (its length is {@link #peekLength()}); the queue must not be empty. */
    byte[] peek() {
        return slots[(int) head & mask];
    }

    /** A reusable buffer over the oldest frame's slot; set its position and limit before use. */
    ByteBuffer peekBuffer() {
        return views[(int) head & mask];
    }

    int peekLength() {
        return lengths[(int) head & mask];
    }

    /** Frees the oldest frame's slot. */
    void remove() {
        head = head + 1;
    }

    /** Drops every waiting frame; returns how many. */
    int clear() {
        long t = tail;
        int n = (int) (t - head);
        head = t;
        return n;
    }
}
