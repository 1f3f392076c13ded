package dev.vmsg.device.console.internal;

import dev.vmsg.device.DeviceContext;
import dev.vmsg.device.VirtioDeviceBackend;
import dev.vmsg.virtqueue.DescriptorChain;
import dev.vmsg.virtqueue.DeviceVirtqueue;
import dev.vmsg.virtqueue.VirtqueueException;
import dev.vmsg.wire.DeviceIds;
import dev.vmsg.wire.FeatureSet;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The virtio-console device model (virtio 1.x §5.3) with MULTIPORT, SIZE and EMERG_WRITE. Each
 * port has a host side ({@link PortHost}: TCP, files, or an in-container endpoint) joined to the
 * device by two bounded {@link PortPipes}.
 *
 * <p>Everything that touches a queue runs on the device's executor: host threads only fill or
 * drain the pipes and ask for a pump ({@link #wake()}). Back-pressure, nothing dropped: receive
 * buffers are filled only from what the host side delivered and the host side waits while the
 * pipe toward the driver is full; a transmit chain is taken only as far as the pipe toward the
 * host has room, and the rest of it (and every chain behind it) waits in the ring.
 *
 * <p>Control flow (§5.3.6.2, as QEMU and Linux run it): the driver sends DEVICE_READY; the device
 * answers DEVICE_ADD for every port; the driver answers PORT_READY; the device then sends
 * CONSOLE_PORT (port 0), PORT_NAME and, when its host side is connected, PORT_OPEN; later host
 * connects and disconnects become PORT_OPEN 1/0. The driver's PORT_OPEN says whether it is reading.
 */
public final class ConsoleBackend implements VirtioDeviceBackend {

    /** One configured port: its name and host side. Port ids follow the list order; port 0 is the console. */
    public record PortDefinition(String name, PortHost host) {
    }

    /** What the shell shows about one port. */
    public record PortStatus(int id, String name, String host, boolean hostConnected, boolean driverReady,
            boolean driverOpen, String toDriver, String fromDriver, long lostOnDisconnect) {
    }

    static final int MAX_CONTROL_PENDING = 1024;
    private static final int SCRATCH = 64 * 1024;
    private static final int MAX_CONTROL_EXTRA = 16;

    private final String deviceName;
    private final DevicePort[] ports;
    private final int queueSize;
    private final int cols;
    private final int rows;
    private final ConsoleLog log;
    private final ArrayDeque<ControlMessage> controlOut = new ArrayDeque<>();
    private final ByteBuffer scratch = ByteBuffer.allocate(SCRATCH);
    private final AtomicBoolean pumpScheduled = new AtomicBoolean();
    private volatile DeviceContext context;
    private volatile Thread pumping;
    private boolean running;
    private boolean multiport;
    private boolean started;

    private volatile long malformedControl;
    private volatile long unknownPortControl;
    private volatile long unexpectedControl;
    private volatile long controlDropped;
    private volatile long smallControlBuffers;
    private volatile long rejectedChains;
    private volatile long emptyReceiveChains;
    private volatile long transmitStalls;
    private volatile long emergencyBytes;
    private volatile long emergencyDropped;
    private long warnings;

    private static final class DevicePort {
        final int id;
        final String name;
        final PortHost host;
        final PortPipes pipes;
        volatile boolean ready;
        volatile boolean driverOpen;
        boolean reportedHost;
        DescriptorChain pendingTx;
        long pendingTxOffset;

        DevicePort(int id, String name, PortHost host, PortPipes pipes) {
            this.id = id;
            this.name = name;
            this.host = host;
            this.pipes = pipes;
        }
    }

    /**
     * @param deviceName    for messages
     * @param definitions   the ports, 1..(32768/2 - 1)
     * @param queueSize     largest size of every queue (power of two)
     * @param pipeCapacity  bytes buffered per direction per port
     * @param cols          console columns reported with VIRTIO_CONSOLE_F_SIZE
     * @param rows          console rows reported with VIRTIO_CONSOLE_F_SIZE
     */
    public ConsoleBackend(String deviceName, List<PortDefinition> definitions, int queueSize, int pipeCapacity, int cols,
            int rows, ConsoleLog log) {
        if (definitions.isEmpty() || definitions.size() > 16383) {
            throw new IllegalArgumentException(deviceName + ": " + definitions.size() + " ports; give 1..16383");
        }
        this.deviceName = deviceName;
        this.queueSize = queueSize;
        this.cols = cols & 0xFFFF;
        this.rows = rows & 0xFFFF;
        this.log = log;
        this.ports = new DevicePort[definitions.size()];
        for (int i = 0; i < ports.length; i++) {
            PortDefinition d = definitions.get(i);
            ports[i] = new DevicePort(i, d.name(), d.host(), new PortPipes(pipeCapacity, this::wake));
        }
    }

    /** Starts every port's host side (a TCP port is bound when this returns). */
    public void start() {
        for (DevicePort p : ports) {
            p.host.start(p.pipes);
        }
    }

    /** Stops every host side and wakes whoever waits on a pipe. */
    public void close() {
        for (DevicePort p : ports) {
            try {
                p.host.close();
            } finally {
                p.pipes.close();
            }
        }
    }

    int portCount() {
        return ports.length;
    }

    PortHost host(int port) {
        return ports[port].host;
    }

    PortPipes pipes(int port) {
        return ports[port].pipes;
    }

    /** The port id of {@code nameOrId}, or -1. */
    public int portId(String nameOrId) {
        for (DevicePort p : ports) {
            if (p.name.equals(nameOrId) || Integer.toString(p.id).equals(nameOrId)) {
                return p.id;
            }
        }
        return -1;
    }

    public List<PortStatus> status() {
        List<PortStatus> out = new ArrayList<>();
        for (DevicePort p : ports) {
            out.add(new PortStatus(p.id, p.name, p.host.describe(), p.pipes.hostConnected(), p.ready, p.driverOpen,
                    p.pipes.toDriver.toString(), p.pipes.fromDriver.toString(), p.pipes.lostOnDisconnect()));
        }
        return out;
    }

    public String counters() {
        return "control: " + malformedControl + " malformed, " + unknownPortControl + " for unknown ports, "
                + unexpectedControl + " unexpected, " + controlDropped + " dropped (queue over " + MAX_CONTROL_PENDING
                + "), " + smallControlBuffers + " buffers too small; chains: " + rejectedChains + " rejected, "
                + emptyReceiveChains + " empty receive buffers; " + transmitStalls + " transmit stalls; emergency: "
                + emergencyBytes + " written, " + emergencyDropped + " dropped (pipe full)";
    }

    long malformedControl() {
        return malformedControl;
    }

    long unknownPortControl() {
        return unknownPortControl;
    }

    long rejectedChains() {
        return rejectedChains;
    }

    long transmitStalls() {
        return transmitStalls;
    }

    // ---- VirtioDeviceBackend ----

    @Override
    public int deviceId() {
        return DeviceIds.CONSOLE;
    }

    @Override
    public java.util.Map<Integer, String> featureNames() {
        return VirtioConsole.FEATURE_NAMES;
    }

    @Override
    public FeatureSet features() {
        return FeatureSet.of(VirtioConsole.F_SIZE, VirtioConsole.F_MULTIPORT, VirtioConsole.F_EMERG_WRITE);
    }

    @Override
    public int numQueues() {
        return VirtioConsole.queueCount(ports.length);
    }

    @Override
    public int queueMaxSize(int index) {
        return queueSize;
    }

    @Override
    public int configSize() {
        return VirtioConsole.CONFIG_SIZE;
    }

    @Override
    public void readConfig(int offset, ByteBuffer dst) {
        ByteBuffer c = ByteBuffer.allocate(VirtioConsole.CONFIG_SIZE).order(ByteOrder.LITTLE_ENDIAN);
        c.putShort(VirtioConsole.CONFIG_COLS, (short) cols);
        c.putShort(VirtioConsole.CONFIG_ROWS, (short) rows);
        c.putInt(VirtioConsole.CONFIG_MAX_NR_PORTS, ports.length);
        c.position(offset).limit(offset + dst.remaining());
        dst.put(c);
    }

    /** Only emerg_wr is writable: one character for port 0's host side, without a queue. */
    @Override
    public boolean writeConfig(int offset, ByteBuffer src) {
        if (offset != VirtioConsole.CONFIG_EMERG_WR || src.remaining() != 4) {
            return false;
        }
        ByteBuffer one = ByteBuffer.wrap(new byte[] {src.get(src.position())});
        if (ports[0].pipes.fromDriver.offer(one) == 1) {
            emergencyBytes++;
        } else {
            emergencyDropped++;
            warn("emergency write dropped: port 0's pipe to its host side is full");
        }
        return true;
    }

    @Override
    public void driverOk(DeviceContext ctx) {
        context = ctx;
        running = true;
        multiport = ctx.negotiatedFeatures().has(VirtioConsole.F_MULTIPORT);
        if (!multiport) {
            ports[0].ready = true;
            ports[0].driverOpen = true;
        }
        pumpAll();
    }

    @Override
    public void queueNotified(DeviceContext ctx, DeviceVirtqueue queue) {
        pumpAll();
    }

    @Override
    public void queueReset(int index) {
        int port = VirtioConsole.portOfQueue(index);
        if (port >= 0 && port < ports.length && index == VirtioConsole.transmitq(port)) {
            ports[port].pendingTx = null;
        }
    }

    @Override
    public void reset() {
        running = false;
        controlOut.clear();
        for (DevicePort p : ports) {
            p.ready = false;
            p.driverOpen = false;
            p.reportedHost = false;
            p.pendingTx = null;
        }
    }

    // ---- the pump: device thread ----

    /** Asks for a pump on the device thread; any thread; never blocks. */
    private void wake() {
        DeviceContext ctx = context;
        if (ctx == null || Thread.currentThread() == pumping || !pumpScheduled.compareAndSet(false, true)) {
            return;
        }
        try {
            ctx.executor().execute(() -> {
                pumpScheduled.set(false);
                pumpAll();
            });
        } catch (RejectedExecutionException e) {
            // The device is being removed, or its queue is full and a pump is already due.
            pumpScheduled.set(false);
        }
    }

    private void pumpAll() {
        DeviceContext ctx = context;
        if (ctx == null || !running) {
            return;
        }
        pumping = Thread.currentThread();
        try {
            if (multiport) {
                readControl(ctx);
                reportHostChanges();
            }
            for (DevicePort p : ports) {
                if (!multiport && p.id != 0) {
                    break;
                }
                transmit(ctx, p);
                receive(ctx, p);
            }
            if (multiport) {
                sendControl(ctx);
            }
            int n = multiport ? numQueues() : 2;
            for (int i = 0; i < n; i++) {
                DeviceVirtqueue q = ctx.queue(i);
                if (q != null) {
                    ctx.notifyUsed(q);
                }
            }
        } finally {
            pumping = null;
        }
    }

    /** Pops the next good chain; bad chains are already returned by the queue and only counted here. */
    private DescriptorChain pop(DeviceContext ctx, DeviceVirtqueue q) {
        while (true) {
            try {
                return q.pop();
            } catch (VirtqueueException e) {
                if (q.isBroken()) {
                    running = false;
                    ctx.needsReset(deviceName + ": " + e.getMessage());
                    return null;
                }
                rejectedChains++;
                warn(e.getMessage());
            }
        }
    }

    /** Driver to host: takes transmit chains only as far as the pipe to the host has room. */
    private void transmit(DeviceContext ctx, DevicePort p) {
        DeviceVirtqueue q = ctx.queue(VirtioConsole.transmitq(p.id));
        if (q == null) {
            return;
        }
        while (running) {
            if (p.pendingTx == null) {
                DescriptorChain c = pop(ctx, q);
                if (c == null) {
                    return;
                }
                p.pendingTx = c;
                p.pendingTxOffset = 0;
            }
            DescriptorChain c = p.pendingTx;
            while (p.pendingTxOffset < c.readableLength()) {
                int room = p.pipes.fromDriver.free();
                if (room == 0) {
                    transmitStalls++;
                    return; // the host side drains the pipe and wakes us
                }
                scratch.clear();
                scratch.limit((int) Math.min(Math.min(room, SCRATCH), c.readableLength() - p.pendingTxOffset));
                c.readFrom(p.pendingTxOffset, scratch);
                scratch.flip();
                int taken = p.pipes.fromDriver.offer(scratch);
                if (taken == 0) {
                    return;
                }
                p.pendingTxOffset += taken;
            }
            p.pendingTx = null;
            q.pushUsed(c.head(), 0);
        }
    }

    /** Host to driver: fills receive buffers with what the host side delivered, once the driver opened the port. */
    private void receive(DeviceContext ctx, DevicePort p) {
        if (!p.driverOpen) {
            return; // kept in the pipe; the host side waits when it is full
        }
        DeviceVirtqueue q = ctx.queue(VirtioConsole.receiveq(p.id));
        if (q == null) {
            return;
        }
        while (running && p.pipes.toDriver.available() > 0) {
            DescriptorChain c = pop(ctx, q);
            if (c == null) {
                return;
            }
            if (c.writableLength() == 0) {
                emptyReceiveChains++;
                q.pushUsed(c.head(), 0);
                continue;
            }
            scratch.clear();
            scratch.limit((int) Math.min(SCRATCH, c.writableLength()));
            p.pipes.toDriver.poll(scratch);
            scratch.flip();
            int n = c.writeTo(scratch);
            q.pushUsed(c.head(), n);
        }
    }

    private void readControl(DeviceContext ctx) {
        DeviceVirtqueue q = ctx.queue(VirtioConsole.CONTROL_TRANSMITQ);
        if (q == null) {
            return;
        }
        DescriptorChain c;
        ByteBuffer b = ByteBuffer.allocate(ControlMessage.HEADER_SIZE + MAX_CONTROL_EXTRA);
        while (running && (c = pop(ctx, q)) != null) {
            b.clear();
            b.limit((int) Math.min(b.capacity(), c.readableLength()));
            c.readFrom(b);
            b.flip();
            q.pushUsed(c.head(), 0);
            ControlMessage m = ControlMessage.decode(b, MAX_CONTROL_EXTRA);
            if (m == null) {
                malformedControl++;
                warn("control message of " + c.readableLength() + " readable bytes is shorter than "
                        + ControlMessage.HEADER_SIZE);
                continue;
            }
            handleControl(m);
        }
    }

    private void handleControl(ControlMessage m) {
        if (m.event() == VirtioConsole.DEVICE_READY) {
            if (m.value() != 1) {
                warn("the driver reports it failed to set up the device (DEVICE_READY " + m.value() + ")");
                return;
            }
            for (DevicePort p : ports) {
                queueControl(ControlMessage.of(p.id, VirtioConsole.DEVICE_ADD, 1));
            }
            return;
        }
        long id = Integer.toUnsignedLong(m.id());
        if (id >= ports.length) {
            unknownPortControl++;
            warn(m + " names a port the device does not have (it has " + ports.length + ")");
            return;
        }
        DevicePort p = ports[(int) id];
        switch (m.event()) {
            case VirtioConsole.PORT_READY -> {
                if (m.value() != 1) {
                    warn("the driver failed to add port " + p.id + " (" + p.name + ")");
                } else if (!p.ready) {
                    p.ready = true;
                    if (p.id == 0) {
                        queueControl(ControlMessage.of(0, VirtioConsole.CONSOLE_PORT, 1));
                    }
                    queueControl(ControlMessage.name(p.id, p.name));
                    p.reportedHost = p.pipes.hostConnected();
                    if (p.reportedHost) {
                        queueControl(ControlMessage.of(p.id, VirtioConsole.PORT_OPEN, 1));
                    }
                }
            }
            case VirtioConsole.PORT_OPEN -> p.driverOpen = m.value() != 0;
            default -> {
                unexpectedControl++;
                warn("unexpected control message from the driver: " + m);
            }
        }
    }

    private void reportHostChanges() {
        for (DevicePort p : ports) {
            boolean h = p.pipes.hostConnected();
            if (p.ready && h != p.reportedHost) {
                p.reportedHost = h;
                queueControl(ControlMessage.of(p.id, VirtioConsole.PORT_OPEN, h ? 1 : 0));
            }
        }
    }

    private void queueControl(ControlMessage m) {
        if (controlOut.size() >= MAX_CONTROL_PENDING) {
            controlDropped++;
            warn("control message " + m + " dropped: " + MAX_CONTROL_PENDING
                    + " wait already (the driver posts no control buffers)");
            return;
        }
        controlOut.add(m);
    }

    private void sendControl(DeviceContext ctx) {
        DeviceVirtqueue q = ctx.queue(VirtioConsole.CONTROL_RECEIVEQ);
        if (q == null) {
            return;
        }
        while (running && !controlOut.isEmpty()) {
            DescriptorChain c = pop(ctx, q);
            if (c == null) {
                return;
            }
            ControlMessage m = controlOut.peek();
            if (c.writableLength() < m.encodedSize()) {
                smallControlBuffers++;
                q.pushUsed(c.head(), 0);
                warn("control buffer of " + c.writableLength() + " bytes cannot hold " + m + "; returned empty");
                continue;
            }
            int n = c.writeTo(ByteBuffer.wrap(m.encode()));
            q.pushUsed(c.head(), n);
            controlOut.poll();
        }
    }

    /** Rate-limited: the first 20 warnings, then every 1000th. */
    private void warn(String message) {
        long n = ++warnings;
        if (n <= 20 || n % 1000 == 0) {
            log.warn("console device " + deviceName + ": " + message + (n > 20 ? " (" + n + " warnings so far)" : ""));
        }
    }
}
