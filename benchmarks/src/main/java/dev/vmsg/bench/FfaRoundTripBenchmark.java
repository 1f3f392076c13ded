package dev.vmsg.bench;

import dev.vmsg.bus.ffa.internal.FfaBus;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * B6: request/response over the FF-A bus with direct messaging (FFA_MSG_SEND_DIRECT_REQ2/RESP2 on
 * the emulated firmware), with an injected per-call firmware delay of 0, 1 and 5 us. The benchmark
 * thread sends a 48-byte SET_VQUEUE request (REV1) on the driver endpoint; the driver partition's
 * worker thread makes the REQ2 call, in which the device partition hands the frame to the device
 * endpoint's delivery thread ({@link DeviceResponder}) and waits for its response; the worker then
 * delivers the response, which the benchmark thread spins on. Three threads, two queue hand-offs
 * per round trip, and two FF-A calls' delay (REQ2 in, RESP2 out).
 */
@State(Scope.Benchmark)
@BenchmarkMode({Mode.AverageTime, Mode.SampleTime})
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 5, jvmArgsAppend = {"-Xms1g", "-Xmx1g", "-XX:+AlwaysPreTouch",
    "--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED"})
public class FfaRoundTripBenchmark {

    static final int MAX_MESSAGE = 104;

    @Param({"0", "1000", "5000"})
    public long delayNs;

    private FfaBus bus;
    private AsyncRoundTrip loop;
    private final AtomicLong warnings = new AtomicLong();

    @Setup
    public void setup() {
        bus = FfaBus.directMessaging("bench", delayNs, w -> {
            warnings.incrementAndGet();
            System.err.println(w);
        });
        loop = new AsyncRoundTrip(bus, MAX_MESSAGE);
    }

    @TearDown
    public void tearDown() {
        bus.close();
        if (warnings.get() != 0) {
            throw new IllegalStateException(warnings.get() + " bus warnings");
        }
    }

    @Benchmark
    public long roundTrip() {
        return loop.roundTrip();
    }
}
