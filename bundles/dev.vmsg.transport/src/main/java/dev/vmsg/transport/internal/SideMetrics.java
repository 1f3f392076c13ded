package dev.vmsg.transport.internal;

import dev.vmsg.admin.TrafficStats;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * The metrics of one side of a bus: a {@link TrafficMeter} for the whole side (bytes only, failed
 * requests, the round trip of every request including bus requests) and one per device number,
 * found through a two-level array (no boxing, no map lookup, no allocation once a device's meter
 * exists). Messages by name and drops by reason stay in {@link MessageCounters}.
 */
final class SideMetrics {

    private static final int CHUNK = 256;

    private final TrafficMeter total = new TrafficMeter();
    private final AtomicReferenceArray<AtomicReferenceArray<TrafficMeter>> devices =
            new AtomicReferenceArray<>(65536 / CHUNK);

    TrafficMeter total() {
        return total;
    }

    /** The meter of device {@code devNum} (0..65535), created on its first message. */
    TrafficMeter device(int devNum) {
        int hi = (devNum >>> 8) & 0xFF;
        AtomicReferenceArray<TrafficMeter> chunk = devices.get(hi);
        if (chunk == null) {
            devices.compareAndSet(hi, null, new AtomicReferenceArray<>(CHUNK));
            chunk = devices.get(hi);
        }
        int lo = devNum & 0xFF;
        TrafficMeter m = chunk.get(lo);
        if (m == null) {
            chunk.compareAndSet(lo, null, new TrafficMeter());
            m = chunk.get(lo);
        }
        return m;
    }

    void sent(boolean bus, int devNum, int msgId, boolean response, int bytes) {
        total.sentBytes(bytes);
        if (!bus) {
            device(devNum).sent(msgId, response, bytes);
        }
    }

    void received(boolean bus, int devNum, int msgId, boolean response, int bytes) {
        total.receivedBytes(bytes);
        if (!bus) {
            device(devNum).received(msgId, response, bytes);
        }
    }

    void receivedUndecodable(int bytes) {
        total.receivedBytes(bytes);
    }

    void requestCompleted(boolean bus, int devNum, long nanos) {
        total.requestCompleted(nanos);
        if (!bus) {
            device(devNum).requestCompleted(nanos);
        }
    }

    void requestFailed(boolean bus, int devNum, String reason) {
        total.requestFailed(reason);
        if (!bus) {
            device(devNum).requestFailed(reason);
        }
    }

    /** Snapshots of every device number that carried traffic, named {@code <prefix><number><suffix>}. */
    List<TrafficStats> deviceSnapshots(String prefix, String suffix) {
        List<TrafficStats> out = new ArrayList<>();
        for (int hi = 0; hi < devices.length(); hi++) {
            AtomicReferenceArray<TrafficMeter> chunk = devices.get(hi);
            if (chunk == null) {
                continue;
            }
            for (int lo = 0; lo < CHUNK; lo++) {
                TrafficMeter m = chunk.get(lo);
                if (m != null && !m.isIdle()) {
                    out.add(m.snapshot(prefix + (hi * CHUNK + lo) + suffix));
                }
            }
        }
        return out;
    }

    /** The snapshot of device {@code devNum}, or null when it never carried traffic. */
    TrafficStats deviceSnapshot(int devNum, String name) {
        AtomicReferenceArray<TrafficMeter> chunk = devices.get((devNum >>> 8) & 0xFF);
        TrafficMeter m = chunk == null ? null : chunk.get(devNum & 0xFF);
        return m == null ? null : m.snapshot(name);
    }
}
