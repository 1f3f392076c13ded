package dev.vmsg.device.net.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vmsg.bus.loopback.internal.LoopbackBus;
import dev.vmsg.device.net.NetworkPort;
import dev.vmsg.driver.VirtioDeviceException;
import dev.vmsg.transport.internal.TransportCore;
import dev.vmsg.transport.internal.TransportLog;
import dev.vmsg.transport.internal.TransportOptions;
import dev.vmsg.wire.WireProfile;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Two virtio-net devices on one switch, driven through the transport over a loopback bus, port to port. */
class NetEndToEndTest {

    static final Duration T = Duration.ofSeconds(10);
    static final long MAC_A = 0x0200_0000_000AL;
    static final long MAC_B = 0x0200_0000_000BL;

    private final BlockingQueue<NetworkPort> published = new LinkedBlockingQueue<>();
    private final BlockingQueue<NetworkPort> withdrawn = new LinkedBlockingQueue<>();
    private TransportCore core;
    private L2Switch sw;
    private NetBackend devA;
    private NetBackend devB;
    private NetworkPort a;
    private NetworkPort b;

    @BeforeEach
    void start() throws InterruptedException {
        LoopbackBus bus = LoopbackBus.create("netbus", WireProfile.REV1, 264, 4 << 20, w -> { });
        core = new TransportCore(TransportOptions.DEFAULTS, TransportLog.SILENT);
        core.addBus("bus", bus);
        core.addDriver("driver", new NetDriver(port -> {
            published.add(port);
            return () -> withdrawn.add(port);
        }));
        sw = new L2Switch("sw0", 64);
        devA = new NetBackend(new NetSettings(MAC_A, 1500, 256, 1024), sw::attach);
        devB = new NetBackend(new NetSettings(MAC_B, 1500, 256, 1024), sw::attach);
        core.addBackend("a", devA, "netbus", "net0", null);
        NetworkPort first = published.poll(10, TimeUnit.SECONDS);
        core.addBackend("b", devB, "netbus", "net1", null);
        NetworkPort second = published.poll(10, TimeUnit.SECONDS);
        assertNotNull(first);
        assertNotNull(second);
        a = first.macAddress().equals("02:00:00:00:00:0a") ? first : second;
        b = a == first ? second : first;
        assertEquals("02:00:00:00:00:0a", a.macAddress());
        assertEquals("02:00:00:00:00:0b", b.macAddress());
    }

    @AfterEach
    void stop() {
        core.close();
    }

    static BlockingQueue<byte[]> collect(NetworkPort port) {
        BlockingQueue<byte[]> q = new LinkedBlockingQueue<>();
        port.setReceiver(f -> {
            byte[] copy = new byte[f.remaining()];
            f.get(copy);
            q.add(copy);
        });
        return q;
    }

