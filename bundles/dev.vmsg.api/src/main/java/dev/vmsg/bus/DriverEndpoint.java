package dev.vmsg.bus;

import org.osgi.annotation.versioning.ConsumerType;

/** The side of a bus that faces the driver transport: it sends requests and EVENT_AVAIL. */
@ConsumerType
public interface DriverEndpoint extends BusEndpoint {
}
