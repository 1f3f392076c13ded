package dev.vmsg.bench;

import dev.vmsg.bus.loopback.internal.LoopbackBus;
import dev.vmsg.wire.WireProfile;
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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * B2, two threads, as the anchor is: the benchmark thread encodes a 48-byte SET_VQUEUE request
 * (REV1), sends it on the driver endpoint and busy-polls that endpoint ({@code openPolled} /
 * {@code poll}) until the response arrives, which it decodes; the device endpoint's delivery thread
 * decodes the request, dispatches it to {@link VqueueDevice}, encodes the response and sends it
 * back. Both threads spin; nothing parks. Compare with {@link AgronaRoundTripBenchmark} in the same
 * run.
 */
@State(Scope.Benchmark)
@BenchmarkMode({Mode.AverageTime, Mode.SampleTime})
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 5, jvmArgsAppend = {"-Xms1g", "-Xmx1g", "-XX:+AlwaysPreTouch",
    "--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED"})
public class PolledRoundTripBenchmark {

    static final int MAX_MESSAGE = 264;

    private LoopbackBus bus;
    private PolledRoundTrip loop;
    private long warnings;

    @Setup
    public void setup() {
        bus = LoopbackBus.create("bench", WireProfile.REV1, MAX_MESSAGE, 64 * 1024, w -> {
            warnings++;
            System.err.println(w);
        });
        loop = new PolledRoundTrip(bus, MAX_MESSAGE, false);
    }

    @TearDown
    public void tearDown() {
        bus.close();
        if (warnings != 0) {
            throw new IllegalStateException(warnings + " bus warnings");
        }
    }

    @Benchmark
    public long roundTrip() {
        return loop.roundTrip();
    }
}
