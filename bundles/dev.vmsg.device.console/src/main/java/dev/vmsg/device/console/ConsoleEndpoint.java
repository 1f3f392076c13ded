package dev.vmsg.device.console;

import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.time.Duration;
import org.osgi.annotation.versioning.ProviderType;

/**
 * The host side of a console port configured as {@code endpoint}: what a terminal or a TCP client
 * would be for other ports, for a Java service in the container. Registered by the console device
 * per endpoint port with the properties {@code vmsg.bus.name}, {@code vmsg.device.name},
 * {@code vmsg.console.port.id} and {@code vmsg.console.port.name}. Reads return what the driver
 * transmitted; writes go to the driver's receive buffers, waiting while the driver is behind.
 */
@ProviderType
public interface ConsoleEndpoint {

    String busName();

    /** The console device's configured name (for example {@code console0}). */
    String deviceName();

    int portId();

    String portName();

    /** Whether the driver has the port open (PORT_OPEN from the driver). */
    boolean isDriverOpen();

    /**
     * Moves bytes the driver transmitted into {@code dst}, waiting at most {@code timeout} for one.
     *
     * @return bytes read, 0 when none came in time, -1 when the device is gone and nothing is left
     */
    int read(ByteBuffer dst, Duration timeout);

    /**
     * Sends bytes toward the driver, waiting at most {@code timeout} for room.
     *
     * @return bytes taken (fewer than remaining when the time ran out), -1 when the device is gone
     */
    int write(ByteBuffer src, Duration timeout);

    InputStream inputStream();

    OutputStream outputStream(Duration timeout);
}
