package dev.vmsg.device.rng.internal;

import dev.vmsg.device.DeviceContext;
import dev.vmsg.device.VirtioDeviceBackend;
import dev.vmsg.virtqueue.DeviceVirtqueue;
import dev.vmsg.wire.FeatureSet;
import java.security.SecureRandom;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.metatype.annotations.Designate;

/**
 * DS shell of one virtio-rng device: one per factory configuration; its service properties
 * (from the configuration: {@code bus}, {@code name}) tell the transport where to host it.
 */
@Component(configurationPid = "dev.vmsg.device.rng", configurationPolicy = ConfigurationPolicy.REQUIRE,
        service = VirtioDeviceBackend.class, property = "vmsg.device.type:Integer=4")
@Designate(ocd = RngDeviceConfig.class, factory = true)
public final class RngDeviceComponent implements VirtioDeviceBackend {

    private final RngBackend backend;

    @Activate
    public RngDeviceComponent(RngDeviceConfig config) {
        int size = Integer.highestOneBit(Math.max(1, Math.min(config.queue_size(), 32768)));
        this.backend = new RngBackend(new SecureRandom(), config.max_bytes_per_request(), size);
    }

    @Override
    public int deviceId() {
        return backend.deviceId();
    }

    @Override
    public FeatureSet features() {
        return backend.features();
    }

    @Override
    public int numQueues() {
        return backend.numQueues();
    }

    @Override
    public int queueMaxSize(int index) {
        return backend.queueMaxSize(index);
    }

    @Override
    public int configSize() {
        return backend.configSize();
    }

    @Override
    public void driverOk(DeviceContext context) {
        backend.driverOk(context);
    }

    @Override
    public void queueNotified(DeviceContext context, DeviceVirtqueue queue) {
        backend.queueNotified(context, queue);
    }

    @Override
    public void reset() {
        backend.reset();
    }
}
