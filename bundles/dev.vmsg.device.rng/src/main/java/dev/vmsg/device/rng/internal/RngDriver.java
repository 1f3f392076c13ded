package dev.vmsg.device.rng.internal;

import dev.vmsg.device.rng.EntropySource;
import dev.vmsg.driver.DriverInstance;
import dev.vmsg.driver.VirtioDevice;
import dev.vmsg.driver.VirtioDriver;
import dev.vmsg.memory.DmaRegion;
import dev.vmsg.wire.DeviceIds;
import dev.vmsg.wire.FeatureSet;

/**
 * The virtio-rng driver: opens the request queue, lends it a few buffers in the bus window, and
 * publishes an {@link EntropySource} once the device runs.
 */
public final class RngDriver implements VirtioDriver {

    /** Publishes and withdraws the entropy sources of running devices (an OSGi registry in production). */
    public interface Publisher {
        /** @return a handle whose {@code run()} withdraws the source */
        Runnable publish(EntropySource source);
    }

    static final int QUEUE_SIZE = 64;
    static final int SLOTS = 8;
    static final int SLOT_SIZE = 4096;

    private final Publisher publisher;

    public RngDriver(Publisher publisher) {
        this.publisher = publisher;
    }

    @Override
    public int deviceId() {
        return DeviceIds.ENTROPY;
    }

    @Override
    public FeatureSet supportedFeatures() {
        return FeatureSet.EMPTY;
    }

    @Override
    public DriverInstance probe(VirtioDevice device) {
        DmaRegion buffers = device.allocator().allocate((long) SLOTS * SLOT_SIZE);
        EntropyRequests requests = new EntropyRequests(device.window(), buffers, SLOTS, SLOT_SIZE);
        try {
            requests.attach(device.openQueue(0, QUEUE_SIZE, requests));
        } catch (RuntimeException e) {
            device.allocator().free(buffers);
            throw e;
        }
        VirtioEntropySource source = new VirtioEntropySource(device.busName(), device.deviceNumber(), requests);
        return new DriverInstance() {
            private Runnable withdraw;

            @Override
            public void ready() {
                withdraw = publisher.publish(source);
            }

            @Override
            public void remove(String reason) {
                if (withdraw != null) {
                    withdraw.run();
                    withdraw = null;
                }
                requests.close(reason);
                device.allocator().free(buffers);
            }
        };
    }
}
