package dev.vmsg.bus.fifo.linuxuser;

import dev.vmsg.bus.BusEndpoint;
import dev.vmsg.bus.BusException;
import dev.vmsg.bus.BusInfo;
import dev.vmsg.bus.DeviceEndpoint;
import dev.vmsg.bus.DriverEndpoint;
import dev.vmsg.bus.FrameReceiver;
import dev.vmsg.bus.fifo.internal.BusThreads;
import dev.vmsg.bus.fifo.internal.Doorbell;
import dev.vmsg.bus.fifo.internal.ReceiverSlot;
import dev.vmsg.bus.fifo.internal.SharedFile;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;

/**
 * The side of a QEMU linux-user bus this process hosts. Two threads: the link thread maps the
 * queue files (the device side creates them), keeps the doorbell socket connected and reports link
 * up/down (up = a peer is connected on the socket; there is no heartbeat in this format); the
 * delivery thread waits on the socket and drains the whole peer queue per wake-up, as QEMU does.
 * A sender copies a frame into the next slot of this side's queue, then writes one 0xED on the
 * socket: one doorbell byte per message, as QEMU writes.
 */
abstract sealed class LinuxUserEndpoint implements BusEndpoint
        permits LinuxUserEndpoint.DriverSide, LinuxUserEndpoint.DeviceSide {

    private static final long TICK_NANOS = TimeUnit.MILLISECONDS.toNanos(10);
    private static final long WAIT_NANOS = TimeUnit.MILLISECONDS.toNanos(50);
    private static final long IDLE_NANOS = TimeUnit.MILLISECONDS.toNanos(5);
    private static final long FULL_PARK_NANOS = 50_000;

    /** Both queue files of one attachment; replaced when a file is replaced under this side. */
    record Queues(SharedFile txFile, SharedFile rxFile, SpscQueue tx, SpscQueue rx) {
        boolean intact() {
            return txFile.intact() && rxFile.intact();
        }
    }

    final LinuxUserBusOptions options;
    final BusInfo info;
    final Consumer<String> warnings;
    private final SharedFile ram;
    private final Doorbell doorbell;
    private final String side;
    private final String peerSide;
    private final Object sendLock = new Object();
    private final ByteBuffer scratch;
    private volatile Queues queues;
    private final ReceiverSlot receiver;
    private final String label;
    private volatile boolean up;
    private volatile boolean closed;
    private volatile Thread linkThread;
    private volatile Thread rxThread;
    // link thread only
    private long upConnection;
    // link thread, and the delivery thread for a failed mapping
    private volatile String lastRefusal;

    private final AtomicLong stale = new AtomicLong();

    LinuxUserEndpoint(LinuxUserBusOptions options, BusInfo info, SharedFile ram, String side, String peerSide,
            Doorbell doorbell, Consumer<String> warnings) {
        this.options = options;
        this.info = info;
        this.ram = ram;
        this.side = side;
        this.peerSide = peerSide;
        this.doorbell = doorbell;
        this.warnings = warnings;
        this.scratch = ByteBuffer.allocate(info.maxMessageSize()).order(ByteOrder.LITTLE_ENDIAN);
        this.label = "qemu bus " + info.name();
        this.receiver = new ReceiverSlot(label, warnings);
    }

    /** Maps both queue files, or returns null to try again on the next tick. Link thread (device: also constructor). */
    abstract Queues attach() throws IOException;

    /** Send path hook after the framing check (driver: quirk guard). */
    void beforeSend(ByteBuffer frame) {
    }

    /** Receive path hook on the private copy, before the receiver sees it (driver: quirk fix-ups). */
    void afterReceive(ByteBuffer frame) {
    }

    /** The link went down (driver: forget discovered devices). */
    void linkLost() {
    }

    /** Maps the queues and drops what an earlier run left in the peer's queue (indices stay as found). */
    private Queues attachFresh() throws IOException {
        Queues q = attach();
        if (q != null) {
            noteLeftovers(q, q.rx.skipPending());
        }
        return q;
    }

    /** Installs queues attached before the socket was bound, with the leftovers skipped then. Constructor only. */
    final void installQueues(Queues q, int leftovers) {
        noteLeftovers(q, leftovers);
        queues = q;
    }

    private void noteLeftovers(Queues q, int dropped) {
        if (dropped > 0) {
            stale.addAndGet(dropped);
            warnings.accept(label + " (" + side + " side): skipped " + dropped
                    + " message(s) an earlier run left in " + q.rxFile.path() + " (indices kept as found: head "
                    + q.rx.head() + ")");
        }
    }

    void refuse(String why) {
        if (!why.equals(lastRefusal)) {
            lastRefusal = why;
            warnings.accept(label + " (" + side + " side): " + why);
        }
    }

    @Override
    public BusInfo info() {
        return info;
    }

    @Override
    public synchronized void open(FrameReceiver frameReceiver) {
        if (closed) {
            throw new BusException(BusException.Reason.CLOSED, label + " is closed");
        }
        // A new receiver of a running link hears link-up from the link thread, as the first one did.
        receiver.attach(frameReceiver, linkThread != null);
        if (linkThread != null) {
            return;
        }
        linkThread = BusThreads.start(this::runLink, "vmsg-qemu-" + info.name() + "-" + side + "-link");
        rxThread = BusThreads.start(this::runDelivery, "vmsg-qemu-" + info.name() + "-" + side + "-rx");
    }

    @Override
    public synchronized void detach(FrameReceiver frameReceiver) {
        receiver.detach(frameReceiver);
    }

    // ---- send ----

    @Override
    public void send(ByteBuffer frame) {
        if (closed) {
            throw new BusException(BusException.Reason.CLOSED, label + " is closed");
        }
        FramingGuard.check(info, frame);
        beforeSend(frame);
        long deadline = 0;
        while (true) {
            Queues q = queues;
            if (q == null || !up || closed) {
                throw noLink();
            }
            boolean offered;
            synchronized (sendLock) {
                offered = q.tx.offer(frame);
            }
            if (offered) {
                doorbell.ring();
                return;
            }
            long now = System.nanoTime();
            if (deadline == 0) {
                deadline = now + TimeUnit.MILLISECONDS.toNanos(options.sendTimeoutMillis());
            } else if (now - deadline > 0) {
                throw new BusException(BusException.Reason.SEND_TIMEOUT, label + ": the "
                        + peerSide + " side has not consumed for " + options.sendTimeoutMillis() + " ms; its queue of "
                        + SpscQueue.CAPACITY + " slots is full and the frame was not sent");
            }
            doorbell.ring();
            LockSupport.parkNanos(FULL_PARK_NANOS);
        }
    }

    private BusException noLink() {
        if (closed) {
            return new BusException(BusException.Reason.CLOSED, label + " is closed");
        }
        return new BusException(BusException.Reason.PEER_LOST, label + ": no " + peerSide
                + " side connected on " + options.socket() + "; start the " + peerSide + " side or check its paths");
    }

    // ---- link thread ----

    private void runLink() {
        try {
            while (!closed) {
                tick();
                LockSupport.parkNanos(this, TICK_NANOS);
            }
        } finally {
            if (up) {
                down("bus closed");
            }
        }
    }

    private void tick() {
        try {
            Queues q = queues;
            if (q != null && !q.intact()) {
                queues = null;
                doorbell.reset();
                if (up) {
                    down("a queue file was truncated, unlinked or replaced");
                }
                return;
            }
            if (q == null) {
                q = attachFresh();
                if (q == null) {
                    return;
                }
                queues = q;
                lastRefusal = null;
            }
            if (!ram.intact()) {
                refuse("the RAM file " + ram.path() + " was truncated, unlinked or replaced");
            }
            doorbell.maintain();
            boolean connected = doorbell.connected();
            long connection = doorbell.connections();
            if (up && (!connected || connection != upConnection)) {
                down(connected ? "the " + peerSide + " side reconnected" : "the " + peerSide
                        + " side closed the doorbell socket");
            }
            if (!up && connected) {
                upConnection = connection;
                up = true;
                receiver.linkUp();
            } else if (up) {
                receiver.announceIfOwed();
            }
        } catch (IOException | RuntimeException | InternalError e) {
            queues = null;
            refuse("the queue files cannot be used: " + e);
            if (up) {
                down("the queue files cannot be used: " + e);
            }
        }
    }

    private void down(String reason) {
        up = false;
        linkLost();
        warnings.accept(label + " (" + side + " side): link down: " + reason);
        receiver.linkDown(reason);
    }

    // ---- delivery thread ----

    private void runDelivery() {
        while (!closed) {
            Queues q = queues;
            if (q == null) {
                LockSupport.parkNanos(this, TimeUnit.MILLISECONDS.toNanos(1));
                continue;
            }
            try {
                drain(q);
                if (up) {
                    doorbell.await(WAIT_NANOS);
                } else {
                    // No peer on the socket: nothing rings; look again at the queue now and then.
                    LockSupport.parkNanos(this, IDLE_NANOS);
                }
            } catch (InternalError e) {
                refuse("the queue file is no longer mapped (truncated?): " + e.getMessage());
                LockSupport.parkNanos(this, TimeUnit.MILLISECONDS.toNanos(1));
            }
        }
    }

    /** Hands every waiting message over: the whole queue per wake-up, as QEMU drains. */
    private void drain(Queues q) {
        while (!closed && q == queues && q.rx.poll(scratch, info.maxMessageSize())) {
            afterReceive(scratch);
            receiver.frame(scratch, side);
        }
    }

    // ---- close ----

    @Override
    public void close() {
        Thread l;
        Thread r;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            l = linkThread;
            r = rxThread;
        }
        BusThreads.join(r, label, warnings);
        BusThreads.join(l, label, warnings);
        doorbell.close();
    }

    // ---- observation ----

    boolean linkUp() {
        return up && queues != null;
    }

    long staleSkipped() {
        return stale.get();
    }

    @Override
    public String toString() {
        return label + " " + side + " side (" + (up ? "up" : "down") + ")";
    }

    /** The driver side: maps the queue files the device side created, connects to its socket. */
    static final class DriverSide extends LinuxUserEndpoint implements DriverEndpoint {
        private final DriverQuirks quirks;

        DriverSide(LinuxUserBusOptions options, BusInfo info, SharedFile ram, Consumer<String> warnings) {
            super(options, info, ram, "driver", "device", Doorbell.connectTo(options.socket(), warnings), warnings);
            this.quirks = new DriverQuirks(info);
        }

        @Override
        Queues attach() throws IOException {
            for (java.nio.file.Path p : new java.nio.file.Path[] {options.driverQueue(), options.deviceQueue()}) {
                if (!Files.exists(p)) {
                    refuse("waiting for the device side to create " + p);
                    return null;
                }
                if (Files.size(p) != SpscQueue.FILE_SIZE) {
                    refuse("refusing " + p + ": " + Files.size(p) + " bytes, an spsc queue of " + SpscQueue.CAPACITY
                            + " slots has " + SpscQueue.FILE_SIZE + "; waiting for the device side to create it");
                    return null;
                }
            }
            SharedFile tx = SharedFile.map(options.driverQueue());
            SharedFile rx = SharedFile.map(options.deviceQueue());
            return new Queues(tx, rx, new SpscQueue(tx.memory()), new SpscQueue(rx.memory()));
        }

        @Override
        void beforeSend(ByteBuffer frame) {
            quirks.beforeSend(frame);
        }

        @Override
        void afterReceive(ByteBuffer frame) {
            quirks.afterReceive(frame);
        }

        @Override
        void linkLost() {
            quirks.forget();
        }

        DriverQuirks quirks() {
            return quirks;
        }
    }

    /** The device side: creates (or keeps, indices as found) the queue files and listens on the socket. */
    static final class DeviceSide extends LinuxUserEndpoint implements DeviceEndpoint {

        /** The queue files, attached and cleared of leftovers before the socket is bound. */
        private record Prepared(Queues queues, int leftovers, Doorbell doorbell) {
        }

        DeviceSide(LinuxUserBusOptions options, BusInfo info, SharedFile ram, Consumer<String> warnings)
                throws IOException {
            this(options, info, ram, warnings, prepare(options, warnings));
        }

        private DeviceSide(LinuxUserBusOptions options, BusInfo info, SharedFile ram, Consumer<String> warnings,
                Prepared p) {
            super(options, info, ram, "device", "driver", p.doorbell, warnings);
            installQueues(p.queues, p.leftovers);
        }

        /**
         * Creates the queue files and skips leftovers before the socket exists: a driver can only
         * connect, and so only send, after that, and none of its messages is taken for a leftover.
         */
        private static Prepared prepare(LinuxUserBusOptions options, Consumer<String> warnings) throws IOException {
            Queues q = open(options);
            int leftovers = q.rx.skipPending();
            return new Prepared(q, leftovers, Doorbell.listen(options.socket(), warnings));
        }

        private static Queues open(LinuxUserBusOptions options) throws IOException {
            SharedFile rx = SharedFile.openOrCreate(options.driverQueue(), SpscQueue.FILE_SIZE);
            SharedFile tx = SharedFile.openOrCreate(options.deviceQueue(), SpscQueue.FILE_SIZE);
            return new Queues(tx, rx, new SpscQueue(tx.memory()), new SpscQueue(rx.memory()));
        }

        @Override
        Queues attach() throws IOException {
            return open(options);
        }
    }
}
