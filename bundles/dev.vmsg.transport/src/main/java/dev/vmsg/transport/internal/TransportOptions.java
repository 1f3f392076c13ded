package dev.vmsg.transport.internal;

/**
 * Timing of the driver transport.
 *
 * @param requestTimeoutMillis deadline of one request/response exchange
 * @param resetTimeoutMillis how long the reset poll waits for status 0 (Linux PoC: 10 s)
 * @param resetPollMillis interval of the reset poll (Linux PoC: 10 ms)
 * @param removeBoundMillis how long stopping a device may take before its thread is abandoned
 */
public record TransportOptions(long requestTimeoutMillis, long resetTimeoutMillis, long resetPollMillis,
        long removeBoundMillis) {

    public static final TransportOptions DEFAULTS = new TransportOptions(2000, 10_000, 10, 5000);

    public TransportOptions {
        if (requestTimeoutMillis <= 0 || resetTimeoutMillis <= 0 || resetPollMillis <= 0 || removeBoundMillis <= 0) {
            throw new IllegalArgumentException("transport timings must be positive");
        }
    }
}
