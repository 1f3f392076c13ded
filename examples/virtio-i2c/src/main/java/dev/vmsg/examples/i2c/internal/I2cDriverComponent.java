package dev.vmsg.examples.i2c.internal;

import dev.vmsg.device.DeviceProperties;
import dev.vmsg.driver.DriverInstance;
import dev.vmsg.driver.VirtioDevice;
import dev.vmsg.driver.VirtioDriver;
import dev.vmsg.examples.i2c.I2cAdapter;
import dev.vmsg.wire.FeatureSet;
import java.util.Hashtable;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;

/** DS shell of the virtio-i2c driver: registers an {@link I2cAdapter} service for every running device. */
@Component(service = VirtioDriver.class, property = "vmsg.device.type:Integer=34")
public final class I2cDriverComponent implements VirtioDriver {

    private final I2cDriver driver;

    @Activate
    public I2cDriverComponent(BundleContext context) {
        this.driver = new I2cDriver(adapter -> {
            Hashtable<String, Object> props = new Hashtable<>();
            props.put("vmsg.bus.name", adapter.busName());
            props.put(DeviceProperties.DEVICE_NUMBER, adapter.deviceNumber());
            props.put(DeviceProperties.DEVICE_TYPE, VirtioI2c.DEVICE_ID);
            ServiceRegistration<I2cAdapter> reg = context.registerService(I2cAdapter.class, adapter, props);
            return () -> {
                try {
                    reg.unregister();
                } catch (IllegalStateException alreadyGone) {
                    // the framework unregistered it already (bundle stopping)
                }
            };
        });
    }

    @Override
    public int deviceId() {
        return driver.deviceId();
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
