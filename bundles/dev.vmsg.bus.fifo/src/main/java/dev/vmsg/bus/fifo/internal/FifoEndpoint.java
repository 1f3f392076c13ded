package dev.vmsg.bus.fifo.internal;

import dev.vmsg.bus.BusEndpoint;
import dev.vmsg.bus.BusException;
import dev.vmsg.bus.BusInfo;
import dev.vmsg.bus.DeviceEndpoint;
import dev.vmsg.bus.DriverEndpoint;
import dev.vmsg.bus.FrameReceiver;
import java.io.IOException;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;

/**
 * The side of a FIFO bus this process hosts. Two threads: the link thread maps the queue file,
 * runs the {@link LinkMachine} (handshake, heartbeat, liveness) and reports link up/down to the
 * receiver; the delivery thread drains the peer's queue into the receiver, waiting per the
 * {@link NotificationMode}. Senders copy a frame straight into the next element of this side's
 * queue. The link thread holds both the send lock and the receive lock while it changes the
 * queue heads, so no sender or reader ever writes an index of an older epoch after a reset.
 */
abstract sealed class FifoEndpoint implements BusEndpoint permits FifoEndpoint.DriverSide, FifoEndpoint.DeviceSide {

    private static final int SPIN_ROUNDS = 20_000;
    /**
     * How long an ADAPTIVE delivery thread spins before it parks on the doorbell: short, because on
     * a small machine every spinning thread takes a core from the threads doing the work (the
     * transport's device threads and driver callers poll their virtqueues themselves).
     */
    private static final long ADAPTIVE_SPIN_NANOS = TimeUnit.MICROSECONDS.toNanos(10);
    private static final int YIELD_ROUNDS = 50;
    private static final long BUSY_PARK_NANOS = 50_000;
    private static final long MAX_PARK_NANOS = TimeUnit.MILLISECONDS.toNanos(50);
    private static final long HANDSHAKE_TICK_NANOS = TimeUnit.MILLISECONDS.toNanos(10);
    private static final int DRAIN_BATCH = 64;

    /** The ring pair of one link epoch; replaced on every handshake. */
    private record Link(SpscRing.Producer tx, SpscRing.Consumer rx, QueueHead own, QueueHead peer, int peerEpoch,
            ByteBuffer scratch) {
    }

    final FifoBusOptions options;
    final BusInfo info;
    final Consumer<String> warnings;
    private final SharedFile window;
    private final String side;
    private final String peerSide;
    private final Object sendLock = new Object();
    private final Object rxLock = new Object();
    private final int msgSizeOffset;
    private final SplittableRandom epochs;
    private final Doorbell doorbell;
    private final long tickNanos;
    private final long sendTimeoutNanos;
    private final ReceiverSlot receiver;
    private volatile Link link;
    private volatile boolean closed;
    private volatile boolean crashed;
    private volatile boolean polled;
    private volatile String localFailure;
    private volatile Thread linkThread;
    private volatile Thread rxThread;
    private volatile LinkState state = LinkState.INIT;
    // link thread only
    private SharedFile queueFile;
    private ShmemLayout layout;
    private LinkMachine machine;
    private boolean up;
    private String lastRefusal;

    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong received = new AtomicLong();
    private final AtomicLong rejected = new AtomicLong();
    private final AtomicLong stale = new AtomicLong();
    private final AtomicLong ups = new AtomicLong();
    private final AtomicLong downs = new AtomicLong();
    private long lastRejectWarning;

    FifoEndpoint(FifoBusOptions options, BusInfo info, SharedFile window, String side, String peerSide,
            Doorbell doorbell, Consumer<String> warnings) {
        this.options = options;
        this.info = info;
        this.window = window;
        this.side = side;
        this.peerSide = peerSide;
        this.doorbell = doorbell;
        this.warnings = warnings;
        this.msgSizeOffset = info.profile().hasToken() ? 6 : 4;
        this.epochs = new SplittableRandom(System.nanoTime() ^ ProcessHandle.current().pid() << 32
                ^ System.identityHashCode(this));
        this.tickNanos = TimeUnit.MILLISECONDS.toNanos(options.heartbeatMillis());
        this.sendTimeoutNanos = TimeUnit.MILLISECONDS.toNanos(options.sendTimeoutMillis());
        this.receiver = new ReceiverSlot("fifo bus " + info.name(), warnings);
    }

    /** Maps the queue file with a layout this side can use, or returns null to try again later. Link thread. */
    abstract SharedFile openQueueFile() throws IOException;

