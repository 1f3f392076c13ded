package dev.vmsg.transport.internal;

import dev.vmsg.admin.TrafficStats;
import dev.vmsg.wire.MessageIds;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;

/**
 * The counters of one device on one side of a bus: transport messages by direction, kind and id,
 * bytes, failed requests by reason, and the request round-trip histogram. Counting a message is
 * one array increment and one adder add; nothing is allocated on the message path.
 */
final class TrafficMeter {

    /** Index: direction (tx 0, rx 1) * 512 + response * 256 + msg_id. */
    private final AtomicLongArray messages = new AtomicLongArray(1024);
    private final LongAdder bytesSent = new LongAdder();
    private final LongAdder bytesReceived = new LongAdder();
    private final Map<String, LongAdder> errors = new ConcurrentHashMap<>();
    private final LatencyHistogram latency = new LatencyHistogram();

    /** Counts bytes only: a side's total meter, whose messages by name {@link MessageCounters} counts. */
    void sentBytes(int bytes) {
        bytesSent.add(bytes);
    }

    void receivedBytes(int bytes) {
        bytesReceived.add(bytes);
    }

    void sent(int msgId, boolean response, int bytes) {
        messages.incrementAndGet((response ? 256 : 0) + (msgId & 0xFF));
        bytesSent.add(bytes);
    }

    void received(int msgId, boolean response, int bytes) {
        messages.incrementAndGet(512 + (response ? 256 : 0) + (msgId & 0xFF));
        bytesReceived.add(bytes);
    }

    void requestCompleted(long nanos) {
        latency.record(nanos);
    }

    /** A request that got no response (error path: may allocate). */
    void requestFailed(String reason) {
        errors.computeIfAbsent(reason, k -> new LongAdder()).increment();
    }

    boolean isIdle() {
        return bytesSent.sum() == 0 && bytesReceived.sum() == 0 && errors.isEmpty();
    }

    TrafficStats snapshot(String name) {
        Map<String, Long> byName = new TreeMap<>();
        for (int i = 0; i < 1024; i++) {
            long n = messages.get(i);
            if (n != 0) {
                byName.put(((i & 512) != 0 ? "rx " : "tx ") + MessageIds.name(false, i & 0xFF)
                        + ((i & 256) != 0 ? " (response)" : ""), n);
            }
        }
        return new TrafficStats(name, byName, bytesSent.sum(), bytesReceived.sum(), Map.of(), errors(),
                latency.snapshot());
    }

    LatencyHistogram latency() {
        return latency;
    }

    long bytesSent() {
        return bytesSent.sum();
    }

    long bytesReceived() {
        return bytesReceived.sum();
    }

    Map<String, Long> errors() {
        Map<String, Long> errs = new TreeMap<>();
        errors.forEach((k, v) -> errs.put(k, v.sum()));
        return errs;
    }
}
