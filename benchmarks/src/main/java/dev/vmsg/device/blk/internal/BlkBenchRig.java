package dev.vmsg.device.blk.internal;

import dev.vmsg.bench.BenchTransport;
import dev.vmsg.device.blk.BlockDevice;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.SplittableRandom;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Benchmark wiring for B8/B9, the same as {@code BlkEndToEndTest}: a {@link BlkBackend} over a
 * {@link FileBlockStore} served, and the {@link BlkDriver} driving it, through a {@link BenchTransport}
 * (loopback, or the FIFO bus), all in plain Java (no OSGi). It lives in the bundle's internal package
 * (on the benchmark's plain classpath) because {@link FileBlockStore} and {@link BlkSettings} are
 * package-private; nothing in the bundle is changed for it.
 */
public final class BlkBenchRig implements AutoCloseable {

    /** The image file the benchmarks share (vmsg and anchor read the same file). */
    public static Path imagePath() {
        return Path.of(System.getProperty("vmsg.bench.blk.file",
                Path.of(System.getProperty("java.io.tmpdir"), "vmsg-bench-blk.img").toString()));
    }

    /** Image size: 256 MiB unless {@code -Dvmsg.bench.blk.size=} says otherwise. */
    public static long imageSize() {
        return Long.getLong("vmsg.bench.blk.size", 256L << 20);
    }

    /**
     * Creates the image with pseudo-random contents (not sparse: every page is real data) when it is
     * missing or of another size, then reads it once end to end so it sits in the page cache.
     */
    public static Path prepareImage() throws IOException {
        Path p = imagePath();
        long size = imageSize();
        if (!Files.exists(p) || Files.size(p) != size) {
            Path tmp = p.resolveSibling(p.getFileName() + ".tmp" + ProcessHandle.current().pid());
            try (FileChannel c = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                ByteBuffer b = ByteBuffer.allocateDirect(1 << 20);
                SplittableRandom r = new SplittableRandom(8);
                for (long at = 0; at < size; at += b.capacity()) {
                    b.clear();
                    while (b.remaining() >= 8) {
                        b.putLong(r.nextLong());
                    }
                    b.flip();
                    while (b.hasRemaining()) {
                        c.write(b);
                    }
                }
            }
            Files.move(tmp, p, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                    java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        }
        try (FileChannel c = FileChannel.open(p, StandardOpenOption.READ)) {
            ByteBuffer b = ByteBuffer.allocateDirect(1 << 20);
            long pos = 0;
            while (pos < size) {
                b.clear();
                int n = c.read(b, pos);
                if (n < 0) {
                    break;
                }
                pos += n;
            }
        }
        return p;
    }

    private final BenchTransport transport;
    private final BlockDevice device;

    /** One blk device over {@code image}, driven through the loopback bus. */
    public BlkBenchRig(Path image, int windowBytes) throws IOException, InterruptedException {
        this(image, windowBytes, "loopback");
    }

    /** One blk device (one request queue, read-write) over {@code image}, served and driven through {@code busType} ({@link BenchTransport}). */
    public BlkBenchRig(Path image, int windowBytes, String busType) throws IOException, InterruptedException {
        BlockingQueue<BlockDevice> published = new LinkedBlockingQueue<>();
        transport = new BenchTransport(busType, windowBytes);
        try {
            transport.driverCore().addDriver("driver", new BlkDriver(d -> {
                published.add(d);
                return () -> { };
            }, BlkDriver.Limits.DEFAULTS));
            transport.deviceCore().addBackend("blk0", new BlkBackend(FileBlockStore.open(image, false, 0),
                    BlkSettings.DEFAULTS, System.err::println), BenchTransport.BUS, "blk0", null);
            BlockDevice d = published.poll(10, TimeUnit.SECONDS);
            if (d == null) {
                throw new IllegalStateException("no BlockDevice published over " + busType);
            }
            device = d;
        } catch (IOException | InterruptedException | RuntimeException e) {
            transport.close();
            throw e;
        }
    }

    public BlockDevice device() {
        return device;
    }

    /** Messages the driver side carried so far, by direction and name (what {@code vmsg:traffic} shows). */
    public java.util.Map<String, Long> messages() {
        return transport.messages();
    }

    /** The transport under the device (diagnostics). */
    public BenchTransport transport() {
        return transport;
    }

    @Override
    public void close() {
        transport.close();
    }
}
