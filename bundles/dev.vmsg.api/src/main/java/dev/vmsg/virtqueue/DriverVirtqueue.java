package dev.vmsg.virtqueue;

import dev.vmsg.memory.DmaWindow;
import dev.vmsg.virtqueue.VirtqueueException.Reason;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The driver half of a split virtqueue: adds chains to the avail ring, decides when the device
 * needs EVENT_AVAIL and harvests completions from the used ring.
 *
 * <p>The device is untrusted too (HARDENING rule 6): descriptor metadata, the free list and the
 * posted lengths live in private memory and are never read back from the window. A used element
 * must name an outstanding head, and its length is clamped to what was posted. A used ring that
 * breaks these rules breaks the queue; the owner should then reset the device and fail the
 * outstanding requests with {@link #detachOutstanding()}.
 *
 * <p>Not thread-safe: the caller serialises all access to one queue.
 */
public final class DriverVirtqueue {
    /** A completed chain: the cookie given to {@link #add}, its head and the clamped used length. */
    public record Completion(Object cookie, int head, int length) {
    }

    private final DmaWindow window;
    private final int index;
    private final int size;
    private final int mask;
    private final VirtqueueAddresses addresses;
    private final long desc;
    private final long avail;
    private final long used;
    private final long descOff;
    private final long availOff;
    private final long usedOff;
    private final boolean eventIdx;

    /** Private links: next in chain for posted descriptors, next free for free ones. */
    private final int[] links;
    /** Per head: the caller's cookie, or null when the head is not outstanding. */
    private final Object[] cookies;
    /** Per head: descriptors in the chain. */
    private final int[] chainLength;
    /** Per head: total writable bytes posted. */
    private final long[] postedWritable;
    private int freeHead;
    private int numFree;
    private int availIdx;
    private int lastKickAvail;
    private int lastUsed;
    private int availFlags;
    private boolean callbacksEnabled = true;
    private boolean broken;

    /** Bytes needed for the three rings laid out back to back (see {@link SplitRing#contiguousLayout}). */
    public static long ringBytes(int size) {
        return SplitRing.contiguousBytes(size);
    }

    /**
     * Validates the layout, then zeroes and initialises the three rings in the window.
     *
     * @throws VirtqueueException BAD_SIZE, MISALIGNED, OUT_OF_WINDOW or RINGS_OVERLAP
     */
    public DriverVirtqueue(DmaWindow window, int index, int size, VirtqueueAddresses addrs, boolean eventIdx) {
        this.window = Objects.requireNonNull(window, "window");
        this.addresses = Objects.requireNonNull(addrs, "addrs");
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
        this.links = new int[size];
        this.cookies = new Object[size];
        this.chainLength = new int[size];
        this.postedWritable = new long[size];
        window.fill(desc, SplitRing.descriptorTableBytes(size), (byte) 0);
        window.fill(avail, SplitRing.availRingBytes(size), (byte) 0);
        window.fill(used, SplitRing.usedRingBytes(size), (byte) 0);
        resetFreeList();
        VarHandle.fullFence();
    }

    private void resetFreeList() {
        for (int i = 0; i < size; i++) {
            links[i] = i + 1;
            cookies[i] = null;
        }
        freeHead = 0;
        numFree = size;
    }

    public int index() {
        return index;
    }

    public int size() {
        return size;
    }

    public VirtqueueAddresses addresses() {
        return addresses;
    }

    public int freeDescriptors() {
        return numFree;
    }

    /** Whether the device broke the used ring; the device then needs a reset. */
    public boolean isBroken() {
        return broken;
    }

    /** Chains added and not yet completed or detached. */
    public int outstanding() {
        int n = 0;
        for (Object c : cookies) {
            if (c != null) {
                n++;
            }
        }
        return n;
    }

    /**
     * Posts one chain: the readable segments, then the writable ones. Writes the descriptors and
     * the avail entry, then release-stores avail.idx. Nothing is written if any check fails.
     *
     * @param readable device-readable segments (may be null or empty)
     * @param writable device-writable segments (may be null or empty)
     * @param cookie   returned with the completion; not null
     * @return the head descriptor index
     * @throws VirtqueueException QUEUE_FULL, BROKEN, or BUFFER_OVERLAPS_RING
     * @throws dev.vmsg.memory.DmaAccessException if a segment is not wholly inside the window
     */
    public int add(BufferSegment[] readable, BufferSegment[] writable, Object cookie) {
        Objects.requireNonNull(cookie, "cookie");
        int nr = readable == null ? 0 : readable.length;
        int nw = writable == null ? 0 : writable.length;
        int total = nr + nw;
        if (total == 0) {
            throw new IllegalArgumentException("a chain needs at least one segment");
        }
        if (broken) {
            throw new VirtqueueException(Reason.BROKEN, -1, what() + " is broken and needs a device reset");
        }
        if (total > numFree) {
            throw new VirtqueueException(Reason.QUEUE_FULL, -1, what() + ": chain of " + total
                    + " descriptors does not fit, " + numFree + " free of " + size);
        }
        long writableTotal = 0;
        for (int k = 0; k < total; k++) {
            BufferSegment s = k < nr ? readable[k] : writable[k - nr];
            checkSegment(s);
            if (k >= nr) {
                writableTotal += s.length();
            }
        }
        int head = freeHead;
        int cur = head;
        int last = head;
        for (int k = 0; k < total; k++) {
            BufferSegment s = k < nr ? readable[k] : writable[k - nr];
            boolean more = k + 1 < total;
            int flags = (k >= nr ? VirtqDesc.F_WRITE : 0) | (more ? VirtqDesc.F_NEXT : 0);
            long at = desc + (long) VirtqDesc.SIZE * cur;
            window.putLong(at + VirtqDesc.OFFSET_ADDR, s.address());
            window.putInt(at + VirtqDesc.OFFSET_LEN, s.length());
            window.putShort(at + VirtqDesc.OFFSET_FLAGS, (short) flags);
            window.putShort(at + VirtqDesc.OFFSET_NEXT, (short) (more ? links[cur] : 0));
            last = cur;
            cur = links[cur];
        }
        freeHead = cur;
        links[last] = size; // private end-of-chain marker
        numFree -= total;
        cookies[head] = cookie;
        chainLength[head] = total;
        postedWritable[head] = writableTotal;
        window.putShort(avail + SplitRing.OFFSET_RING + 2L * (availIdx & mask), (short) head);
        availIdx = (availIdx + 1) & 0xFFFF;
        // Release: the descriptors and the ring entry are visible before the new index.
        window.putShortRelease(avail + SplitRing.OFFSET_IDX, (short) availIdx);
        return head;
    }

    private void checkSegment(BufferSegment s) {
        Objects.requireNonNull(s, "segment");
        if (s.length() < 0) {
            throw new IllegalArgumentException("segment length " + s.length() + " is negative");
        }
        window.checkRange(s.address(), s.length());
        long off = s.address() - window.base();
        if (s.length() != 0 && (SplitRing.overlaps(off, s.length(), descOff, SplitRing.descriptorTableBytes(size))
                || SplitRing.overlaps(off, s.length(), availOff, SplitRing.availRingBytes(size))
                || SplitRing.overlaps(off, s.length(), usedOff, SplitRing.usedRingBytes(size)))) {
            throw new VirtqueueException(Reason.BUFFER_OVERLAPS_RING, -1, what() + ": segment [0x"
                    + Long.toHexString(s.address()) + ", +0x" + Integer.toHexString(s.length())
                    + ") overlaps a ring of the queue");
        }
    }

    /**
     * Whether the device wants EVENT_AVAIL for what was added since the last call: with EVENT_IDX
     * whether avail.idx crossed avail_event, otherwise whether the device left NO_NOTIFY clear.
     */
    public boolean kickNeeded() {
        if (broken) {
            return false;
        }
        // The avail.idx store must be visible before we read the device's suppression state.
        VarHandle.fullFence();
        int oldIdx = lastKickAvail;
        lastKickAvail = availIdx;
        return SplitRing.peerWantsNotification(window, eventIdx, used + SplitRing.availEventOffset(size),
                used + SplitRing.OFFSET_FLAGS, SplitRing.USED_F_NO_NOTIFY, availIdx, oldIdx);
    }

    /** Whether the used ring holds completions not yet polled (false once broken). */
    public boolean hasUsed() {
        if (broken) {
            return false;
        }
        return (window.getShortAcquire(used + SplitRing.OFFSET_IDX) & 0xFFFF) != lastUsed;
    }

    /**
     * Harvests the next completion and frees its descriptors.
     *
     * @return the completion, or null when the used ring holds nothing new
     * @throws VirtqueueException USED_INDEX_JUMP or USED_ID_NOT_OUTSTANDING (the queue breaks), or
     *                            BROKEN once broken
     */
    public Completion poll() {
        if (broken) {
            throw new VirtqueueException(Reason.BROKEN, -1, what() + " is broken and needs a device reset");
        }
        int usedIdx = window.getShortAcquire(used + SplitRing.OFFSET_IDX) & 0xFFFF;
        int pending = (usedIdx - lastUsed) & 0xFFFF;
        if (pending == 0) {
            return null;
        }
        if (pending > size) {
            throw breakQueue(Reason.USED_INDEX_JUMP, -1, "used.idx " + usedIdx + " is more than " + size
                    + " ahead of " + lastUsed);
        }
        long elem = used + SplitRing.OFFSET_RING + (long) SplitRing.USED_ELEM_SIZE * (lastUsed & mask);
        int id = window.getInt(elem);
        int rawLen = window.getInt(elem + 4);
        if (id < 0 || id >= size || cookies[id] == null) {
            throw breakQueue(Reason.USED_ID_NOT_OUTSTANDING, id >= 0 && id < size ? id : -1, "used element "
                    + lastUsed + " names id " + Integer.toUnsignedString(id) + " which is "
                    + (id < 0 || id >= size ? "out of range" : "not outstanding (double completion?)"));
        }
        long len = Math.min(Integer.toUnsignedLong(rawLen), postedWritable[id]);
        Object cookie = cookies[id];
        freeChain(id);
        lastUsed = (lastUsed + 1) & 0xFFFF;
        if (eventIdx) {
            if (callbacksEnabled) {
                window.putShortRelease(avail + SplitRing.usedEventOffset(size), (short) lastUsed);
                VarHandle.fullFence();
            } else {
                window.putShortRelease(avail + SplitRing.usedEventOffset(size),
                        (short) (lastUsed + SplitRing.EVENT_PARKED));
            }
        }
        return new Completion(cookie, id, (int) Math.min(len, Integer.MAX_VALUE));
    }

    private void freeChain(int head) {
        int last = head;
        for (int k = 1; k < chainLength[head]; k++) {
            last = links[last];
        }
        links[last] = freeHead;
        freeHead = head;
        numFree += chainLength[head];
        cookies[head] = null;
        chainLength[head] = 0;
        postedWritable[head] = 0;
    }

    /**
     * Asks the device for EVENT_USED again. Call {@link #hasUsed()} afterwards: completions the
     * device published just before this took effect did not cause an event.
     */
    public void enableCallbacks() {
        callbacksEnabled = true;
        if (broken) {
            return;
        }
        if (eventIdx) {
            window.putShortRelease(avail + SplitRing.usedEventOffset(size), (short) lastUsed);
        } else {
            availFlags &= ~SplitRing.AVAIL_F_NO_INTERRUPT;
            window.putShortRelease(avail + SplitRing.OFFSET_FLAGS, (short) availFlags);
        }
        VarHandle.fullFence();
    }

    /**
     * Tells the device it need not send EVENT_USED (the driver is polling). With EVENT_IDX this parks
     * used_event half the index space ahead ({@link SplitRing#EVENT_PARKED}); each poll keeps it there.
     */
    public void disableCallbacks() {
        callbacksEnabled = false;
        if (broken) {
            return;
        }
        if (eventIdx) {
            window.putShortRelease(avail + SplitRing.usedEventOffset(size), (short) (lastUsed + SplitRing.EVENT_PARKED));
            return;
        }
        availFlags |= SplitRing.AVAIL_F_NO_INTERRUPT;
        window.putShortRelease(avail + SplitRing.OFFSET_FLAGS, (short) availFlags);
    }

    /**
     * Removes every outstanding chain and returns their cookies, so that the owner can fail each
     * exactly once (after a reset). The queue is then empty; its rings are not touched.
     */
    public List<Object> detachOutstanding() {
        List<Object> out = new ArrayList<>();
        for (int i = 0; i < size; i++) {
            if (cookies[i] != null) {
                out.add(cookies[i]);
            }
        }
        resetFreeList();
        return out;
    }

    private VirtqueueException breakQueue(Reason reason, int head, String detail) {
        broken = true;
        return new VirtqueueException(reason, head, what() + " broken by the device: " + detail
                + "; reset the device");
    }

    private String what() {
        return "virtqueue " + index;
    }

    @Override
    public String toString() {
        return "DriverVirtqueue[" + index + ", size " + size + ", avail " + availIdx + ", last used " + lastUsed
                + ", free " + numFree + (broken ? ", broken" : "") + "]";
    }
}