    /** The layout of the file {@link #openQueueFile} returned last. */
    abstract ShmemLayout layoutOf(SharedFile file);

    abstract boolean isDeviceSide();

    /** Reports a refusal once per distinct reason, so a waiting side does not flood the log. */
    void refuse(String why) {
        if (!why.equals(lastRefusal)) {
            lastRefusal = why;
            warnings.accept("fifo bus " + info.name() + " (" + side + " side): " + why);
        }
    }

    @Override
    public BusInfo info() {
        return info;
    }

    @Override
    public synchronized void open(FrameReceiver frameReceiver) {
        if (closed) {
            throw new BusException(BusException.Reason.CLOSED, "fifo bus " + info.name() + " is closed");
        }
        if (polled) {
            throw new IllegalStateException("fifo bus " + info.name() + ": this side is polled by its caller");
        }
        receiver.attach(frameReceiver, linkThread != null);
        if (linkThread != null) {
            return;
        }
        startLink();
        rxThread = BusThreads.start(this::runDelivery, "vmsg-fifo-" + info.name() + "-" + side + "-rx");
    }

    private void startLink() {
        linkThread = BusThreads.start(this::runLink, "vmsg-fifo-" + info.name() + "-" + side + "-link");
    }

    /** Frames wait in the peer's queue until the caller {@link #poll}s; the link thread still runs liveness. */
    @Override
    public synchronized void openPolled(FrameReceiver frameReceiver) {
        if (closed) {
            throw new BusException(BusException.Reason.CLOSED, "fifo bus " + info.name() + " is closed");
        }
        if (rxThread != null) {
            throw new IllegalStateException("fifo bus " + info.name() + ": this side already delivers on a thread");
        }
        receiver.attach(frameReceiver, false);
        polled = true;
        if (linkThread == null) {
            startLink();
        }
    }

    @Override
    public int poll(int maxFrames) {
        if (!polled) {
            throw new IllegalStateException("fifo bus " + info.name() + ": poll() needs openPolled()");
        }
        Link l = link;
        if (l == null || localFailure != null) {
            return 0;
        }
        try {
            return drain(l, maxFrames);
        } catch (InternalError e) {
            failLocally("the queue file is no longer mapped (truncated?): " + e.getMessage());
            return 0;
        }
    }

    @Override
    public synchronized void detach(FrameReceiver frameReceiver) {
        receiver.detach(frameReceiver);
    }

    // ---- send ----

    @Override
    public void send(ByteBuffer frame) {
        if (closed) {
            throw new BusException(BusException.Reason.CLOSED, "fifo bus " + info.name() + " is closed");
        }
        int length = frame.remaining();
        if (length > info.maxMessageSize() || length < info.profile().headerSize()) {
            throw new BusException(BusException.Reason.BAD_FRAME, "fifo bus " + info.name() + ": frame of " + length
                    + " bytes outside " + info.profile().headerSize() + ".." + info.maxMessageSize());
        }
        long deadline = 0;
        int rounds = 0;
        while (true) {
            Link l = link;
            if (l == null || closed) {
                throw noLink();
            }
            boolean offered;
            try {
                synchronized (sendLock) {
                    if (link != l) {
                        continue;
                    }
                    offered = l.tx.offer(frame);
                }
                if (offered) {
                    sent.incrementAndGet();
                    VarHandle.fullFence();
                    if (l.peer.parked() != 0) {
                        doorbell.ring();
                    }
                    return;
                }
                if (l.peer.parked() != 0) {
                    doorbell.ring();
                }
            } catch (SpscRing.CorruptRingException e) {
                failLocally("garbage in the " + peerSide + " side's queue head: " + e.getMessage());
                throw noLink();
            } catch (InternalError e) {
                failLocally("the queue file is no longer mapped (truncated?): " + e.getMessage());
                throw noLink();
            }
            long now = System.nanoTime();
            if (deadline == 0) {
                deadline = now + sendTimeoutNanos;
            } else if (now - deadline > 0) {
                throw new BusException(BusException.Reason.SEND_TIMEOUT, "fifo bus " + info.name() + ": the "
                        + peerSide + " side has not consumed for " + options.sendTimeoutMillis() + " ms; its queue of "
                        + l.tx.capacity() + " elements is full and the frame was not sent");
            }
            if (++rounds < YIELD_ROUNDS) {
                Thread.yield();
            } else {
                LockSupport.parkNanos(BUSY_PARK_NANOS);
            }
        }
    }

