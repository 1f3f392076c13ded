package dev.vmsg.admin;

import java.util.List;
import java.util.Optional;
import org.osgi.annotation.versioning.ProviderType;

/**
 * The counters and latency histograms the transport core keeps per bus and per device, as plain
 * snapshots. Registered by the core as a service; a monitoring bundle polls it. Reading is cheap
 * (it sums striped counters) and never blocks the message path.
 *
 * @since 1.1
 */
@ProviderType
public interface Metrics {

    /** One snapshot per bus served, named by the bus; both sides of the bus are summed. */
    List<TrafficStats> busStats();

    /**
     * One snapshot per device number and side that carried traffic, named
     * {@code <bus>/<number>/<side>} (side {@code driver} or {@code device}).
     */
    List<TrafficStats> deviceStats();

    /**
     * The snapshot of a bus (its name) or of a device ({@code <bus>/<number>[/<side>]}, or the
     * device's name as in {@link VmsgAdmin#device(String)}; without a side the driver side is
     * preferred).
     */
    Optional<TrafficStats> stats(String ref);
}
