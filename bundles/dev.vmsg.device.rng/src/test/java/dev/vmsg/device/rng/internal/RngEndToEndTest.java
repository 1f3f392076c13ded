package dev.vmsg.device.rng.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vmsg.bus.loopback.internal.LoopbackBus;
import dev.vmsg.device.DeviceContext;
import dev.vmsg.device.rng.EntropySource;
import dev.vmsg.driver.VirtioDeviceException;
import dev.vmsg.transport.internal.TransportCore;
import dev.vmsg.transport.internal.TransportLog;
import dev.vmsg.transport.internal.TransportOptions;
import dev.vmsg.virtqueue.DeviceVirtqueue;
import dev.vmsg.wire.WireProfile;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** virtio-rng device model and driver, end to end through the transport over a loopback bus. */
class RngEndToEndTest {

    private final BlockingQueue<EntropySource> published = new LinkedBlockingQueue<>();
    private final BlockingQueue<EntropySource> withdrawn = new LinkedBlockingQueue<>();
    private LoopbackBus bus;
    private TransportCore core;

    private EntropySource start(WireProfile profile, int maxMessage, Object backend) throws InterruptedException {
        bus = LoopbackBus.create("rngbus", profile, maxMessage, 1 << 20, w -> { });
        core = new TransportCore(TransportOptions.DEFAULTS, TransportLog.SILENT);
        core.addBus("bus", bus);
        core.addDriver("driver", new RngDriver(source -> {
            published.add(source);
            return () -> withdrawn.add(source);
        }));
        core.addBackend("rng", (dev.vmsg.device.VirtioDeviceBackend) backend, "rngbus", "rng0", null);
        EntropySource source = published.poll(10, TimeUnit.SECONDS);
        assertNotNull(source, "no EntropySource published");
        return source;
    }

    @AfterEach
    void tearDown() {
        if (core != null) {
            core.close();
        }
        if (bus != null) {
            bus.close();
        }
    }

    @Test
    void bytesComeFromTheDeviceThroughTheQueue() throws Exception {
        EntropySource source = start(WireProfile.REV1, 264, new RngBackend(new Random(42), 4096, 256));
        byte[] got = new byte[64];
        source.read(got, Duration.ofSeconds(5));
        byte[] expected = new byte[64];
        new Random(42).nextBytes(expected);
        assertArrayEquals(expected, got, "the device's seeded generator produced these bytes");
        assertEquals("rngbus", source.busName());
        assertEquals(0, source.deviceNumber());
    }

    @Test
    void everyProfileCarriesEntropy() throws Exception {
        for (WireProfile p : WireProfile.values()) {
            EntropySource source = start(p, p.minimumBusMessageSize(), new RngBackend(new java.security.SecureRandom(), 4096, 64));
            byte[] a = new byte[32];
            byte[] b = new byte[32];
            source.read(a, Duration.ofSeconds(5));
            source.read(b, Duration.ofSeconds(5));
            assertFalse(java.util.Arrays.equals(a, b), p + ": two reads gave the same bytes");
            tearDown();
            published.clear();
        }
    }

    @Test
    void deviceCapsBytesPerRequestAndTheDriverAsksAgain() throws Exception {
        RngBackend backend = new RngBackend(new Random(1), 16, 256);
        EntropySource source = start(WireProfile.REV1, 264, backend);
        ByteBuffer dst = ByteBuffer.allocate(100);
        source.read(dst, Duration.ofSeconds(5));
        assertFalse(dst.hasRemaining());
        assertEquals(7, backend.requestsServed(), "100 bytes at 16 per request");
        assertEquals(100, backend.bytesServed(), "the last request asked for the 4 bytes still missing");
    }

    @Test
    void manyAsyncReadsShareTheBuffersAndAllComplete() throws Exception {
        EntropySource source = start(WireProfile.REV1, 264, new RngBackend(new Random(3), 4096, 256));
        List<CompletableFuture<byte[]>> reads = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            reads.add(source.readAsync(5000));
        }
        for (CompletableFuture<byte[]> r : reads) {
            assertEquals(5000, r.get(10, TimeUnit.SECONDS).length);
        }
    }

    /** A device that takes requests and never answers them. */
    private static final class StuckRng extends dev.vmsg.device.rng.internal.RngBackendShim {
        @Override
        public void queueNotified(DeviceContext context, DeviceVirtqueue queue) {
            while (queue.pop() != null) {
                // keep it
            }
        }
    }

    @Test
    void readTimesOutAndRemovalFailsWaitingReadsOnce() throws Exception {
        EntropySource source = start(WireProfile.REV1, 264, new StuckRng());
        VirtioDeviceException timeout = assertThrows(VirtioDeviceException.class,
                () -> source.read(new byte[8], Duration.ofMillis(100)));
        assertEquals(VirtioDeviceException.Reason.TIMEOUT, timeout.reason());
        List<CompletableFuture<byte[]>> pending = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            pending.add(source.readAsync(10));
        }
        core.removeBackend("rng");
        assertNotNull(withdrawn.poll(5, TimeUnit.SECONDS), "EntropySource withdrawn");
        for (CompletableFuture<byte[]> f : pending) {
            var e = assertThrows(java.util.concurrent.ExecutionException.class, () -> f.get(5, TimeUnit.SECONDS));
            assertTrue(e.getCause() instanceof VirtioDeviceException, e.getCause().toString());
            assertEquals(VirtioDeviceException.Reason.REMOVED, ((VirtioDeviceException) e.getCause()).reason());
        }
        VirtioDeviceException after = assertThrows(VirtioDeviceException.class,
                () -> source.read(new byte[8], Duration.ofSeconds(1)));
        assertEquals(VirtioDeviceException.Reason.REMOVED, after.reason());
    }
}
