package dev.vmsg.bus.loopback.internal;

import dev.vmsg.bus.BusEndpoint;
import dev.vmsg.bus.BusException;
import dev.vmsg.bus.BusInfo;
import dev.vmsg.bus.DeviceEndpoint;
import dev.vmsg.bus.DriverEndpoint;
import dev.vmsg.bus.FrameReceiver;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;

/**
 * One side of a loopback bus. Sending copies the frame into the peer's inbound ring; a delivery
 * thread of the receiving side drains its inbound ring into its receiver, spinning briefly, then
 * yielding, then parking until a sender wakes it.
 */
abstract sealed class LoopbackEndpoint implements BusEndpoint
        permits LoopbackEndpoint.DriverSide, LoopbackEndpoint.DeviceSide {

    /**
     * How long a delivery thread spins for the next frame before it yields and then parks. Short:
     * on a small machine every spinning thread takes a core from the threads doing the work (the
     * transport's device and driver threads poll their rings themselves, see TransportOptions).
     */
    private static final long SPIN_NANOS = TimeUnit.MICROSECONDS.toNanos(10);
    private static final int YIELD_ROUNDS = 50;
    private static final long MAX_PARK_NANOS = TimeUnit.MILLISECONDS.toNanos(50);
    private static final int DRAIN_BATCH = 64;

    private final BusInfo info;
    private final String side;
    private final FrameRing inbound;
    private final long sendTimeoutNanos;
    private final Consumer<String> warnings;
    private LoopbackEndpoint peer;
    private volatile boolean closed;
    private volatile boolean parked;
    private volatile Thread deliveryThread;
    private volatile FrameReceiver receiver;
    private volatile boolean polled;
    private final Consumer<ByteBuffer> sink = this::handOver;
    private long droppedWithoutReceiver;
    private long receiverFailures;

    LoopbackEndpoint(BusInfo info, String side, FrameRing inbound, long sendTimeoutNanos, Consumer<String> warnings) {
        this.info = info;
        this.side = side;
        this.inbound = inbound;
        this.sendTimeoutNanos = sendTimeoutNanos;
        this.warnings = warnings;
    }

    void connect(LoopbackEndpoint other) {
        this.peer = other;
    }

    @Override
    public BusInfo info() {
        return info;
    }

    @Override
    public synchronized void open(FrameReceiver frameReceiver) {
        if (closed) {
            throw new BusException(BusException.Reason.CLOSED, "loopback bus " + info.name() + " is closed");
        }
        if (polled) {
            throw new IllegalStateException("loopback bus " + info.name() + ": the " + side
                    + " side is polled by its owner");
        }
        this.receiver = java.util.Objects.requireNonNull(frameReceiver, "receiver");
        if (deliveryThread != null) {
            return;
        }
        Thread thread = new Thread(this::deliver, "vmsg-loopback-" + info.name() + "-" + side);
        thread.setDaemon(true);
        deliveryThread = thread;
        thread.start();
    }

    @Override
    public synchronized void openPolled(FrameReceiver frameReceiver) {
        if (closed) {
            throw new BusException(BusException.Reason.CLOSED, "loopback bus " + info.name() + " is closed");
        }
        if (deliveryThread != null) {
            throw new IllegalStateException("loopback bus " + info.name() + ": the " + side
                    + " side already delivers on its thread");
        }
        this.receiver = java.util.Objects.requireNonNull(frameReceiver, "receiver");
        this.polled = true;
    }

    @Override
    public int poll(int maxFrames) {
        if (!polled) {
            throw new IllegalStateException("loopback bus " + info.name() + ": the " + side
                    + " side was not opened for polling");
        }
        return closed ? 0 : inbound.drain(sink, maxFrames);
    }

    @Override
    public synchronized void detach(FrameReceiver frameReceiver) {
        if (receiver == frameReceiver) {
            receiver = null;
        }
    }

    @Override
    public void send(ByteBuffer frame) {
        if (closed || peer.closed) {
            throw new BusException(BusException.Reason.CLOSED, "loopback bus " + info.name() + " is closed");
        }
        int length = frame.remaining();
        if (length > info.maxMessageSize() || length < info.profile().headerSize()) {
            throw new BusException(BusException.Reason.BAD_FRAME, "loopback bus " + info.name() + ": frame of "
                    + length + " bytes outside " + info.profile().headerSize() + ".." + info.maxMessageSize());
        }
        FrameRing ring = peer.inbound;
        if (!ring.offer(frame)) {
            waitForRoom(ring, frame);
        }
        peer.wake();
    }

    private void waitForRoom(FrameRing ring, ByteBuffer frame) {
        long deadline = System.nanoTime() + sendTimeoutNanos;
        int rounds = 0;
        while (!ring.offer(frame)) {
            if (closed || peer.closed) {
                throw new BusException(BusException.Reason.CLOSED, "loopback bus " + info.name() + " is closed");
            }
            if (System.nanoTime() - deadline > 0) {
                throw new BusException(BusException.Reason.SEND_TIMEOUT, "loopback bus " + info.name()
                        + ": the " + peer.side + " side has not consumed for "
                        + TimeUnit.NANOSECONDS.toMillis(sendTimeoutNanos) + " ms; frame not sent");
            }
            peer.wake();
            if (++rounds < YIELD_ROUNDS) {
                Thread.yield();
            } else {
                LockSupport.parkNanos(50_000);
            }
        }
    }

    private void wake() {
        if (parked) {
            Thread t = deliveryThread;
            if (t != null) {
                LockSupport.unpark(t);
            }
        }
    }

    private void deliver() {
        boolean idle = false;
        long idleSince = 0;
        int yields = 0;
        while (!closed) {
            if (inbound.drain(sink, DRAIN_BATCH) > 0) {
                idle = false;
                continue;
            }
            if (!idle) {
                idle = true;
                idleSince = System.nanoTime();
                yields = 0;
            }
            if (System.nanoTime() - idleSince < SPIN_NANOS) {
                Thread.onSpinWait();
            } else if (yields++ < YIELD_ROUNDS) {
                Thread.yield();
            } else {
                parked = true;
                if (!inbound.hasFrame() && !closed) {
                    LockSupport.parkNanos(this, MAX_PARK_NANOS);
                }
                parked = false;
            }
        }
    }

    private void handOver(ByteBuffer frame) {
        FrameReceiver r = receiver;
        if (r == null) {
            droppedWithoutReceiver++;
            return;
        }
        try {
            r.onFrame(frame);
        } catch (RuntimeException e) {
            receiverFailures++;
            warnings.accept("loopback bus " + info.name() + ": the " + side + " side's receiver failed on a frame ("
                    + receiverFailures + " so far): " + e);
        }
    }

    @Override
    public void close() {
        Thread thread;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            thread = deliveryThread;
        }
        if (thread != null) {
            LockSupport.unpark(thread);
            if (thread != Thread.currentThread()) {
                try {
                    thread.join(TimeUnit.SECONDS.toMillis(5));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                if (thread.isAlive()) {
                    warnings.accept("loopback bus " + info.name() + ": " + side
                            + " delivery thread did not stop within 5 s (receiver stuck?)");
                }
            }
        }
        FrameReceiver r = receiver;
        if (r != null) {
            try {
                r.onLinkDown("loopback bus " + info.name() + " closed");
            } catch (RuntimeException e) {
                warnings.accept("loopback bus " + info.name() + ": link-down handler failed: " + e);
            }
        }
    }

    boolean isClosed() {
        return closed;
    }

    static final class DriverSide extends LoopbackEndpoint implements DriverEndpoint {
        DriverSide(BusInfo info, FrameRing inbound, long sendTimeoutNanos, Consumer<String> warnings) {
            super(info, "driver", inbound, sendTimeoutNanos, warnings);
        }
    }

    static final class DeviceSide extends LoopbackEndpoint implements DeviceEndpoint {
        DeviceSide(BusInfo info, FrameRing inbound, long sendTimeoutNanos, Consumer<String> warnings) {
            super(info, "device", inbound, sendTimeoutNanos, warnings);
        }
    }
}
