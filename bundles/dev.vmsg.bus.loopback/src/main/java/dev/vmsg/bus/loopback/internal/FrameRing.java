package dev.vmsg.bus.loopback.internal;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.Consumer;

/**
 * A bounded multi-producer, single-consumer ring of fixed-size frame slots (Vyukov's sequence
 * scheme). Producers copy a frame into a free slot and publish it; the one consumer hands each
 * published slot to a callback as a read-only view and frees it. No allocation per frame.
 */
final class FrameRing {

    private final int slotSize;
    private final int mask;
    private final AtomicLongArray sequences;
    private final int[] lengths;
    private final ByteBuffer[] writeViews;
    private final ByteBuffer[] readViews;
    private final AtomicLong tail = new AtomicLong();
    private long head;

    FrameRing(int capacity, int slotSize) {
        if (Integer.bitCount(capacity) != 1) {
            throw new IllegalArgumentException("ring capacity must be a power of two: " + capacity);
        }
        this.slotSize = slotSize;
        this.mask = capacity - 1;
        this.sequences = new AtomicLongArray(capacity);
        this.lengths = new int[capacity];
        ByteBuffer memory = ByteBuffer.allocateDirect(capacity * slotSize).order(ByteOrder.LITTLE_ENDIAN);
        this.writeViews = new ByteBuffer[capacity];
        this.readViews = new ByteBuffer[capacity];
        for (int i = 0; i < capacity; i++) {
            sequences.set(i, i);
            ByteBuffer slot = memory.slice(i * slotSize, slotSize).order(ByteOrder.LITTLE_ENDIAN);
            writeViews[i] = slot;
            readViews[i] = slot.asReadOnlyBuffer().order(ByteOrder.LITTLE_ENDIAN);
        }
    }

    int slotSize() {
        return slotSize;
    }

    /**
     * Copies the frame between position and limit into a free slot and publishes it.
     *
     * @return false when the ring is full (nothing written)
     */
    boolean offer(ByteBuffer frame) {
        int length = frame.remaining();
        if (length > slotSize) {
            throw new IllegalArgumentException("frame of " + length + " bytes exceeds slot size " + slotSize);
        }
        long claimed;
        while (true) {
            claimed = tail.get();
            int index = (int) claimed & mask;
            long diff = sequences.get(index) - claimed;
            if (diff == 0) {
                if (tail.compareAndSet(claimed, claimed + 1)) {
                    break;
                }
            } else if (diff < 0) {
                return false;
            } else {
                Thread.onSpinWait();
            }
        }
        int index = (int) claimed & mask;
        writeViews[index].put(0, frame, frame.position(), length);
        lengths[index] = length;
        // Volatile store: pairs with the consumer's volatile parked-flag protocol (see LoopbackEndpoint).
        sequences.set(index, claimed + 1);
        return true;
    }

    /** Whether a published frame waits for the consumer. Consumer thread or any thread. */
    boolean hasFrame() {
        long h = head;
        return sequences.get((int) h & mask) == h + 1;
    }

    /**
     * Hands up to {@code max} published frames to {@code sink} in order; consumer thread only.
     * The view passed to the sink is valid during the call only.
     *
     * @return how many frames were handed over
     */
    int drain(Consumer<ByteBuffer> sink, int max) {
        int delivered = 0;
        while (delivered < max) {
            long h = head;
            int index = (int) h & mask;
            if (sequences.getAcquire(index) != h + 1) {
                break;
            }
            ByteBuffer view = readViews[index];
            view.limit(lengths[index]).position(0);
            try {
                sink.accept(view);
            } finally {
                sequences.setRelease(index, h + mask + 1);
                head = h + 1;
            }
            delivered++;
        }
        return delivered;
    }
}
