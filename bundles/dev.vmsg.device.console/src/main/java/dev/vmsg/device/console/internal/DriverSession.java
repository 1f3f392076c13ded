package dev.vmsg.device.console.internal;

import dev.vmsg.device.console.ConsolePort;
import dev.vmsg.driver.DriverInstance;
import dev.vmsg.driver.QueueListener;
import dev.vmsg.driver.VirtioDevice;
import dev.vmsg.driver.VirtioDeviceException;
import dev.vmsg.driver.Virtqueue;
import dev.vmsg.memory.DmaExhaustedException;
import dev.vmsg.memory.DmaRegion;
import dev.vmsg.virtqueue.BufferSegment;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * The console driver bound to one device: the control queues, and a {@link DriverPort} per port
 * the device adds. Control messages are handled on the device's driver thread (completions,
 * {@link #ready()} and {@link #remove} all run there).
 */
final class DriverSession implements DriverInstance {

    private static final BufferSegment[] NONE = new BufferSegment[0];
    private static final int MAX_PENDING_CONTROL = 256;

    private final VirtioDevice device;
    private final boolean multiport;
    private final int maxPorts;
    private final int columns;
    private final int rows;
    private final ConsoleDriver.Publisher publisher;
    private final ConsoleLog log;
    private final Virtqueue[] receiveq;
    private final Virtqueue[] transmitq;
    private Virtqueue controlRx;
    private Virtqueue controlTx;
    private DmaRegion controlBuffers;
    private final DriverPort[] ports;
    private final ConsoleDriver.Registration[] registrations;
    private final List<DmaRegion> allocated = new ArrayList<>();
    private final ArrayDeque<Integer> freeControlTx = new ArrayDeque<>();
    private final ArrayDeque<ControlMessage> pendingControlTx = new ArrayDeque<>();
    private volatile boolean removed;
    private long malformedControl;
    private long unexpectedControl;

    private record ControlSlot(boolean receive, int index) {
    }

    DriverSession(VirtioDevice device, boolean multiport, int maxPorts, int columns, int rows,
            ConsoleDriver.Publisher publisher, ConsoleLog log) {
        this.device = device;
        this.multiport = multiport;
        this.maxPorts = maxPorts;
        this.columns = columns;
        this.rows = rows;
        this.publisher = publisher;
        this.log = log;
        this.receiveq = new Virtqueue[maxPorts];
        this.transmitq = new Virtqueue[maxPorts];
        this.ports = new DriverPort[maxPorts];
        this.registrations = new ConsoleDriver.Registration[maxPorts];
    }

    /** Opens every queue (only possible during probe); frees what it took if that fails. */
    void open() {
        try {
            QueueListener data = new DataListener();
            for (int p = 0; p < maxPorts; p++) {
                receiveq[p] = device.openQueue(VirtioConsole.receiveq(p), ConsoleDriver.QUEUE_SIZE, data);
                transmitq[p] = device.openQueue(VirtioConsole.transmitq(p), ConsoleDriver.QUEUE_SIZE, data);
            }
            if (multiport) {
                QueueListener control = new ControlListener();
                controlRx = device.openQueue(VirtioConsole.CONTROL_RECEIVEQ, ConsoleDriver.QUEUE_SIZE, control);
                controlTx = device.openQueue(VirtioConsole.CONTROL_TRANSMITQ, ConsoleDriver.QUEUE_SIZE, control);
                controlBuffers = allocate((long) (ConsoleDriver.CONTROL_RX_SLOTS + ConsoleDriver.CONTROL_TX_SLOTS)
                        * ConsoleDriver.CONTROL_SLOT);
                for (int i = 0; i < ConsoleDriver.CONTROL_TX_SLOTS; i++) {
                    freeControlTx.add(ConsoleDriver.CONTROL_RX_SLOTS + i);
                }
            }
        } catch (RuntimeException e) {
            freeAll();
            throw e;
        }
    }

    String busName() {
        return device.busName();
    }

    int deviceNumber() {
        return device.deviceNumber();
    }

    @Override
    public void ready() {
        if (!multiport) {
            DriverPort p = addPort(0);
            if (p != null) {
                p.markConsole();
                p.hostConnected(true);
                publish(p);
            }
            return;
        }
        for (int i = 0; i < ConsoleDriver.CONTROL_RX_SLOTS; i++) {
            postControlRx(i);
        }
        sendControl(ControlMessage.of(0, VirtioConsole.DEVICE_READY, 1));
    }

    @Override
    public void configChanged() {
        // Without MULTIPORT the console size lives in config space (with it, RESIZE carries it).
        if (!multiport && ports[0] != null && device.negotiatedFeatures().has(VirtioConsole.F_SIZE)) {
            try {
                int[] size = ConsoleDriver.readSize(device);
                ports[0].resize(size[0], size[1]);
            } catch (VirtioDeviceException e) {
                log.warn(describe() + ": reading the console size failed: " + e.getMessage());
            }
        }
    }

    @Override
    public void remove(String reason) {
        removed = true;
        for (int i = 0; i < maxPorts; i++) {
            withdraw(i);
            if (ports[i] != null) {
                ports[i].remove(reason);
            }
        }
        freeAll();
    }

    // ---- ports ----

    private DriverPort addPort(int id) {
        DmaRegion buffers;
        try {
            buffers = allocate((long) (ConsoleDriver.RX_SLOTS + ConsoleDriver.TX_SLOTS) * ConsoleDriver.SLOT_SIZE);
        } catch (DmaExhaustedException e) {
            log.warn(describe() + ": no room in the bus window for port " + id + ": " + e.getMessage());
            return null;
        }
        DriverPort p = new DriverPort(this, id, receiveq[id], transmitq[id], device.window(), buffers,
                ConsoleDriver.RX_SLOTS, ConsoleDriver.TX_SLOTS, ConsoleDriver.SLOT_SIZE, ConsoleDriver.RECEIVED_CAPACITY);
        p.resize(columns, rows);
        ports[id] = p;
        p.refill();
        return p;
    }

    private void publish(DriverPort p) {
        if (registrations[p.id()] == null && !removed) {
            registrations[p.id()] = publisher.publish(p);
            if (multiport) {
                sendControl(ControlMessage.of(p.id(), VirtioConsole.PORT_OPEN, 1));
            }
        }
    }

    private void withdraw(int id) {
        ConsoleDriver.Registration r = registrations[id];
        registrations[id] = null;
        if (r != null) {
            r.withdraw();
        }
    }

    /** The open ports (for tests). */
    List<ConsolePort> ports() {
        List<ConsolePort> out = new ArrayList<>();
        for (DriverPort p : ports) {
            if (p != null && !p.isRemoved()) {
                out.add(p);
            }
        }
        return out;
    }

    // ---- control queue ----

    private void handleControl(ControlMessage m) {
        long id = Integer.toUnsignedLong(m.id());
        if (id >= maxPorts) {
            if (m.event() == VirtioConsole.DEVICE_ADD) {
                sendControl(ControlMessage.of(m.id(), VirtioConsole.PORT_READY, 0));
            }
            unexpectedControl++;
            log.warn(describe() + ": " + m + " names a port beyond the " + maxPorts + " this driver handles");
            return;
        }
        int i = (int) id;
        DriverPort p = ports[i];
        switch (m.event()) {
            case VirtioConsole.DEVICE_ADD -> {
                if (p != null) {
                    log.warn(describe() + ": the device added port " + i + " again; ignored");
                    return;
                }
                p = addPort(i);
                sendControl(ControlMessage.of(i, VirtioConsole.PORT_READY, p == null ? 0 : 1));
            }
            case VirtioConsole.DEVICE_REMOVE -> {
                if (p != null) {
                    withdraw(i);
                    p.remove("the device removed the port");
                }
            }
            case VirtioConsole.CONSOLE_PORT -> {
                if (p != null) {
                    p.markConsole();
                }
            }
            case VirtioConsole.RESIZE -> {
                int[] size = m.size();
                if (p != null && size != null) {
                    p.resize(size[0], size[1]);
                }
            }
            case VirtioConsole.PORT_NAME -> {
                if (p != null && p.name(m.nameText())) {
                    ConsoleDriver.Registration r = registrations[i];
                    if (r != null) {
                        r.update();
                    } else {
                        publish(p);
                    }
                }
            }
            case VirtioConsole.PORT_OPEN -> {
                if (p != null) {
                    p.hostConnected(m.value() != 0);
                    publish(p);
                }
            }
            default -> {
                unexpectedControl++;
                log.warn(describe() + ": unexpected control message " + m);
            }
        }
    }

    private long controlAddress(int slot) {
        return controlBuffers.address() + (long) slot * ConsoleDriver.CONTROL_SLOT;
    }

    private void postControlRx(int slot) {
        if (removed) {
            return;
        }
        try {
            controlRx.submit(NONE, new BufferSegment[] {new BufferSegment(controlAddress(slot), ConsoleDriver.CONTROL_SLOT)},
                    new ControlSlot(true, slot));
        } catch (VirtioDeviceException e) {
            log.warn(describe() + ": cannot post a control buffer: " + e.getMessage());
        }
    }

    private void sendControl(ControlMessage m) {
        if (removed) {
            return;
        }
        Integer slot = freeControlTx.poll();
        if (slot == null) {
            if (pendingControlTx.size() >= MAX_PENDING_CONTROL) {
                log.warn(describe() + ": " + m + " not sent: " + MAX_PENDING_CONTROL
                        + " control messages already wait for the device to return a buffer");
                return;
            }
            pendingControlTx.add(m);
            return;
        }
        byte[] b = m.encode();
        device.window().write(controlAddress(slot), b, 0, b.length);
        try {
            controlTx.submit(new BufferSegment[] {new BufferSegment(controlAddress(slot), b.length)}, NONE,
                    new ControlSlot(false, slot));
        } catch (VirtioDeviceException e) {
            freeControlTx.add(slot);
            log.warn(describe() + ": cannot send " + m + ": " + e.getMessage());
        }
    }

    private final class ControlListener implements QueueListener {
        @Override
        public void completed(Object cookie, int length) {
            ControlSlot s = (ControlSlot) cookie;
            if (!s.receive()) {
                freeControlTx.add(s.index());
                ControlMessage next = pendingControlTx.poll();
                if (next != null) {
                    sendControl(next);
                }
                return;
            }
            int n = Math.min(length, ConsoleDriver.CONTROL_SLOT);
            byte[] b = new byte[n];
            device.window().read(controlAddress(s.index()), b, 0, n);
            ControlMessage m = ControlMessage.decode(ByteBuffer.wrap(b), VirtioConsole.MAX_NAME_BYTES);
            if (m == null) {
                malformedControl++;
                log.warn(describe() + ": control message of " + length + " bytes is too short (" + malformedControl
                        + " so far)");
            } else {
                handleControl(m);
            }
            postControlRx(s.index());
        }

        @Override
        public void failed(Object cookie, VirtioDeviceException cause) {
            ControlSlot s = (ControlSlot) cookie;
            if (!s.receive()) {
                freeControlTx.add(s.index());
            }
        }
    }

    private static final class DataListener implements QueueListener {
        @Override
        public void completed(Object cookie, int length) {
            DriverPort.Slot s = (DriverPort.Slot) cookie;
            s.port().completed(s, length);
        }

        @Override
        public void failed(Object cookie, VirtioDeviceException cause) {
            DriverPort.Slot s = (DriverPort.Slot) cookie;
            s.port().failed(s);
        }
    }

    // ---- memory ----

    private DmaRegion allocate(long size) {
        DmaRegion r = device.allocator().allocate(size);
        synchronized (allocated) {
            allocated.add(r);
        }
        return r;
    }

    private void freeAll() {
        synchronized (allocated) {
            for (DmaRegion r : allocated) {
                device.allocator().free(r);
            }
            allocated.clear();
        }
    }

    void listenerFailed(DriverPort port, RuntimeException e) {
        log.warn(port + ": a listener threw " + e);
    }

    String describe() {
        return "console driver " + device.busName() + "/" + device.deviceNumber();
    }
}
