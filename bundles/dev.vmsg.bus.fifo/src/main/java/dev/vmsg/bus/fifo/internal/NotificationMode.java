package dev.vmsg.bus.fifo.internal;

import java.util.Locale;

/** How a side waits for the peer's messages. */
public enum NotificationMode {
    /** Spin with {@link Thread#onSpinWait()}, then back off to yields and short parks; no doorbell. */
    BUSY_POLL,
    /** Park on the doorbell socket as soon as the queue is empty; the peer rings once per wake-up. */
    DOORBELL,
    /** Spin for about 10 us, then park on the doorbell (the default). */
    ADAPTIVE;

    /** Parses {@code busy-poll}, {@code doorbell} or {@code adaptive} (any case, - or _). */
    static NotificationMode parse(String s) {
        String n = s.trim().toUpperCase(Locale.ROOT).replace('-', '_');
        try {
            return valueOf(n);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("notification mode '" + s + "' is not busy-poll, doorbell or adaptive");
        }
    }
}