    private BusException noLink() {
        if (closed) {
            return new BusException(BusException.Reason.CLOSED, "fifo bus " + info.name() + " is closed");
        }
        return new BusException(BusException.Reason.PEER_LOST, "fifo bus " + info.name() + ": no link to the "
                + peerSide + " side (not started yet, lost, or re-handshaking); start the " + peerSide
                + " host or check its configuration");
    }

    private void failLocally(String why) {
        localFailure = why;
        Thread t = linkThread;
        if (t != null) {
            LockSupport.unpark(t);
        }
    }

    // ---- link thread ----

    private void runLink() {
        try {
            while (!closed) {
                tick();
                LockSupport.parkNanos(this, up ? tickNanos : Math.min(tickNanos, HANDSHAKE_TICK_NANOS));
            }
        } finally {
            stopLink();
        }
    }

    private void tick() {
        LinkMachine.Change change = LinkMachine.Change.NONE;
        String reason = null;
        try {
            if (queueFile == null && !attach()) {
                return;
            }
            machine.beat();
            String failure = localFailure;
            boolean remap = false;
            if (failure == null && !queueFile.intact()) {
                failure = "the queue file " + queueFile.path() + " was truncated, unlinked or replaced";
                remap = true;
            }
            if (failure == null && !window.intact()) {
                failure = "the DMA window file " + window.path() + " was truncated, unlinked or replaced";
            }
            doorbell.maintain();
            synchronized (sendLock) {
                synchronized (rxLock) {
                    if (failure != null) {
                        localFailure = null;
                        link = null;
                        if (remap) {
                            change = up ? LinkMachine.Change.DOWN : LinkMachine.Change.NONE;
                            queueFile = null;
                            machine = null;
                        } else {
                            change = machine.fail(failure);
                        }
                        reason = failure;
                    } else {
                        change = machine.step(System.nanoTime());
                        reason = machine.downReason();
                        if (change == LinkMachine.Change.UP) {
                            link = newLink();
                        } else if (change == LinkMachine.Change.DOWN) {
                            link = null;
                        }
                    }
                    state = machine == null ? LinkState.INIT : machine.state();
                }
            }
        } catch (InternalError e) {
            synchronized (sendLock) {
                synchronized (rxLock) {
                    link = null;
                    queueFile = null;
                    machine = null;
                    state = LinkState.INIT;
                }
            }
            change = up ? LinkMachine.Change.DOWN : LinkMachine.Change.NONE;
            reason = "the queue file " + options.queueFile() + " failed under this side (truncated?): " + e.getMessage();
            refuse(reason);
        } catch (IOException | RuntimeException e) {
            synchronized (sendLock) {
                synchronized (rxLock) {
                    link = null;
                    queueFile = null;
                    machine = null;
                    state = LinkState.INIT;
                }
            }
            change = up ? LinkMachine.Change.DOWN : LinkMachine.Change.NONE;
            reason = "the queue file " + options.queueFile() + " cannot be used: " + e;
            refuse(reason);
        }
        report(change, reason);
    }

    private boolean attach() throws IOException {
        SharedFile f = openQueueFile();
        if (f == null) {
            return false;
        }
        ShmemLayout l = layoutOf(f);
        QueueHead dev = new QueueHead(f.memory(), l.devHead(), ShmemLayout.devLiveness());
        QueueHead drv = new QueueHead(f.memory(), l.drvHead(), ShmemLayout.drvLiveness());
        LinkMachine m = isDeviceSide() ? new LinkMachine(dev, drv, epochs::nextInt, options.peerTimeoutMillis())
                : new LinkMachine(drv, dev, epochs::nextInt, options.peerTimeoutMillis());
        synchronized (sendLock) {
            synchronized (rxLock) {
                m.start();
                queueFile = f;
                layout = l;
                machine = m;
                lastRefusal = null;
            }
        }
        return true;
    }

