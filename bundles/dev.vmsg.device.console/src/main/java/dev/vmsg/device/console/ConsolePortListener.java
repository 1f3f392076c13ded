package dev.vmsg.device.console;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * Events of one {@link ConsolePort}. Called on the device's driver thread: return quickly, never
 * block there (read and write on your own thread).
 */
@ConsumerType
public interface ConsolePortListener {

    /** The host side connected (PORT_OPEN 1 from the device). */
    default void hostConnected(ConsolePort port) {
    }

    /** The host side disconnected (PORT_OPEN 0 from the device). */
    default void hostDisconnected(ConsolePort port) {
    }

    /** The port went away (DEVICE_REMOVE, device removed or broken); the service is withdrawn. */
    default void removed(ConsolePort port, String reason) {
    }
}
