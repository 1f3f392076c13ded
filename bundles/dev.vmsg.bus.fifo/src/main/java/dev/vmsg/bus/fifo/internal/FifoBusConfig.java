package dev.vmsg.bus.fifo.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.AttributeType;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.osgi.service.metatype.annotations.Option;

/** Configuration of one FIFO bus side (factory PID {@code dev.vmsg.bus.fifo}). */
@ObjectClassDefinition(name = "vmsg shared-memory FIFO bus",
        description = "One side of a virtio-msg link between two processes over shared files.")
@interface FifoBusConfig {

    @AttributeDefinition(name = "Name", description = "Bus instance name; device configurations name it in 'bus'.")
    String name() default "fifo0";

    @AttributeDefinition(name = "Role", description = "The side this process hosts.",
            options = {@Option(value = "driver", label = "Driver host"), @Option(value = "device", label = "Device host")})
    String role() default "driver";

    @AttributeDefinition(name = "Queue file",
            description = "File holding the vmamp_shmem layout; empty = vmsg-<name>.queue under /dev/shm (or the temp directory).",
            required = false)
    String queue_file() default "";

    @AttributeDefinition(name = "Window file",
            description = "File holding the DMA window; empty = vmsg-<name>.window next to the default queue file.",
            required = false)
    String window_file() default "";

    @AttributeDefinition(name = "DMA window base", description = "Bus address of the window's first byte.",
            type = AttributeType.LONG, min = "0")
    long window_base() default FifoBusOptions.DEFAULT_WINDOW_BASE;

    @AttributeDefinition(name = "DMA window size", description = "Bytes of the window; the same on both sides.",
            type = AttributeType.INTEGER, min = "65536", max = "1073741824")
    int window_size() default 4 * 1024 * 1024;

    @AttributeDefinition(name = "Element size", description = "Bytes per queue element = largest message.",
            type = AttributeType.INTEGER, min = "52", max = "65535")
    int element_size() default 264;

    @AttributeDefinition(name = "Element count", description = "Elements per queue (device side creates them).",
            type = AttributeType.INTEGER, min = "2", max = "65535")
    int element_count() default 256;

    @AttributeDefinition(name = "Notification mode", description = "How this side waits for messages.",
            options = {@Option(value = "adaptive", label = "Spin, then park on the doorbell"),
                @Option(value = "busy-poll", label = "Busy-poll"),
                @Option(value = "doorbell", label = "Doorbell (UNIX domain socket)")})
    String notification() default "adaptive";

    @AttributeDefinition(name = "Heartbeat interval (ms)", type = AttributeType.LONG, min = "1")
    long heartbeat_ms() default 100;

    @AttributeDefinition(name = "Peer timeout (ms)", description = "No heartbeat for this long: the peer is dead.",
            type = AttributeType.LONG, min = "3")
    long peer_timeout_ms() default 2000;

    @AttributeDefinition(name = "Send timeout (ms)", description = "How long a send waits for room in a full queue.",
            type = AttributeType.LONG, min = "1")
    long send_timeout_ms() default 1000;

    @AttributeDefinition(name = "Wire profile", description = "Wire revision spoken on this bus.",
            options = {@Option(value = "REV1", label = "Revision 1 (2026)"),
                @Option(value = "RFC3", label = "RFC v3 (Dec 2025, 8-byte header)"),
                @Option(value = "RFC2", label = "RFC v2 (Jun 2025, 6-byte header)")})
    String profile() default "REV1";
}
