package dev.vmsg.bus.loopback.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vmsg.bus.BusException;
import dev.vmsg.bus.FrameReceiver;
import dev.vmsg.wire.WireProfile;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class LoopbackBusTest {

    private final List<String> warnings = new CopyOnWriteArrayList<>();

    private static final class Collector implements FrameReceiver {
        final BlockingQueue<byte[]> frames = new LinkedBlockingQueue<>();
        final BlockingQueue<Thread> threads = new LinkedBlockingQueue<>();
        volatile String linkDown;

        @Override
        public void onFrame(ByteBuffer frame) {
            byte[] b = new byte[frame.remaining()];
            frame.get(b);
            threads.add(Thread.currentThread()); // before the frame: a test that saw the frame sees its thread
            frames.add(b);
        }

        @Override
        public void onLinkDown(String reason) {
            linkDown = reason;
        }
    }

    private static ByteBuffer frame(int size, int marker) {
        ByteBuffer b = ByteBuffer.allocate(size);
        b.put(0, (byte) marker);
        return b;
    }

    private static long loopbackThreads(String bus) {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().startsWith("vmsg-loopback-" + bus + "-")).count();
    }

    @Test
    void framesCrossInBothDirectionsOnTheReceiversOwnThread() throws Exception {
        try (LoopbackBus bus = LoopbackBus.create("t1", WireProfile.REV1, 64, 1 << 16, warnings::add)) {
            Collector driver = new Collector();
            Collector device = new Collector();
            bus.driverEndpoint().orElseThrow().open(driver);
            bus.deviceEndpoint().orElseThrow().open(device);
            ByteBuffer f = frame(12, 7);
            bus.driverEndpoint().orElseThrow().send(f);
            assertEquals(0, f.position(), "send leaves the caller's buffer alone");
            assertEquals(7, device.frames.poll(5, TimeUnit.SECONDS)[0]);
            assertNotEquals(Thread.currentThread(), device.threads.poll());
            assertTrue(device.threads.isEmpty());
            bus.deviceEndpoint().orElseThrow().send(frame(64, 9));
            assertEquals(9, driver.frames.poll(5, TimeUnit.SECONDS)[0]);
        }
    }

    @Test
    void frameOutsideTheBusLimitsIsRefused() {
        try (LoopbackBus bus = LoopbackBus.create("t2", WireProfile.REV1, 64, 1 << 16, warnings::add)) {
            var ep = bus.driverEndpoint().orElseThrow();
            assertEquals(BusException.Reason.BAD_FRAME, assertThrows(BusException.class, () -> ep.send(frame(65, 0))).reason());
            assertEquals(BusException.Reason.BAD_FRAME, assertThrows(BusException.class, () -> ep.send(frame(7, 0))).reason());
        }
    }

    @Test
    void stalledReceiverGivesBackPressureThenASendTimeout() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        try (LoopbackBus bus = new LoopbackBus("t3", WireProfile.REV1, 64, LoopbackBus.DEFAULT_WINDOW_BASE, 1 << 16, 4,
                100, warnings::add)) {
            bus.deviceEndpoint().orElseThrow().open(frame -> {
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            var ep = bus.driverEndpoint().orElseThrow();
            // One frame is held by the stalled receiver, four fill the ring.
            int sent = 0;
            BusException timeout = null;
            long start = System.nanoTime();
            for (int i = 0; i < 10 && timeout == null; i++) {
                try {
                    ep.send(frame(16, i));
                    sent++;
                } catch (BusException e) {
                    timeout = e;
                }
            }
            assertNotNull(timeout);
            assertEquals(BusException.Reason.SEND_TIMEOUT, timeout.reason());
            assertTrue(sent <= 5, "sent " + sent);
            assertTrue(System.nanoTime() - start >= TimeUnit.MILLISECONDS.toNanos(100));
            release.countDown();
        }
    }

    @Test
    void closingStopsDeliveryThreadsTellsReceiversAndRefusesSends() throws Exception {
        LoopbackBus bus = LoopbackBus.create("t4", WireProfile.REV1, 64, 1 << 16, warnings::add);
        Collector driver = new Collector();
        Collector device = new Collector();
        bus.driverEndpoint().orElseThrow().open(driver);
        bus.deviceEndpoint().orElseThrow().open(device);
        assertEquals(2, loopbackThreads("t4"));
        bus.close();
        assertEquals(0, loopbackThreads("t4"));
        assertNotNull(driver.linkDown);
        assertNotNull(device.linkDown);
        var ep = bus.driverEndpoint().orElseThrow();
        assertEquals(BusException.Reason.CLOSED, assertThrows(BusException.class, () -> ep.send(frame(8, 0))).reason());
        bus.close(); // idempotent
    }

    @Test
    void detachedReceiverGetsNothingAndANewReceiverTakesOver() throws Exception {
        try (LoopbackBus bus = LoopbackBus.create("t5", WireProfile.REV1, 64, 1 << 16, warnings::add)) {
            Collector first = new Collector();
            Collector second = new Collector();
            var device = bus.deviceEndpoint().orElseThrow();
            device.open(first);
            device.detach(first);
            bus.driverEndpoint().orElseThrow().send(frame(8, 1));
            Thread.sleep(50);
            assertNull(first.frames.poll());
            device.open(second);
            bus.driverEndpoint().orElseThrow().send(frame(8, 2));
            assertEquals(2, second.frames.poll(5, TimeUnit.SECONDS)[0]);
            assertNull(first.frames.poll());
        }
    }

    @Test
    void receiverThatThrowsIsSurvivedAndReported() throws Exception {
        try (LoopbackBus bus = LoopbackBus.create("t6", WireProfile.REV1, 64, 1 << 16, warnings::add)) {
            BlockingQueue<Integer> ok = new LinkedBlockingQueue<>();
            bus.deviceEndpoint().orElseThrow().open(frame -> {
                if (frame.get(0) == 1) {
                    throw new IllegalStateException("broken receiver");
                }
                ok.add((int) frame.get(0));
            });
            bus.driverEndpoint().orElseThrow().send(frame(8, 1));
            bus.driverEndpoint().orElseThrow().send(frame(8, 2));
            assertEquals(2, ok.poll(5, TimeUnit.SECONDS));
            assertTrue(warnings.stream().anyMatch(w -> w.contains("broken receiver")), warnings.toString());
        }
    }

    @Test
    void windowIsTheConfiguredReservedMemory() {
        try (LoopbackBus bus = new LoopbackBus("t7", WireProfile.RFC2, 64, 0x1_0000_0000L, 1 << 20, 8, 100,
                warnings::add)) {
            assertEquals(0x1_0000_0000L, bus.info().window().base());
            assertEquals(1 << 20, bus.info().window().size());
            assertEquals(WireProfile.RFC2, bus.info().profile());
        }
    }

    @Test
    void polledSideGetsFramesOnlyOnTheCallersThreadWhenItPolls() throws Exception {
        try (LoopbackBus bus = LoopbackBus.create("t8", WireProfile.REV1, 64, 1 << 16, warnings::add)) {
            Collector driver = new Collector();
            var ep = bus.driverEndpoint().orElseThrow();
            ep.openPolled(driver);
            assertEquals(0, loopbackThreads("t8"), "a polled side has no delivery thread");
            bus.deviceEndpoint().orElseThrow().send(frame(8, 1));
            bus.deviceEndpoint().orElseThrow().send(frame(8, 2));
            assertNull(driver.frames.poll(50, TimeUnit.MILLISECONDS), "nothing before poll");
            assertEquals(1, ep.poll(1));
            assertEquals(Thread.currentThread(), driver.threads.poll());
            assertEquals(1, ep.poll(16));
            assertEquals(0, ep.poll(16));
            assertEquals(1, driver.frames.poll()[0]);
            assertEquals(2, driver.frames.poll()[0]);
            assertThrows(IllegalStateException.class, () -> ep.open(new Collector()));
            var device = bus.deviceEndpoint().orElseThrow();
            device.open(new Collector());
            assertThrows(IllegalStateException.class, () -> device.openPolled(new Collector()));
            assertThrows(IllegalStateException.class, () -> device.poll(1));
        }
    }
}
