package dev.vmsg.device.blk.internal;

import dev.vmsg.device.DeviceProperties;
import dev.vmsg.device.blk.BlockDevice;
import dev.vmsg.driver.DriverInstance;
import dev.vmsg.driver.VirtioDevice;
import dev.vmsg.driver.VirtioDriver;
import dev.vmsg.wire.DeviceIds;
import dev.vmsg.wire.FeatureSet;
import java.util.Hashtable;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;

/**
 * DS shell of the virtio-blk driver: always on; offers the driver to the transport and registers
 * a {@link BlockDevice} service for every blk device it runs.
 */
@Component(service = VirtioDriver.class, property = "vmsg.device.type:Integer=2")
public final class BlkDriverComponent implements VirtioDriver {

    private final BlkDriver driver;

    @Activate
    public BlkDriverComponent(BundleContext context) {
        this.driver = new BlkDriver(device -> {
            Hashtable<String, Object> props = new Hashtable<>();
            props.put("vmsg.bus.name", device.busName());
            props.put(DeviceProperties.DEVICE_NUMBER, device.deviceNumber());
            props.put(DeviceProperties.DEVICE_TYPE, DeviceIds.BLOCK);
            props.put("vmsg.blk.capacity", device.capacity());
            props.put("vmsg.blk.read.only", device.readOnly());
            ServiceRegistration<BlockDevice> reg = context.registerService(BlockDevice.class, device, props);
            return () -> {
                try {
                    reg.unregister();
                } catch (IllegalStateException alreadyGone) {
                    // The framework already unregistered it (bundle stopping): nothing left to do.
                }
            };
        });
    }

    @Override
    public int deviceId() {
        return driver.deviceId();
    }

    @Override
    public java.util.Map<Integer, String> featureNames() {
        return driver.featureNames();
    }

    @Override
    public FeatureSet supportedFeatures() {
        return driver.supportedFeatures();
    }

    @Override
    public DriverInstance probe(VirtioDevice device) {
        return driver.probe(device);
    }
}
