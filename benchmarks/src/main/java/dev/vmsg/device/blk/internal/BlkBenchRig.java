package dev.vmsg.device.blk.internal;

import dev.vmsg.bus.loopback.internal.LoopbackBus;
import dev.vmsg.device.blk.BlockDevice;
import dev.vmsg.transport.internal.TransportCore;
import dev.vmsg.transport.internal.TransportLog;
import dev.vmsg.transport.internal.TransportOptions;
import dev.vmsg.wire.WireProfile;
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
 * Benchmark wiring for B8/B9, the same as {@code BlkEndToEndTest}: a {@link TransportCore} with a
 * {@link LoopbackBus}, a {@link BlkBackend} over a {@link FileBlockStore} and the {@link BlkDriver},
 * all in plain Java (no OSGi). It lives in the bundle's internal package (on the benchmark's plain
 * classpath) because {@link FileBlockStore} and {@link BlkSettings} are package-private; nothing in
 * the bundle is changed for it.
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

    private final LoopbackBus bus;
    private final TransportCore core;
    private final BlockDevice device;

    /** One blk device (one request queue of 128, read-write) over {@code image}, driven through loopback. */
    public BlkBenchRig(Path image, int windowBytes) throws IOException, InterruptedException {
        BlockingQueue<BlockDevice> published = new LinkedBlockingQueue<>();
        bus = LoopbackBus.create("blkbench", WireProfile.REV1, 264, windowBytes, w -> System.err.println(w));
        TransportOptions o = TransportOptions.DEFAULTS;
        // -Dvmsg.bench.pollMicros=0 measures the event-only data path (no adaptive polling).
        core = new TransportCore(new TransportOptions(o.requestTimeoutMillis(), o.resetTimeoutMillis(),
                o.resetPollMillis(), o.removeBoundMillis(), Long.getLong("vmsg.bench.pollMicros", o.pollMicros())),
                TransportLog.SILENT);
        core.addBus("bus", bus);
        core.addDriver("driver", new BlkDriver(d -> {
            published.add(d);
            return () -> { };
        }, BlkDriver.Limits.DEFAULTS));
        BlkBackend backend = new BlkBackend(FileBlockStore.open(image, false, 0), BlkSettings.DEFAULTS, System.err::println);
        core.addBackend("blk0", backend, "blkbench", "blk0", null);
        device = published.poll(10, TimeUnit.SECONDS);
        if (device == null) {
            close();
            throw new IllegalStateException("no BlockDevice published");
        }
    }

    public BlockDevice device() {
        return device;
    }

    /** Messages carried so far, by side, direction and name (what {@code vmsg:traffic} shows). */
    public java.util.Map<String, Long> messages() {
        return core.buses().get(0).messages();
    }

    @Override
    public void close() {
        core.close();
        bus.close();
    }
}
