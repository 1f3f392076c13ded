package dev.vmsg.driver;

import org.osgi.annotation.versioning.ConsumerType;

/** A driver bound to one device. */
@ConsumerType
public interface DriverInstance {

    /** DRIVER_OK is set: register services, start I/O. */
    default void ready() {
    }

    /** The device's config space changed (EVENT_CONFIG). */
    default void configChanged() {
    }

    /**
     * The device is gone, broken, or the driver is unbound: unregister services and stop. The
     * transport fails every outstanding chain through {@link QueueListener#failed} right after.
     */
    void remove(String reason);
}