    private Link newLink() {
        ShmemLayout l = layout;
        ByteBuffer mem = queueFile.memory();
        QueueHead dev = new QueueHead(mem, l.devHead(), ShmemLayout.devLiveness());
        QueueHead drv = new QueueHead(mem, l.drvHead(), ShmemLayout.drvLiveness());
        QueueHead own = isDeviceSide() ? dev : drv;
        QueueHead peer = isDeviceSide() ? drv : dev;
        long ownQueue = isDeviceSide() ? l.devQueue() : l.drvQueue();
        long peerQueue = isDeviceSide() ? l.drvQueue() : l.devQueue();
        SpscRing.Producer tx = new SpscRing.Producer(mem, ownQueue, l.elementCount(), l.elementSize(), own, peer);
        SpscRing.Consumer rx = new SpscRing.Consumer(mem, peerQueue, l.elementCount(), l.elementSize(),
                info.profile().headerSize(), msgSizeOffset, own, peer);
        ByteBuffer scratch = ByteBuffer.allocate(l.elementSize()).order(ByteOrder.LITTLE_ENDIAN);
        return new Link(tx, rx, own, peer, machine.peerEpoch(), scratch);
    }

    private void report(LinkMachine.Change change, String reason) {
        if (change == LinkMachine.Change.UP) {
            up = true;
            ups.incrementAndGet();
            doorbell.reset();
            doorbell.maintain();
            receiver.linkUp();
        } else if (change == LinkMachine.Change.DOWN && up) {
            up = false;
            downs.incrementAndGet();
            warnings.accept("fifo bus " + info.name() + " (" + side + " side): link down: " + reason);
            receiver.linkDown(reason);
        } else if (up) {
            receiver.announceIfOwed();
        }
    }

    private void stopLink() {
        synchronized (sendLock) {
            synchronized (rxLock) {
                link = null;
                if (machine != null && !crashed) {
                    try {
                        machine.shutdown();
                    } catch (InternalError e) {
                        warnings.accept("fifo bus " + info.name() + ": could not publish SHUTDOWN: " + e.getMessage());
                    }
                }
                state = LinkState.SHUTDOWN;
            }
        }
        if (up && !crashed) {
            report(LinkMachine.Change.DOWN, "bus closed");
        }
    }

    // ---- delivery thread ----

    private void runDelivery() {
        int idle = 0;
        long idleSince = 0;
        while (!closed) {
            Link l = link;
            if (l == null || localFailure != null) {
                idle = 0;
                LockSupport.parkNanos(this, TimeUnit.MILLISECONDS.toNanos(1));
                continue;
            }
            int got;
            try {
                got = drain(l, DRAIN_BATCH);
            } catch (InternalError e) {
                failLocally("the queue file is no longer mapped (truncated?): " + e.getMessage());
                continue;
            }
            if (got > 0) {
                idle = 0;
                continue;
            }
            if (idle++ == 0) {
                idleSince = System.nanoTime();
            }
            try {
                waitForMore(l, idle, idleSince);
            } catch (InternalError e) {
                failLocally("the queue file is no longer mapped (truncated?): " + e.getMessage());
            }
        }
    }

    private int drain(Link l, int max) {
        int got = 0;
        while (got < max) {
            int length;
            synchronized (rxLock) {
                if (link != l) {
                    return got;
                }
                try {
                    length = l.rx.poll(l.scratch);
                } catch (SpscRing.CorruptRingException e) {
                    failLocally("garbage in the " + peerSide + " side's queue head: " + e.getMessage());
                    return got;
                }
            }
            if (length == SpscRing.Consumer.EMPTY) {
                return got;
            }
            got++;
            if (length == SpscRing.Consumer.BAD_LENGTH) {
                long n = rejected.incrementAndGet();
                long now = System.nanoTime();
                if (now - lastRejectWarning > TimeUnit.SECONDS.toNanos(10) || n == 1) {
                    lastRejectWarning = now;
                    warnings.accept("fifo bus " + info.name() + ": rejected an element with an impossible msg_size"
                            + " from the " + peerSide + " side (" + n + " so far)");
                }
                continue;
            }
            // Read after the copy: an element of an older epoch is never handed over.
            if (link != l || l.peer.epoch() != l.peerEpoch) {
                stale.incrementAndGet();
                return got;
            }
            received.incrementAndGet();
            receiver.frame(l.scratch, side);
        }
        return got;
    }

    private void waitForMore(Link l, int idle, long idleSince) {
        switch (options.mode()) {
            case BUSY_POLL -> {
                if (idle < SPIN_ROUNDS) {
                    Thread.onSpinWait();
                } else if (idle < SPIN_ROUNDS + YIELD_ROUNDS) {
                    Thread.yield();
                } else {
                    LockSupport.parkNanos(this, BUSY_PARK_NANOS);
                }
            }
            case DOORBELL -> parkOnDoorbell(l);
            case ADAPTIVE -> {
                if (System.nanoTime() - idleSince < ADAPTIVE_SPIN_NANOS) {
                    Thread.onSpinWait();
                } else {
                    parkOnDoorbell(l);
                }
            }
        }
    }

