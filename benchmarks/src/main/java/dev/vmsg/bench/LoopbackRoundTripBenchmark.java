package dev.vmsg.bench;

import dev.vmsg.bus.loopback.internal.LoopbackBus;
import dev.vmsg.wire.WireProfile;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
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
 * B2: request/response over the loopback bus, busy-poll, as the current API allows it: THREE threads. The benchmark
 * thread encodes a 48-byte SET_VQUEUE request (REV1) and sends it on the driver endpoint; the device endpoint's delivery
 * thread decodes it, dispatches it to {@link VqueueDevice}, encodes the 8-byte response and sends it back; the driver
 * endpoint's delivery thread decodes the response and publishes completion through an {@link AtomicLong} the benchmark
 * thread spins on. All three spin (the delivery threads spin 20,000 rounds before parking, and never get that far
 * here), so on a 2-vCPU machine one of the three is always descheduled: this is not the 2-thread figure the anchor is.
 * See {@link SelfClockedRoundTripBenchmark} for the 2-spinning-thread variant.
 */
@State(Scope.Benchmark)
@BenchmarkMode({Mode.AverageTime, Mode.SampleTime})
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 5, jvmArgsAppend = {"-Xms1g", "-Xmx1g", "-XX:+AlwaysPreTouch",
    "--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED"})
public class LoopbackRoundTripBenchmark {

    static final int MAX_MESSAGE = 264;

    private LoopbackBus bus;
    private AsyncRoundTrip loop;
    private final AtomicLong warnings = new AtomicLong();

    @Setup
    public void setup() {
        bus = LoopbackBus.create("bench", WireProfile.REV1, MAX_MESSAGE, 64 * 1024, w -> {
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
