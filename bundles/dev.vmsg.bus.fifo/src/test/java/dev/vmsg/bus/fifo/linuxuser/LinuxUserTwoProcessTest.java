package dev.vmsg.bus.fifo.linuxuser;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vmsg.admin.BusView;
import dev.vmsg.bus.fifo.internal.Awaits;
import dev.vmsg.bus.fifo.internal.FifoBusOptions.Role;
import dev.vmsg.bus.fifo.internal.HostProcess;
import dev.vmsg.device.blk.BlockDevice;
import dev.vmsg.device.blk.internal.BlkDriver;
import dev.vmsg.device.rng.EntropySource;
import dev.vmsg.device.rng.internal.RngDriver;
import dev.vmsg.transport.internal.TransportCore;
import dev.vmsg.transport.internal.TransportLog;
import dev.vmsg.transport.internal.TransportOptions;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Java to Java over QEMU's linux-user format: a vmsg device host in a second JVM
 * ({@link QemuDeviceHostMain}: rng and a 1 MiB blk) and this JVM as the vmsg driver host. Entropy
 * and block I/O cross, and afterwards every slot either side wrote in the queue files holds a
 * message of at most 48 bytes with a zero tail.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class LinuxUserTwoProcessTest {

    private static final int RAM = 16 << 20;

    @TempDir
    Path dir;

    private Process host;
    private LinuxUserBus bus;
    private TransportCore core;

    @AfterEach
    void stop() throws InterruptedException, IOException {
        if (core != null) {
            core.close();
        }
        if (bus != null) {
            bus.close();
        }
        if (host != null) {
            host.getOutputStream().close();
            if (!host.waitFor(20, TimeUnit.SECONDS)) {
                host.destroyForcibly();
            }
        }
    }

    private BlockingQueue<String> startDeviceHost() throws IOException {
        HostProcess h = HostProcess.start(QemuDeviceHostMain.class, "96m", dir.toString(), String.valueOf(RAM));
        host = h.process();
        return h.lines();
    }

    @Test
    void rngAndBlkCrossInFortyEightByteMessages() throws Exception {
        BlockingQueue<String> lines = startDeviceHost();
        Awaits.next(lines, l -> l.startsWith("device host ready"), "device host start", 60);

        BlockingQueue<EntropySource> rngs = new LinkedBlockingQueue<>();
        BlockingQueue<BlockDevice> disks = new LinkedBlockingQueue<>();
        bus = new LinuxUserBus(LinuxUserBusOptions.defaults("qemu0", Role.DRIVER, dir, "linux-user", RAM), w -> { });
        core = new TransportCore(new TransportOptions(3000, 10_000, 10, 5000), TransportLog.SILENT);
        core.addBus("qemu0", bus);
        core.addDriver("rng", new RngDriver(s -> {
            rngs.add(s);
            return () -> { };
        }));
        core.addDriver("blk", new BlkDriver(d -> {
            disks.add(d);
            return () -> { };
        }));

        EntropySource rng = rngs.poll(60, TimeUnit.SECONDS);
        assertNotNull(rng, "no rng from the device host within 60 s");
        byte[] a = new byte[64];
        byte[] b = new byte[64];
        rng.read(a, Duration.ofSeconds(10));
        rng.read(b, Duration.ofSeconds(10));
        assertFalse(Arrays.equals(a, b), "two reads of the device host's rng gave the same bytes");

        BlockDevice disk = disks.poll(60, TimeUnit.SECONDS);
        assertNotNull(disk, "no blk from the device host within 60 s");
        assertEquals(QemuDeviceHostMain.BLK_BYTES, disk.capacity(), "capacity read through 28-byte config chunks");
        byte[] data = new byte[8192];
        new Random(9).nextBytes(data);
        disk.writeSectors(16, data, Duration.ofSeconds(20));
        disk.flush(Duration.ofSeconds(20));
        assertArrayEquals(data, disk.readSectors(16, 16, Duration.ofSeconds(20)));
        assertArrayEquals(new byte[512], disk.readSectors(0, 1, Duration.ofSeconds(20)), "untouched sector reads zero");

        BusView view = core.buses().get(0);
        Map<String, Long> messages = view.messages();
        assertEquals(48, view.maxMessageSize());
        assertTrue(messages.getOrDefault("driver tx GET_CONFIG", 0L) >= 3,
                "blk's 60-byte config space takes at least three GET_CONFIG of at most 28 bytes: " + messages);
        assertTrue(messages.keySet().stream().noneMatch(k -> k.startsWith("drop")), "nothing dropped: " + messages);

        assertEverySlotFitsTheFraming(dir.resolve("queue-linux-user-driver"));
        assertEverySlotFitsTheFraming(dir.resolve("queue-linux-user-device"));
    }

    /** Reads every slot with the plain reader: used ones hold 8..48-byte messages and zeros after byte 48. */
    private static void assertEverySlotFitsTheFraming(Path file) throws IOException {
        QueueFileReader q = new QueueFileReader(file);
        long used = 0;
        for (int k = 0; k < QueueFileReader.SLOTS; k++) {
            byte[] slot = q.slot(k);
            if (Arrays.equals(slot, new byte[64])) {
                continue;
            }
            used++;
            int size = QueueFileReader.msgSize(slot);
            assertTrue(size >= 8 && size <= 48, file.getFileName() + " slot " + k + " holds msg_size " + size);
            assertArrayEquals(new byte[64 - size], Arrays.copyOfRange(slot, size, 64),
                    file.getFileName() + " slot " + k + ": bytes after msg_size must be zero");
        }
        assertTrue(used > 10, file.getFileName() + ": only " + used + " slots were used");
        assertEquals(used, Math.min(q.head(), QueueFileReader.SLOTS), file.getFileName()
                + ": slots 0..head-1 are the ones written");
    }
}
