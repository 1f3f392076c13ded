package dev.vmsg.bus.fifo.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vmsg.device.rng.EntropySource;
import dev.vmsg.device.rng.internal.RngDriver;
import dev.vmsg.driver.VirtioDeviceException;
import dev.vmsg.transport.internal.TransportCore;
import dev.vmsg.transport.internal.TransportLog;
import dev.vmsg.transport.internal.TransportOptions;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A driver host (this JVM: FIFO bus driver side, transport core, rng driver) and a device host
 * (a second JVM, {@link DeviceHostMain}) sharing an rng device over the FIFO bus; the device host
 * is killed, paused and restarted under traffic (HARDENING matrix rows 15-17).
 */
@Timeout(value = 600, unit = TimeUnit.SECONDS)
class TwoProcessTest {

    private static final long HEARTBEAT_MS = 50;
    private static final long PEER_TIMEOUT_MS = 1000;
    /** Detection bound plus removal and slack for a loaded 2-core machine. */
    private static final long GONE_BOUND_MS = PEER_TIMEOUT_MS + 4000;

    @TempDir
    Path dir;

    private final BlockingQueue<EntropySource> published = new LinkedBlockingQueue<>();
    private final BlockingQueue<EntropySource> withdrawn = new LinkedBlockingQueue<>();
    private final List<Process> hosts = new ArrayList<>();
    private FifoBus bus;
    private TransportCore core;
    private EntropySource source;

    @BeforeEach
    void driverHost() throws IOException {
        bus = new FifoBus(FifoBusOptions.defaults("fifo0", FifoBusOptions.Role.DRIVER, dir)
                .withTimings(HEARTBEAT_MS, PEER_TIMEOUT_MS, 1000), w -> { });
        core = new TransportCore(new TransportOptions(3000, 10_000, 10, 5000), TransportLog.SILENT);
        core.addBus("fifo0", bus);
        core.addDriver("rng", new RngDriver(source -> {
            published.add(source);
            return () -> withdrawn.add(source);
        }));
    }

    @AfterEach
    void stop() {
        for (Process p : hosts) {
            p.destroyForcibly();
        }
        core.close();
        bus.close();
    }

    private HostProcess startDeviceHost() throws IOException {
        HostProcess h = HostProcess.start(DeviceHostMain.class, "64m", dir.toString(), String.valueOf(HEARTBEAT_MS),
                String.valueOf(PEER_TIMEOUT_MS));
        hosts.add(h.process());
        return h;
    }

    private EntropySource awaitSource() throws InterruptedException {
        EntropySource s = published.poll(60, TimeUnit.SECONDS);
        assertNotNull(s, "no rng device discovered over the FIFO bus within 60 s");
        return s;
    }

    private static void assertEntropy(EntropySource s) {
        byte[] a = new byte[64];
        byte[] b = new byte[64];
        s.read(a, Duration.ofSeconds(10));
        s.read(b, Duration.ofSeconds(10));
        assertFalse(Arrays.equals(a, b), "two reads through the device host's rng gave the same bytes");
    }

    private static String line(HostProcess h, String containing) throws InterruptedException {
        return Awaits.next(h.lines(), l -> l.contains(containing), "device host line with '" + containing + "'", 30);
    }

    /** Starts a device host and reads entropy from its rng once it is discovered. */
    private HostProcess startAndUse() throws Exception {
        HostProcess host = startDeviceHost();
        source = awaitSource();
        assertEntropy(source);
        return host;
    }

    /** Keeps reads in flight; counts how each ended. */
    private static final class Traffic {
        final List<CompletableFuture<byte[]>> reads = new ArrayList<>();
        final AtomicInteger completions = new AtomicInteger();

        void start(EntropySource s, int n) {
            for (int i = 0; i < n; i++) {
                CompletableFuture<byte[]> f = s.readAsync(64 * 1024);
                f.whenComplete((v, e) -> completions.incrementAndGet());
                reads.add(f);
            }
        }
    }

    private static void signal(Process p, String sig) throws Exception {
        Process k = new ProcessBuilder("kill", "-" + sig, String.valueOf(p.pid())).inheritIO().start();
        assertTrue(k.waitFor(10, TimeUnit.SECONDS) && k.exitValue() == 0, "kill -" + sig + " failed");
    }

    @Test
    void theDriverHostDiscoversAndReadsTheDeviceHostsRng() throws Exception {
        startAndUse();
        assertEquals("fifo0", source.busName());
    }

