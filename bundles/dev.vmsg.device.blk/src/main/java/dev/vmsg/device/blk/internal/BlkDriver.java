package dev.vmsg.device.blk.internal;

import dev.vmsg.device.blk.BlockDevice;
import dev.vmsg.driver.DriverInstance;
import dev.vmsg.driver.VirtioDevice;
import dev.vmsg.driver.VirtioDriver;
import dev.vmsg.memory.DmaAllocator;
import dev.vmsg.memory.DmaRegion;
import dev.vmsg.wire.DeviceIds;
import dev.vmsg.wire.FeatureSet;
import java.util.ArrayList;
import java.util.List;

/**
 * The virtio-blk driver: reads and checks the config, opens the request queues (several with
 * VIRTIO_BLK_F_MQ), lends each a set of request slots in the bus window, and publishes a
 * {@link BlockDevice} once the device runs.
 */
public final class BlkDriver implements VirtioDriver {

    /** Publishes and withdraws the block devices of running devices (an OSGi registry in production). */
    public interface Publisher {
        /** @return a handle whose {@code run()} withdraws the device */
        Runnable publish(BlockDevice device);
    }

    /** How much of the window the driver takes per device. */
    public record Limits(int maxQueues, int queueSize, int slotsPerQueue, int slotSize) {
        /** Up to 4 queues of 256, 16 requests in flight per queue with 32 KiB bounce slots (512 KiB per queue). */
        public static final Limits DEFAULTS = new Limits(4, 256, 16, 32 * 1024);

        public Limits {
            if (maxQueues < 1 || queueSize < 4 || slotsPerQueue < 1 || slotSize < VirtioBlk.SECTOR_SIZE
                    || slotSize % VirtioBlk.SECTOR_SIZE != 0) {
                throw new IllegalArgumentException("bad blk driver limits: " + maxQueues + " queues of " + queueSize
                        + ", " + slotsPerQueue + " slots of " + slotSize + " bytes");
            }
        }
    }

    private final Publisher publisher;
    private final Limits limits;

    public BlkDriver(Publisher publisher) {
        this(publisher, Limits.DEFAULTS);
    }

    public BlkDriver(Publisher publisher, Limits limits) {
        this.publisher = publisher;
        this.limits = limits;
    }

    @Override
    public int deviceId() {
        return DeviceIds.BLOCK;
    }

    @Override
    public java.util.Map<Integer, String> featureNames() {
        return VirtioBlk.FEATURE_NAMES;
    }

    @Override
    public FeatureSet supportedFeatures() {
        return FeatureSet.of(VirtioBlk.F_SIZE_MAX, VirtioBlk.F_SEG_MAX, VirtioBlk.F_RO, VirtioBlk.F_BLK_SIZE,
                VirtioBlk.F_FLUSH, VirtioBlk.F_MQ, VirtioBlk.F_DISCARD, VirtioBlk.F_WRITE_ZEROES);
    }

    @Override
    public DriverInstance probe(VirtioDevice device) {
        String name = "block device " + device.busName() + "/" + device.deviceNumber();
        int cfgLen = Math.min(device.configSize(), VirtioBlk.CONFIG_SIZE);
        byte[] raw = cfgLen > 0 ? device.readConfig(0, cfgLen) : new byte[0];
        int maxQueues = Math.min(limits.maxQueues(), Math.max(1, device.maxVirtqueues()));
        BlkConfigSpace config = BlkConfigSpace.parse(raw, device.negotiatedFeatures(), maxQueues);
        DmaAllocator allocator = device.allocator();
        List<DmaRegion> owned = new ArrayList<>();
        List<BlkQueue> queues = new ArrayList<>();
        try {
            for (int i = 0; i < config.numQueues(); i++) {
                // Three descriptors per request (header, data, status): the ring bounds the depth.
                int depth = Math.max(1, Math.min(limits.slotsPerQueue(), limits.queueSize() / 3));
                DmaRegion control = allocator.allocate(BlkQueue.controlBytes(depth));
                owned.add(control);
                DmaRegion bounce = allocator.allocate((long) depth * limits.slotSize());
                owned.add(bounce);
                BlkQueue q = new BlkQueue(name, device.window(), control.address(), bounce.address(), depth,
                        limits.slotSize());
                q.attach(device.openQueue(i, limits.queueSize(), q));
                queues.add(q);
            }
        } catch (RuntimeException e) {
            for (DmaRegion r : owned) {
                allocator.free(r);
            }
            throw e;
        }
        VirtioBlockDevice blk = new VirtioBlockDevice(device.busName(), device.deviceNumber(), config, queues,
                device.window(), allocator);
        return new DriverInstance() {
            private Runnable withdraw;

            @Override
            public void ready() {
                withdraw = publisher.publish(blk);
            }

            @Override
            public void remove(String reason) {
                if (withdraw != null) {
                    withdraw.run();
                    withdraw = null;
                }
                blk.close(reason);
                for (DmaRegion r : owned) {
                    allocator.free(r);
                }
            }
        };
    }
}
