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
 * the emulated firmware), with an injected per-call firmware delay of 0, 1 and 5 us; the same loop
 * and the same two threads as {@link PolledRoundTripBenchmark} (B2). The benchmark thread encodes a
 * 48-byte SET_VQUEUE request (REV1) and sends it on the driver endpoint opened polled: send makes
 * the REQ2 call on the benchmark thread; inside it the device partition hands the frame to the
 * device endpoint's delivery thread ({@link DeviceResponder}), the benchmark thread spins until
 * the response comes back and REQ2 returns with it in RESP2; {@code poll} then hands the response
 * over on the benchmark thread. Two threads, one hand-off each way (both spinning), and two FF-A
 * calls' delay (REQ2 in, RESP2 out). With {@code deviceSide=polled} the device endpoint is opened
 * polled too, so the device responder runs inside the REQ2 on the benchmark thread: one thread, no
 * hand-off, the cost of the FF-A path itself (not the B6 shape; a floor that scheduling cannot
 * blur on a shared machine).
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

    /** thread: the device endpoint delivers on its own thread (B6, as B2); polled: inside the REQ2. */
    @Param({"thread"})
    public String deviceSide;

    private FfaBus bus;
    private PolledRoundTrip loop;
    private final AtomicLong warnings = new AtomicLong();

    @Setup
    public void setup() {
        bus = FfaBus.directMessaging("bench", delayNs, w -> {
            warnings.incrementAndGet(); // bus threads
            System.err.println(w);
        });
        boolean devicePolled = switch (deviceSide) {
            case "thread" -> false;
            case "polled" -> true;
            default -> throw new IllegalArgumentException("deviceSide " + deviceSide);
        };
        loop = new PolledRoundTrip(bus, MAX_MESSAGE, devicePolled);
    }

    @TearDown
    public void tearDown() {
        bus.close();
        if (warnings.get() != 0) {
            throw new IllegalStateException(warnings + " bus warnings");
        }
    }

    @Benchmark
    public long roundTrip() {
        return loop.roundTrip();
    }
}
