package dev.vmsg.device.blk.internal;

import dev.vmsg.device.blk.BlockDevice;
import dev.vmsg.driver.DriverInstance;
import dev.vmsg.driver.DriverServices;
import dev.vmsg.driver.VirtioDevice;
import dev.vmsg.driver.VirtioDriver;
import dev.vmsg.wire.DeviceIds;
import dev.vmsg.wire.FeatureSet;
import java.util.Map;
import org.osgi.framework.BundleContext;
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
        this.driver = new BlkDriver(device -> DriverServices.register(context, BlockDevice.class, device, device.busName(),
                device.deviceNumber(), DeviceIds.BLOCK, Map.of("vmsg.blk.capacity", device.capacity(),
                        "vmsg.blk.read.only", device.readOnly())));
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
