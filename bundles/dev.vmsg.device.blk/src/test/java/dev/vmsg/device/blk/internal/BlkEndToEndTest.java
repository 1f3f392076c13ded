package dev.vmsg.device.blk.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vmsg.bus.loopback.internal.LoopbackBus;
import dev.vmsg.device.DeviceContext;
import dev.vmsg.device.VirtioDeviceBackend;
import dev.vmsg.device.blk.BlockBuffer;
import dev.vmsg.device.blk.BlockDevice;
import dev.vmsg.device.blk.BlockIoException;
import dev.vmsg.driver.VirtioDeviceException;
import dev.vmsg.transport.internal.TransportCore;
import dev.vmsg.transport.internal.TransportLog;
import dev.vmsg.transport.internal.TransportOptions;
import dev.vmsg.virtqueue.DeviceVirtqueue;
import dev.vmsg.wire.FeatureSet;
import dev.vmsg.wire.WireProfile;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** virtio-blk device model and driver, end to end through the transport over a loopback bus. */
class BlkEndToEndTest {

    static final Duration T = Duration.ofSeconds(10);

    private final BlockingQueue<BlockDevice> published = new LinkedBlockingQueue<>();
    private final BlockingQueue<BlockDevice> withdrawn = new LinkedBlockingQueue<>();
    private LoopbackBus bus;
    private TransportCore core;

    @TempDir
    Path dir;

    BlockDevice start(VirtioDeviceBackend... backends) throws InterruptedException {
        return start(BlkDriver.Limits.DEFAULTS, 8 << 20, backends).get(0);
    }

