package dev.vmsg.transport.internal;

/** Lets at most {@code permits} events through per window; for log lines under a flood. */
final class RateLimiter {

    private final int permits;
    private final long windowMillis;
    private long windowStart;
    private int used;

    RateLimiter(int permits, long windowMillis) {
        this.permits = permits;
        this.windowMillis = windowMillis;
    }

    synchronized boolean tryAcquire() {
        long now = System.currentTimeMillis();
        if (now - windowStart >= windowMillis) {
            windowStart = now;
            used = 0;
        }
        if (used < permits) {
            used++;
            return true;
        }
        return false;
    }
}
