package dev.vmsg.admin;

/**
 * A latency distribution from a fixed log-bucket histogram: each power of two is split into 8
 * buckets, so a percentile is exact to within 12.5 % (the upper bound of its bucket is reported,
 * capped at the largest value seen).
 *
 * @param count samples recorded
 * @param meanNanos mean, exact (sum / count), 0 when empty
 * @param p50Nanos median, 0 when empty
 * @param p99Nanos 99th percentile, 0 when empty
 * @param maxNanos largest sample, exact, 0 when empty
 * @since 1.1
 */
public record LatencyStats(long count, long meanNanos, long p50Nanos, long p99Nanos, long maxNanos) {

    public static final LatencyStats EMPTY = new LatencyStats(0, 0, 0, 0, 0);
}
