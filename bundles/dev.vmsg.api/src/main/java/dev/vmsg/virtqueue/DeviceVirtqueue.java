package dev.vmsg.virtqueue;

import dev.vmsg.memory.DmaWindow;
import dev.vmsg.virtqueue.VirtqueueException.Reason;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.Objects;

/**
 * The device half of a split virtqueue: pops validated chains from the avail ring, publishes
 * completions to the used ring and decides when the driver needs EVENT_USED.
 *
 * <p>The driver is untrusted. Every descriptor and ring index is read once into private memory and
 * only the copy is checked and used (HARDENING rule 1); every walk is bounded (rule 3). A fault in
 * one chain rejects only that chain: it is returned to the driver as used with length 0 (rule 5),
 * counted in {@link #rejectedChains()}, and {@link #pop()} throws a {@link VirtqueueException}
 * naming it. A fault in the ring indices themselves (avail.idx jumps, a head out of range or
 * already in flight) breaks the queue: it stops processing until the device is reset.
 *
 * <p>Not thread-safe: one device thread at a time may use a queue and the chains it pops.
 */
public final class DeviceVirtqueue {
    private final DmaWindow window;
    private final int index;
    private final int size;
    private final int mask;
    private final long desc;
    private final long avail;
    private final long used;
    private final long descOff;
    private final long availOff;
    private final long usedOff;
    private final boolean eventIdx;
    private final boolean indirect;
    private final long maxChainBytes;

    /** Writable totals of in-flight heads, or -1 when the head is not in flight. */
    private final long[] inFlightWritable;
    private int inFlight;
    private int lastAvail;
    private int lastSeenAvailIdx;
    private int nextUsed;
    private int lastSignalledUsed;
    /** The device's own copy of used.flags: the driver may scribble on the ring's, so it is never read back. */
    private int usedFlags;
    private boolean notificationsEnabled = true;
    private boolean broken;
    private long rejectedChains;
    private long completedChains;

    /**
     * @param window        the DMA window all rings and buffers must lie in
     * @param index         the queue index, for messages
     * @param size          the queue size the driver set (power of two, 1..32768)
     * @param addrs         ring bus addresses from SET_VQUEUE
     * @param eventIdx      whether VIRTIO_F_EVENT_IDX was negotiated
     * @param indirect      whether VIRTIO_F_INDIRECT_DESC was negotiated
     * @param maxChainBytes the cap on one chain's total length (readable + writable)
     * @throws VirtqueueException BAD_SIZE, MISALIGNED, OUT_OF_WINDOW or RINGS_OVERLAP
     */
    public DeviceVirtqueue(DmaWindow window, int index, int size, VirtqueueAddresses addrs, boolean eventIdx,
            boolean indirect, long maxChainBytes) {
        this.window = Objects.requireNonNull(window, "window");
        Objects.requireNonNull(addrs, "addrs");
        if (maxChainBytes <= 0) {
            throw new IllegalArgumentException("maxChainBytes must be > 0, got " + maxChainBytes);
        }
        SplitRing.validate(window, index, size, addrs);
        this.index = index;
        this.size = size;
        this.mask = size - 1;
        this.desc = addrs.descriptorAddr();
        this.avail = addrs.driverAddr();
        this.used = addrs.deviceAddr();
        this.descOff = desc - window.base();
        this.availOff = avail - window.base();
        this.usedOff = used - window.base();
        this.eventIdx = eventIdx;
        this.indirect = indirect;
        this.maxChainBytes = maxChainBytes;
        this.inFlightWritable = new long[size];
        java.util.Arrays.fill(inFlightWritable, -1);
    }

    public int index() {
        return index;
    }

    public int size() {
        return size;
    }

    /** Whether the driver has made chains available that were not popped yet (false once broken). */
    public boolean hasAvailable() {
        if (broken) {
            return false;
        }
        int availIdx = window.getShortAcquire(avail + SplitRing.OFFSET_IDX) & 0xFFFF;
        return availIdx != lastAvail;
    }

