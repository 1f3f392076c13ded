package dev.vmsg.bus.fifo.linuxuser;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * One queue file of QEMU's linux-user bus in the "spsc_queue" layout (QEMU
 * {@code include/hw/virtio/spsc_queue.h}; spec 6.1): the producer index {@code head} (u32) at offset
 * 0, the consumer index {@code tail} (u32) at offset 64, then {@value #CAPACITY} slots of
 * {@value #SLOT_SIZE} bytes from offset 128, one whole message per slot: {@value #FILE_SIZE} bytes.
 *
 * <p>Semantics as QEMU's code has them: indices stay in {@code 0..capacity-1} and wrap at the
 * capacity (they are not free-running); every load of an index from the file is sanitised by
 * reducing it modulo the capacity, so a garbage or stale value is taken as the slot it names (QEMU
 * does the same; an older variant set it to 0). Full when {@code (head + 1) % capacity == tail} (one
 * slot always empty), empty when {@code head == tail}. The producer copies the message into
 * {@code slot[head]} and then publishes {@code head} with release; the consumer reads {@code head}
 * with acquire, copies {@code slot[tail]} and then publishes {@code tail} with release. Indices are
 * host-order u32 in QEMU; vmsg reads them little-endian, the order of every host QEMU's linux-user
 * bus runs on (x86-64, aarch64). Quirk "stale indices in old queue files are picked up as they
 * are": no index is ever reset; a file left by an earlier run is used with the indices it holds, as
 * QEMU's {@code spsc_open} does, so a peer that already runs on that file stays in step.
 *
 * <p>Each side writes only the index it owns, so one producer and one consumer may run at once; a
 * side must not produce from two threads (the endpoint serialises senders).
 */
final class SpscQueue {

    /** Offset of the producer index {@code head}. */
    static final int HEAD = 0;
    /** Offset of the consumer index {@code tail}: its own 64-byte line. */
    static final int TAIL = 64;
    /** Offset of slot 0. */
    static final int SLOTS = 128;
    /** Bytes per slot ({@code SPSC_QUEUE_MAX_PACKET_SIZE}). */
    static final int SLOT_SIZE = 64;
    /** Slots per queue: QEMU's {@code spsc_open(name, 4096)}. */
    static final int CAPACITY = 4096;
    /** Size of a queue file: 128 + 64 x 4096 = 262272. */
    static final long FILE_SIZE = SLOTS + (long) SLOT_SIZE * CAPACITY;

    private static final VarHandle U32 = MethodHandles.byteBufferViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);

    private final ByteBuffer mem;

    /** Over a mapping of at least {@link #FILE_SIZE} bytes. */
    SpscQueue(ByteBuffer memory) {
        if (memory.capacity() < FILE_SIZE) {
            throw new IllegalArgumentException("an spsc queue needs " + FILE_SIZE + " bytes, got " + memory.capacity());
        }
        this.mem = memory.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    }

    /** The producer index as the file holds it, reduced modulo the capacity. */
    int head() {
        return sanitise((int) U32.getAcquire(mem, HEAD));
    }

    /** The consumer index as the file holds it, reduced modulo the capacity. */
    int tail() {
        return sanitise((int) U32.getAcquire(mem, TAIL));
    }

    private static int sanitise(int raw) {
        return Integer.remainderUnsigned(raw, CAPACITY);
    }

    private static int next(int index) {
        return index + 1 == CAPACITY ? 0 : index + 1;
    }

    /** Messages waiting: {@code (head - tail) mod capacity}. */
    int pending() {
        return Math.floorMod(head() - tail(), CAPACITY);
    }

    /**
     * Producer: copies {@code frame} (position to limit, at most one slot) into {@code slot[head]},
     * zero-fills the rest of the slot, then publishes {@code head + 1}. The frame's position is
     * unchanged.
     *
     * @return false when the queue is full
     */
    boolean offer(ByteBuffer frame) {
        int length = frame.remaining();
        if (length > SLOT_SIZE) {
            throw new IllegalArgumentException("a message of " + length + " bytes does not fit a " + SLOT_SIZE
                    + "-byte slot");
        }
        int head = head();
        int next = next(head);
        if (next == tail()) {
            return false;
        }
        int at = SLOTS + head * SLOT_SIZE;
        mem.put(at, frame, frame.position(), length);
        for (int i = at + length; i < at + SLOT_SIZE; i++) {
            mem.put(i, (byte) 0);
        }
        U32.setRelease(mem, HEAD, next);
        return true;
    }

    /**
     * Consumer: copies the first {@code bytes} bytes of {@code slot[tail]} into {@code dst} at 0
     * (position 0, limit {@code bytes}), then publishes {@code tail + 1}.
     *
     * @return false when the queue is empty ({@code dst} untouched)
     */
    boolean poll(ByteBuffer dst, int bytes) {
        if (bytes > SLOT_SIZE) {
            throw new IllegalArgumentException(bytes + " bytes exceed a " + SLOT_SIZE + "-byte slot");
        }
        int tail = tail();
        if (tail == head()) {
            return false;
        }
        dst.clear();
        dst.put(0, mem, SLOTS + tail * SLOT_SIZE, bytes);
        dst.limit(bytes);
        U32.setRelease(mem, TAIL, next(tail));
        return true;
    }

    /**
     * Consumer: drops every waiting message by moving {@code tail} to {@code head}, as a consumer
     * that drained them would. Neither index is reset.
     *
     * @return how many messages were dropped
     */
    int skipPending() {
        int head = head();
        int dropped = Math.floorMod(head - tail(), CAPACITY);
        U32.setRelease(mem, TAIL, head);
        return dropped;
    }
}