    /** Kills the host under {@code reads} reads in flight; every read ends once, the device goes in the bound. */
    private void killUnderTraffic(HostProcess host, EntropySource s, int reads) throws Exception {
        Traffic traffic = new Traffic();
        traffic.start(s, reads);
        long killedAt = System.nanoTime();
        host.process().destroyForcibly();
        EntropySource gone = withdrawn.poll(GONE_BOUND_MS, TimeUnit.MILLISECONDS);
        long goneMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killedAt);
        assertNotNull(gone, "the device was not removed within " + GONE_BOUND_MS + " ms of the kill");
        assertTrue(goneMs >= PEER_TIMEOUT_MS - 100, "removed after " + goneMs + " ms: the heartbeat timeout decides");
        int failed = 0;
        for (CompletableFuture<byte[]> f : traffic.reads) {
            try {
                assertEquals(64 * 1024, f.get(10, TimeUnit.SECONDS).length);
            } catch (ExecutionException e) {
                assertTrue(e.getCause() instanceof VirtioDeviceException, e.getCause().toString());
                assertEquals(VirtioDeviceException.Reason.REMOVED, ((VirtioDeviceException) e.getCause()).reason(),
                        e.getCause().getMessage());
                failed++;
            }
        }
        assertEquals(traffic.reads.size(), traffic.completions.get(), "every read ended exactly once");
        assertTrue(failed > 0, "reads were in flight when the host died");
    }

    @Test
    void killingTheDeviceHostFailsEveryPendingReadOnceAndARestartBringsTheDeviceBack() throws Exception {
        HostProcess host = startAndUse();
        killUnderTraffic(host, source, 200);
        startAndUse(); // over the files the killed host left
    }

    /**
     * Matrix row 15: repeated kills at whatever point the traffic is at, each followed by a restart
     * over the left-over files. {@code -Dvmsg.fifo.kills=N} (default 3 here; scripts/fifo-kill-soak.sh
     * runs the long campaign).
     */
    @Test
    @Timeout(value = 6, unit = TimeUnit.HOURS) // the long campaign's 1000 kills take ~45 min; each kill has its own bound
    void repeatedKillsAndRestartsUnderTraffic() throws Exception {
        int kills = Integer.getInteger("vmsg.fifo.kills", 3);
        for (int i = 0; i < kills; i++) {
            int reads = 50 + 50 * (i % 4);
            String what = "kill " + (i + 1) + " of " + kills;
            assertTimeoutPreemptively(Duration.ofSeconds(120), () -> {
                HostProcess host = startAndUse();
                killUnderTraffic(host, source, reads);
            }, what);
        }
        startAndUse();
    }

    @Test
    void aDeviceHostPausedPastTheTimeoutReHandshakesAsANewEpoch() throws Exception {
        HostProcess host = startAndUse();
        EntropySource s = source;
        Traffic traffic = new Traffic();
        signal(host.process(), "STOP");
        try {
            traffic.start(s, 20);
            assertNotNull(withdrawn.poll(GONE_BOUND_MS, TimeUnit.MILLISECONDS), "paused device not removed in time");
        } finally {
            signal(host.process(), "CONT");
        }
        for (CompletableFuture<byte[]> f : traffic.reads) {
            ExecutionException e = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
                    () -> f.get(10, TimeUnit.SECONDS), "a read sent to a paused host cannot succeed");
            assertEquals(VirtioDeviceException.Reason.REMOVED, ((VirtioDeviceException) e.getCause()).reason());
        }
        String resumed = line(host, "link down");
        assertTrue(resumed.contains("declared this side dead"), "the resumed host must not resume the link: " + resumed);
        assertEntropy(awaitSource());
        assertEquals(2, bus.endpoint().linkUps(), "one handshake per epoch");
        assertEquals(1, bus.endpoint().linkDowns());
    }

    @Test
    void aCleanlyStoppedDeviceHostIsSeenAsShutdown() throws Exception {
        HostProcess host = startDeviceHost();
        awaitSource();
        host.process().getOutputStream().close();
        assertTrue(host.process().waitFor(30, TimeUnit.SECONDS), "device host did not stop");
        assertNotNull(withdrawn.poll(PEER_TIMEOUT_MS, TimeUnit.MILLISECONDS),
                "a graceful SHUTDOWN is seen before any heartbeat timeout");
        assertTrue(line(host, "device host stopped").contains("stopped"));
    }
}
