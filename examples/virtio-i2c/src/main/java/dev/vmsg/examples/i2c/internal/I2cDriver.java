package dev.vmsg.examples.i2c.internal;

import dev.vmsg.driver.DriverInstance;
import dev.vmsg.driver.VirtioDevice;
import dev.vmsg.driver.VirtioDriver;
import dev.vmsg.examples.i2c.I2cAdapter;
import dev.vmsg.wire.FeatureSet;

/** The virtio-i2c driver: opens the request queue and publishes an {@link I2cAdapter} once the device runs. */
public final class I2cDriver implements VirtioDriver {

    /** Publishes and withdraws the adapters of running devices (an OSGi registry in production). */
    public interface Publisher {
        /** @return a handle whose {@code run()} withdraws the adapter */
        Runnable publish(I2cAdapter adapter);
    }

    static final int QUEUE_SIZE = 64;

    private final Publisher publisher;

    public I2cDriver(Publisher publisher) {
        this.publisher = publisher;
    }

    @Override
    public int deviceId() {
        return VirtioI2c.DEVICE_ID;
    }

    @Override
    public FeatureSet supportedFeatures() {
        return FeatureSet.of(VirtioI2c.F_ZERO_LENGTH_REQUEST);
    }

    @Override
    public DriverInstance probe(VirtioDevice device) {
        VirtioI2cAdapter adapter = new VirtioI2cAdapter(device);
        adapter.attach(device.openQueue(VirtioI2c.REQUEST_QUEUE, QUEUE_SIZE, adapter));
        return new DriverInstance() {
            private Runnable withdraw;

            @Override
            public void ready() {
                withdraw = publisher.publish(adapter);
            }

            @Override
            public void remove(String reason) {
                if (withdraw != null) {
                    withdraw.run();
                    withdraw = null;
                }
            }
        };
    }
}
