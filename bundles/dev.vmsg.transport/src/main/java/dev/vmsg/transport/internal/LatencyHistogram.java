package dev.vmsg.transport.internal;

import dev.vmsg.admin.LatencyStats;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAccumulator;
import java.util.concurrent.atomic.LongAdder;

/**
 * A fixed log-bucket latency histogram: no lock and no allocation per sample. Each power of two
 * of nanoseconds is split into {@value #SUB_BUCKETS} linear sub-buckets (the three bits under the
 * highest set bit), so a bucket spans at most 12.5 % of its lower bound; values below 8 ns get a
 * bucket each. A percentile reports the upper bound of its bucket, capped at the largest sample.
 */
final class LatencyHistogram {

    static final int SUB_BITS = 3;
    static final int SUB_BUCKETS = 1 << SUB_BITS;
    /** Buckets for every non-negative long: 8 exact ones, then 8 per power of two from 2^3 to 2^62. */
    static final int BUCKETS = SUB_BUCKETS + (63 - SUB_BITS) * SUB_BUCKETS;

    private final AtomicLongArray buckets = new AtomicLongArray(BUCKETS);
    private final LongAdder sum = new LongAdder();
    private final LongAccumulator max = new LongAccumulator(Math::max, 0);

    /** Records one sample; negative values count as 0. */
    void record(long nanos) {
        long v = Math.max(0, nanos);
        buckets.incrementAndGet(index(v));
        sum.add(v);
        max.accumulate(v);
    }

    static int index(long v) {
        if (v < SUB_BUCKETS) {
            return (int) v;
        }
        int exponent = 63 - Long.numberOfLeadingZeros(v); // >= SUB_BITS
        int sub = (int) (v >>> (exponent - SUB_BITS)) & (SUB_BUCKETS - 1);
        return SUB_BUCKETS + (exponent - SUB_BITS) * SUB_BUCKETS + sub;
    }

    /** The largest value that falls into bucket {@code index}. */
    static long upperBound(int index) {
        if (index < SUB_BUCKETS) {
            return index;
        }
        int exponent = (index - SUB_BUCKETS) / SUB_BUCKETS + SUB_BITS;
        int sub = (index - SUB_BUCKETS) % SUB_BUCKETS;
        long lower = (1L << exponent) + ((long) sub << (exponent - SUB_BITS));
        long width = 1L << (exponent - SUB_BITS);
        return lower + width - 1;
    }

    LatencyStats snapshot() {
        long[] copy = new long[BUCKETS];
        long n = 0;
        for (int i = 0; i < BUCKETS; i++) {
            copy[i] = buckets.get(i);
            n += copy[i];
        }
        if (n == 0) {
            return LatencyStats.EMPTY;
        }
        long top = max.get();
        return new LatencyStats(n, sum.sum() / n, percentile(copy, n, 0.50, top),
                percentile(copy, n, 0.99, top), top);
    }

    private static long percentile(long[] copy, long n, double q, long top) {
        long rank = Math.max(1, (long) Math.ceil(q * n));
        long seen = 0;
        for (int i = 0; i < copy.length; i++) {
            seen += copy[i];
            if (seen >= rank) {
                return Math.min(upperBound(i), top);
            }
        }
        return top;
    }
}
