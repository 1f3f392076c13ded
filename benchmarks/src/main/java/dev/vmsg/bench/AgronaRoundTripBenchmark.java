package dev.vmsg.bench;

import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.MessageHandler;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.OneToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;
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
 * Anchor for B1 and B2: Agrona in-process round trip. Two {@link OneToOneRingBuffer}s over
 * {@code UnsafeBuffer(ByteBuffer.allocateDirect(...))}; a responder thread busy-polls the request ring, reads each
 * 40-byte message and writes a 40-byte reply; the benchmark thread writes a request, spins until the reply arrives and
 * reads it. Two threads, both busy-polling: the figure the design's table quotes as 114 ns (near regime).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 5, jvmArgsAppend = {"-Xms1g", "-Xmx1g", "-XX:+AlwaysPreTouch",
    "--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED"})
public class AgronaRoundTripBenchmark {

    static final int MESSAGE = 40;
    static final int CAPACITY = 64 * 1024;
    static final int REQUEST = 1;
    static final int REPLY = 2;

    private OneToOneRingBuffer requests;
    private OneToOneRingBuffer replies;
    private UnsafeBuffer scratch;
    private Thread responder;
    private volatile boolean running;
    private final ReplyReader replyReader = new ReplyReader();
    private long sequence;

    static OneToOneRingBuffer ring() {
        return new OneToOneRingBuffer(
                new UnsafeBuffer(ByteBuffer.allocateDirect(CAPACITY + RingBufferDescriptor.TRAILER_LENGTH)));
    }

    /** Reads the reply's fields (as a decoder would) and remembers them. */
    static final class ReplyReader implements MessageHandler {
        long value;

        @Override
        public void onMessage(int msgTypeId, MutableDirectBuffer buffer, int index, int length) {
            value = buffer.getLong(index) + buffer.getLong(index + 32) + length;
        }
    }

    @Setup
    public void setup() {
        requests = ring();
        replies = ring();
        scratch = new UnsafeBuffer(ByteBuffer.allocateDirect(MESSAGE));
        running = true;
        UnsafeBuffer replyScratch = new UnsafeBuffer(ByteBuffer.allocateDirect(MESSAGE));
        MessageHandler respond = (type, buffer, index, length) -> {
            // read the request's fields, write a 40-byte reply derived from them
            long a = buffer.getLong(index);
            long b = buffer.getLong(index + 32);
            replyScratch.putLong(0, a + 1);
            replyScratch.putLong(8, b);
            replyScratch.putLong(16, a ^ b);
            replyScratch.putLong(24, length);
            replyScratch.putLong(32, b + 1);
            while (!replies.write(REPLY, replyScratch, 0, MESSAGE)) {
                Thread.onSpinWait();
            }
        };
        responder = new Thread(() -> {
            while (running) {
                if (requests.read(respond) == 0) {
                    Thread.onSpinWait();
                }
            }
        }, "agrona-responder");
        responder.setDaemon(true);
        responder.start();
    }

    @TearDown
    public void tearDown() throws InterruptedException {
        running = false;
        responder.join(5000);
    }

    @Benchmark
    public long roundTrip() {
        long s = ++sequence;
        UnsafeBuffer m = scratch;
        m.putLong(0, s);
        m.putLong(8, 0x4000_6000L);
        m.putLong(16, 0x4000_7000L);
        m.putLong(24, 0x4000_8000L);
        m.putLong(32, s);
        while (!requests.write(REQUEST, m, 0, MESSAGE)) {
            Thread.onSpinWait();
        }
        while (replies.read(replyReader, 1) == 0) {
            Thread.onSpinWait();
        }
        return replyReader.value;
    }
}
