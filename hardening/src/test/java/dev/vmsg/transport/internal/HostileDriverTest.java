package dev.vmsg.transport.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vmsg.bus.DriverEndpoint;
import dev.vmsg.bus.FrameReceiver;
import dev.vmsg.bus.loopback.internal.LoopbackBus;
import dev.vmsg.device.rng.internal.RngBackend;
import dev.vmsg.hardening.HostileRing;
import dev.vmsg.memory.DmaWindow;
import dev.vmsg.virtqueue.SplitRing;
import dev.vmsg.virtqueue.VirtqDesc;
import dev.vmsg.virtqueue.VirtqueueAddresses;
import dev.vmsg.wire.DeviceStatus;
import dev.vmsg.wire.EventAvail;
import dev.vmsg.wire.EventConfig;
import dev.vmsg.wire.FeatureBits;
import dev.vmsg.wire.FeatureSet;
import dev.vmsg.wire.Frame;
import dev.vmsg.wire.Message;
import dev.vmsg.wire.MessageCodec;
import dev.vmsg.wire.PingRequest;
import dev.vmsg.wire.PingResponse;
import dev.vmsg.wire.SetDeviceStatusRequest;
import dev.vmsg.wire.SetDeviceStatusResponse;
import dev.vmsg.wire.SetDriverFeaturesRequest;
import dev.vmsg.wire.SetVqueueRequest;
import dev.vmsg.wire.VqueueFlags;
import dev.vmsg.wire.WireProfile;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Random;
import java.util.SplittableRandom;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The hostile-driver harness (HARDENING rows 1-6, 11 and rule 4) end to end: a hand-driven driver
 * writes the matrix's bad descriptors and ring indices into the real window of a loopback bus, and
 * garbage frames onto the bus, against the real device transport hosting two real rng devices.
 * Every bad chain comes back through the used ring with length 0; ring-index abuse breaks only its
 * own device, which asks for a reset through EVENT_CONFIG; malformed frames are dropped without an
 * answer; the other device keeps serving throughout.
 */
class HostileDriverTest {
    private static final int QSIZE = 8;
    private LoopbackBus bus;
    private DeviceTransport transport;
    private DriverEndpoint endpoint;
    private MessageCodec codec;
    private final BlockingQueue<Frame> received = new LinkedBlockingQueue<>();
    private DmaWindow window;
    private int token;

    @BeforeEach
    void setUp() throws Exception {
        bus = LoopbackBus.create("hostile", WireProfile.REV1, 264, 1 << 20, w -> { });
        window = bus.info().window();
        transport = new DeviceTransport(bus.deviceEndpoint().orElseThrow(), TransportLog.SILENT);
        transport.start();
        endpoint = bus.driverEndpoint().orElseThrow();
        codec = new MessageCodec(WireProfile.REV1, 264);
        endpoint.open(new FrameReceiver() {
            @Override
            public void onFrame(ByteBuffer frame) {
                received.add(codec.decode(frame));
            }
        });
        transport.attach(new RngBackend(new Random(1), 4096, QSIZE), "victim", 0);
        transport.attach(new RngBackend(new Random(2), 4096, QSIZE), "bystander", 1);
    }

    @AfterEach
    void tearDown() {
        transport.stop();
        bus.close();
    }

    private void send(Message m, int dev) {
        ByteBuffer b = ByteBuffer.allocate(264);
        codec.encode(m, dev, ++token & 0xFFFF, b);
        endpoint.send(b.flip());
    }

    /** The next frame (skipping device announcements) within 10 s. */
    private Message next() throws InterruptedException {
        while (true) {
            Frame f = received.poll(10, TimeUnit.SECONDS);
            assertNotNull(f, "no frame within 10 s");
            if (f.header().isResponse() || f.message() instanceof EventConfig) {
                return f.message();
            }
        }
    }

    /** Brings device {@code dev} to DRIVER_OK with queue 0 at {@code at}; returns its hostile ring. */
    private HostileRing start(int dev, long at) throws InterruptedException {
        int[] steps = {0, DeviceStatus.ACKNOWLEDGE, DeviceStatus.ACKNOWLEDGE | DeviceStatus.DRIVER};
        for (int s : steps) {
            send(new SetDeviceStatusRequest(s), dev);
            assertEquals(new SetDeviceStatusResponse(s), next());
        }
        send(new SetDriverFeaturesRequest(0, 2, FeatureSet.of(FeatureBits.VIRTIO_F_VERSION_1).toBlocks(2)), dev);
        next();
        int fok = DeviceStatus.ACKNOWLEDGE | DeviceStatus.DRIVER | DeviceStatus.FEATURES_OK;
        send(new SetDeviceStatusRequest(fok), dev);
        assertEquals(new SetDeviceStatusResponse(fok), next());
        VirtqueueAddresses a = SplitRing.contiguousLayout(at, QSIZE);
        window.fill(at, SplitRing.contiguousBytes(QSIZE), (byte) 0);
        send(new SetVqueueRequest(0, VqueueFlags.ENABLE, QSIZE, a.descriptorAddr(), a.driverAddr(), a.deviceAddr()), dev);
        next();
        send(new SetDeviceStatusRequest(fok | DeviceStatus.DRIVER_OK), dev);
        assertEquals(new SetDeviceStatusResponse(fok | DeviceStatus.DRIVER_OK), next());
        return new HostileRing(window, QSIZE, a, at + 0x1000, 0x4000);
    }

