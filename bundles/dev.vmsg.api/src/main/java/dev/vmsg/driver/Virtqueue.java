package dev.vmsg.driver;

import dev.vmsg.virtqueue.BufferSegment;
import java.util.function.BooleanSupplier;
import org.osgi.annotation.versioning.ProviderType;

/** A driver-side virtqueue that is live on a device. Thread-safe. */
@ProviderType
public interface Virtqueue {

    int index();

    int size();

    /** Descriptors free for new chains. */
    int freeDescriptors();

    /**
     * Makes one chain available (device-readable segments, then device-writable ones) and
     * notifies the device with EVENT_AVAIL when the ring asks for it. Exactly one of
     * {@link QueueListener#completed} or {@link QueueListener#failed} follows for {@code cookie}.
     *
     * @throws VirtioDeviceException when the queue is full, broken, or the device is gone
     */
    void submit(BufferSegment[] readable, BufferSegment[] writable, Object cookie);

    /**
     * Hybrid polling: harvests this queue's used ring on the calling thread until {@code done}
     * says true or the transport's poll budget passes without a completion, whichever is first.
     * Completions found are delivered to the {@link QueueListener} on the calling thread (so the
     * listener must be thread-safe when anyone polls); while at least one thread polls, the device
     * is asked not to send EVENT_USED. A caller about to block on its own chains calls this first
     * and saves the hand-offs of an event (as Linux blk-mq polled queues do); it returns at once
     * when polling is off (budget 0), the queue is closed, or another thread drains it.
     *
     * <p>The default does not poll (an implementation without a used ring to harvest, such as a
     * test double, keeps compiling): it only reports {@code done}.
     *
     * @return {@code done}'s value when polling stopped
     */
    default boolean pollUntil(BooleanSupplier done) {
        return done.getAsBoolean();
    }

    /**
     * Sends EVENT_AVAIL for this queue now, whatever the device's suppression asks, when chains are
     * outstanding. Events are hints, the rings are the truth: a bus that drops frames under load (the
     * loopback and FIFO buses count such drops) can lose a kick or an EVENT_USED, and a waiter that
     * has waited far longer than a request takes uses this (with {@link #pollUntil}) to get going
     * again. A device that has nothing new treats the extra event as a no-op. The default does
     * nothing.
     */
    default void renotify() {
    }
}
