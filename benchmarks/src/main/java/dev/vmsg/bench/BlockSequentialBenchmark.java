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
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * B9: sequential reads and writes of {@code size} bytes (64 KiB, 1 MiB) over the page-cached image
 * (see {@link BlkBenchRig}), one request at a time, wrapping at the end of the file: the
 * {@link BlockDevice} service over the loopback bus with a zero-copy window {@link BlockBuffer},
 * against {@code FileChannel} positional read/write from a direct buffer of the same size on the
 * same file, in the same run. Throughput in requests/s; bytes/s = that x size. Writes go to the page
 * cache (no flush/fsync on either side); the kernel writes them back in the background. Completion
 * is awaited with {@code join()} (see {@link BlockRandomReadBenchmark} for {@code -Dvmsg.bench.spin}).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 5, jvmArgsAppend = {"-Xms1g", "-Xmx1g", "-XX:+AlwaysPreTouch",
    "--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED"})
public class BlockSequentialBenchmark {

    /** The bus the blk device is served over: loopback, or the shared-memory FIFO bus (see BlkBenchRig). */
    @Param({"loopback", "fifo"})
    public String bus;

    @Param({"65536", "1048576"})
    public int size;

    private BlkBenchRig rig;
    private BlockDevice dev;
    private FileChannel channel;
    private BlockBuffer windowBuf;
    private ByteBuffer directBuf;
    private long capacity;
    private long vmsgPos;
    private long directPos;

    @Setup
    public void setup() throws Exception {
        Path image = BlkBenchRig.prepareImage();
        capacity = BlkBenchRig.imageSize() / size * size;
        rig = new BlkBenchRig(image, 16 << 20, bus);
        dev = rig.device();
        channel = FileChannel.open(image, StandardOpenOption.READ, StandardOpenOption.WRITE);
        windowBuf = dev.allocateBuffer(size);
        directBuf = ByteBuffer.allocateDirect(size);
        // correctness once: both paths see the same bytes
        dev.readAsync(size, windowBuf, 0, size).get(10, TimeUnit.SECONDS);
        channel.read(directBuf, size);
        directBuf.flip();
        if (windowBuf.buffer().mismatch(directBuf) != -1) {
            throw new IllegalStateException("vmsg and FileChannel disagree on the image contents");
        }
    }

    @TearDown
    public void tearDown() throws IOException {
        windowBuf.close();
        rig.close();
        channel.close();
    }

    private long advanceVmsg() {
        long p = vmsgPos;
        vmsgPos = p + size >= capacity ? 0 : p + size;
        return p;
    }

    private long advanceDirect() {
        long p = directPos;
        directPos = p + size >= capacity ? 0 : p + size;
        return p;
    }

    private static void await(CompletableFuture<Void> f) {
        if (BlockRandomReadBenchmark.SPIN) {
            while (!f.isDone()) {
                Thread.onSpinWait();
            }
        }
        f.join();
    }

    @Benchmark
    public long vmsgRead() {
        long p = advanceVmsg();
        await(dev.readAsync(p, windowBuf, 0, size));
        return p;
    }

    @Benchmark
    public long directRead() throws IOException {
        long p = advanceDirect();
        ByteBuffer b = directBuf;
        b.clear();
        while (b.hasRemaining()) {
            channel.read(b, p + b.position());
        }
        return p;
    }

    @Benchmark
    public long vmsgWrite() {
        long p = advanceVmsg();
        await(dev.writeAsync(p, windowBuf, 0, size));
        return p;
    }

    @Benchmark
    public long directWrite() throws IOException {
        long p = advanceDirect();
        ByteBuffer b = directBuf;
        b.clear();
        while (b.hasRemaining()) {
            channel.write(b, p + b.position());
        }
        return p;
    }
}
