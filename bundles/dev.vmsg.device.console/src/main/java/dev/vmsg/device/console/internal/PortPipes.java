package dev.vmsg.device.console.internal;

/**
 * The two bounded buffers between the device thread and a port's host side, and whether the host
 * side is connected. Host threads wait on these buffers (back-pressure); the device thread never
 * does. Every change wakes the device through {@code wake}, which must not block.
 */
final class PortPipes {

    /** Bytes from the host side, waiting for the driver's receive buffers. */
    final ByteRing toDriver;
    /** Bytes the driver transmitted, waiting for the host side to take them. */
    final ByteRing fromDriver;
    private final Runnable wake;
    private volatile boolean hostConnected;
    private volatile long lostOnDisconnect;

    PortPipes(int capacity, Runnable wake) {
        this.wake = wake;
        this.toDriver = new ByteRing(capacity, wake);
        this.fromDriver = new ByteRing(capacity, wake);
    }

    boolean hostConnected() {
        return hostConnected;
    }

    void hostConnected(boolean connected) {
        if (hostConnected != connected) {
            hostConnected = connected;
            wake.run();
        }
    }

    /** A host connection broke with {@code n} bytes taken from the driver and not delivered (counted, logged by the host). */
    void lost(int n) {
        lostOnDisconnect += n;
    }

    long lostOnDisconnect() {
        return lostOnDisconnect;
    }

    void close() {
        toDriver.close();
        fromDriver.close();
    }
}
