package dev.vmsg.device.blk.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** Configuration of one virtio-blk device (factory PID {@code dev.vmsg.device.blk}). */
@ObjectClassDefinition(name = "vmsg virtio-blk device",
        description = "A block device hosted on a bus, backed by an image file or by memory.")
@interface BlkDeviceConfig {

    @AttributeDefinition(name = "Bus", description = "Name of the bus the device sits on.")
    String bus() default "loopback0";

    @AttributeDefinition(name = "Name", description = "Device name, unique on its bus.")
    String name() default "blk0";

    @AttributeDefinition(name = "File", description = "Image file (relative to the working directory). "
            + "Created sparse with 'size' bytes when missing; an existing file keeps its size. "
            + "Empty: a memory disk of 'size' bytes.")
    String file() default "";

    @AttributeDefinition(name = "Size", description = "Bytes of a new image or memory disk (rounded up to 512).",
            min = "512")
    long size() default 16L * 1024 * 1024;

    @AttributeDefinition(name = "Read-only", description = "Offer VIRTIO_BLK_F_RO and refuse every write.")
    boolean read_only() default false;

    @AttributeDefinition(name = "Serial", description = "GET_ID answer, up to 20 ASCII characters; "
            + "empty: the device name.")
    String serial() default "";

    @AttributeDefinition(name = "Queues", description = "Request queues (more than one offers VIRTIO_BLK_F_MQ).",
            min = "1", max = "64")
    int queues() default 1;

    @AttributeDefinition(name = "Queue size", description = "Largest request queue (power of two).",
            min = "1", max = "32768")
    int queue_size() default 128;

    @AttributeDefinition(name = "Block size", description = "blk_size reported to the driver (power of two).",
            min = "512", max = "65536")
    int block_size() default 512;
}
