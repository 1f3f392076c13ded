package dev.vmsg.bench;

import dev.vmsg.bus.DeviceEndpoint;
import dev.vmsg.bus.DriverEndpoint;
import dev.vmsg.bus.FrameReceiver;
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
    private DriverEndpoint driver;
    private MessageCodec driverCodec;
    private ByteBuffer requestSlot;
    private Message request;
    private long sent;
    private long received;
    private long lastValue;
    private FrameReceiver onResponse;
    private long warnings;

    @Setup
    public void setup() {
        bus = LoopbackBus.create("bench", WireProfile.REV1, MAX_MESSAGE, 64 * 1024, w -> {
            warnings++;
            System.err.println(w);
        });
        driver = bus.driverEndpoint().get();
        DeviceEndpoint device = bus.deviceEndpoint().get();
        driverCodec = new MessageCodec(WireProfile.REV1, MAX_MESSAGE);
        requestSlot = ByteBuffer.allocateDirect(MAX_MESSAGE).order(ByteOrder.LITTLE_ENDIAN);
        request = new SetVqueueRequest(2, VqueueFlags.ENABLE, 128, 0x4000_6000L, 0x4000_7000L, 0x4000_8000L);
        device.open(new DeviceResponder(device, WireProfile.REV1, MAX_MESSAGE));
        onResponse = frame -> {
            Header h = driverCodec.readHeader(frame);
            Message r = driverCodec.readMessage(h, frame);
            lastValue = CodecDispatchBenchmark.digest(r) + h.token();
            received++;
        };
        driver.openPolled(onResponse);
        if (roundTrip() < 0) {
            throw new IllegalStateException("bad response");
        }
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
        long n = ++sent;
        ByteBuffer req = requestSlot;
        req.clear();
        driverCodec.encode(request, 1, (int) n & 0xFFFF, req);
        req.flip();
        driver.send(req);
        while (received != n) {
            if (driver.poll(1) == 0) {
                Thread.onSpinWait();
            }
        }
        return lastValue;
    }
}
