package dev.vmsg.transport.internal;

import java.util.Comparator;

/**
 * A service offered to the transport with its OSGi ranking: of several candidates for one place (a
 * bus name, a device number, a device type) the highest {@code service.ranking} wins and, among
 * equals, the one that came first (the OSGi rule for choosing between services).
 *
 * @param arrival the order the transport learned of it (lower came first)
 */
record Ranked<T>(T service, int ranking, long arrival) {

    /** The winner first: highest ranking, then earliest arrival. */
    static final Comparator<Ranked<?>> BEST_FIRST = Comparator.<Ranked<?>>comparingInt(Ranked::ranking).reversed()
            .thenComparingLong(Ranked::arrival);

    /** Whether this one wins over {@code other} (always over none). */
    boolean outranks(Ranked<?> other) {
        return other == null || BEST_FIRST.compare(this, other) < 0;
    }
}