    private void awaitUsed(HostileRing ring, int idx) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (ring.usedIdx() != (idx & 0xFFFF)) {
            assertTrue(System.nanoTime() < deadline, "used.idx " + ring.usedIdx() + ", expected " + idx);
            Thread.sleep(1);
        }
    }

    /** A good request on the bystander: 64 bytes of entropy come back. */
    private void bystanderServes(HostileRing ring, int n) throws InterruptedException {
        ring.write(ring.addresses().descriptorAddr(), 0, ring.indirectTable() + 0x100, 64, VirtqDesc.F_WRITE, 0);
        ring.publish(0);
        send(new EventAvail(0, 0), 1);
        awaitUsed(ring, n);
        assertEquals(0, ring.usedElement(n - 1)[0]);
        assertEquals(64, ring.usedElement(n - 1)[1]);
    }

    @Test
    void theMatrixBadChainsComeBackWithLengthZeroAndIndexAbuseBreaksOnlyItsOwnDevice() throws Exception {
        long base = window.base();
        HostileRing victim = start(0, base);
        HostileRing bystander = start(1, base + 0x8000);
        bystanderServes(bystander, 1);
        long desc = victim.addresses().descriptorAddr();
        long data = victim.indirectTable();
        long end = base + window.size();
        // {addr, len, flags, next} of descriptor 0 (and 1 where the row needs a second one)
        List<long[][]> rows = List.of(
                new long[][] {{data, 16, VirtqDesc.F_NEXT, 0}},                                      // 1 self-loop
                new long[][] {{data, 16, VirtqDesc.F_NEXT, 1}, {data, 16, VirtqDesc.F_NEXT, 0}},     // 1 two-cycle
                new long[][] {{data, 16, VirtqDesc.F_NEXT, QSIZE}},                                  // 2 next = size
                new long[][] {{data, 16, VirtqDesc.F_NEXT, 0xFFFF}},                                 // 2 next = 0xFFFF
                new long[][] {{0xFFFF_FFFF_FFFF_FFF0L, 0x20, VirtqDesc.F_WRITE, 0}},                 // 3 wraps 2^64
                new long[][] {{end - 1, 2, VirtqDesc.F_WRITE, 0}},                                   // 3 base+size-1, 2
                new long[][] {{base - 1, 1, VirtqDesc.F_WRITE, 0}},                                  // 3 base-1
                new long[][] {{data, 0xFFFF_FFFFL, VirtqDesc.F_WRITE, 0}},                           // 4 4 GiB-1
                new long[][] {{desc, 64, VirtqDesc.F_WRITE, 0}},                                     // rule 7: over a ring
                new long[][] {{data, 16, VirtqDesc.F_WRITE | VirtqDesc.F_NEXT, 1}, {data + 64, 16, 0, 0}}); // 5
        int used = 0;
        for (long[][] row : rows) {
            for (int i = 0; i < row.length; i++) {
                victim.write(desc, i, row[i][0], (int) row[i][1], (int) row[i][2], (int) row[i][3]);
            }
            victim.publish(0);
            send(new EventAvail(0, 0), 0);
            awaitUsed(victim, ++used);
            assertEquals(0, victim.usedElement(used - 1)[0], "head returned");
            assertEquals(0, victim.usedElement(used - 1)[1], "bad chain returned with length 0");
        }
        // Row 6: avail.idx jumps past the queue size: the victim breaks and asks for a reset ...
        window.putShortRelease(victim.addresses().driverAddr() + SplitRing.OFFSET_IDX, (short) (used + QSIZE + 1));
        send(new EventAvail(0, 0), 0);
        Message m = next();
        assertTrue(m instanceof EventConfig c && (c.deviceStatus() & DeviceStatus.DEVICE_NEEDS_RESET) != 0,
                "EVENT_CONFIG with DEVICE_NEEDS_RESET, got " + m);
        // ... while the bystander on the same bus keeps serving.
        bystanderServes(bystander, 2);
        // Row 11: garbage frames are dropped unanswered; the bus and both devices stay up.
        SplittableRandom rnd = new SplittableRandom(8);
        for (int i = 0; i < 2000; i++) {
            byte[] junk = new byte[rnd.nextInt(1, 264)];
            rnd.nextBytes(junk);
            if (junk.length >= 8) {
                junk[6] = (byte) junk.length; // often a plausible msg_size
                junk[7] = 0;
                junk[0] &= 0x01;               // requests and responses of transport messages ...
                junk[2] = 0x55;                // ... for a device number nobody has: a well-formed
                junk[3] = 0x55;                // SET_DEVICE_STATUS must not reset the bystander by luck
            }
            if (junk.length < 8) {
                // shorter than any header: the bus itself refuses it, with its typed error
                org.junit.jupiter.api.Assertions.assertThrows(dev.vmsg.bus.BusException.class,
                        () -> endpoint.send(ByteBuffer.wrap(junk)));
            } else {
                endpoint.send(ByteBuffer.wrap(junk));
            }
        }
        send(new PingRequest(0x1234), 0);
        Message pong;
        do {
            pong = next();
        } while (!(pong instanceof PingResponse));
        assertEquals(new PingResponse(0x1234), pong);
        bystanderServes(bystander, 3);
    }
}
