package dev.vmsg.bus.ffa.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.AttributeType;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.osgi.service.metatype.annotations.Option;

/** Configuration of one FF-A bus (factory PID {@code dev.vmsg.bus.ffa}). */
@ObjectClassDefinition(name = "vmsg FF-A bus",
        description = "A virtio-msg bus over an emulated FF-A firmware; driver and device partitions in this container.")
@interface FfaBusConfig {

    @AttributeDefinition(name = "Name", description = "Bus instance name; device configurations name it in 'bus'.")
    String name() default "ffa0";

    @AttributeDefinition(name = "Driver endpoint id", description = "FF-A endpoint id of the driver partition.",
            type = AttributeType.INTEGER, min = "1", max = "65535")
    int driver_id() default 0x0001;

    @AttributeDefinition(name = "Device endpoint id", description = "FF-A endpoint id of the device partition.",
            type = AttributeType.INTEGER, min = "1", max = "65535")
    int device_id() default 0x8001;

    @AttributeDefinition(name = "Messaging method", description = "How driver requests travel.",
            options = {@Option(value = "DIRECT", label = "FFA_MSG_SEND_DIRECT_REQ2"),
                @Option(value = "INDIRECT", label = "FFA_MSG_SEND2 through RX/TX buffers")})
    String messaging() default "DIRECT";

    @AttributeDefinition(name = "Event method", description = "How device events reach the driver (EVENT_CONFIGURE).",
            options = {@Option(value = "POLL", label = "EVENT_POLL every poll interval"),
                @Option(value = "NOTIF", label = "FF-A notification, then EVENT_POLL"),
                @Option(value = "INDIRECT", label = "FFA_MSG_SEND2 to the driver"),
                @Option(value = "FIFO", label = "VFFAFIFO rings in shared memory")})
    String event_method() default "NOTIF";

    @AttributeDefinition(name = "Area size", description = "Bytes of the shared area (the bus's DMA window), multiple of 4096.",
            type = AttributeType.INTEGER, min = "4096", max = "1073741824")
    int area_size() default 4 * 1024 * 1024;

    @AttributeDefinition(name = "Wire profile", description = "Wire revision (8-byte header profiles only).",
            options = {@Option(value = "REV1", label = "Revision 1 (2026)"),
                @Option(value = "RFC3", label = "RFC v3 (Dec 2025)")})
    String profile() default "REV1";

    @AttributeDefinition(name = "Injected delay (ns)", description = "Busy-wait added to every FF-A call (a trap costs 1-5 us).",
            type = AttributeType.LONG, min = "0")
    long call_delay_ns() default 0;

    @AttributeDefinition(name = "Poll interval (ms)", description = "EVENT_POLL period of the POLL event method.",
            type = AttributeType.LONG, min = "1")
    long poll_interval_ms() default 5;

    @AttributeDefinition(name = "BUSY retries", description = "Retries after a BUSY answer before a request fails.",
            type = AttributeType.INTEGER, min = "0", max = "1000")
    int busy_retries() default 3;
}
