package dev.vmsg.bus.fifo.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.vmsg.bus.BusException;
import dev.vmsg.bus.FrameReceiver;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Both sides of a FIFO bus in one JVM over real files: handshake, traffic, back-pressure, restarts, truncation. */
class FifoBusTest {

    @TempDir
    Path dir;

    private final List<String> warnings = new CopyOnWriteArrayList<>();
    private final List<FifoBus> buses = new ArrayList<>();

    /** Records frames (their counter) and link events. */
    static final class Recorder implements FrameReceiver {
        final BlockingQueue<Integer> frames = new LinkedBlockingQueue<>();
        final BlockingQueue<String> events = new LinkedBlockingQueue<>();
        volatile CountDownLatch gate;

        @Override
        public void onFrame(ByteBuffer frame) {
            CountDownLatch g = gate;
            if (g != null) {
                try {
                    g.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            frames.add(frame.order(ByteOrder.LITTLE_ENDIAN).getInt(frame.position() + 8));
        }

        @Override
        public void onLinkDown(String reason) {
            events.add("down: " + reason);
        }

        @Override
        public void onLinkUp() {
            events.add("up");
        }
    }

    private FifoBusOptions options(FifoBusOptions.Role role, NotificationMode mode) {
        // The peer timeout leaves room for a loaded 2-core CI machine: a missed heartbeat must mean a dead peer.
        return FifoBusOptions.defaults("t", role, dir).withMode(mode).withTimings(50, 1500, 300);
    }

    private FifoBus bus(FifoBusOptions o) throws IOException {
        FifoBus b = new FifoBus(o, warnings::add);
        buses.add(b);
        return b;
    }

    @AfterEach
    void closeAll() {
        buses.forEach(FifoBus::close);
    }

    static ByteBuffer frame(int value) {
        ByteBuffer f = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
        f.put(0, (byte) 0).put(1, (byte) 0x41).putShort(2, (short) 1).putShort(6, (short) 16).putInt(8, value);
        return f;
    }

    static String event(Recorder r, String prefix) throws InterruptedException {
        return Awaits.next(r.events, e -> e.startsWith(prefix), "link event '" + prefix + "'", 20);
    }

    /** A device side and a driver side of one bus, both opened, the link up. */
    private record Linked(FifoBus device, Recorder devRx, FifoBus driver, Recorder drvRx) {
    }

    private Linked linked(FifoBusOptions deviceOptions) throws Exception {
        FifoBus device = bus(deviceOptions);
        FifoBus driver = bus(deviceOptions.withRole(FifoBusOptions.Role.DRIVER));
        Recorder devRx = new Recorder();
        Recorder drvRx = new Recorder();
        device.deviceEndpoint().orElseThrow().open(devRx);
        driver.driverEndpoint().orElseThrow().open(drvRx);
        event(devRx, "up");
        event(drvRx, "up");
        return new Linked(device, devRx, driver, drvRx);
    }

    private Linked linked() throws Exception {
        return linked(options(FifoBusOptions.Role.DEVICE, NotificationMode.ADAPTIVE));
    }

    private void exchange(FifoBus device, Recorder devRx, FifoBus driver, Recorder drvRx, int n) throws Exception {
        for (int i = 0; i < n; i++) {
            driver.driverEndpoint().orElseThrow().send(frame(i));
            assertEquals(i, devRx.frames.poll(10, TimeUnit.SECONDS), "request " + i);
            device.deviceEndpoint().orElseThrow().send(frame(1_000_000 + i));
            assertEquals(1_000_000 + i, drvRx.frames.poll(10, TimeUnit.SECONDS), "response " + i);
        }
    }

    private void up(NotificationMode mode) throws Exception {
        Linked l = linked(options(FifoBusOptions.Role.DEVICE, mode));
        assertTrue(l.device.driverEndpoint().isEmpty(), "a device host offers only the device side");
        assertTrue(l.driver.deviceEndpoint().isEmpty(), "a driver host offers only the driver side");
        exchange(l.device, l.devRx, l.driver, l.drvRx, 2000);
    }

    @Test
    void framesFlowBothWaysWhenAdaptive() throws Exception {
        up(NotificationMode.ADAPTIVE);
    }

    @Test
    void framesFlowBothWaysOnDoorbells() throws Exception {
        up(NotificationMode.DOORBELL);
        FifoEndpoint drv = buses.get(1).endpoint();
        assertTrue(drv.framesReceived() >= 2000);
    }

    @Test
    void framesFlowBothWaysWhenBusyPolling() throws Exception {
        up(NotificationMode.BUSY_POLL);
    }

    @Test
    void aPolledSideTakesFramesOnTheCallersThread() throws Exception {
        FifoBusOptions o = options(FifoBusOptions.Role.DEVICE, NotificationMode.BUSY_POLL);
        FifoBus device = bus(o);
        FifoBus driver = bus(o.withRole(FifoBusOptions.Role.DRIVER));
        Recorder devRx = new Recorder();
        Recorder drvRx = new Recorder();
        device.deviceEndpoint().orElseThrow().open(devRx);
        var ep = driver.driverEndpoint().orElseThrow();
        ep.openPolled(drvRx);
        assertThrows(IllegalStateException.class, () -> ep.open(new Recorder()));
        event(drvRx, "up");
        // The device side must see the link up too before it sends (it may lag the driver side).
        event(devRx, "up");
        device.deviceEndpoint().orElseThrow().send(frame(5));
        device.deviceEndpoint().orElseThrow().send(frame(6));
        Awaits.until("two frames polled", () -> {
            ep.poll(1);
            return drvRx.frames.size() == 2;
        });
        assertEquals(5, drvRx.frames.poll());
        assertEquals(6, drvRx.frames.poll());
        assertTrue(Thread.getAllStackTraces().keySet().stream().noneMatch(t -> t.getName().equals("vmsg-fifo-t-driver-rx")),
                "no delivery thread on a polled side");
        ep.send(frame(9));
        assertEquals(9, devRx.frames.poll(10, TimeUnit.SECONDS));
    }

    @Test
    void filesAreOwnerOnlyAndBusAddressesStartAtTheWindowBase() throws Exception {
        FifoBus device = bus(options(FifoBusOptions.Role.DEVICE, NotificationMode.ADAPTIVE));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("vmsg-t.queue"))));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("vmsg-t.window"))));
        assertEquals(0x4000_0000L, device.info().window().base());
        FifoBus driver = bus(options(FifoBusOptions.Role.DRIVER, NotificationMode.ADAPTIVE));
        device.info().window().putInt(0x4000_0100L, 0xCAFEF00D);
        assertEquals(0xCAFEF00D, driver.info().window().getInt(0x4000_0100L), "both sides map the same window");
    }

    @Test
    void sendingWithoutAPeerFailsAsPeerLost() throws Exception {
        FifoBus driver = bus(options(FifoBusOptions.Role.DRIVER, NotificationMode.ADAPTIVE));
        driver.driverEndpoint().orElseThrow().open(new Recorder());
        BusException e = assertThrows(BusException.class, () -> driver.driverEndpoint().orElseThrow().send(frame(1)));
        assertEquals(BusException.Reason.PEER_LOST, e.reason());
        Awaits.until("the driver side reports it waits for the queue file",
                () -> warnings.stream().anyMatch(w -> w.contains("waiting for the device side to create")));
    }

    @Test
    void aFullRingGivesBackPressureThenSendTimeout() throws Exception {
        FifoBusOptions small = new FifoBusOptions("t", FifoBusOptions.Role.DEVICE, dir.resolve("q"), dir.resolve("w"),
                FifoBusOptions.DEFAULT_WINDOW_BASE, 1 << 16, 64, 8, NotificationMode.ADAPTIVE, 20, 2000, 300,
                dev.vmsg.wire.WireProfile.REV1);
        Linked l = linked(small);
        Recorder devRx = l.devRx;
        FifoBus driver = l.driver;
        devRx.gate = new CountDownLatch(1); // the device's receiver stalls on the first frame
        var ep = driver.driverEndpoint().orElseThrow();
        int sent = 0;
        long start = System.nanoTime();
        BusException timeout = null;
        while (sent < 100) {
            try {
                ep.send(frame(sent));
                sent++;
            } catch (BusException e) {
                timeout = e;
                break;
            }
        }
        long waited = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertTrue(timeout != null, "a stalled consumer must not absorb unbounded frames");
        assertEquals(BusException.Reason.SEND_TIMEOUT, timeout.reason(), timeout.getMessage());
        assertTrue(sent >= 7 && sent <= 8, "7 in the ring (+1 held by the stalled receiver), sent " + sent);
        assertTrue(waited >= 300, "back-pressure first: waited " + waited + " ms");
        assertEquals(LinkState.RUN, driver.endpoint().linkState(), "a slow consumer is not a dead one");
        devRx.gate.countDown();
        for (int i = 0; i < sent; i++) {
            assertEquals(i, devRx.frames.poll(10, TimeUnit.SECONDS));
        }
        ep.send(frame(4242));
        assertEquals(4242, devRx.frames.poll(10, TimeUnit.SECONDS), "room again once the consumer runs");
    }

    @Test
    void aCrashedDeviceRestartedOverTheStaleFileDeliversNothingStale() throws Exception {
        FifoBusOptions devOpts = options(FifoBusOptions.Role.DEVICE, NotificationMode.ADAPTIVE);
        Linked l = linked(devOpts);
        FifoBus device = l.device;
        FifoBus driver = l.driver;
        Recorder drvRx = l.drvRx;
        // The driver's receiver stalls on the first frame while the device queues more, then dies.
        drvRx.gate = new CountDownLatch(1);
        for (int i = 0; i < 20; i++) {
            device.deviceEndpoint().orElseThrow().send(frame(-1 - i));
        }
        Awaits.until("the driver took the first stale frame", () -> driver.endpoint().framesReceived() == 1);
        device.endpoint().crash();
        String down = event(drvRx, "down");
        assertTrue(down.contains("no heartbeat"), down);
        drvRx.gate.countDown();
        assertEquals(-1, drvRx.frames.poll(10, TimeUnit.SECONDS), "the frame already handed over completes");

        FifoBus restarted = bus(devOpts);
        Recorder devRx2 = new Recorder();
        restarted.deviceEndpoint().orElseThrow().open(devRx2);
        event(drvRx, "up");
        // Each side reports its own link; on a loaded machine the driver's can come first.
        event(devRx2, "up");
        restarted.deviceEndpoint().orElseThrow().send(frame(7));
        assertEquals(7, drvRx.frames.poll(10, TimeUnit.SECONDS), "the first frame after the restart is the new one");
        assertTrue(drvRx.frames.isEmpty(), "nothing of the old epoch: " + drvRx.frames);
        driver.driverEndpoint().orElseThrow().send(frame(8));
        assertEquals(8, devRx2.frames.poll(10, TimeUnit.SECONDS));
    }

    @Test
    void aTruncatedQueueFileIsPeerFailureNotACrash() throws Exception {
        Linked l = linked();
        FifoBus device = l.device;
        FifoBus driver = l.driver;
        Recorder devRx = l.devRx;
        Recorder drvRx = l.drvRx;
        try (RandomAccessFile f = new RandomAccessFile(dir.resolve("vmsg-t.queue").toFile(), "rw")) {
            f.setLength(100); // the heads stay, the queues are gone: touching them faults
        }
        String down = event(drvRx, "down");
        assertTrue(down.contains("truncated") || down.contains("heartbeat"), down);
        // Both sides survive; the device side re-creates its layout and the link comes back.
        event(drvRx, "up");
        exchange(device, devRx, driver, drvRx, 10);
        assertTrue(Files.size(dir.resolve("vmsg-t.queue")) > 100);
    }

    @Test
    void aDriverRefusesABadLayoutWithAClearReason() throws Exception {
        Files.write(dir.resolve("vmsg-t.queue"), new byte[8192]);
        FifoBus driver = bus(options(FifoBusOptions.Role.DRIVER, NotificationMode.ADAPTIVE));
        driver.driverEndpoint().orElseThrow().open(new Recorder());
        Awaits.until("refusal reported", () -> warnings.stream().anyMatch(w -> w.contains("refusing the layout")
                && w.contains("bad layout magic 0x0000")));
        assertFalse(driver.linkUp());
    }

    @Test
    void aWindowOfAnotherSizeIsRefused() throws Exception {
        bus(options(FifoBusOptions.Role.DEVICE, NotificationMode.ADAPTIVE));
        FifoBusOptions o = options(FifoBusOptions.Role.DRIVER, NotificationMode.ADAPTIVE);
        FifoBusOptions other = new FifoBusOptions(o.name(), o.role(), o.queueFile(), o.windowFile(), o.windowBase(),
                o.windowSize() / 2, o.elementSize(), o.elementCount(), o.mode(), 20, 400, 300, o.profile());
        IOException e = assertThrows(IOException.class, () -> new FifoBus(other, warnings::add));
        assertTrue(e.getMessage().contains("same size"), e.getMessage());
    }

    @Test
    void closingIsGracefulAndThePeerSeesShutdown() throws Exception {
        Linked l = linked();
        FifoBus device = l.device;
        FifoBus driver = l.driver;
        Recorder devRx = l.devRx;
        Recorder drvRx = l.drvRx;
        driver.close();
        assertTrue(event(devRx, "down").contains("shut down"));
        assertTrue(event(drvRx, "down").contains("closed"));
        BusException e = assertThrows(BusException.class, () -> driver.driverEndpoint().orElseThrow().send(frame(1)));
        assertEquals(BusException.Reason.CLOSED, e.reason());
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().startsWith("vmsg-fifo-t-driver")) {
                fail("thread " + t.getName() + " still running after close");
            }
        }
    }
}
