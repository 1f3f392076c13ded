package dev.vmsg.virtqueue;

/**
 * A typed virtqueue fault. {@link #reason()} says what was wrong; {@link #head()} names the chain
 * it concerns, or -1 when it is not about one chain.
 */
public final class VirtqueueException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** Every way a queue setup, a chain or a ring index can be bad. */
    public enum Reason {
        /** Queue size not a power of two in 1..{@link SplitRing#MAX_SIZE}. */
        BAD_SIZE,
        /** A ring address does not have its required alignment. */
        MISALIGNED,
        /** A ring is not wholly inside the DMA window. */
        OUT_OF_WINDOW,
        /** Two rings of one queue overlap. */
        RINGS_OVERLAP,
        /** An avail ring entry names a head &gt;= queue size (the queue breaks). */
        HEAD_OUT_OF_RANGE,
        /** A next field points outside the descriptor table. */
        NEXT_OUT_OF_RANGE,
        /** A chain visits more descriptors than its table holds. */
        DESCRIPTOR_LOOP,
        /** A descriptor's buffer is not wholly inside the DMA window. */
        DESCRIPTOR_OUT_OF_WINDOW,
        /** A device-readable descriptor follows a device-writable one. */
        READABLE_AFTER_WRITABLE,
        /** The chain's total length is over the device's cap. */
        CHAIN_TOO_LARGE,
        /** An indirect descriptor although VIRTIO_F_INDIRECT_DESC was not negotiated. */
        INDIRECT_NOT_NEGOTIATED,
        /** An indirect table of length 0, not a multiple of 16, too long, or with F_NEXT set. */
        BAD_INDIRECT_TABLE,
        /** An indirect descriptor inside an indirect table. */
        NESTED_INDIRECT,
        /** avail.idx moved by more than the queue size, or backwards (the queue breaks). */
        AVAIL_INDEX_JUMP,
        /** An avail entry names a head the device still holds (the queue breaks). */
        HEAD_ALREADY_IN_FLIGHT,
        /** A used element names a head that is out of range or not outstanding (the queue breaks). */
        USED_ID_NOT_OUTSTANDING,
        /** used.idx moved by more than the queue size, or backwards (the queue breaks). */
        USED_INDEX_JUMP,
        /** Not enough free descriptors for the chain. */
        QUEUE_FULL,
        /** The queue was broken by an earlier fault and needs a reset. */
        BROKEN,
        /** The device tried to complete a head it does not hold. */
        NOT_IN_FLIGHT,
        /** A descriptor's buffer overlaps one of the queue's own rings (HARDENING rule 7). */
        BUFFER_OVERLAPS_RING
    }

    private final Reason reason;
    private final int head;

    public VirtqueueException(Reason reason, int head, String message) {
        super(message);
        this.reason = reason;
        this.head = head;
    }

    public Reason reason() {
        return reason;
    }

    /** The chain's head descriptor index, or -1 when the fault is not about one chain. */
    public int head() {
        return head;
    }
}
