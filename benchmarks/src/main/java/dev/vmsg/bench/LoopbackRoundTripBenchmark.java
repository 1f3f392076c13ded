package dev.vmsg.bench;

import dev.vmsg.bus.DeviceEndpoint;
import dev.vmsg.bus.DriverEndpoint;
import dev.vmsg.bus.loopback.internal.LoopbackBus;
import dev.vmsg.wire.Header;
import dev.vmsg.wire.Message;
import dev.vmsg.wire.MessageCodec;
import dev.vmsg.wire.SetVqueueRequest;
import dev.vmsg.wire.VqueueFlags;
import dev.vmsg.wire.WireProfile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
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
    private DriverEndpoint driver;
    private MessageCodec driverCodec;
    private ByteBuffer requestSlot;
    private Message request;
    private final AtomicLong completions = new AtomicLong();
    private volatile long lastValue;
    private long sent;
    private final AtomicLong warnings = new AtomicLong();

    @Setup
    public void setup() {
        bus = LoopbackBus.create("bench", WireProfile.REV1, MAX_MESSAGE, 64 * 1024, w -> {
            warnings.incrementAndGet();
            System.err.println(w);
        });
        driver = bus.driverEndpoint().get();
        DeviceEndpoint device = bus.deviceEndpoint().get();
        driverCodec = new MessageCodec(WireProfile.REV1, MAX_MESSAGE);
        requestSlot = ByteBuffer.allocateDirect(MAX_MESSAGE).order(ByteOrder.LITTLE_ENDIAN);
        request = new SetVqueueRequest(2, VqueueFlags.ENABLE, 128, 0x4000_6000L, 0x4000_7000L, 0x4000_8000L);

        device.open(new DeviceResponder(device, WireProfile.REV1, MAX_MESSAGE));
        MessageCodec completionCodec = new MessageCodec(WireProfile.REV1, MAX_MESSAGE);
        driver.open(frame -> {
            Header h = completionCodec.readHeader(frame);
            Message r = completionCodec.readMessage(h, frame);
            lastValue = CodecDispatchBenchmark.digest(r) + h.token();
            completions.lazySet(completions.get() + 1); // single writer: this delivery thread
        });
        // one round trip to make sure the path works
        if (roundTrip() < 0) {
            throw new IllegalStateException("bad response");
        }
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
        long n = ++sent;
        ByteBuffer req = requestSlot;
        req.clear();
        driverCodec.encode(request, 1, (int) n & 0xFFFF, req);
        req.flip();
        driver.send(req);
        while (completions.get() != n) {
            Thread.onSpinWait();
        }
        return lastValue;
    }
}
