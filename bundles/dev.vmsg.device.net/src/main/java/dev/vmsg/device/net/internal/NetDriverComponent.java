package dev.vmsg.device.net.internal;

import dev.vmsg.device.net.NetworkPort;
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
 * DS shell of the virtio-net driver: always on; offers the driver to the transport and registers
 * a {@link NetworkPort} service for every net device it runs.
 */
@Component(service = VirtioDriver.class, property = "vmsg.device.type:Integer=1")
public final class NetDriverComponent implements VirtioDriver {

    private final NetDriver driver;

    @Activate
    public NetDriverComponent(BundleContext context) {
        this.driver = new NetDriver(port -> DriverServices.register(context, NetworkPort.class, port, port.busName(),
                port.deviceNumber(), DeviceIds.NET, Map.of("vmsg.net.mac", port.macAddress())));
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