    private void parkOnDoorbell(Link l) {
        l.own.setParked(true);
        VarHandle.fullFence();
        try {
            if (!l.rx.hasElement() && link == l) {
                doorbell.await(MAX_PARK_NANOS);
            }
        } finally {
            l.own.setParked(false);
        }
    }

    // ---- close ----

    @Override
    public void close() {
        stop(false);
    }

    /** Stops like a killed process would: no SHUTDOWN, no link-down report, heartbeat simply stops (tests). */
    void crash() {
        stop(true);
    }

    private void stop(boolean crash) {
        Thread l;
        Thread r;
        synchronized (this) {
            if (closed) {
                return;
            }
            crashed = crash;
            closed = true;
            l = linkThread;
            r = rxThread;
        }
        BusThreads.join(r, "fifo bus " + info.name(), warnings);
        BusThreads.join(l, "fifo bus " + info.name(), warnings);
        doorbell.close();
    }

    // ---- observation ----

    /** The link state as of the last tick of the link thread. */
    LinkState linkState() {
        return state;
    }

    boolean linkUp() {
        return link != null;
    }

    long framesSent() {
        return sent.get();
    }

    long framesReceived() {
        return received.get();
    }

    long framesRejected() {
        return rejected.get();
    }

    long staleDiscarded() {
        return stale.get();
    }

    long linkUps() {
        return ups.get();
    }

    long linkDowns() {
        return downs.get();
    }

    @Override
    public String toString() {
        return "fifo bus " + info.name() + " " + side + " side (" + state + ")";
    }

    /** The driver side: maps the layout the device side created and refuses a bad one. */
    static final class DriverSide extends FifoEndpoint implements DriverEndpoint {
        private ShmemLayout found;

        DriverSide(FifoBusOptions options, BusInfo info, SharedFile window, Consumer<String> warnings) {
            super(options, info, window, "driver", "device", Doorbell.connectTo(options.doorbellSocket(), warnings),
                    warnings);
        }

        @Override
        SharedFile openQueueFile() throws IOException {
            Path p = options.queueFile();
            if (!Files.exists(p)) {
                refuse("waiting for the device side to create " + p);
                return null;
            }
            SharedFile f = SharedFile.map(p);
            try {
                ShmemLayout l = ShmemLayout.read(f.memory(), f.size());
                if (l.elementSize() < info.maxMessageSize()) {
                    throw new LayoutException("queue elements of " + l.elementSize() + " bytes are smaller than this"
                            + " side's largest message (" + info.maxMessageSize() + "); configure the same element"
                            + " size on both sides");
                }
                found = l;
                return f;
            } catch (LayoutException e) {
                refuse("refusing the layout in " + p + ": " + e.getMessage()
                        + "; waiting for the device side to write a valid one");
                return null;
            }
        }

        @Override
        ShmemLayout layoutOf(SharedFile file) {
            return found;
        }

        @Override
        boolean isDeviceSide() {
            return false;
        }
    }

    /** The device side: creates the layout (magic last), or keeps a valid one of the same shape. */
    static final class DeviceSide extends FifoEndpoint implements DeviceEndpoint {
        private final ShmemLayout wanted;

        DeviceSide(FifoBusOptions options, BusInfo info, SharedFile window, Consumer<String> warnings)
                throws IOException {
            super(options, info, window, "device", "driver", Doorbell.listen(options.doorbellSocket(), warnings),
                    warnings);
            this.wanted = ShmemLayout.deviceDefault(options.elementSize(), options.elementCount());
            // Create the layout now, so a driver host started later finds it and bad paths fail activation.
            openQueueFile();
        }

        @Override
        SharedFile openQueueFile() throws IOException {
            Path p = options.queueFile();
            if (Files.exists(p) && Files.size(p) == wanted.fileSize()) {
                SharedFile f = SharedFile.map(p);
                try {
                    if (ShmemLayout.read(f.memory(), f.size()).sameGeometry(wanted)) {
                        return f;
                    }
                } catch (LayoutException stale) {
                    // rewritten below
                }
                wanted.writeTo(f.memory());
                return f;
            }
            SharedFile f = SharedFile.recreate(p, wanted.fileSize());
            wanted.writeTo(f.memory());
            return f;
        }

        @Override
        ShmemLayout layoutOf(SharedFile file) {
            return wanted;
        }

        @Override
        boolean isDeviceSide() {
            return true;
        }
    }
}
