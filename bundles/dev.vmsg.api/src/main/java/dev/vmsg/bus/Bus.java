package dev.vmsg.bus;

import java.util.Optional;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * A virtio-msg bus instance, registered as an OSGi service by a bus bundle with the service
 * property {@value BusProperties#NAME}. A bus offers the driver side, the device side or both
 * (the loopback bus offers both; a shared-memory bus offers the side its process plays).
 */
@ConsumerType
public interface Bus {

    BusInfo info();

    /** The driver-facing endpoint, if this process hosts the driver side of the bus. */
    Optional<DriverEndpoint> driverEndpoint();

    /** The device-facing endpoint, if this process hosts the device side of the bus. */
    Optional<DeviceEndpoint> deviceEndpoint();
}
