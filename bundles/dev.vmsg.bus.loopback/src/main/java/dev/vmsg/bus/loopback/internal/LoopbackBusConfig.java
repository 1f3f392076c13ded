package dev.vmsg.bus.loopback.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.AttributeType;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.osgi.service.metatype.annotations.Option;

/** Configuration of one loopback bus (factory PID {@code dev.vmsg.bus.loopback}). */
@ObjectClassDefinition(name = "vmsg loopback bus",
        description = "A virtio-msg bus whose driver and device sides are both in this container.")
@interface LoopbackBusConfig {

    @AttributeDefinition(name = "Name", description = "Bus instance name; device configurations name it in 'bus'.")
    String name() default "loopback0";

    @AttributeDefinition(name = "Wire profile", description = "Wire revision spoken on this bus.",
            options = {@Option(value = "REV1", label = "Revision 1 (2026)"),
                @Option(value = "RFC3", label = "RFC v3 (Dec 2025, 8-byte header)"),
                @Option(value = "RFC2", label = "RFC v2 (Jun 2025, 6-byte header, Linux RFC v1)")})
    String profile() default "REV1";

    @AttributeDefinition(name = "DMA window size", description = "Bytes of the bus's DMA window.",
            type = AttributeType.INTEGER, min = "65536", max = "1073741824")
    int window_size() default 4 * 1024 * 1024;

    @AttributeDefinition(name = "DMA window base", description = "Bus address of the window's first byte.",
            type = AttributeType.LONG, min = "0")
    long window_base() default LoopbackBus.DEFAULT_WINDOW_BASE;

    @AttributeDefinition(name = "Max message size", description = "Largest message, header included.",
            type = AttributeType.INTEGER, min = "44", max = "65535")
    int max_message_size() default 264;

    @AttributeDefinition(name = "Ring capacity", description = "Frames in flight per direction (power of two).",
            type = AttributeType.INTEGER, min = "2", max = "65536")
    int ring_capacity() default 256;

    @AttributeDefinition(name = "Send timeout (ms)", description = "How long a sender waits for room.",
            type = AttributeType.LONG, min = "1")
    long send_timeout_ms() default 1000;
}
