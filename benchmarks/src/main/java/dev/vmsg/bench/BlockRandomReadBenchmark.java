package dev.vmsg.bench;

import dev.vmsg.device.blk.BlockBuffer;
import dev.vmsg.device.blk.BlockDevice;
import dev.vmsg.device.blk.internal.BlkBenchRig;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
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
 * B8: 4 KiB random reads from a page-cached image file (256 MiB by default, see {@link BlkBenchRig}),
 * through the {@link BlockDevice} service over the loopback bus (TransportCore + LoopbackBus +
 * BlkBackend over FileBlockStore + the blk driver, plain Java), against {@code FileChannel.read}
 * positional reads on the same file in the same run.
 *
 * <p>vmsg uses the zero-copy path: {@link BlockBuffer}s allocated in the bus window, handed to
 * {@code readAsync(offset, BlockBuffer, bufferOffset, length)}; the device's FileChannel reads
 * straight into the window. The anchor reads into direct 4 KiB buffers. Completion is awaited with
 * {@code join()}, as a plain program would (the benchmark thread parks); {@code -Dvmsg.bench.spin=true}
 * spins on {@code isDone()} first instead. On 2 vCPUs spinning was slower in trial runs: the
 * spinner takes a core from the transport's own threads (loopback delivery threads spin and yield,
 * the device and driver executors park).
 *
 * <p>QD1: one request, wait, next ({@code SampleTime}: latency percentiles; ops/s = 1/mean).
 * QD16: vmsg issues 16 requests at once (one queue, depth 16) and then waits for all 16; the anchor
 * does what a plain single-threaded Java program does with 16 reads: a loop of 16 positional reads.
 * Throughput is per read ({@code @OperationsPerInvocation(16)}). Offsets: 4 KiB aligned, from a
 * pseudo-random sequence fixed per fork and shared by both sides.
 */
@State(Scope.Benchmark)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 5, jvmArgsAppend = {"-Xms1g", "-Xmx1g", "-XX:+AlwaysPreTouch",
    "--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED"})
public class BlockRandomReadBenchmark {

    static final int BLOCK = 4096;
    static final int QD = 16;
    static final int OFFSETS = 1 << 16;
    static final boolean SPIN = Boolean.getBoolean("vmsg.bench.spin");

    /** The bus the blk device is served over: loopback, or the shared-memory FIFO bus (see BlkBenchRig). */
    @Param({"loopback", "fifo"})
    public String bus;

    private BlkBenchRig rig;
    private BlockDevice dev;
    private FileChannel channel;
    private final BlockBuffer[] windowBufs = new BlockBuffer[QD];
    private final ByteBuffer[] directBufs = new ByteBuffer[QD];
    @SuppressWarnings("unchecked")
    private final CompletableFuture<Void>[] pending = new CompletableFuture[QD];
    private long[] offsets;
    private int next;

    @Setup
    public void setup() throws Exception {
        Path image = BlkBenchRig.prepareImage();
        long blocks = BlkBenchRig.imageSize() / BLOCK;
        offsets = new long[OFFSETS];
        java.util.SplittableRandom r = new java.util.SplittableRandom(88);
        for (int i = 0; i < OFFSETS; i++) {
            offsets[i] = r.nextLong(blocks) * BLOCK;
        }
        rig = new BlkBenchRig(image, 16 << 20, bus);
        dev = rig.device();
        if (dev.queueDepth() < QD) {
            throw new IllegalStateException("queue depth " + dev.queueDepth() + " < " + QD);
        }
        channel = FileChannel.open(image, StandardOpenOption.READ);
        for (int i = 0; i < QD; i++) {
            windowBufs[i] = dev.allocateBuffer(BLOCK);
            directBufs[i] = ByteBuffer.allocateDirect(BLOCK);
        }
        // correctness once: both paths see the same bytes
        dev.readAsync(offsets[0], windowBufs[0], 0, BLOCK).get(10, TimeUnit.SECONDS);
        directBufs[0].clear();
        channel.read(directBufs[0], offsets[0]);
        directBufs[0].flip();
        if (windowBufs[0].buffer().mismatch(directBufs[0]) != -1) {
            throw new IllegalStateException("vmsg and FileChannel disagree on the image contents");
        }
    }

    @TearDown
    public void tearDown() throws IOException {
        for (BlockBuffer b : windowBufs) {
            if (b != null) {
                b.close();
            }
        }
        rig.close();
        channel.close();
    }

    private long nextOffset() {
        return offsets[next++ & (OFFSETS - 1)];
    }

    private static void await(CompletableFuture<Void> f) {
        if (SPIN) {
            while (!f.isDone()) {
                Thread.onSpinWait();
            }
        }
        f.join();
    }

    @Benchmark
    @BenchmarkMode(Mode.SampleTime)
    public long vmsgQd1() {
        long off = nextOffset();
        await(dev.readAsync(off, windowBufs[0], 0, BLOCK));
        return off;
    }

    @Benchmark
    @BenchmarkMode(Mode.SampleTime)
    public int directQd1() throws IOException {
        ByteBuffer b = directBufs[0];
        b.clear();
        return channel.read(b, nextOffset());
    }

    @Benchmark
    @BenchmarkMode(Mode.Throughput)
    @OperationsPerInvocation(QD)
    public long vmsgQd16() {
        for (int i = 0; i < QD; i++) {
            pending[i] = dev.readAsync(nextOffset(), windowBufs[i], 0, BLOCK);
        }
        for (int i = 0; i < QD; i++) {
            await(pending[i]);
            pending[i] = null;
        }
        return next;
    }

    @Benchmark
    @BenchmarkMode(Mode.Throughput)
    @OperationsPerInvocation(QD)
    public int directQd16() throws IOException {
        int n = 0;
        for (int i = 0; i < QD; i++) {
            ByteBuffer b = directBufs[i];
            b.clear();
            n += channel.read(b, nextOffset());
        }
        return n;
    }
}
