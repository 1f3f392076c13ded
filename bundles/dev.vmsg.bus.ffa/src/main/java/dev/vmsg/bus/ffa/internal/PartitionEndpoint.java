package dev.vmsg.bus.ffa.internal;

import dev.vmsg.bus.BusEndpoint;
import dev.vmsg.bus.BusException;
import dev.vmsg.bus.FrameReceiver;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * What the driver and the device partition share as bus endpoints: the receiver, the closed state
 * and the polled mode ({@link #openPolled}: frames wait until the owner calls {@link #poll}).
 */
abstract class PartitionEndpoint implements BusEndpoint {

    /** Spin-then-park of a thread waiting for a hand-off, as the loopback delivery loop does. */
    static final int SPIN_ROUNDS = 20_000;
    static final int YIELD_ROUNDS = 50;
    static final long MAX_PARK_NANOS = TimeUnit.MILLISECONDS.toNanos(50);

    final FfaBusSettings settings;
    final Consumer<String> warnings;
    volatile FrameReceiver receiver;
    volatile boolean closed;
    volatile boolean polled;

    PartitionEndpoint(FfaBusSettings settings, Consumer<String> warnings) {
        this.settings = settings;
        this.warnings = warnings;
    }

    @Override
    public synchronized void open(FrameReceiver frameReceiver) {
        if (closed) {
            throw closedError();
        }
        if (polled) {
            throw new IllegalStateException("FF-A bus " + settings.name() + ": the " + side()
                    + " side is polled by its owner");
        }
        receiver = Objects.requireNonNull(frameReceiver, "receiver");
    }

    /**
     * Takes this side's frames on the polling thread: they wait in the bus until {@link #poll}.
     *
     * @throws IllegalStateException when this side already delivers on its thread ({@link #open})
     */
    @Override
    public synchronized void openPolled(FrameReceiver frameReceiver) {
        if (closed) {
            throw closedError();
        }
        if (receiver != null && !polled) {
            throw new IllegalStateException("FF-A bus " + settings.name() + ": the " + side()
                    + " side already delivers on its thread");
        }
        receiver = Objects.requireNonNull(frameReceiver, "receiver");
        polled = true;
    }

    @Override
    public final int poll(int maxFrames) {
        if (!polled) {
            throw new IllegalStateException("FF-A bus " + settings.name() + ": the " + side()
                    + " side was not opened for polling");
        }
        return closed ? 0 : drainPolled(maxFrames);
    }

    /** Hands up to {@code maxFrames} waiting frames to the receiver on the calling thread. */
    abstract int drainPolled(int maxFrames);

    abstract String side();

    @Override
    public synchronized void detach(FrameReceiver frameReceiver) {
        if (receiver == frameReceiver) {
            receiver = null;
        }
    }

    BusException closedError() {
        return new BusException(BusException.Reason.CLOSED, "FF-A bus " + settings.name() + " is closed");
    }

    /** Tells the receiver, if any, that nothing sent will be answered any more. */
    void linkDown() {
        FrameReceiver r = receiver;
        if (r != null) {
            try {
                r.onLinkDown("FF-A bus " + settings.name() + " closed");
            } catch (RuntimeException e) {
                warnings.accept("FF-A bus " + settings.name() + ": link-down handler failed: " + e);
            }
        }
    }
}
