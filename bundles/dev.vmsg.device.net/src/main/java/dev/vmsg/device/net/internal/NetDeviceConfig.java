package dev.vmsg.device.net.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** Configuration of one virtio-net device (factory PID {@code dev.vmsg.device.net}). */
@ObjectClassDefinition(name = "vmsg virtio-net device",
        description = "A network device hosted on a bus, plugged into an in-container switch or a UDP tunnel.")
@interface NetDeviceConfig {

    @AttributeDefinition(name = "Bus", description = "Name of the bus the device sits on.")
    String bus() default "loopback0";

    @AttributeDefinition(name = "Name", description = "Device name, unique on its bus.")
    String name() default "net0";

    @AttributeDefinition(name = "MAC", description = "MAC address (02:00:00:00:00:01); empty: a locally "
            + "administered address derived from bus and name, the same at every start.")
    String mac() default "";

    @AttributeDefinition(name = "MTU", description = "MTU reported through VIRTIO_NET_F_MTU and enforced both ways.",
            min = "68", max = "65487")
    int mtu() default 1500;

    @AttributeDefinition(name = "Backend", description = "switch:<name> (an in-container learning switch, "
            + "created on first use) or udp:<local host>:<local port>:<remote host>:<remote port> "
            + "(one frame per datagram, as QEMU -netdev udp).")
    String backend() default "switch:sw0";

    @AttributeDefinition(name = "Queue size", description = "Largest receive/transmit/control queue (power of two).",
            min = "2", max = "32768")
    int queue_size() default 256;

    @AttributeDefinition(name = "Backlog", description = "Frames that may wait for receive buffers.",
            min = "1", max = "65536")
    int backlog() default 1024;
}
