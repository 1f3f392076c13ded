package dev.vmsg.device.console.internal;

import dev.vmsg.device.DeviceProperties;
import dev.vmsg.device.console.ConsolePort;
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
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.log.Logger;
import org.osgi.service.log.LoggerFactory;

/**
 * DS shell of the virtio-console driver: always on; offers the driver to the transport and
 * registers a {@link ConsolePort} service for every port it opens.
 */
@Component(service = VirtioDriver.class, property = "vmsg.device.type:Integer=3")
public final class ConsoleDriverComponent implements VirtioDriver {

    private final ConsoleDriver driver;

    @Activate
    public ConsoleDriverComponent(BundleContext context, @Reference(service = LoggerFactory.class) Logger logger) {
        this.driver = new ConsoleDriver(port -> {
            ServiceRegistration<ConsolePort> reg = context.registerService(ConsolePort.class, port, properties(port));
            return new ConsoleDriver.Registration() {
                @Override
                public void update() {
                    try {
                        reg.setProperties(properties(port));
                    } catch (IllegalStateException alreadyGone) {
                        // unregistered meanwhile
                    }
                }

                @Override
                public void withdraw() {
                    try {
                        reg.unregister();
                    } catch (IllegalStateException alreadyGone) {
                        // the framework already unregistered it (bundle stopping)
                    }
                }
            };
        }, new OsgiConsoleLog(logger));
    }

    private static Hashtable<String, Object> properties(ConsolePort port) {
        Hashtable<String, Object> props = new Hashtable<>();
        props.put("vmsg.bus.name", port.busName());
        props.put(DeviceProperties.DEVICE_NUMBER, port.deviceNumber());
        props.put(DeviceProperties.DEVICE_TYPE, DeviceIds.CONSOLE);
        props.put("vmsg.console.port.id", port.id());
        props.put("vmsg.console.port.name", port.name());
        return props;
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
