package dev.vmsg.bench;

import dev.vmsg.wire.GetVqueueRequest;
import dev.vmsg.wire.GetVqueueResponse;
import dev.vmsg.wire.Header;
import dev.vmsg.wire.Message;
import dev.vmsg.wire.MessageCodec;
import dev.vmsg.wire.SetVqueueRequest;
import dev.vmsg.wire.SetVqueueResponse;
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
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * B1: codec + dispatch on one thread. Per operation: encode the driver's request into a reused direct buffer (a bus
 * slot), readHeader + readMessage it on the "device side", dispatch it to {@link VqueueDevice}, encode the response
 * into a second reused buffer, readHeader + readMessage the response on the "driver side" and fold it into a long.
 *
 * <p>{@code pair=SET_VQUEUE}: the 48-byte SET_VQUEUE request (REV1/RFC3: 8-byte header + 40-byte payload; RFC2: 6 + 36 =
 * 42 bytes) answered by the 8-byte empty SET_VQUEUE response — the headline figure, the "40-byte request" of the
 * design's B1 row. {@code pair=GET_VQUEUE}: the 12-byte (RFC2: 10-byte) GET_VQUEUE request answered by the 48-byte GET_VQUEUE response.
 * Both pairs are what a driver sends per virtqueue during setup.
 *
 * <p>The decoded response is folded into a primitive, not returned, so that escape analysis is free to scalar-replace
 * the records; whether it does is exactly what {@code -prof gc} shows.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 5, jvmArgsAppend = {"-Xms1g", "-Xmx1g", "-XX:+AlwaysPreTouch",
    "--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED"})
public class CodecDispatchBenchmark {

    @Param({"REV1", "RFC3", "RFC2"})
    public WireProfile profile;

    @Param({"SET_VQUEUE", "GET_VQUEUE"})
    public String pair;

    private MessageCodec driverCodec;
    private MessageCodec deviceCodec;
    private VqueueDevice device;
    private ByteBuffer requestSlot;
    private ByteBuffer responseSlot;
    private Message request;
    private int token;

    @Setup
    public void setup() {
        driverCodec = new MessageCodec(profile, 264);
        deviceCodec = new MessageCodec(profile, 264);
        device = new VqueueDevice();
        requestSlot = ByteBuffer.allocateDirect(264).order(ByteOrder.LITTLE_ENDIAN);
        responseSlot = ByteBuffer.allocateDirect(264).order(ByteOrder.LITTLE_ENDIAN);
        request = switch (pair) {
            case "SET_VQUEUE" -> new SetVqueueRequest(2, VqueueFlags.ENABLE, 128, 0x4000_6000L, 0x4000_7000L,
                    0x4000_8000L);
            case "GET_VQUEUE" -> new GetVqueueRequest(2);
            default -> throw new IllegalArgumentException(pair);
        };
        // Self-check once, outside the measurement.
        long r = roundTrip();
        if (r == -1) {
            throw new IllegalStateException("unexpected response");
        }
        int header = profile.headerSize();
        int expect = header + (pair.equals("SET_VQUEUE") ? (profile == WireProfile.RFC2 ? 36 : 40) : 4);
        requestSlot.clear();
        if (driverCodec.encode(request, 1, 1, requestSlot) != expect) {
            throw new IllegalStateException("request is not " + expect + " bytes");
        }
    }

    @Benchmark
    public long roundTrip() {
        int t = (token + 1) & 0xFFFF;
        token = t;
        // driver: encode the request into its slot
        ByteBuffer req = requestSlot;
        req.clear();
        driverCodec.encode(request, 1, t, req);
        req.flip();
        // device: decode, dispatch, encode the response
        Header h = deviceCodec.readHeader(req);
        Message m = deviceCodec.readMessage(h, req);
        Message response = device.handle(m);
        ByteBuffer resp = responseSlot;
        resp.clear();
        deviceCodec.encode(response, h.devNum(), h.token(), resp);
        resp.flip();
        // driver: decode the response and consume it
        Header rh = driverCodec.readHeader(resp);
        Message r = driverCodec.readMessage(rh, resp);
        return digest(r) + rh.token();
    }

    static long digest(Message r) {
        if (r instanceof GetVqueueResponse g) {
            return g.descriptorAddr() + g.size() + g.flags();
        } else if (r instanceof SetVqueueResponse) {
            return 1;
        }
        return -1;
    }
}