    List<BlockDevice> start(BlkDriver.Limits limits, int window, VirtioDeviceBackend... backends)
            throws InterruptedException {
        bus = LoopbackBus.create("blkbus", WireProfile.REV1, 264, window, w -> { });
        core = new TransportCore(TransportOptions.DEFAULTS, TransportLog.SILENT);
        core.addBus("bus", bus);
        core.addDriver("driver", new BlkDriver(device -> {
            published.add(device);
            return () -> withdrawn.add(device);
        }, limits));
        List<BlockDevice> out = new ArrayList<>();
        for (int i = 0; i < backends.length; i++) {
            core.addBackend("blk" + i, backends[i], "blkbus", "blk" + i, null);
            BlockDevice d = published.poll(10, TimeUnit.SECONDS);
            assertNotNull(d, "no BlockDevice published for blk" + i);
            out.add(d);
        }
        out.sort((a, b) -> Integer.compare(a.deviceNumber(), b.deviceNumber()));
        return out;
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

    static BlkBackend memoryDisk(int bytes, BlkSettings settings) {
        return new BlkBackend(new MemoryBlockStore(bytes), settings, w -> { });
    }

    @Test
    void describesTheDeviceFromItsConfig() throws Exception {
        BlockDevice d = start(memoryDisk(1 << 20, BlkSettings.DEFAULTS.withSerial("disk-0042").withQueues(3, 64)));
        assertEquals(1 << 20, d.capacity());
        assertEquals(512, d.blockSize());
        assertFalse(d.readOnly());
        assertEquals(3, d.queues(), "VIRTIO_BLK_F_MQ with num_queues 3");
        assertEquals(16, d.queueDepth());
        assertTrue(d.supportsDiscard());
        assertEquals("disk-0042", d.serialAsync().get(10, TimeUnit.SECONDS));
        assertEquals("blkbus", d.busName());
    }

    @Test
    void bytesWrittenAtAnyOffsetReadBack() throws Exception {
        BlockDevice d = start(memoryDisk(4 << 20, BlkSettings.DEFAULTS.withQueues(2, 128)));
        Random rnd = new Random(5);
        byte[] image = new byte[4 << 20];
        for (int i = 0; i < 200; i++) {
            int len = 1 + rnd.nextInt(i % 10 == 0 ? 300_000 : 5000);
            int off = rnd.nextInt(image.length - len);
            byte[] data = new byte[len];
            rnd.nextBytes(data);
            ByteBuffer src = ByteBuffer.wrap(data);
            d.write(off, src, T);
            assertFalse(src.hasRemaining(), "position advanced");
            System.arraycopy(data, 0, image, off, len);
            int rlen = 1 + rnd.nextInt(70_000);
            int roff = rnd.nextInt(image.length - rlen);
            byte[] got = d.read(roff, rlen, T);
            assertArrayEquals(java.util.Arrays.copyOfRange(image, roff, roff + rlen), got, "read " + roff + "+" + rlen);
        }
        assertArrayEquals(image, d.read(0, image.length, T));
        d.flush(T);
    }

    @Test
    void sectorCallsAndAsyncCallsMeetOnTheSameBytes() throws Exception {
        BlockDevice d = start(memoryDisk(1 << 20, BlkSettings.DEFAULTS));
        byte[] sectors = new byte[3 * 512];
        new Random(1).nextBytes(sectors);
        d.writeSectors(7, sectors, T);
        ByteBuffer dst = ByteBuffer.allocateDirect(3 * 512);
        d.readAsync(7 * 512, dst).get(10, TimeUnit.SECONDS);
        dst.flip();
        byte[] got = new byte[dst.remaining()];
        dst.get(got);
        assertArrayEquals(sectors, got);
        assertArrayEquals(sectors, d.readSectors(7, 3, T));
    }

    @Test
    void zeroCopyBuffersGoStraightToTheDevice() throws Exception {
        BlockDevice d = start(memoryDisk(1 << 20, BlkSettings.DEFAULTS));
        try (BlockBuffer b = d.allocateBuffer(256 * 1024)) {
            ByteBuffer view = b.buffer();
            for (int i = 0; i < view.capacity(); i++) {
                view.put(i, (byte) (i / 512));
            }
            d.writeAsync(512 * 1024, b, 0, 256 * 1024).get(10, TimeUnit.SECONDS);
            view.clear();
            for (int i = 0; i < view.capacity(); i++) {
                view.put(i, (byte) 0);
            }
            d.readAsync(512 * 1024 + 1024, b, 4096, 8192).get(10, TimeUnit.SECONDS);
            assertEquals(2, b.buffer().get(4096), "sector 2 of what was written lands at buffer offset 4096");
            assertEquals(17, b.buffer().get(4096 + 8191));
        }
        assertEquals((byte) 100, d.read(512 * 1024 + 100 * 512, 1, T)[0]);
        assertThrows(IllegalArgumentException.class, () -> {
            try (BlockBuffer b = d.allocateBuffer(1024)) {
                d.readAsync(100, b, 0, 512);
            }
        });
    }

    @Test
    void discardAndWriteZeroesLeaveZeroes() throws Exception {
        BlockDevice d = start(memoryDisk(1 << 20, BlkSettings.DEFAULTS));
        byte[] ones = new byte[1 << 20];
        java.util.Arrays.fill(ones, (byte) 1);
        d.write(0, ByteBuffer.wrap(ones), T);
        d.writeZeroes(4096, 8192, T);
        // Over max_discard_sectors (8192 sectors = 4 MiB) would split; here 600 KiB in one go.
        d.discard(400 * 1024, 600 * 1024, T);
        byte[] all = d.read(0, 1 << 20, T);
        for (int i = 0; i < all.length; i++) {
            boolean zero = (i >= 4096 && i < 4096 + 8192) || (i >= 400 * 1024 && i < 1000 * 1024);
            assertEquals(zero ? 0 : 1, all[i], "byte " + i);
        }
        assertThrows(IllegalArgumentException.class, () -> d.discard(100, 512, T));
    }

    @Test
    void readOnlyDeviceRefusesWritesFromTheDriverSide() throws Exception {
        BlockDevice d = start(memoryDisk(1 << 20, BlkSettings.DEFAULTS.withReadOnly(true)));
        assertTrue(d.readOnly());
        assertFalse(d.supportsDiscard());
        BlockIoException e = assertThrows(BlockIoException.class, () -> d.write(0, ByteBuffer.allocate(512), T));
        assertEquals(BlockIoException.Status.IOERR, e.status());
        d.read(0, 512, T);
    }

    @Test
    void deviceErrorsArriveAsTypedExceptions() throws Exception {
        // A disk whose store fails every write: the device answers IOERR.
        RecordingStore store = new RecordingStore(new MemoryBlockStore(1 << 20));
        store.failWrites = true;
        BlkBackend b = new BlkBackend(store, BlkSettings.DEFAULTS, w -> { });
        BlockDevice d = start(b);
        BlockIoException e = assertThrows(BlockIoException.class, () -> d.write(0, ByteBuffer.allocate(4096), T));
        assertEquals(BlockIoException.Status.IOERR, e.status());
        assertThrows(IllegalArgumentException.class, () -> d.read(d.capacity() - 100, 200, T));
    }

    @Test
    void fileImageIsCreatedAndNeverGrows() throws Exception {
        Path img = dir.resolve("disk.img");
        FileBlockStore store = FileBlockStore.open(img, false, 1_000_000);
        assertEquals(1_000_448, Files.size(img), "rounded up to whole sectors");
        BlockDevice d = start(new BlkBackend(store, BlkSettings.DEFAULTS, w -> { }));
        byte[] data = new byte[100_000];
        new Random(3).nextBytes(data);
        d.write(d.capacity() - data.length, ByteBuffer.wrap(data), T);
        d.flush(T);
        assertEquals(1_000_448, Files.size(img));
        byte[] onDisk = Files.readAllBytes(img);
        assertArrayEquals(data, java.util.Arrays.copyOfRange(onDisk, onDisk.length - data.length, onDisk.length));
    }

    /** A blk device that takes requests and never answers them. */
    static final class StuckBlk implements VirtioDeviceBackend {
        final BlkBackend shape = memoryDisk(1 << 20, BlkSettings.DEFAULTS.withQueues(2, 64));

        @Override
        public int deviceId() {
            return shape.deviceId();
        }

        @Override
        public FeatureSet features() {
            return shape.features();
        }

        @Override
        public int numQueues() {
            return shape.numQueues();
        }

        @Override
        public int queueMaxSize(int index) {
            return shape.queueMaxSize(index);
        }

        @Override
        public int configSize() {
            return shape.configSize();
        }

        @Override
        public void readConfig(int offset, ByteBuffer dst) {
            shape.readConfig(offset, dst);
        }

        @Override
        public void driverOk(DeviceContext context) {
        }

        @Override
        public void queueNotified(DeviceContext context, DeviceVirtqueue queue) {
            while (queue.pop() != null) {
                // keep it
            }
        }

        @Override
        public void reset() {
        }
    }

    @Test
    void timeoutAndRemovalEndEveryRequestExactlyOnce() throws Exception {
        BlockDevice d = start(new StuckBlk());
        byte[] mine = new byte[4096];
        VirtioDeviceException t = assertThrows(VirtioDeviceException.class,
                () -> d.read(0, ByteBuffer.wrap(mine), Duration.ofMillis(100)));
        assertEquals(VirtioDeviceException.Reason.TIMEOUT, t.reason());
        // More than the queues hold: some in flight, some waiting for a slot.
        List<CompletableFuture<Void>> pending = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            pending.add(i % 3 == 0 ? d.writeAsync(i * 512L, ByteBuffer.allocate(512))
                    : i % 3 == 1 ? d.readAsync(i * 512L, ByteBuffer.allocate(1024)) : d.flushAsync());
        }
        int[] ends = new int[pending.size()];
        for (int i = 0; i < pending.size(); i++) {
            int k = i;
            pending.get(i).whenComplete((v, e) -> {
                synchronized (ends) {
                    ends[k]++;
                }
            });
        }
        core.removeBackend("blk0");
        assertNotNull(withdrawn.poll(10, TimeUnit.SECONDS), "BlockDevice withdrawn");
        for (CompletableFuture<Void> f : pending) {
            ExecutionException e = assertThrows(ExecutionException.class, () -> f.get(10, TimeUnit.SECONDS));
            assertTrue(e.getCause() instanceof VirtioDeviceException, e.getCause().toString());
            assertEquals(VirtioDeviceException.Reason.REMOVED, ((VirtioDeviceException) e.getCause()).reason());
        }
        Thread.sleep(100);
        synchronized (ends) {
            for (int i = 0; i < ends.length; i++) {
                assertEquals(1, ends[i], "request " + i + " ended " + ends[i] + " times");
            }
        }
        assertArrayEquals(new byte[4096], mine, "the timed-out read never wrote into the caller's buffer");
        VirtioDeviceException after = assertThrows(VirtioDeviceException.class, () -> d.read(0, 512, T));
        assertEquals(VirtioDeviceException.Reason.REMOVED, after.reason());
    }

    @Test
    void queueDepthIsBoundedByTheRingAndMoreRequestsWait() throws Exception {
        BlockDevice d = start(new BlkDriver.Limits(1, 16, 64, 4096), 4 << 20,
                memoryDisk(1 << 20, BlkSettings.DEFAULTS.withQueues(1, 16))).get(0);
        assertEquals(5, d.queueDepth(), "16 descriptors / 3 per request");
        List<CompletableFuture<Void>> all = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            all.add(d.writeAsync((i % 100) * 4096L, ByteBuffer.allocate(4096)));
        }
        CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).get(20, TimeUnit.SECONDS);
    }
}
