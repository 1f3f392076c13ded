package dev.vmsg.device.net.internal;

import dev.vmsg.device.DeviceProperties;
import dev.vmsg.device.net.NetworkPort;
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
 * DS shell of the virtio-net driver: always on; offers the driver to the transport and registers
 * a {@link NetworkPort} service for every net device it runs.
 */
@Component(service = VirtioDriver.class, property = "vmsg.device.type:Integer=1")
public final class NetDriverComponent implements VirtioDriver {

    private final NetDriver driver;

    @Activate
    public NetDriverComponent(BundleContext context) {
        this.driver = new NetDriver(port -> {
            Hashtable<String, Object> props = new Hashtable<>();
            props.put("vmsg.bus.name", port.busName());
            props.put(DeviceProperties.DEVICE_NUMBER, port.deviceNumber());
            props.put(DeviceProperties.DEVICE_TYPE, DeviceIds.NET);
            props.put("vmsg.net.mac", port.macAddress());
            ServiceRegistration<NetworkPort> reg = context.registerService(NetworkPort.class, port, props);
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
    public FeatureSet supportedFeatures() {
        return driver.supportedFeatures();
    }

    @Override
    public DriverInstance probe(VirtioDevice device) {
        return driver.probe(device);
    }
}