    /**
     * The driver's avail.idx as it reads now (or -1 once broken): a device thread that polls the
     * ring compares it with the value it last saw to learn that new chains arrived, without popping
     * chains its backend is keeping for later (a console's receive buffers, for example).
     */
    public int availIndex() {
        if (broken) {
            return -1;
        }
        return window.getShortAcquire(avail + SplitRing.OFFSET_IDX) & 0xFFFF;
    }

    /**
     * Pops the next available chain.
     *
     * @return the validated chain, or null when nothing is available
     * @throws VirtqueueException for a bad chain (returned to the driver with length 0; the queue
     *                            stays usable) or a broken queue ({@link #isBroken()} is then true)
     */
    public DescriptorChain pop() {
        if (broken) {
            throw new VirtqueueException(Reason.BROKEN, -1, what() + " is broken and needs a device reset");
        }
        int availIdx = window.getShortAcquire(avail + SplitRing.OFFSET_IDX) & 0xFFFF;
        int pending = (availIdx - lastAvail) & 0xFFFF;
        if (pending > size || ((availIdx - lastSeenAvailIdx) & 0xFFFF) > size) {
            throw breakQueue(Reason.AVAIL_INDEX_JUMP, -1, "avail.idx " + availIdx + " is not within "
                    + size + " after last seen " + lastSeenAvailIdx + " (next to pop " + lastAvail + ")");
        }
        lastSeenAvailIdx = availIdx;
        if (pending == 0) {
            return null;
        }
        int head = window.getShort(avail + SplitRing.OFFSET_RING + 2L * (lastAvail & mask)) & 0xFFFF;
        if (head >= size) {
            throw breakQueue(Reason.HEAD_OUT_OF_RANGE, -1, "avail ring entry " + lastAvail + " names head "
                    + head + " >= size " + size);
        }
        if (inFlightWritable[head] >= 0) {
            throw breakQueue(Reason.HEAD_ALREADY_IN_FLIGHT, head, "avail ring entry " + lastAvail
                    + " names head " + head + " which is already in flight");
        }
        lastAvail = (lastAvail + 1) & 0xFFFF;
        if (eventIdx) {
            window.putShortRelease(used + SplitRing.availEventOffset(size),
                    (short) (notificationsEnabled ? lastAvail : lastAvail + SplitRing.EVENT_PARKED));
        }
        return walk(head);
    }

