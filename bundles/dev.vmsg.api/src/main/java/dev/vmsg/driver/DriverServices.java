package dev.vmsg.driver;

import dev.vmsg.device.DeviceProperties;
import java.util.Hashtable;
import java.util.Map;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;

/**
 * Registers the plain Java service a driver offers for one running device ({@code BlockDevice},
 * {@code EntropySource}, ...), with the properties every vmsg device service carries:
 * {@code vmsg.bus.name}, {@value DeviceProperties#DEVICE_NUMBER} and
 * {@value DeviceProperties#DEVICE_TYPE}, plus the type's own.
 */
public final class DriverServices {

    /** The bus a device service's device sits on. */
    public static final String BUS_NAME = "vmsg.bus.name";

    private DriverServices() {
    }

    /**
     * @param extra the device type's own service properties
     * @return withdraws the service; safe to call when the framework has already unregistered it
     *     (its bundle stopping)
     */
    public static <S> Runnable register(BundleContext context, Class<S> type, S service, String busName,
            int deviceNumber, int deviceType, Map<String, ?> extra) {
        Hashtable<String, Object> props = new Hashtable<>(extra);
        props.put(BUS_NAME, busName);
        props.put(DeviceProperties.DEVICE_NUMBER, deviceNumber);
        props.put(DeviceProperties.DEVICE_TYPE, deviceType);
        ServiceRegistration<S> reg = context.registerService(type, service, props);
        return () -> {
            try {
                reg.unregister();
            } catch (IllegalStateException alreadyGone) {
                // The framework already unregistered it (bundle stopping): nothing left to do.
            }
        };
    }
}
