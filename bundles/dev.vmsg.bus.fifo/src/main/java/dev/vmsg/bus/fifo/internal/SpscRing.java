package dev.vmsg.bus.fifo.internal;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * One direction of the link: a single-producer, single-consumer ring of fixed-size elements in
 * shared memory, one whole message per element, one element always left empty (spec 6.3). The
 * producer writes the element, then publishes its {@code tail} with release; the consumer reads the
 * producer's {@code tail} with acquire, copies the element once into private memory, then publishes
 * its {@code head} with release. Both cursors are kept locally too, so each side reads the shared
 * index it does not own only.
 */
final class SpscRing {

    /** The peer wrote an index outside the ring: the ring cannot be trusted any more. */
    static final class CorruptRingException extends Exception {
        private static final long serialVersionUID = 1L;

        CorruptRingException(String message) {
            super(message);
        }
    }

    private SpscRing() {
    }

    /** Writes this side's queue. One thread at a time (the endpoint serialises senders). */
    static final class Producer {
        private final ByteBuffer mem;
        private final int queue;
        private final int count;
        private final int elementSize;
        private final QueueHead own;
        private final QueueHead peer;
        private final int badOwnIndex;
        private int tail;
        private int consumerSeen;

        Producer(ByteBuffer mem, long queueOffset, int count, int elementSize, QueueHead own, QueueHead peer) {
            this.mem = mem.duplicate().order(ByteOrder.LITTLE_ENDIAN);
            this.queue = Math.toIntExact(queueOffset);
            this.count = count;
            this.elementSize = elementSize;
            this.own = own;
            this.peer = peer;
            // Read once, check the copy: the shared file may hold any index (a peer's write, an old run).
            int t = own.tail();
            this.badOwnIndex = t < count ? -1 : t;
            this.tail = t < count ? t : 0;
            int c = peer.head();
            this.consumerSeen = c < count ? c : 0;
        }

        /**
         * Copies {@code frame} (position to limit, at most one element) into the next element and
         * publishes it; the frame's position is unchanged.
         *
         * @return false when the ring is full
         * @throws CorruptRingException when the peer's head index, or this side's tail index as the
         *                              shared memory held it when the link started, is outside the ring
         */
        boolean offer(ByteBuffer frame) throws CorruptRingException {
            if (badOwnIndex >= 0) {
                throw new CorruptRingException("this side's producer index " + badOwnIndex + " in shared memory is outside 0.."
                        + (count - 1));
            }
            int length = frame.remaining();
            if (length > elementSize) {
                throw new IllegalArgumentException("frame of " + length + " bytes exceeds the element size " + elementSize);
            }
            int next = tail + 1 == count ? 0 : tail + 1;
            if (next == consumerSeen) {
                // Looks full: only now read the consumer's index (a shared line the peer writes).
                int consumer = peer.head();
                if (consumer >= count) {
                    throw new CorruptRingException("the peer's consumer index " + consumer + " is outside 0.."
                            + (count - 1));
                }
                consumerSeen = consumer;
                if (next == consumer) {
                    return false;
                }
            }
            int at = queue + tail * elementSize;
            mem.put(at, frame, frame.position(), length);
            int i = at + length;
            int end = at + elementSize;
            for (; i < end && (i & 7) != 0; i++) {
                mem.put(i, (byte) 0);
            }
            for (; i + 8 <= end; i += 8) {
                mem.putLong(i, 0L);
            }
            for (; i < end; i++) {
                mem.put(i, (byte) 0);
            }
            own.setTail(next);
            tail = next;
            return true;
        }

        /** Elements the ring can hold at once (one is always left empty). */
        int capacity() {
            return count - 1;
        }
    }

    /** Reads the peer's queue. The endpoint's delivery thread only. */
    static final class Consumer {
        /** {@link #poll} result: nothing to read. */
        static final int EMPTY = 0;
        /** {@link #poll} result: an element with an impossible msg_size was consumed and dropped. */
        static final int BAD_LENGTH = -1;

        private final ByteBuffer mem;
        private final int queue;
        private final int count;
        private final int elementSize;
        private final int headerSize;
        private final int msgSizeOffset;
        private final QueueHead own;
        private final QueueHead peer;
        private final int badOwnIndex;
        private int head;
        private int producerSeen;

        /**
         * @param headerSize    the wire profile's header size (smallest valid msg_size)
         * @param msgSizeOffset where the profile's header keeps msg_size
         */
        Consumer(ByteBuffer mem, long queueOffset, int count, int elementSize, int headerSize, int msgSizeOffset,
                QueueHead own, QueueHead peer) {
            this.mem = mem.duplicate().order(ByteOrder.LITTLE_ENDIAN);
            this.queue = Math.toIntExact(queueOffset);
            this.count = count;
            this.elementSize = elementSize;
            this.headerSize = headerSize;
            this.msgSizeOffset = msgSizeOffset;
            this.own = own;
            this.peer = peer;
            int h = own.head();
            this.badOwnIndex = h < count ? -1 : h;
            this.head = h < count ? h : 0;
            this.producerSeen = head;
        }

        /** Whether the peer has published an element this side has not read. */
        boolean hasElement() {
            return peer.tail() != head;
        }

        /**
         * Copies the next element's message (msg_size bytes, taken from the message header) into
         * {@code into} from position 0 and frees the element.
         *
         * @return the message length, {@link #EMPTY}, or {@link #BAD_LENGTH}
         * @throws CorruptRingException when the peer's tail index, or this side's head index as the
         *                              shared memory held it when the link started, is outside the ring
         */
        int poll(ByteBuffer into) throws CorruptRingException {
            if (badOwnIndex >= 0) {
                throw new CorruptRingException("this side's consumer index " + badOwnIndex + " in shared memory is outside 0.."
                        + (count - 1));
            }
            if (producerSeen == head) {
                // Looks empty: only now read the producer's index (a shared line the peer writes).
                int producer = peer.tail();
                if (producer >= count) {
                    throw new CorruptRingException("the peer's producer index " + producer + " is outside 0.."
                            + (count - 1));
                }
                producerSeen = producer;
                if (producer == head) {
                    return EMPTY;
                }
            }
            int at = queue + head * elementSize;
            int length = msgSizeOffset + 2 <= elementSize ? Short.toUnsignedInt(mem.getShort(at + msgSizeOffset)) : -1;
            int result;
            if (length < headerSize || length > elementSize || length > into.capacity()) {
                result = BAD_LENGTH;
            } else {
                into.clear();
                into.put(0, mem, at, length);
                into.limit(length);
                result = length;
            }
            head = head + 1 == count ? 0 : head + 1;
            own.setHead(head);
            return result;
        }
    }
}