    private DescriptorChain walk(int head) {
        ArrayList<Descriptor> list = new ArrayList<>(4);
        long table = desc;
        int tableSize = size;
        boolean inIndirect = false;
        int visited = 0;
        int i = head;
        long readable = 0;
        long writable = 0;
        boolean seenWritable = false;
        while (true) {
            if (visited >= tableSize) {
                return reject(head, Reason.DESCRIPTOR_LOOP, "chain visits more than " + tableSize
                        + (inIndirect ? " descriptors of its indirect table" : " descriptors"));
            }
            visited++;
            long at = table + (long) VirtqDesc.SIZE * i;
            // Read once: every field is copied, then only the copy is checked and used.
            Descriptor d = new Descriptor(window.getLong(at + VirtqDesc.OFFSET_ADDR),
                    window.getInt(at + VirtqDesc.OFFSET_LEN),
                    window.getShort(at + VirtqDesc.OFFSET_FLAGS) & 0xFFFF,
                    window.getShort(at + VirtqDesc.OFFSET_NEXT) & 0xFFFF);
            long len = d.lengthUnsigned();
            if (d.isIndirect()) {
                if (!indirect) {
                    return reject(head, Reason.INDIRECT_NOT_NEGOTIATED, "descriptor " + i
                            + " is indirect but VIRTIO_F_INDIRECT_DESC was not negotiated");
                }
                if (inIndirect) {
                    return reject(head, Reason.NESTED_INDIRECT, "indirect table holds indirect descriptor " + i);
                }
                if (d.hasNext() || len == 0 || len % VirtqDesc.SIZE != 0 || len / VirtqDesc.SIZE > size) {
                    return reject(head, Reason.BAD_INDIRECT_TABLE, "descriptor " + i + " has an indirect table of "
                            + len + " bytes" + (d.hasNext() ? " and F_NEXT" : "") + " (need a multiple of 16, 16.."
                            + 16L * size + ", no F_NEXT)");
                }
                if (!window.contains(d.address(), len)) {
                    return reject(head, Reason.DESCRIPTOR_OUT_OF_WINDOW, "indirect table [0x"
                            + Long.toHexString(d.address()) + ", +0x" + Long.toHexString(len) + ") is outside " + window);
                }
                table = d.address();
                tableSize = (int) (len / VirtqDesc.SIZE);
                inIndirect = true;
                visited = 0;
                i = 0;
                continue;
            }
            // The cap comes first, so an absurd length is reported as what it is.
            if (len > maxChainBytes - (readable + writable)) {
                return reject(head, Reason.CHAIN_TOO_LARGE, "chain holds more than " + maxChainBytes
                        + " bytes (descriptor " + i + " adds " + len + ")");
            }
            if (!window.contains(d.address(), len)) {
                return reject(head, Reason.DESCRIPTOR_OUT_OF_WINDOW, "descriptor " + i + " [0x"
                        + Long.toHexString(d.address()) + ", +0x" + Long.toHexString(len) + ") is outside " + window);
            }
            if (len != 0 && overlapsRing(d.address() - window.base(), len)) {
                return reject(head, Reason.BUFFER_OVERLAPS_RING, "descriptor " + i + " [0x"
                        + Long.toHexString(d.address()) + ", +0x" + Long.toHexString(len) + ") overlaps a ring of the queue");
            }
            if (d.isWritable()) {
                seenWritable = true;
                writable += len;
            } else if (seenWritable) {
                return reject(head, Reason.READABLE_AFTER_WRITABLE, "descriptor " + i
                        + " is device-readable after a device-writable one");
            } else {
                readable += len;
            }
            list.add(d);
            if (!d.hasNext()) {
                break;
            }
            i = d.next();
            if (i >= tableSize) {
                return reject(head, Reason.NEXT_OUT_OF_RANGE, "descriptor next " + i + " >= table size " + tableSize);
            }
        }
        inFlightWritable[head] = writable;
        inFlight++;
        return new DescriptorChain(window, head, list, readable, writable);
    }

    private boolean overlapsRing(long off, long len) {
        return SplitRing.overlaps(off, len, descOff, SplitRing.descriptorTableBytes(size))
                || SplitRing.overlaps(off, len, availOff, SplitRing.availRingBytes(size))
                || SplitRing.overlaps(off, len, usedOff, SplitRing.usedRingBytes(size));
    }

    /** Returns a bad chain to the driver with length 0 and throws its typed error. */
    private DescriptorChain reject(int head, Reason reason, String detail) {
        rejectedChains++;
        publishUsed(head, 0);
        throw new VirtqueueException(reason, head, what() + ": rejected chain at head " + head + ": " + detail
                + "; returned to the driver with length 0");
    }

    /**
     * Completes an in-flight chain: writes the used element, then release-stores used.idx.
     * {@code writtenLength} is an unsigned 32-bit count, clamped to the chain's writable length.
     * On a broken queue this only forgets the head: the rings are no longer trusted and the device
     * needs a reset.
     *
     * @throws VirtqueueException NOT_IN_FLIGHT if {@code head} is not in flight
     */
    public void pushUsed(int head, int writtenLength) {
        if (head < 0 || head >= size || inFlightWritable[head] < 0) {
            throw new VirtqueueException(Reason.NOT_IN_FLIGHT, head, what() + ": head " + head
                    + " is not in flight and cannot be completed");
        }
        long len = Math.min(Integer.toUnsignedLong(writtenLength), inFlightWritable[head]);
        inFlightWritable[head] = -1;
        inFlight--;
        if (!broken) {
            publishUsed(head, (int) len);
            completedChains++;
        }
    }

