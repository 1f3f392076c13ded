package dev.vmsg.transport.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vmsg.admin.LatencyStats;
import org.junit.jupiter.api.Test;

class LatencyHistogramTest {

    @Test
    void bucketsCoverEveryValueInOrderAndSpanAtMostAnEighth() {
        long previousUpper = -1;
        for (int i = 0; i < LatencyHistogram.BUCKETS; i++) {
            long upper = LatencyHistogram.upperBound(i);
            long lower = previousUpper + 1;
            assertTrue(upper >= lower, "bucket " + i);
            assertEquals(i, LatencyHistogram.index(lower), "lower bound of bucket " + i);
            assertEquals(i, LatencyHistogram.index(upper), "upper bound of bucket " + i);
            if (lower >= 8) {
                assertTrue(upper - lower + 1 <= lower / 8, "bucket " + i + " [" + lower + ", " + upper + "] too wide");
            }
            previousUpper = upper;
        }
        assertEquals(Long.MAX_VALUE, previousUpper, "the last bucket ends at Long.MAX_VALUE");
    }

    @Test
    void emptyHistogramReadsAsEmpty() {
        assertEquals(LatencyStats.EMPTY, new LatencyHistogram().snapshot());
    }

    @Test
    void smallValuesAreExactAndNegativeOnesCountAsZero() {
        LatencyHistogram h = new LatencyHistogram();
        h.record(-5);
        h.record(3);
        h.record(3);
        h.record(7);
        LatencyStats s = h.snapshot();
        assertEquals(4, s.count());
        assertEquals(3, s.p50Nanos());
        assertEquals(7, s.p99Nanos());
        assertEquals(7, s.maxNanos());
        assertEquals(13 / 4, s.meanNanos());
    }

    @Test
    void percentilesLandWithinTheBucketErrorOfTheTrueValue() {
        LatencyHistogram h = new LatencyHistogram();
        // 1..10000 microseconds, each once: p50 is 5000 us, p99 9900 us
        for (long us = 1; us <= 10_000; us++) {
            h.record(us * 1000);
        }
        LatencyStats s = h.snapshot();
        assertEquals(10_000, s.count());
        assertEquals(10_000_000, s.maxNanos());
        assertEquals(5_000_500, s.meanNanos());
        assertTrue(s.p50Nanos() >= 5_000_000 && s.p50Nanos() <= 5_000_000 * 9 / 8, "p50 " + s.p50Nanos());
        assertTrue(s.p99Nanos() >= 9_900_000 && s.p99Nanos() <= 10_000_000, "p99 " + s.p99Nanos());
    }

    @Test
    void aSingleOutlierMovesP99OnlyWhenItIsMoreThanOnePercent() {
        LatencyHistogram h = new LatencyHistogram();
        for (int i = 0; i < 99; i++) {
            h.record(1_000);
        }
        h.record(1_000_000_000);
        LatencyStats s = h.snapshot();
        assertTrue(s.p99Nanos() < 1_200, "p99 " + s.p99Nanos());
        assertEquals(1_000_000_000, s.maxNanos());
        h.record(1_000_000_000);
        assertTrue(h.snapshot().p99Nanos() >= 1_000_000_000 * 7L / 8, "two outliers in 101 are above p99");
    }
}
