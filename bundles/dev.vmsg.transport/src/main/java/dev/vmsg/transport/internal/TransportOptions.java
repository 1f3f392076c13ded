package dev.vmsg.transport.internal;

/**
 * Timing of the driver transport.
 *
 * @param requestTimeoutMillis deadline of one request/response exchange
 * @param resetTimeoutMillis how long the reset poll waits for status 0 (Linux PoC: 10 s)
 * @param resetPollMillis interval of the reset poll (Linux PoC: 10 ms)
 * @param removeBoundMillis how long stopping a device may take before its thread is abandoned
 * @param pollMicros the adaptive polling budget (QEMU's {@code poll-max-ns} idea): after serving a
 *     queue, a device thread keeps polling its avail ring this long (with EVENT_AVAIL suppressed)
 *     before it sleeps again, and a driver caller waiting on its own chains polls the used ring this
 *     long before it blocks; every chain found restarts the budget. 0 turns polling off (every
 *     hand-off is then an event message).
 */
public record TransportOptions(long requestTimeoutMillis, long resetTimeoutMillis, long resetPollMillis,
        long removeBoundMillis, long pollMicros) {

    /** Default polling budget: long enough to bridge the gap between a caller's back-to-back requests. */
    public static final long DEFAULT_POLL_MICROS = 50;

    public static final TransportOptions DEFAULTS = new TransportOptions(2000, 10_000, 10, 5000);

    public TransportOptions {
        if (requestTimeoutMillis <= 0 || resetTimeoutMillis <= 0 || resetPollMillis <= 0 || removeBoundMillis <= 0) {
            throw new IllegalArgumentException("transport timings must be positive");
        }
        if (pollMicros < 0 || pollMicros > 1_000_000) {
            throw new IllegalArgumentException("poll budget " + pollMicros + " us outside 0..1000000");
        }
    }

    /** The timings with the default polling budget. */
    public TransportOptions(long requestTimeoutMillis, long resetTimeoutMillis, long resetPollMillis,
            long removeBoundMillis) {
        this(requestTimeoutMillis, resetTimeoutMillis, resetPollMillis, removeBoundMillis, DEFAULT_POLL_MICROS);
    }

    long pollNanos() {
        return pollMicros * 1000;
    }
}