    static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + T.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(5);
        }
    }

    @Test
    void arpRequestAndReplyTravelDriverToDriverAndTheSwitchLearns() throws InterruptedException {
        assertEquals(1500, a.mtu());
        assertTrue(a.linkUp());
        BlockingQueue<byte[]> atA = collect(a);
        BlockingQueue<byte[]> atB = collect(b);
        ArpFrame request = ArpFrame.request(MAC_A, NetCommands.IP_A, NetCommands.IP_B);
        byte[] requestBytes = request.toFrame().array();
        a.send(request.toFrame(), T);
        byte[] got = atB.poll(10, TimeUnit.SECONDS);
        assertNotNull(got, "B received the broadcast request");
        assertArrayEquals(requestBytes, got);
        ArpFrame parsed = ArpFrame.parse(ByteBuffer.wrap(got));
        assertEquals(request, parsed);
        ArpFrame reply = parsed.reply(VirtioNet.macOf(b.mac()));
        b.send(reply.toFrame(), T);
        byte[] back = atA.poll(10, TimeUnit.SECONDS);
        assertNotNull(back, "A received the reply");
        assertArrayEquals(reply.toFrame().array(), back);
        assertEquals(new ArpFrame(ArpFrame.REPLY, MAC_B, NetCommands.IP_B, MAC_A, NetCommands.IP_A),
                ArpFrame.parse(ByteBuffer.wrap(back)));
        // Learned both; the request was flooded (broadcast), the reply went straight to A.
        assertEquals(sw.ports()[0], sw.table().lookup(MAC_A));
        assertEquals(sw.ports()[1], sw.table().lookup(MAC_B));
        assertEquals(1, sw.ports()[0].flooded.get());
        assertEquals(0, sw.ports()[1].flooded.get());
        assertNull(atA.poll(50, TimeUnit.MILLISECONDS), "A does not hear its own broadcast");
        assertEquals(1, a.counters().txFrames());
        assertEquals(1, a.counters().rxFrames());
    }

    @Test
    void udpFramesInBatchesArriveByteIdenticalAndInOrder() throws InterruptedException {
        BlockingQueue<byte[]> atB = collect(b);
        List<byte[]> sent = new ArrayList<>();
        for (int i = 0; i < 320; i++) {
            byte[] data = new byte[18 + (i * 37) % 1400];
            for (int k = 0; k < data.length; k++) {
                data[k] = (byte) (i + k);
            }
            sent.add(Frames.udp(MAC_B, MAC_A, 0x0A00_0001, 0x0A00_0002, 40000 + i, 9, data));
        }
        ByteBuffer[] batch = new ByteBuffer[32];
        long deadline = System.nanoTime() + T.toNanos();
        for (int i = 0; i < sent.size(); i += 32) {
            for (int k = 0; k < 32; k++) {
                batch[k] = ByteBuffer.wrap(sent.get(i + k));
            }
            int done = 0;
            while (done < 32) {
                done += a.send(batch, done, 32 - done);
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("transmit slots did not come back");
                }
            }
            assertFalse(batch[31].hasRemaining(), "a sent frame's position moves to its limit");
        }
        for (int i = 0; i < sent.size(); i++) {
            byte[] got = atB.poll(10, TimeUnit.SECONDS);
            assertNotNull(got, "frame " + i);
            assertArrayEquals(sent.get(i), got, "frame " + i);
        }
        assertEquals(sent.size(), b.counters().rxFrames());
        assertEquals(0, b.counters().rxErrors());
        assertEquals(sent.size(), devB.stat(NetStat.RX_FRAMES));
    }

    @Test
    void pollingTakesFramesWhenNoReceiverIsSet() throws InterruptedException {
        for (int i = 0; i < 5; i++) {
            a.send(ByteBuffer.wrap(Frames.sized(MAC_B, MAC_A, 64, i)), T);
        }
        List<byte[]> got = new ArrayList<>();
        await(() -> {
            b.receive(f -> {
                byte[] c = new byte[f.remaining()];
                f.get(c);
                got.add(c);
            }, 2);
            return got.size() == 5;
        }, "five frames by polling");
        for (int i = 0; i < 5; i++) {
            assertArrayEquals(Frames.sized(MAC_B, MAC_A, 64, i), got.get(i));
        }
        assertEquals(0, b.receive(f -> { }, 10));
    }

    @Test
    void linkDownReachesTheDriverAndFramesAreDroppedAndCounted() throws InterruptedException {
        BlockingQueue<byte[]> atB = collect(b);
        devB.setLinkUp(false);
        await(() -> !b.linkUp(), "B's port to see the link down");
        a.send(ByteBuffer.wrap(Frames.sized(MAC_B, MAC_A, 64, 1)), T);
        await(() -> devB.stat(NetStat.RX_LINK_DOWN) == 1, "the frame to be dropped at B");
        b.send(ByteBuffer.wrap(Frames.sized(MAC_A, MAC_B, 64, 2)), T);
        await(() -> devB.stat(NetStat.TX_LINK_DOWN) == 1, "B's frame to be dropped");
        assertTrue(atB.isEmpty());
        devB.setLinkUp(true);
        await(b::linkUp, "B's port to see the link up");
        a.send(ByteBuffer.wrap(Frames.sized(MAC_B, MAC_A, 64, 3)), T);
        assertArrayEquals(Frames.sized(MAC_B, MAC_A, 64, 3), atB.poll(10, TimeUnit.SECONDS));
    }

    @Test
    void aReceiverAnswersFromItsCallbackWhileAnotherThreadReadsTheCounters() throws InterruptedException {
        java.util.concurrent.atomic.AtomicLong answered = new java.util.concurrent.atomic.AtomicLong();
        java.util.concurrent.atomic.AtomicLong refused = new java.util.concurrent.atomic.AtomicLong();
        b.setReceiver(f -> {
            byte[] echo = new byte[f.remaining()];
            f.get(echo);
            System.arraycopy(echo, 6, echo, 0, 6);
            ByteBuffer.wrap(echo).putShort(6, (short) (MAC_B >>> 32)).putInt(8, (int) MAC_B);
            (b.trySend(ByteBuffer.wrap(echo)) ? answered : refused).incrementAndGet();
        });
        BlockingQueue<byte[]> atA = collect(a);
        java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
        Thread reader = new Thread(() -> {
            while (!stop.get()) {
                b.counters();
            }
        }, "counters-reader");
        reader.start();
        try {
            for (int i = 0; i < 300; i++) {
                a.send(ByteBuffer.wrap(Frames.sized(MAC_B, MAC_A, 64, i)), T);
            }
            await(() -> answered.get() + refused.get() == 300, "B to handle all 300 frames");
            await(() -> atA.size() == answered.get(), "A to receive every answer");
        } finally {
            stop.set(true);
            reader.join(T.toMillis());
        }
        assertFalse(reader.isAlive(), "the counters reader is not stuck");
        assertTrue(answered.get() > 0);
        assertArrayEquals(new byte[] {2, 0, 0, 0, 0, 0x0a}, java.util.Arrays.copyOf(atA.poll(), 6));
    }

    @Test
    void thePortRefusesFramesTheMtuRulesOut() {
        assertThrows(IllegalArgumentException.class, () -> a.trySend(ByteBuffer.wrap(Frames.sized(MAC_B, MAC_A, 1515, 0))));
        assertThrows(IllegalArgumentException.class, () -> a.trySend(ByteBuffer.allocate(13)));
        assertTrue(a.trySend(ByteBuffer.wrap(Frames.sized(MAC_B, MAC_A, 1514, 0))));
        assertTrue(a.trySend(ByteBuffer.wrap(NetBackendTest.tagged(MAC_B, MAC_A, 1518))));
        assertEquals(1514, a.maxFrameSize(false));
    }

    @Test
    void aRemovedDeviceFailsEverySendWithRemoved() throws InterruptedException {
        core.removeBackend("b");
        assertEquals(b, withdrawn.poll(10, TimeUnit.SECONDS));
        VirtioDeviceException e = assertThrows(VirtioDeviceException.class,
                () -> b.trySend(ByteBuffer.wrap(Frames.sized(MAC_A, MAC_B, 64, 0))));
        assertEquals(VirtioDeviceException.Reason.REMOVED, e.reason());
        e = assertThrows(VirtioDeviceException.class, () -> b.send(ByteBuffer.wrap(Frames.sized(MAC_A, MAC_B, 64, 0)), T));
        assertEquals(VirtioDeviceException.Reason.REMOVED, e.reason());
        // A keeps working; frames for B are now dropped by its stopped model.
        assertTrue(a.trySend(ByteBuffer.wrap(Frames.sized(MAC_B, MAC_A, 64, 0))));
    }
}
