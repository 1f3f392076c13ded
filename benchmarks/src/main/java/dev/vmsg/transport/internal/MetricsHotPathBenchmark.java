package dev.vmsg.transport.internal;

import dev.vmsg.wire.MessageIds;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What the admin metrics add to each message (docs/ADMIN.md): {@code countMessage} is the
 * {@link SideMetrics} hook of one request and its response on one device (the transport also
 * counts them in {@link MessageCounters}, as before); {@code recordLatency} one sample into the
 * log-bucket histogram. Run with {@code -t 2} to see two threads sharing one side's meters, and
 * with {@code -prof gc} to check that nothing is allocated.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 3, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
public class MetricsHotPathBenchmark {

    private SideMetrics metrics;
    private LatencyHistogram histogram;
    private long sample;

    @Setup
    public void setUp() {
        metrics = new SideMetrics();
        metrics.device(3); // the device's meter exists once it carried its first message
        histogram = new LatencyHistogram();
    }

    @Benchmark
    public void countMessage() {
        metrics.sent(false, 3, MessageIds.GET_CONFIG, false, 24);
        metrics.received(false, 3, MessageIds.GET_CONFIG, true, 40);
    }

    @Benchmark
    public void recordLatency() {
        long v = sample = (sample * 6364136223846793005L + 1442695040888963407L);
        histogram.record((v >>> 40) & 0xFFFFF); // 0..1 ms, spread over the buckets
    }
}
