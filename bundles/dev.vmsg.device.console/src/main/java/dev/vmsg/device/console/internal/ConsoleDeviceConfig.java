package dev.vmsg.device.console.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** Configuration of one virtio-console device (factory PID {@code dev.vmsg.device.console}). */
@ObjectClassDefinition(name = "vmsg virtio-console device",
        description = "A multiport console device hosted on a bus; each port is a TCP listener on 127.0.0.1, "
                + "a pair of files or pipes, or an in-container endpoint.")
@interface ConsoleDeviceConfig {

    @AttributeDefinition(name = "Bus", description = "Name of the bus the device sits on.")
    String bus() default "loopback0";

    @AttributeDefinition(name = "Name", description = "Device name, unique on its bus.")
    String name() default "console0";

    @AttributeDefinition(name = "Ports", description = "One entry per port (or entries separated by ;), port 0 (the console) first: "
            + "name=tcp:<port> (127.0.0.1; 0 = any free port), name=file:<in>,<out> (either may be empty), "
            + "or name=endpoint.")
    String[] ports() default {"console=tcp:0"};

    @AttributeDefinition(name = "Pipe capacity", min = "64", max = "16777216",
            description = "Bytes buffered per port and direction between the device and the port's host side.")
    int pipe_capacity() default 65536;

    @AttributeDefinition(name = "Columns", description = "Console columns (VIRTIO_CONSOLE_F_SIZE).", min = "0",
            max = "65535")
    int columns() default 80;

    @AttributeDefinition(name = "Rows", description = "Console rows (VIRTIO_CONSOLE_F_SIZE).", min = "0", max = "65535")
    int rows() default 25;

    @AttributeDefinition(name = "Queue size", description = "Largest size of every queue (power of two).", min = "1",
            max = "32768")
    int queue_size() default 64;
}
