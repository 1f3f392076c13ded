package dev.vmsg.driver;

import dev.vmsg.virtqueue.BufferSegment;
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
}
