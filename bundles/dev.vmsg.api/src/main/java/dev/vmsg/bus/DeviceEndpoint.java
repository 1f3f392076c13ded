package dev.vmsg.bus;

import org.osgi.annotation.versioning.ConsumerType;

/** The side of a bus that faces the device transport: it answers requests and sends events. */
@ConsumerType
public interface DeviceEndpoint extends BusEndpoint {
}
