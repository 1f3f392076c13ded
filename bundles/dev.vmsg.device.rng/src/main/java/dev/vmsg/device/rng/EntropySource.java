package dev.vmsg.device.rng;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.osgi.annotation.versioning.ProviderType;

/**
 * Entropy from one virtio-rng device, obtained through its virtqueue. Registered as an OSGi service
 * per device with the properties {@code vmsg.bus.name} and {@code vmsg.device.number}. Thread-safe;
 * several reads may be in flight at once.
 *
 * <p>Failures are {@link dev.vmsg.driver.VirtioDeviceException}s: {@code TIMEOUT} when the device
 * did not deliver in time, {@code REMOVED} when it went away.
 */
@ProviderType
public interface EntropySource {

    /** The bus the device sits on. */
    String busName();

    /** The device's number on its bus. */
    int deviceNumber();

    /** Fills {@code dst} with entropy, waiting at most {@code timeout}. */
    void read(byte[] dst, Duration timeout);

    /** Fills the remaining bytes of {@code dst}, waiting at most {@code timeout}. */
    void read(ByteBuffer dst, Duration timeout);

    /** Obtains {@code length} bytes of entropy without blocking the caller. */
    CompletableFuture<byte[]> readAsync(int length);
}
