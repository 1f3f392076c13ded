package dev.vmsg.device.console.internal;

/**
 * Facts of the virtio-console device type (virtio 1.x §5.3): feature bits, config layout, control
 * events and the queue numbering. Known to both halves of the bundle, nothing else.
 */
final class VirtioConsole {

    /** §5.3.3: cols and rows in config are valid. */
    static final int F_SIZE = 0;
    /** §5.3.3: max_nr_ports is valid and the control queues exist. */
    static final int F_MULTIPORT = 1;
    /** §5.3.3: the driver may write single characters to emerg_wr. */
    static final int F_EMERG_WRITE = 2;

    /** Names of the virtio-console feature bits (§5.3.3), for administration. */
    static final java.util.Map<Integer, String> FEATURE_NAMES = java.util.Map.of(F_SIZE, "VIRTIO_CONSOLE_F_SIZE",
            F_MULTIPORT, "VIRTIO_CONSOLE_F_MULTIPORT", F_EMERG_WRITE, "VIRTIO_CONSOLE_F_EMERG_WRITE");

    /** §5.3.4 config offsets: le16 cols, le16 rows, le32 max_nr_ports, le32 emerg_wr. */
    static final int CONFIG_COLS = 0;
    static final int CONFIG_ROWS = 2;
    static final int CONFIG_MAX_NR_PORTS = 4;
    static final int CONFIG_EMERG_WR = 8;
    static final int CONFIG_SIZE = 12;

    /** §5.3.6.2 control events. */
    static final int DEVICE_READY = 0;
    static final int DEVICE_ADD = 1;
    static final int DEVICE_REMOVE = 2;
    static final int PORT_READY = 3;
    static final int CONSOLE_PORT = 4;
    static final int RESIZE = 5;
    static final int PORT_OPEN = 6;
    static final int PORT_NAME = 7;

    /** Queue 2 (device to driver) and queue 3 (driver to device) carry control messages. */
    static final int CONTROL_RECEIVEQ = 2;
    static final int CONTROL_TRANSMITQ = 3;

    /** Port names longer than this are cut (the spec sets no limit; Linux reads one page). */
    static final int MAX_NAME_BYTES = 255;

    private VirtioConsole() {
    }

    /** §5.3.2: port 0 uses queues 0/1; port n &gt; 0 uses 2(n+1) and 2(n+1)+1 (2 and 3 are control). */
    static int receiveq(int port) {
        return port == 0 ? 0 : 2 * (port + 1);
    }

    static int transmitq(int port) {
        return receiveq(port) + 1;
    }

    /** How many queues a device with {@code maxPorts} ports has when MULTIPORT is offered. */
    static int queueCount(int maxPorts) {
        return 2 * (maxPorts + 1);
    }

    /** The port a data queue belongs to, or -1 for the control queues. */
    static int portOfQueue(int queue) {
        if (queue == CONTROL_RECEIVEQ || queue == CONTROL_TRANSMITQ) {
            return -1;
        }
        return queue < 2 ? 0 : queue / 2 - 1;
    }

    static String eventName(int event) {
        return switch (event) {
            case DEVICE_READY -> "DEVICE_READY";
            case DEVICE_ADD -> "DEVICE_ADD";
            case DEVICE_REMOVE -> "DEVICE_REMOVE";
            case PORT_READY -> "PORT_READY";
            case CONSOLE_PORT -> "CONSOLE_PORT";
            case RESIZE -> "RESIZE";
            case PORT_OPEN -> "PORT_OPEN";
            case PORT_NAME -> "PORT_NAME";
            default -> "event " + event;
        };
    }
}
