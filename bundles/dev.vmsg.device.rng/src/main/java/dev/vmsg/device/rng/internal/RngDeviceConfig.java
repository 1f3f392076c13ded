package dev.vmsg.device.rng.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** Configuration of one virtio-rng device (factory PID {@code dev.vmsg.device.rng}). */
@ObjectClassDefinition(name = "vmsg virtio-rng device", description = "An entropy device hosted on a bus.")
@interface RngDeviceConfig {

    @AttributeDefinition(name = "Bus", description = "Name of the bus the device sits on.")
    String bus() default "loopback0";

    @AttributeDefinition(name = "Name", description = "Device name, unique on its bus.")
    String name() default "rng0";

    @AttributeDefinition(name = "Max bytes per request", min = "1", max = "1048576",
            description = "Cap on the bytes one request gets, whatever the driver posted.")
    int max_bytes_per_request() default 4096;

    @AttributeDefinition(name = "Queue size", description = "Largest request queue (power of two).",
            min = "1", max = "32768")
    int queue_size() default 256;
}
