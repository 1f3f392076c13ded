package dev.vmsg.transport.internal;

import dev.vmsg.admin.TraceRecord;
import dev.vmsg.wire.Header;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * The message trace of one bus: a bounded ring of the last {@code capacity} messages either side
 * of the bus sent or received, each with its wall-clock time, raw frame, header and decoded form.
 * Lock-free: a writer claims a sequence number and stores its record in slot {@code seq % capacity},
 * overwriting the oldest. The transport holds it in one volatile field that is null while the
 * trace is off, so the message path pays one read and a null check when tracing is off.
 */
final class MessageTrace {

    static final int MAX_CAPACITY = 1 << 20;

    private final AtomicReferenceArray<TraceRecord> ring;
    private final AtomicLong next = new AtomicLong();
    private final String profile;
    private final long epochNanosAtStart;
    private final long nanoTimeAtStart;

    MessageTrace(int capacity, String profile) {
        if (capacity < 1 || capacity > MAX_CAPACITY) {
            throw new IllegalArgumentException("trace capacity " + capacity + " outside 1.." + MAX_CAPACITY);
        }
        this.ring = new AtomicReferenceArray<>(capacity);
        this.profile = profile;
        this.epochNanosAtStart = System.currentTimeMillis() * 1_000_000L;
        this.nanoTimeAtStart = System.nanoTime();
    }

    int capacity() {
        return ring.length();
    }

    /**
     * Records one frame.
     *
     * @param frame the frame, position to limit (not consumed)
     * @param header its header, or null when it could not be read
     * @param decoded the decoded message or what was wrong with the frame
     */
    void record(String side, boolean outbound, ByteBuffer frame, Header header, String decoded) {
        ByteBuffer src = frame.duplicate();
        byte[] bytes = new byte[src.remaining()];
        src.get(bytes);
        long time = epochNanosAtStart + (System.nanoTime() - nanoTimeAtStart);
        long seq = next.getAndIncrement();
        ring.set((int) (seq % ring.length()), new TraceRecord(seq, time, side, outbound, profile, header, decoded,
                bytes));
    }

    /** Messages recorded so far, including those overwritten. */
    long recorded() {
        return next.get();
    }

    /** The last {@code max} records still in the ring, oldest first. */
    List<TraceRecord> last(int max) {
        long end = next.get();
        long start = Math.max(0, Math.max(end - ring.length(), end - Math.max(0, max)));
        List<TraceRecord> out = new ArrayList<>();
        for (long s = start; s < end; s++) {
            TraceRecord r = ring.get((int) (s % ring.length()));
            // A writer may have claimed s but not stored yet, or already lapped it: keep only s itself.
            if (r != null && r.sequence() == s) {
                out.add(r);
            }
        }
        return out;
    }
}
