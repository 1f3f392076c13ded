package dev.vmsg.device.console.internal;

import dev.vmsg.device.console.ConsolePort;
import dev.vmsg.driver.DriverInstance;
import dev.vmsg.driver.VirtioDevice;
import dev.vmsg.driver.VirtioDriver;
import dev.vmsg.wire.DeviceIds;
import dev.vmsg.wire.FeatureSet;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The virtio-console driver: negotiates MULTIPORT and SIZE, opens the queues of every port the
 * device may have (capped at {@link #MAX_PORTS}, and at what its queue count allows), runs the
 * control protocol and publishes a {@link ConsolePort} for every port the device adds and names.
 */
public final class ConsoleDriver implements VirtioDriver {

    /** Publishes the ports of running devices (an OSGi registry in production). */
    public interface Publisher {
        Registration publish(ConsolePort port);
    }

    /** A published port: its properties can be refreshed (a late name) and it can be withdrawn. */
    public interface Registration {
        void update();

        void withdraw();
    }

    /** Ports beyond this are refused (PORT_READY 0): max_nr_ports comes from an untrusted device. */
    static final int MAX_PORTS = 32;
    static final int QUEUE_SIZE = 32;
    static final int SLOT_SIZE = 2048;
    static final int RX_SLOTS = 4;
    static final int TX_SLOTS = 4;
    static final int RECEIVED_CAPACITY = 64 * 1024;
    static final int CONTROL_SLOT = 512;
    static final int CONTROL_RX_SLOTS = 8;
    static final int CONTROL_TX_SLOTS = 8;

    private final Publisher publisher;
    private final ConsoleLog log;

    public ConsoleDriver(Publisher publisher, ConsoleLog log) {
        this.publisher = publisher;
        this.log = log;
    }

    @Override
    public int deviceId() {
        return DeviceIds.CONSOLE;
    }

    @Override
    public java.util.Map<Integer, String> featureNames() {
        return VirtioConsole.FEATURE_NAMES;
    }

    @Override
    public FeatureSet supportedFeatures() {
        return FeatureSet.of(VirtioConsole.F_SIZE, VirtioConsole.F_MULTIPORT);
    }

    @Override
    public DriverInstance probe(VirtioDevice device) {
        FeatureSet f = device.negotiatedFeatures();
        boolean multiport = f.has(VirtioConsole.F_MULTIPORT);
        int[] size = f.has(VirtioConsole.F_SIZE) ? readSize(device) : new int[2];
        int ports = 1;
        if (multiport) {
            long advertised = Integer.toUnsignedLong(le32(device.readConfig(VirtioConsole.CONFIG_MAX_NR_PORTS, 4)));
            long byQueues = Integer.toUnsignedLong(device.maxVirtqueues()) / 2 - 1;
            ports = (int) Math.max(1, Math.min(Math.min(advertised, byQueues), MAX_PORTS));
            if (advertised != ports) {
                log.warn("console device " + device.busName() + "/" + device.deviceNumber() + " reports max_nr_ports "
                        + advertised + "; driving " + ports + " (cap " + MAX_PORTS + ", " + device.maxVirtqueues()
                        + " queues)");
            }
        }
        DriverSession session = new DriverSession(device, multiport, ports, size[0], size[1], publisher, log);
        session.open();
        return session;
    }

    /** {cols, rows} from config space. */
    static int[] readSize(VirtioDevice device) {
        ByteBuffer b = ByteBuffer.wrap(device.readConfig(VirtioConsole.CONFIG_COLS, 4)).order(ByteOrder.LITTLE_ENDIAN);
        return new int[] {b.getShort() & 0xFFFF, b.getShort() & 0xFFFF};
    }

    private static int le32(byte[] b) {
        return ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).getInt();
    }
}
