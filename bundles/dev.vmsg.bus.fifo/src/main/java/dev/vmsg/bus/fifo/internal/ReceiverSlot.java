package dev.vmsg.bus.fifo.internal;

import dev.vmsg.bus.FrameReceiver;
import java.nio.ByteBuffer;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * The receiver one bus side delivers to, and every call into it from the bus's own threads. A
 * receiver that throws is a bug the bus logs and survives ({@link FrameReceiver}'s contract), so no
 * call here lets an exception out. A receiver attached while the link is already up is owed a
 * link-up, which the link thread pays with {@link #announceIfOwed}. Shared by the FIFO bus and its
 * QEMU linux-user mode.
 */
public final class ReceiverSlot {

    private final String bus;
    private final Consumer<String> warnings;
    private volatile FrameReceiver receiver;
    private volatile boolean owed;

    /** @param bus how log lines name the bus, e.g. {@code "fifo bus fifo0"} */
    public ReceiverSlot(String bus, Consumer<String> warnings) {
        this.bus = bus;
        this.warnings = warnings;
    }

    /**
     * Delivers to {@code r} from now on. With {@code linkRunning}, a receiver other than the
     * previous one is owed a link-up.
     */
    public void attach(FrameReceiver r, boolean linkRunning) {
        FrameReceiver previous = receiver;
        receiver = Objects.requireNonNull(r, "receiver");
        if (linkRunning) {
            owed = previous != r;
        }
    }

    /** Stops delivering to {@code r} if it is the current receiver. */
    public void detach(FrameReceiver r) {
        if (receiver == r) {
            receiver = null;
        }
    }

    /** Hands one frame over; frames that arrive with no receiver are dropped. */
    public void frame(ByteBuffer frame, String side) {
        FrameReceiver r = receiver;
        if (r == null) {
            return;
        }
        try {
            r.onFrame(frame);
        } catch (RuntimeException e) {
            warnings.accept(bus + ": the " + side + " side's receiver failed on a frame: " + e);
        }
    }

    /** The link came up: tells the receiver, which is then owed nothing. */
    public void linkUp() {
        owed = false;
        FrameReceiver r = receiver;
        if (r != null) {
            try {
                r.onLinkUp();
            } catch (RuntimeException e) {
                warnings.accept(bus + ": link-up handler failed: " + e);
            }
        }
    }

    /** The link is up and a receiver attached since is owed the news: tell it. */
    public void announceIfOwed() {
        if (owed && receiver != null) {
            linkUp();
        }
    }

    /** The link went down. */
    public void linkDown(String reason) {
        FrameReceiver r = receiver;
        if (r != null) {
            try {
                r.onLinkDown(bus + ": " + reason);
            } catch (RuntimeException e) {
                warnings.accept(bus + ": link-down handler failed: " + e);
            }
        }
    }
}
