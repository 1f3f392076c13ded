package dev.vmsg.bus.fifo.linuxuser;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.AttributeType;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.osgi.service.metatype.annotations.Option;

/** Configuration of one side of a QEMU linux-user bus (factory PID {@code dev.vmsg.bus.qemu}). */
@ObjectClassDefinition(name = "vmsg QEMU linux-user bus",
        description = "One side of QEMU's virtio-msg-bus-linux-user format: spsc queue files, a doorbell socket, a RAM file.")
@interface LinuxUserBusConfig {

    @AttributeDefinition(name = "Name", description = "vmsg bus instance name; device configurations name it in 'bus'.")
    String name() default "qemu0";

    @AttributeDefinition(name = "Role", description = "The side this process hosts.",
            options = {@Option(value = "driver", label = "Driver host"), @Option(value = "device", label = "Device host")})
    String role() default "driver";

    @AttributeDefinition(name = "Directory",
            description = "Where queue-<queue.name>-driver/-device are (QEMU: its working directory); empty = /dev/shm or the temp directory.",
            required = false)
    String directory() default "";

    @AttributeDefinition(name = "Queue name", description = "QEMU's name= property of virtio-msg-bus-linux-user.")
    String queue_name() default "linux-user";

    @AttributeDefinition(name = "Socket", description = "The doorbell socket (QEMU's -chardev socket path); empty = <directory>/<queue.name>.socket.",
            required = false)
    String socket() default "";

    @AttributeDefinition(name = "RAM file", description = "The shared guest RAM file (QEMU's mem-path); empty = <directory>/qemu-ram.",
            required = false)
    String ram_file() default "";

    @AttributeDefinition(name = "RAM base", description = "Bus address of the RAM file's first byte (QEMU's mem-offset).",
            type = AttributeType.LONG, min = "0")
    long ram_base() default LinuxUserBusOptions.DEFAULT_RAM_BASE;

    @AttributeDefinition(name = "RAM size", description = "Bytes of the RAM file this side maps (at most the file's size).",
            type = AttributeType.INTEGER, min = "65536", max = "2147483647")
    int ram_size() default 64 * 1024 * 1024;

    @AttributeDefinition(name = "Wire profile", description = "QEMU's October 2025 series speaks RFC3.",
            options = {@Option(value = "RFC3", label = "RFC v3 (Dec 2025, 8-byte header)"),
                @Option(value = "REV1", label = "Revision 1 (2026)")})
    String profile() default "RFC3";

    @AttributeDefinition(name = "Max message size", description = "Largest message; QEMU's linux-user bus carries 48.",
            type = AttributeType.INTEGER, min = "48", max = "64")
    int max_message_size() default LinuxUserBusOptions.QEMU_MAX_MESSAGE_SIZE;

    @AttributeDefinition(name = "Send timeout (ms)", description = "How long a send waits for room in a full queue.",
            type = AttributeType.LONG, min = "1")
    long send_timeout_ms() default 1000;
}
