package dev.vmsg.transport.internal;

import dev.vmsg.wire.MessageIds;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/** Counts the messages one side of a bus sent and received, by name, and the drops by reason. */
final class MessageCounters {

    private final Map<String, LongAdder> counts = new ConcurrentHashMap<>();
    private final LongAdder[] transportTx = new LongAdder[512];
    private final LongAdder[] transportRx = new LongAdder[512];

    MessageCounters() {
        for (int id = 0; id < 256; id++) {
            String name = MessageIds.name(false, id);
            transportTx[id] = counter("tx " + name);
            transportRx[id] = counter("rx " + name);
            transportTx[256 + id] = counter("tx " + name + " (response)");
            transportRx[256 + id] = counter("rx " + name + " (response)");
        }
    }

    /** Counts a sent message; {@code response} marks answers so requests and responses read apart. */
    void sent(boolean bus, int msgId, boolean response) {
        if (bus) {
            counter("tx " + MessageIds.name(true, msgId) + (response ? " (response)" : "")).increment();
        } else {
            transportTx[(response ? 256 : 0) + (msgId & 0xFF)].increment();
        }
    }

    void received(boolean bus, int msgId, boolean response) {
        if (bus) {
            counter("rx " + MessageIds.name(true, msgId) + (response ? " (response)" : "")).increment();
        } else {
            transportRx[(response ? 256 : 0) + (msgId & 0xFF)].increment();
        }
    }

    void dropped(String reason) {
        counter("drop " + reason).increment();
    }

    long get(String key) {
        LongAdder a = counts.get(key);
        return a == null ? 0 : a.sum();
    }

    private LongAdder counter(String key) {
        return counts.computeIfAbsent(key, k -> new LongAdder());
    }

    /** The non-zero counters, sorted by key. */
    Map<String, Long> snapshot() {
        Map<String, Long> out = new TreeMap<>();
        counts.forEach((k, v) -> {
            long n = v.sum();
            if (n != 0) {
                out.put(k, n);
            }
        });
        return out;
    }

    /** Adds {@code other}'s non-zero counters into {@code into}. */
    static void merge(Map<String, Long> into, Map<String, Long> other) {
        other.forEach((k, v) -> into.merge(k, v, Long::sum));
    }
}
