package dev.vmsg.device.console.internal;

/**
 * The host side of one console port: moves bytes between the outside (a TCP client, files or
 * pipes, a Java service) and the port's {@link PortPipes}. Its threads wait on the pipes, never
 * on the device; {@link #close()} ends them within a bound.
 */
interface PortHost {

    /** Starts moving bytes; called once. */
    void start(PortPipes pipes);

    /** Where a person finds the port, for logs and the shell (for example {@code tcp 127.0.0.1:40123}). */
    String describe();

    /** Stops the host side and its threads (bounded). */
    void close();
}
