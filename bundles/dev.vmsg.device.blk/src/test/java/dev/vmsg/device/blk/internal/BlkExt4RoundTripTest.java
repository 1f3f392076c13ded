package dev.vmsg.device.blk.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vmsg.bus.loopback.internal.LoopbackBus;
import dev.vmsg.device.blk.BlockDevice;
import dev.vmsg.transport.internal.TransportCore;
import dev.vmsg.transport.internal.TransportLog;
import dev.vmsg.transport.internal.TransportOptions;
import dev.vmsg.wire.WireProfile;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Against real tools, none of ours checking: e2fsprogs builds an ext4 image with files in it, the
 * image is attached read-only as one virtio-blk device and a blank file as a second, the image is
 * copied through the two {@link BlockDevice} services, and then {@code e2fsck -fn} must pass on the
 * copy and {@code debugfs} must read each original file's bytes back out of it. A missing tool
 * fails the test with a message saying which one; it never skips.
 */
class BlkExt4RoundTripTest {

    static final long IMAGE_BYTES = 16L * 1024 * 1024;
    static final Duration T = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    static String tool(String name) {
        String path = System.getenv().getOrDefault("PATH", "");
        List<String> places = new ArrayList<>(List.of(path.split(":")));
        places.addAll(List.of("/usr/sbin", "/sbin", "/usr/local/sbin"));
        for (String p : places) {
            if (!p.isEmpty() && Files.isExecutable(Path.of(p, name))) {
                return Path.of(p, name).toString();
            }
        }
        throw new AssertionError(name + " (e2fsprogs) is not installed: this test needs mke2fs, e2fsck and debugfs; "
                + "install e2fsprogs (apt-get install e2fsprogs)");
    }

    record Result(int exit, byte[] out, String err) {
    }

    static Result exec(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(false).start();
        p.getOutputStream().close();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        Thread drain = new Thread(() -> copy(p.getErrorStream(), err), "vmsg-test-stderr");
        drain.start();
        copy(p.getInputStream(), out);
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(String.join(" ", command) + " did not finish in 60 s");
        }
        drain.join(5000);
        return new Result(p.exitValue(), out.toByteArray(), err.toString(StandardCharsets.UTF_8));
    }

    private static void copy(InputStream in, ByteArrayOutputStream out) {
        try (in) {
            in.transferTo(out);
        } catch (IOException e) {
            out.writeBytes(("<" + e + ">").getBytes(StandardCharsets.UTF_8));
        }
    }

    @Test
    void ext4ImageCopiedThroughTwoBlockDevicesIsCleanAndHoldsEveryFile() throws Exception {
        String mke2fs = tool("mke2fs");
        String e2fsck = tool("e2fsck");
        String debugfs = tool("debugfs");

        Path src = Files.createDirectories(dir.resolve("content"));
        Map<String, byte[]> files = new LinkedHashMap<>();
        Random rnd = new Random(20261124);
        files.put("hello.txt", "hello from vmsg virtio-blk\n".getBytes(StandardCharsets.UTF_8));
        byte[] big = new byte[3 * 1024 * 1024 + 123];
        rnd.nextBytes(big);
        files.put("random.bin", big);
        byte[] mid = new byte[70_001];
        rnd.nextBytes(mid);
        files.put("docs/nested/middle.bin", mid);
        files.put("empty", new byte[0]);
        for (Map.Entry<String, byte[]> f : files.entrySet()) {
            Path p = src.resolve(f.getKey());
            Files.createDirectories(p.getParent());
            Files.write(p, f.getValue());
        }
        Path image = dir.resolve("ext4.img");
        Result mk = exec(mke2fs, "-q", "-F", "-t", "ext4", "-d", src.toString(), image.toString(),
                (IMAGE_BYTES / 1024) + "k");
        assertEquals(0, mk.exit(), "mke2fs failed: " + mk.err());
        Path blank = dir.resolve("copy.img");

        LoopbackBus bus = LoopbackBus.create("ext4bus", WireProfile.REV1, 264, 8 << 20, w -> { });
        TransportCore core = new TransportCore(TransportOptions.DEFAULTS, TransportLog.SILENT);
        BlockingQueue<BlockDevice> published = new LinkedBlockingQueue<>();
        try {
            core.addBus("bus", bus);
            core.addDriver("driver", new BlkDriver(d -> {
                published.add(d);
                return () -> { };
            }));
            core.addBackend("source", new BlkBackend(FileBlockStore.open(image, true, 0),
                    BlkSettings.DEFAULTS.withReadOnly(true), w -> { }), "ext4bus", "source", null);
            BlockDevice source = published.poll(10, TimeUnit.SECONDS);
            assertNotNull(source, "source device");
            core.addBackend("target", new BlkBackend(FileBlockStore.open(blank, false, IMAGE_BYTES),
                    BlkSettings.DEFAULTS.withQueues(2, 128), w -> { }), "ext4bus", "target", null);
            BlockDevice target = published.poll(10, TimeUnit.SECONDS);
            assertNotNull(target, "target device");
            assertTrue(source.readOnly());
            assertEquals(IMAGE_BYTES, source.capacity());
            assertEquals(IMAGE_BYTES, target.capacity());

            ByteBuffer chunk = ByteBuffer.allocate(1024 * 1024);
            for (long off = 0; off < IMAGE_BYTES; off += chunk.capacity()) {
                chunk.clear();
                source.read(off, chunk, T);
                chunk.flip();
                target.write(off, chunk, T);
            }
            target.flush(T);
        } finally {
            core.close();
            bus.close();
        }

        Result fsck = exec(e2fsck, "-fn", blank.toString());
        assertEquals(0, fsck.exit(), "e2fsck -fn on the copy: " + new String(fsck.out(), StandardCharsets.UTF_8)
                + fsck.err());
        for (Map.Entry<String, byte[]> f : files.entrySet()) {
            Result cat = exec(debugfs, "-R", "cat /" + f.getKey(), blank.toString());
            assertEquals(0, cat.exit(), "debugfs cat /" + f.getKey() + ": " + cat.err());
            assertArrayEquals(f.getValue(), cat.out(), "bytes of /" + f.getKey() + " in the copy");
        }
    }
}
