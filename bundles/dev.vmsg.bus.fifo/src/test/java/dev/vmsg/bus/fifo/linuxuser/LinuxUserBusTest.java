package dev.vmsg.bus.fifo.linuxuser;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vmsg.bus.BusException;
import dev.vmsg.bus.DeviceEndpoint;
import dev.vmsg.bus.DriverEndpoint;
import dev.vmsg.bus.FrameReceiver;
import dev.vmsg.bus.fifo.internal.Awaits;
import dev.vmsg.bus.fifo.internal.FifoBusOptions.Role;
import dev.vmsg.bus.fifo.internal.SharedFile;
import dev.vmsg.device.rng.EntropySource;
import dev.vmsg.device.rng.internal.RngBackend;
import dev.vmsg.device.rng.internal.RngDriver;
import dev.vmsg.transport.internal.TransportCore;
import dev.vmsg.transport.internal.TransportLog;
import dev.vmsg.transport.internal.TransportOptions;
import dev.vmsg.wire.DeviceBusState;
import dev.vmsg.wire.EventDevice;
import dev.vmsg.wire.Frame;
import dev.vmsg.wire.GetDeviceInfoRequest;
import dev.vmsg.wire.GetDevicesRequest;
import dev.vmsg.wire.GetDevicesResponse;
import dev.vmsg.wire.GetVqueueRequest;
import dev.vmsg.wire.GetVqueueResponse;
import dev.vmsg.wire.Header;
import dev.vmsg.wire.Message;
import dev.vmsg.wire.MessageCodec;
import dev.vmsg.wire.MessageIds;
import dev.vmsg.wire.VqueueFlags;
import dev.vmsg.wire.WireProfile;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * One side or both sides of the QEMU linux-user mode in one JVM over real files and a real socket:
 * the files the device side creates, the doorbell protocol against a plain peer written from the
 * layout, the 48-byte framing guarantee, and each QEMU quirk (spec 6.2.1).
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class LinuxUserBusTest {

    private static final int RAM = 4 << 20;
    private static final MessageCodec CODEC = new MessageCodec(WireProfile.RFC3, 48);

    @TempDir
    Path dir;

    private final List<AutoCloseable> open = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
    }

    private LinuxUserBus bus(Role role) throws IOException {
        LinuxUserBus b = new LinuxUserBus(LinuxUserBusOptions.defaults("qemu0", role, dir, "linux-user", RAM), w -> { });
        open.add(b);
        return b;
    }

    /** Records frames (copied) and link events. */
    private static class Recorder implements FrameReceiver {
        final BlockingQueue<byte[]> frames = new LinkedBlockingQueue<>();
        final AtomicInteger ups = new AtomicInteger();
        final AtomicInteger downs = new AtomicInteger();

        @Override
        public void onFrame(ByteBuffer frame) {
            byte[] b = new byte[frame.remaining()];
            frame.duplicate().get(b);
            frames.add(b);
        }

        @Override
        public void onLinkUp() {
            ups.incrementAndGet();
        }

        @Override
        public void onLinkDown(String reason) {
            downs.incrementAndGet();
        }

        byte[] next() throws InterruptedException {
            byte[] b = frames.poll(20, TimeUnit.SECONDS);
            assertNotNull(b, "no frame within 20 s");
            return b;
        }
    }

    private static ByteBuffer encode(Message m, int devNum, int token) {
        ByteBuffer b = ByteBuffer.allocate(48);
        CODEC.encode(m, devNum, token, b);
        return b.flip();
    }

    private static byte[] bytes(ByteBuffer b) {
        byte[] out = new byte[b.remaining()];
        b.duplicate().get(out);
        return out;
    }

    private static Frame decode(byte[] frame) {
        return CODEC.decode(ByteBuffer.wrap(frame));
    }

    private static Header header(byte[] frame) {
        return CODEC.readHeader(ByteBuffer.wrap(frame));
    }

    private SocketChannel plainDriverConnect() throws IOException {
        SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
        ch.connect(UnixDomainSocketAddress.of(dir.resolve("linux-user.socket")));
        open.add(ch);
        return ch;
    }

    private static byte[] readExactly(SocketChannel ch, int n) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(n);
        while (b.hasRemaining()) {
            if (ch.read(b) < 0) {
                throw new IOException("socket closed after " + b.position() + " bytes");
            }
        }
        return b.array();
    }

    // ---- files ----

    @Test
    void deviceSideCreatesQemusFiles() throws IOException {
        bus(Role.DEVICE);
        for (String name : new String[] {"queue-linux-user-driver", "queue-linux-user-device"}) {
            Path p = dir.resolve(name);
            assertTrue(Files.exists(p), name);
            assertEquals(262_272L, Files.size(p), name + " size");
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(p)));
            QueueFileReader r = new QueueFileReader(p);
            assertEquals(0, r.head());
            assertEquals(0, r.tail());
        }
        assertTrue(Files.exists(dir.resolve("linux-user.socket")), "the device side listens on the doorbell socket");
        assertEquals(RAM, Files.size(dir.resolve("qemu-ram")));
    }

    @Test
    void ramFileLargerThanTheWindowIsMappedAsAPrefix() throws IOException {
        Path ram = dir.resolve("qemu-ram");
        try (var ch = FileChannel.open(ram, StandardOpenOption.CREATE_NEW,
                StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap(new byte[] {0x5A}), 2L * RAM - 1);
        }
        Files.write(ram, new byte[] {0x11, 0x22}, StandardOpenOption.WRITE);
        LinuxUserBus b = bus(Role.DEVICE);
        assertEquals(RAM, b.info().window().size());
        assertEquals(0x4000_0000L, b.info().window().base());
        assertEquals(0x11, b.info().window().getByte(0x4000_0000L), "bus address = file offset + 0x40000000");
        assertEquals(0x22, b.info().window().getByte(0x4000_0001L));
        assertEquals(2L * RAM, Files.size(ram), "QEMU's larger RAM file is left as it is");
    }

    // ---- doorbell protocol ----

    @Test
    void plainDriverIsHeardAndGetsOneDoorbellBytePerMessage() throws Exception {
        LinuxUserBus device = bus(Role.DEVICE);
        Recorder rx = new Recorder();
        device.deviceEndpoint().orElseThrow().open(rx);
        QueueFileReader driverQueue = new QueueFileReader(dir.resolve("queue-linux-user-driver"));
        QueueFileReader deviceQueue = new QueueFileReader(dir.resolve("queue-linux-user-device"));
        SocketChannel peer = plainDriverConnect();
        Awaits.until("the device side accepted the plain driver", device::linkUp);

        // Five messages, one 0xED: the whole queue is drained per wake-up.
        List<byte[]> sent = new ArrayList<>();
        for (int k = 0; k < 5; k++) {
            byte[] m = bytes(encode(new GetDevicesRequest(8 * k, 8), 0, 100 + k));
            driverQueue.putSlot(k, m);
            sent.add(m);
        }
        driverQueue.setHead(5);
        peer.write(ByteBuffer.wrap(new byte[] {(byte) 0xED}));
        for (byte[] m : sent) {
            byte[] got = rx.next();
            assertEquals(48, got.length, "whole 48-byte messages are handed over");
            assertArrayEquals(m, Arrays.copyOf(got, m.length));
        }
        Awaits.until("the device side consumed all five", () -> tail(driverQueue) == 5);

        // Three messages sent by the device side: three 0xED bytes, three slots.
        for (int k = 0; k < 3; k++) {
            device.deviceEndpoint().orElseThrow().send(encode(new EventDevice(k, DeviceBusState.ADDED), 0, 0));
        }
        assertArrayEquals(new byte[] {(byte) 0xED, (byte) 0xED, (byte) 0xED}, readExactly(peer, 3));
        assertEquals(3, deviceQueue.head());
        for (int k = 0; k < 3; k++) {
            byte[] slot = deviceQueue.slot(k);
            assertEquals(12, QueueFileReader.msgSize(slot));
            assertEquals(new EventDevice(k, DeviceBusState.ADDED), decode(Arrays.copyOf(slot, 12)).message());
        }
        peer.configureBlocking(false);
        assertEquals(0, peer.read(ByteBuffer.allocate(4)), "no doorbell byte beyond one per message");
    }

    private static long tail(QueueFileReader q) {
        try {
            return q.tail();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void peerClosingTheSocketIsLinkDownAndAReconnectIsLinkUp() throws Exception {
        LinuxUserBus device = bus(Role.DEVICE);
        Recorder rx = new Recorder();
        device.deviceEndpoint().orElseThrow().open(rx);
        SocketChannel first = plainDriverConnect();
        Awaits.until("link up", () -> rx.ups.get() == 1);
        first.close();
        Awaits.until("link down after the peer closed", () -> rx.downs.get() == 1 && !device.linkUp());
        assertThrows(BusException.class, () -> device.deviceEndpoint().orElseThrow()
                .send(encode(new EventDevice(0, DeviceBusState.ADDED), 0, 0)));
        plainDriverConnect();
        Awaits.until("link up again", () -> rx.ups.get() == 2 && device.linkUp());
    }

    // ---- 48-byte framing ----

    @Test
    void noMessageOverTheFramingIsEverWritten() throws Exception {
        LinuxUserBus device = bus(Role.DEVICE);
        var endpoint = device.deviceEndpoint().orElseThrow();
        endpoint.open(new Recorder());
        plainDriverConnect();
        Awaits.until("link up", device::linkUp);
        QueueFileReader deviceQueue = new QueueFileReader(dir.resolve("queue-linux-user-device"));

        ByteBuffer big = ByteBuffer.allocate(49);
        big.put(6, (byte) 49);
        BusException tooBig = assertThrows(BusException.class, () -> endpoint.send(big));
        assertEquals(BusException.Reason.BAD_FRAME, tooBig.reason());

        ByteBuffer lying = ByteBuffer.allocate(48);
        lying.put(6, (byte) 40);
        BusException mismatch = assertThrows(BusException.class, () -> endpoint.send(lying));
        assertEquals(BusException.Reason.BAD_FRAME, mismatch.reason());

        ByteBuffer claimsMore = ByteBuffer.allocate(40);
        claimsMore.put(6, (byte) 64);
        assertEquals(BusException.Reason.BAD_FRAME,
                assertThrows(BusException.class, () -> endpoint.send(claimsMore)).reason());

        assertEquals(0, deviceQueue.head(), "nothing reached a slot");
        ByteBuffer ok = ByteBuffer.allocate(48);
        ok.put(6, (byte) 48);
        endpoint.send(ok);
        assertEquals(1, deviceQueue.head());
    }

    // ---- quirks ----

    /** A device side with {@code deviceReceiver} and a driver side recording into {@code rx}, linked. */
    private record Linked<R extends FrameReceiver>(LinuxUserBus device, R qemu, DeviceEndpoint deviceEndpoint,
            LinuxUserBus driver, DriverEndpoint endpoint, Recorder rx) {
    }

    private <R extends FrameReceiver> Linked<R> linked(Function<LinuxUserBus, R> deviceReceiver) throws Exception {
        LinuxUserBus device = bus(Role.DEVICE);
        R qemu = deviceReceiver.apply(device);
        DeviceEndpoint deviceEndpoint = device.deviceEndpoint().orElseThrow();
        deviceEndpoint.open(qemu);
        LinuxUserBus driver = bus(Role.DRIVER);
        DriverEndpoint endpoint = driver.driverEndpoint().orElseThrow();
        Recorder rx = new Recorder();
        endpoint.open(rx);
        Awaits.until("link up", () -> driver.linkUp() && device.linkUp());
        return new Linked<>(device, qemu, deviceEndpoint, driver, endpoint, rx);
    }

    private static DriverQuirks quirks(Linked<?> l) {
        return ((LinuxUserEndpoint.DriverSide) l.endpoint()).quirks();
    }

    /**
     * QEMU's GET_DEVICES answer as a QEMU 10.2 build sent it (spec 6.2.1): type 0x03, token 0, msg_size
     * 46, offset 0, count 32, next_offset 0, a 4-byte bitmap (device 0), then padding.
     */
    private static ByteBuffer qemuGetDevicesAnswer() {
        ByteBuffer b = ByteBuffer.allocate(46);
        b.put(new byte[] {0x03, 0x02, 0x00, 0x00, 0x00, 0x00, 0x2E, 0x00, 0x00, 0x00, 0x20, 0x00, 0x00, 0x00, 0x01,
            0x00, 0x00, 0x00});
        return b.clear();
    }

    /** A device side that answers GET_DEVICES as QEMU does and records everything else. */
    private static final class QuirkyQemuDevice extends Recorder {
        private final LinuxUserBus bus;

        QuirkyQemuDevice(LinuxUserBus bus) {
            this.bus = bus;
        }

        @Override
        public void onFrame(ByteBuffer frame) {
            if (frame.get(frame.position()) == 0x02 && frame.get(frame.position() + 1) == MessageIds.BUS_GET_DEVICES) {
                bus.deviceEndpoint().orElseThrow().send(qemuGetDevicesAnswer());
                return;
            }
            super.onFrame(frame);
        }
    }

    @Test
    void getDevicesAnswerWithoutTokenAndWithOversizedMsgSizeIsUnderstood() throws Exception {
        Linked<QuirkyQemuDevice> l = linked(QuirkyQemuDevice::new);
        l.endpoint().send(encode(new GetDevicesRequest(0, 256), 0, 0x1234));
        Frame f = decode(l.rx().next());
        assertEquals(0x1234, f.header().token(), "quirk: the missing token is restored from the request");
        assertEquals(46, f.header().msgSize(), "quirk: msg_size beyond the bitmap is padding within the framing");
        GetDevicesResponse r = (GetDevicesResponse) f.message();
        assertEquals(32, r.count());
        BitSet only0 = new BitSet();
        only0.set(0);
        assertEquals(only0, r.presentDevices());
        assertEquals(1, quirks(l).tokensRestored());
    }

    @Test
    void getDevicesAnswerClaimingMoreThanTheFramingIsCutToIt() throws Exception {
        Linked<Recorder> l = linked(device -> new Recorder());
        l.endpoint().send(encode(new GetDevicesRequest(0, 32), 0, 0x77));

        // Written by a plain peer, as the vmsg device side refuses to produce it: msg_size 0xFFFF.
        QueueFileReader deviceQueue = new QueueFileReader(dir.resolve("queue-linux-user-device"));
        byte[] m = Arrays.copyOf(bytes(qemuGetDevicesAnswer()), 48);
        m[6] = (byte) 0xFF;
        m[7] = (byte) 0xFF;
        m[4] = 0x77;
        deviceQueue.putSlot(0, m);
        deviceQueue.setHead(1);
        Frame f = decode(l.rx().next());
        assertEquals(48, f.header().msgSize(), "cut to the 48-byte framing");
        assertEquals(0x77, f.header().token(), "an echoed token is left alone");
        assertTrue(((GetDevicesResponse) f.message()).isPresent(0));
        assertEquals(1, quirks(l).sizesCut());
        assertEquals(0, quirks(l).tokensRestored());
    }

    @Test
    void onlyDiscoveredDeviceNumbersAreEverAddressed() throws Exception {
        Linked<QuirkyQemuDevice> l = linked(QuirkyQemuDevice::new);
        QuirkyQemuDevice qemu = l.qemu();
        DeviceEndpoint deviceEndpoint = l.deviceEndpoint();
        DriverEndpoint endpoint = l.endpoint();
        Recorder rx = l.rx();

        BusException before = assertThrows(BusException.class,
                () -> endpoint.send(encode(new GetDeviceInfoRequest(), 0, 1)));
        assertEquals(BusException.Reason.BAD_FRAME, before.reason());

        endpoint.send(encode(new GetDevicesRequest(0, 256), 0, 2));
        rx.next();
        endpoint.send(encode(new GetDeviceInfoRequest(), 0, 3));
        Header seen = header(qemu.next());
        assertEquals(0, seen.devNum());
        assertEquals(MessageIds.GET_DEVICE_INFO, seen.msgId());
        assertEquals(BusException.Reason.BAD_FRAME, assertThrows(BusException.class,
                () -> endpoint.send(encode(new GetDeviceInfoRequest(), 1, 4))).reason(), "device 1 was not discovered");

        deviceEndpoint.send(encode(new EventDevice(5, DeviceBusState.ADDED), 0, 0));
        rx.next();
        endpoint.send(encode(new GetDeviceInfoRequest(), 5, 5));
        assertEquals(5, header(qemu.next()).devNum());
        deviceEndpoint.send(encode(new EventDevice(5, DeviceBusState.REMOVED), 0, 0));
        rx.next();
        assertThrows(BusException.class, () -> endpoint.send(encode(new GetDeviceInfoRequest(), 5, 6)));
        assertTrue(qemu.frames.isEmpty(), "the refused requests never reached the device side");
    }

    /** An RFC3 GET_VQUEUE response for queue 0 of device 0: max 1024, the given size and addresses. */
    private static ByteBuffer getVqueueAnswer(int token, int size, long desc, long driver, long device) {
        ByteBuffer b = ByteBuffer.allocate(48).order(ByteOrder.LITTLE_ENDIAN);
        b.put(0, (byte) 0x01).put(1, (byte) MessageIds.GET_VQUEUE).putShort(4, (short) token).putShort(6, (short) 48);
        b.putInt(12, 1024).putInt(16, size).putLong(24, desc).putLong(32, driver).putLong(40, device);
        return b;
    }

    @Test
    void getVqueueDefaultSizeOfAQueueNeverSetUpReadsAsUnconfigured() throws Exception {
        Linked<QuirkyQemuDevice> l = linked(QuirkyQemuDevice::new);
        l.endpoint().send(encode(new GetDevicesRequest(0, 256), 0, 1));
        l.rx().next();

        // What a QEMU 10.2 build answered for a queue never set up: cur_size 8 (its default), no address.
        l.endpoint().send(encode(new GetVqueueRequest(0), 0, 2));
        assertEquals(MessageIds.GET_VQUEUE, header(l.qemu().next()).msgId());
        l.deviceEndpoint().send(getVqueueAnswer(2, 8, 0, 0, 0));
        GetVqueueResponse fresh = (GetVqueueResponse) decode(l.rx().next()).message();
        assertEquals(0, fresh.size(), "quirk: a size without rings is not a configured queue");
        assertEquals(1024, fresh.maxSize());
        assertEquals(0, fresh.flags() & VqueueFlags.ENABLED);

        // A queue that was set up keeps its size.
        l.endpoint().send(encode(new GetVqueueRequest(0), 0, 3));
        l.qemu().next();
        l.deviceEndpoint().send(getVqueueAnswer(3, 16, 0x4000_1000L, 0x4000_2000L, 0x4000_3000L));
        GetVqueueResponse set = (GetVqueueResponse) decode(l.rx().next()).message();
        assertEquals(16, set.size());
        assertEquals(0x4000_1000L, set.descriptorAddr());
        assertEquals(1, quirks(l).queueSizesCleared());
    }

    @Test
    void vmsgDriverTransportDiscoversAQuirkyQemuDeviceAndAddressesOnlyIt() throws Exception {
        LinuxUserBus device = bus(Role.DEVICE);
        QuirkyQemuDevice qemu = new QuirkyQemuDevice(device);
        device.deviceEndpoint().orElseThrow().open(qemu);
        LinuxUserBus driver = bus(Role.DRIVER);
        TransportCore core = new TransportCore(new TransportOptions(2000, 10_000, 10, 5000), TransportLog.SILENT);
        open.add(core::close);
        core.addBus("qemu0", driver);
        Header first = header(qemu.next());
        assertEquals(MessageIds.GET_DEVICE_INFO, first.msgId(),
                "discovery accepted QEMU's token-less GET_DEVICES answer and identifies device 0");
        assertEquals(0, first.devNum());
        // The fake never answers GET_DEVICE_INFO: the transport retries or gives up, but only on device 0.
        byte[] more;
        while ((more = qemu.frames.poll(3, TimeUnit.SECONDS)) != null) {
            assertEquals(0, header(more).devNum());
        }
    }

    @Test
    void staleIndicesInOldQueueFilesArePickedUpAsTheyAre() throws Exception {
        // An earlier run left both files with indices far from 0, one raw value out of range, and two
        // messages nobody consumed in the driver queue.
        Path drv = dir.resolve("queue-linux-user-driver");
        Path dev = dir.resolve("queue-linux-user-device");
        SharedFile.openOrCreate(drv, SpscQueue.FILE_SIZE);
        SharedFile.openOrCreate(dev, SpscQueue.FILE_SIZE);
        QueueFileReader driverQueue = new QueueFileReader(drv);
        QueueFileReader deviceQueue = new QueueFileReader(dev);
        driverQueue.setTail(3 * 4096L + 100);
        driverQueue.setHead(102);
        driverQueue.putSlot(100, bytes(encode(new GetDevicesRequest(0, 8), 0, 9)));
        driverQueue.putSlot(101, bytes(encode(new GetDevicesRequest(0, 8), 0, 10)));
        deviceQueue.setHead(2000);
        deviceQueue.setTail(2000);

        LinuxUserBus device = bus(Role.DEVICE);
        TransportCore devCore = new TransportCore(TransportOptions.DEFAULTS, TransportLog.SILENT);
        open.add(devCore::close);
        devCore.addBus("qemu0", device);
        devCore.addBackend("rng0", new RngBackend(new SecureRandom(), 4096, 64), "qemu0", "rng0", null);
        assertEquals(2, device.endpoint().staleSkipped(), "the two leftovers are skipped, not served");
        assertEquals(102, driverQueue.tail(), "the consumer index moved past them from where it was");

        LinuxUserBus driver = bus(Role.DRIVER);
        BlockingQueue<EntropySource> sources = new LinkedBlockingQueue<>();
        TransportCore drvCore = new TransportCore(new TransportOptions(3000, 10_000, 10, 5000), TransportLog.SILENT);
        open.add(drvCore::close);
        drvCore.addBus("qemu0", driver);
        drvCore.addDriver("rng", new RngDriver(s -> {
            sources.add(s);
            return () -> { };
        }));
        EntropySource s = sources.poll(60, TimeUnit.SECONDS);
        assertNotNull(s, "rng over queues with stale indices");
        byte[] a = new byte[32];
        s.read(a, Duration.ofSeconds(10));
        assertFalse(Arrays.equals(new byte[32], a));

        assertTrue(driverQueue.head() > 102, "the driver produced on from index 102");
        assertTrue(deviceQueue.head() > 2000, "the device produced on from index 2000");
        assertArrayEquals(new byte[64], driverQueue.slot(0), "no index was reset to 0");
        assertArrayEquals(new byte[64], deviceQueue.slot(0), "no index was reset to 0");
        assertEquals(0, driver.endpoint().staleSkipped());
    }
}
