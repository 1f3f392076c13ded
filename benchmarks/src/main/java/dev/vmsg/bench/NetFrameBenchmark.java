package dev.vmsg.bench;

import dev.vmsg.device.net.NetworkPort;
import dev.vmsg.device.net.internal.NetBenchRig;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.agrona.concurrent.MessageHandler;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.OneToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * B10: Ethernet frames per second from one virtio-net device to another over the loopback bus,
 * through the in-container switch ({@link NetBenchRig}: TransportCore + LoopbackBus + two
 * NetBackends on one L2Switch + the net driver, plain Java), at 64 and 1500 bytes, in batches of
 * 32 ({@code NetworkPort.send(ByteBuffer[], ...)}); the receiving port counts frames in its
 * receive callback. Anchor in the same run: an Agrona {@link OneToOneRingBuffer} moving 64-byte
 * (or 1500-byte) records in batches of 32 to a consumer thread.
 *
 * <p>Both sides keep at most {@value #WINDOW} frames between sender and receiver (the sender waits
 * for the receiver before it runs further ahead), so nothing is dropped and the figure is frames
 * delivered, not frames offered; {@link #check} fails the run if a device dropped any.
 * Throughput per frame: {@code @OperationsPerInvocation(32)}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 5, jvmArgsAppend = {"-Xms1g", "-Xmx1g", "-XX:+AlwaysPreTouch",
    "--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED"})
public class NetFrameBenchmark {

    static final int BATCH = 32;
    static final int WINDOW = 192;
    static final int RING = 1 << 20;

    @Param({"64", "1500"})
    int size;

    /** The bus both devices sit on: loopback, or the shared-memory FIFO bus (see BenchTransport). */
    @Param({"loopback", "fifo"})
    String bus;

    private NetBenchRig rig;
    private NetworkPort a;
    private final ByteBuffer[] frames = new ByteBuffer[BATCH];
    private final AtomicLong received = new AtomicLong();
    private long sent;

    private OneToOneRingBuffer ring;
    private UnsafeBuffer record;
    private Thread consumer;
    private volatile boolean running;
    private final AtomicLong consumed = new AtomicLong();
    private long written;

    @Setup
    public void setup() throws Exception {
        rig = new NetBenchRig(bus);
        a = rig.a();
        rig.b().setReceiver(f -> {
            if (f.remaining() == size) {
                received.lazySet(received.get() + 1);
            }
        });
        for (int i = 0; i < BATCH; i++) {
            ByteBuffer f = ByteBuffer.allocate(size);
            f.putShort((short) (NetBenchRig.MAC_B >>> 32)).putInt((int) NetBenchRig.MAC_B);
            f.putShort((short) (NetBenchRig.MAC_A >>> 32)).putInt((int) NetBenchRig.MAC_A);
            f.putShort((short) 0x88B5).putInt(i);
            frames[i] = f.clear();
        }
        ring = new OneToOneRingBuffer(new UnsafeBuffer(ByteBuffer.allocateDirect(RING + RingBufferDescriptor.TRAILER_LENGTH)));
        record = new UnsafeBuffer(ByteBuffer.allocateDirect(size));
        running = true;
        MessageHandler count = (type, buffer, index, length) -> {
            if (length == size && buffer.getInt(index + 14) >= 0) {
                consumed.lazySet(consumed.get() + 1);
            }
        };
        consumer = new Thread(() -> {
            while (running) {
                if (ring.read(count, BATCH) == 0) {
                    Thread.onSpinWait();
                }
            }
        }, "agrona-frame-consumer");
        consumer.setDaemon(true);
        consumer.start();
    }

    @TearDown(Level.Iteration)
    public void check() {
        if (rig.deviceDrops() != 0) {
            throw new IllegalStateException("the devices dropped " + rig.deviceDrops() + " frames");
        }
    }

    @TearDown
    public void tearDown() throws InterruptedException {
        running = false;
        consumer.join(5000);
        rig.close();
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public long virtioNet() {
        rig.awaitReceived(received::get, sent - (WINDOW - BATCH));
        for (ByteBuffer f : frames) {
            f.clear();
        }
        int done = 0;
        while (done < BATCH) {
            int n = a.send(frames, done, BATCH - done);
            if (n == 0) {
                Thread.onSpinWait();
            }
            done += n;
        }
        sent += BATCH;
        return sent;
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public long agrona() {
        while (written - consumed.get() > WINDOW - BATCH) {
            Thread.onSpinWait();
        }
        for (int i = 0; i < BATCH; i++) {
            record.putInt(14, i);
            while (!ring.write(1, record, 0, size)) {
                Thread.onSpinWait();
            }
        }
        written += BATCH;
        return written;
    }
}
