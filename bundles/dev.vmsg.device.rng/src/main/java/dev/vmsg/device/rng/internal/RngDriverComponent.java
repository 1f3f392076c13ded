package dev.vmsg.device.rng.internal;

import dev.vmsg.device.rng.EntropySource;
import dev.vmsg.driver.DriverInstance;
import dev.vmsg.driver.DriverServices;
import dev.vmsg.driver.VirtioDevice;
import dev.vmsg.driver.VirtioDriver;
import dev.vmsg.wire.FeatureSet;
import java.util.Map;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;

/**
 * DS shell of the virtio-rng driver: always on; offers the driver to the transport and registers
 * an {@link EntropySource} service for every rng device it runs.
 */
@Component(service = VirtioDriver.class, property = "vmsg.device.type:Integer=4")
public final class RngDriverComponent implements VirtioDriver {

    private final RngDriver driver;

    @Activate
    public RngDriverComponent(BundleContext context) {
        this.driver = new RngDriver(source -> DriverServices.register(context, EntropySource.class, source,
                source.busName(), source.deviceNumber(), driver().deviceId(), Map.of()));
    }

    private RngDriver driver() {
        return driver;
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