    private void publishUsed(int head, int len) {
        long elem = used + SplitRing.OFFSET_RING + (long) SplitRing.USED_ELEM_SIZE * (nextUsed & mask);
        window.putInt(elem, head);
        window.putInt(elem + 4, len);
        nextUsed = (nextUsed + 1) & 0xFFFF;
        window.putShortRelease(used + SplitRing.OFFSET_IDX, (short) nextUsed);
    }

    /**
     * Whether the device should send EVENT_USED for what it published since the last call
     * (virtio 1.x §2.7.10): with EVENT_IDX, whether used.idx crossed used_event; otherwise whether
     * the driver left NO_INTERRUPT clear. False on a broken queue.
     */
    public boolean needsNotification() {
        if (broken) {
            return false;
        }
        // The used.idx store must be visible before we read the driver's suppression state.
        VarHandle.fullFence();
        int oldIdx = lastSignalledUsed;
        lastSignalledUsed = nextUsed;
        return SplitRing.peerWantsNotification(window, eventIdx, avail + SplitRing.usedEventOffset(size),
                avail + SplitRing.OFFSET_FLAGS, SplitRing.AVAIL_F_NO_INTERRUPT, nextUsed, oldIdx);
    }

    /**
     * Asks the driver for EVENT_AVAIL again. Call {@link #hasAvailable()} afterwards: chains the
     * driver added just before this took effect did not cause a kick.
     */
    public void enableNotifications() {
        notificationsEnabled = true;
        if (broken) {
            return;
        }
        if (eventIdx) {
            window.putShortRelease(used + SplitRing.availEventOffset(size), (short) lastAvail);
        } else {
            usedFlags &= ~SplitRing.USED_F_NO_NOTIFY;
            window.putShortRelease(used + SplitRing.OFFSET_FLAGS, (short) usedFlags);
        }
        VarHandle.fullFence();
    }

    /**
     * Tells the driver it need not send EVENT_AVAIL (the device is polling). With EVENT_IDX this
     * parks avail_event half the index space ahead ({@link SplitRing#EVENT_PARKED}), where the
     * driver's avail.idx cannot cross it; each pop keeps it there.
     */
    public void disableNotifications() {
        notificationsEnabled = false;
        if (broken) {
            return;
        }
        if (eventIdx) {
            window.putShortRelease(used + SplitRing.availEventOffset(size), (short) (lastAvail + SplitRing.EVENT_PARKED));
            return;
        }
        usedFlags |= SplitRing.USED_F_NO_NOTIFY;
        window.putShortRelease(used + SplitRing.OFFSET_FLAGS, (short) usedFlags);
    }

    /** Whether the device currently asks for EVENT_AVAIL (false after {@link #disableNotifications()}). */
    public boolean notificationsEnabled() {
        return notificationsEnabled;
    }

    /** Whether a ring-index fault broke the queue; it then needs a device reset. */
    public boolean isBroken() {
        return broken;
    }

    /** Chains popped and not yet completed. */
    public int inFlight() {
        return inFlight;
    }

    /** Chains the device completed (pushed used), not counting rejected ones. */
    public long completedChains() {
        return completedChains;
    }

    /** Chains rejected for a per-chain fault and returned to the driver with length 0. */
    public long rejectedChains() {
        return rejectedChains;
    }

    private VirtqueueException breakQueue(Reason reason, int head, String detail) {
        broken = true;
        return new VirtqueueException(reason, head, what() + " broken: " + detail
                + "; the device needs a reset (DEVICE_NEEDS_RESET)");
    }

    private String what() {
        return "virtqueue " + index;
    }

    @Override
    public String toString() {
        return "DeviceVirtqueue[" + index + ", size " + size + ", last_avail " + lastAvail + ", used " + nextUsed
                + ", in flight " + inFlight + (broken ? ", broken" : "") + "]";
    }
}
