package dev.vmsg.device.blk.internal;

import dev.vmsg.bus.fifo.internal.FifoBus;
import dev.vmsg.bus.fifo.internal.FifoBusOptions;
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
import java.util.ArrayList;
import java.util.List;
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

    private final List<AutoCloseable> closing = new ArrayList<>();
    private final TransportCore driverCore;
    private final BlockDevice device;

    /** One blk device over {@code image}, driven through the loopback bus. */
    public BlkBenchRig(Path image, int windowBytes) throws IOException, InterruptedException {
        this(image, windowBytes, "loopback");
    }

    /**
     * One blk device (one request queue, read-write) over {@code image}, served and driven through
     * {@code busType}: {@code loopback} (one bus, one transport core), or {@code fifo} (the
     * shared-memory FIFO bus: a device-side and a driver-side bus instance with their own mappings of
     * the same queue and window files in a fresh temporary directory, each with its own transport
     * core, as two hosts have; the data path is the one two processes share).
     */
    public BlkBenchRig(Path image, int windowBytes, String busType) throws IOException, InterruptedException {
        BlockingQueue<BlockDevice> published = new LinkedBlockingQueue<>();
        TransportOptions options = options();
        BlkBackend backend = new BlkBackend(FileBlockStore.open(image, false, 0), BlkSettings.DEFAULTS,
                System.err::println);
        BlkDriver driver = new BlkDriver(d -> {
            published.add(d);
            return () -> { };
        }, BlkDriver.Limits.DEFAULTS);
        try {
            switch (busType) {
                case "loopback" -> {
                    LoopbackBus bus = LoopbackBus.create("blkbench", WireProfile.REV1, 264, windowBytes,
                            System.err::println);
                    driverCore = core(options, "bus", bus);
                    closing.add(0, bus::close);
                    driverCore.addDriver("driver", driver);
                    driverCore.addBackend("blk0", backend, "blkbench", "blk0", null);
                }
                case "fifo" -> {
                    Path dir = Files.createTempDirectory("vmsg-blkbench");
                    FifoBusOptions deviceSide = FifoBusOptions.defaults("blkbench", FifoBusOptions.Role.DEVICE, dir)
                            .withWindowSize(windowBytes);
                    FifoBus deviceBus = new FifoBus(deviceSide, System.err::println);
                    closing.add(0, () -> deleteTree(dir));
                    closing.add(0, deviceBus::close);
                    TransportCore deviceCore = core(options, "device", deviceBus);
                    deviceCore.addBackend("blk0", backend, "blkbench", "blk0", null);
                    FifoBus driverBus = new FifoBus(deviceSide.withRole(FifoBusOptions.Role.DRIVER),
                            System.err::println);
                    closing.add(0, driverBus::close);
                    driverCore = core(options, "driver", driverBus);
                    driverCore.addDriver("driver", driver);
                }
                default -> throw new IllegalArgumentException("bus " + busType + " is not loopback or fifo");
            }
            BlockDevice published0 = published.poll(10, TimeUnit.SECONDS);
            if (published0 == null) {
                throw new IllegalStateException("no BlockDevice published over " + busType);
            }
            device = published0;
        } catch (IOException | InterruptedException | RuntimeException e) {
            close();
            throw e;
        }
    }

    /** The default options; {@code -Dvmsg.bench.pollMicros=0} measures the event-only data path. */
    private static TransportOptions options() {
        TransportOptions o = TransportOptions.DEFAULTS;
        return new TransportOptions(o.requestTimeoutMillis(), o.resetTimeoutMillis(), o.resetPollMillis(),
                o.removeBoundMillis(), Long.getLong("vmsg.bench.pollMicros", o.pollMicros()));
    }

    private TransportCore core(TransportOptions options, String key, dev.vmsg.bus.Bus bus) {
        TransportCore core = new TransportCore(options, TransportLog.SILENT);
        closing.add(0, core::close);
        core.addBus(key, bus);
        return core;
    }

    private static void deleteTree(Path dir) throws IOException {
        try (var files = Files.walk(dir)) {
            for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    public BlockDevice device() {
        return device;
    }

    /** Messages the driver side carried so far, by direction and name (what {@code vmsg:traffic} shows). */
    public java.util.Map<String, Long> messages() {
        return driverCore.buses().get(0).messages();
    }

    /** Closes the transport cores, then the buses, then removes the FIFO files. */
    @Override
    public void close() {
        for (AutoCloseable c : closing) {
            try {
                c.close();
            } catch (Exception e) {
                System.err.println("blk bench rig: closing failed: " + e);
            }
        }
        closing.clear();
    }
}
