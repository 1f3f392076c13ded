package dev.vmsg.admin;

import java.util.Map;

/**
 * What one bus or one device carried, from the counters of the transport core.
 *
 * @param name the bus name, or {@code <bus>/<number>/<side>} for a device
 * @param messages messages by direction and name: {@code "tx GET_DEVICE_INFO"},
 *     {@code "rx GET_DEVICE_INFO (response)"}; bus-wide snapshots prefix the side
 *     ({@code "driver tx PING"})
 * @param bytesSent bytes of frames sent (headers included)
 * @param bytesReceived bytes of frames received (headers included, malformed frames too)
 * @param drops frames dropped, by reason (malformed, unknown device, no matching request...)
 * @param errors requests that ended without a response, by reason ({@code timeout}, {@code removed},
 *     {@code send failed})
 * @param requestLatency round trip of the requests this container sent (driver side); empty on
 *     the device side
 * @since 1.1
 */
public record TrafficStats(String name, Map<String, Long> messages, long bytesSent, long bytesReceived,
        Map<String, Long> drops, Map<String, Long> errors, LatencyStats requestLatency) {

    /** Every message counted, both directions. */
    public long messageCount() {
        return messages.values().stream().mapToLong(Long::longValue).sum();
    }
}
