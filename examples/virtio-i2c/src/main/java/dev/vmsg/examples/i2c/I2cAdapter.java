package dev.vmsg.examples.i2c;

import java.time.Duration;
import java.util.List;
import org.osgi.annotation.versioning.ProviderType;

/**
 * An I2C bus adapter behind one virtio-i2c device. Registered as an OSGi service per running device
 * with the properties {@code vmsg.bus.name} and {@code vmsg.device.number}. Thread-safe.
 */
@ProviderType
public interface I2cAdapter {

    /** The virtio-msg bus the device sits on. */
    String busName();

    /** The device's number on that bus. */
    int deviceNumber();

    /**
     * Runs the messages as one transfer (each message after the first follows a repeated START):
     * if one fails, the rest are not run. Returns what each message read (an empty array for a write).
     *
     * @throws I2cException when a message was not acknowledged, the device failed or the timeout passed
     */
    List<byte[]> transfer(List<I2cMessage> messages, Duration timeout);
}
