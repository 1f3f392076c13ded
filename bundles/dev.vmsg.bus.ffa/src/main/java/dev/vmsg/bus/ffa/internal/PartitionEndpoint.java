package dev.vmsg.bus.ffa.internal;

import dev.vmsg.bus.BusEndpoint;
import dev.vmsg.bus.BusException;
import dev.vmsg.bus.FrameReceiver;
import java.util.Objects;
import java.util.function.Consumer;

/** What the driver and the device partition share as bus endpoints: the receiver and the closed state. */
abstract class PartitionEndpoint implements BusEndpoint {

    final FfaBusSettings settings;
    final Consumer<String> warnings;
    volatile FrameReceiver receiver;
    volatile boolean closed;

    PartitionEndpoint(FfaBusSettings settings, Consumer<String> warnings) {
        this.settings = settings;
        this.warnings = warnings;
    }

    @Override
    public synchronized void open(FrameReceiver frameReceiver) {
        if (closed) {
            throw closedError();
        }
        receiver = Objects.requireNonNull(frameReceiver, "receiver");
    }

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
