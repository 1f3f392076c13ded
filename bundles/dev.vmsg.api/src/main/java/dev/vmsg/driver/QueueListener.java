package dev.vmsg.driver;

import org.osgi.annotation.versioning.ConsumerType;

/** Receives the end of every chain submitted to a {@link Virtqueue}: exactly one call per chain. */
@ConsumerType
public interface QueueListener {

    /** The device returned the chain; {@code length} bytes were written (clamped to what was posted). */
    void completed(Object cookie, int length);

    /** The chain will never complete: device removed, broken or reset. */
    void failed(Object cookie, VirtioDeviceException cause);
}
