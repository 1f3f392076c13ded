package dev.vmsg.device.console;

import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.time.Duration;
import org.osgi.annotation.versioning.ProviderType;

/**
 * The driver side of one open virtio-console port: a serial line to whatever the device attached
 * to the port (a TCP client, a file, a Java service). Registered as an OSGi service per port with
 * the properties {@code vmsg.bus.name}, {@code vmsg.device.number}, {@code vmsg.device.type} (3),
 * {@code vmsg.console.port.id} and {@code vmsg.console.port.name}. Thread-safe, but the bytes of a
 * port go to one reader: two readers split the stream between them.
 *
 * <p>Flow control: received bytes wait in a bounded buffer; while it is full the driver posts no
 * receive buffers, so the device holds back and so does its host side. A write waits while every
 * transmit buffer is in the device's hands. Nothing is dropped.
 *
 * <p>Failures are {@link dev.vmsg.driver.VirtioDeviceException}s ({@code REMOVED} once the port or
 * its device went away).
 */
@ProviderType
public interface ConsolePort {

    String busName();

    int deviceNumber();

    /** The port number on its device (0 is the console port). */
    int id();

    /** The name the device gave the port (PORT_NAME), or {@code port<id>} until it did. */
    String name();

    /** Whether the device marked this port as the console (CONSOLE_PORT). */
    boolean isConsole();

    /** Whether the host side is connected (PORT_OPEN from the device; for TCP: a client is there). */
    boolean isHostConnected();

    /** Console columns from the device (config with VIRTIO_CONSOLE_F_SIZE, or RESIZE), 0 if unknown. */
    int columns();

    /** Console rows, 0 if unknown. */
    int rows();

    /**
     * Moves received bytes into {@code dst}, waiting at most {@code timeout} for the first one.
     *
     * @return bytes read, 0 when none came in time, -1 when the port is gone and nothing is left
     */
    int read(ByteBuffer dst, Duration timeout);

    /**
     * Transmits bytes from {@code src}, waiting at most {@code timeout} for transmit buffers.
     *
     * @return bytes handed to the device (fewer than remaining when the time ran out)
     * @throws dev.vmsg.driver.VirtioDeviceException REMOVED when the port is gone
     */
    int write(ByteBuffer src, Duration timeout);

    /** A blocking stream of received bytes; end of stream when the port goes away. */
    InputStream inputStream();

    /**
     * A stream that transmits; each write waits at most {@code timeout} for the device and throws
     * an {@link java.io.IOException} when it could not hand over every byte in time.
     */
    OutputStream outputStream(Duration timeout);

    /** Adds a listener for host connects and disconnects and for the port's removal. */
    void addListener(ConsolePortListener listener);

    void removeListener(ConsolePortListener listener);
}
