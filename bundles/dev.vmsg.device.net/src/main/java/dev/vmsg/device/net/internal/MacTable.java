package dev.vmsg.device.net.internal;

import java.util.Arrays;

/**
 * The learning table of an {@link L2Switch}: MAC address to port. Lookups (every frame, from any
 * device thread) read an immutable open-addressing snapshot without locks or allocation; learning
 * a new address or a move copies the snapshot under the switch's lock, which is rare. Bounded: a
 * full table learns nothing more (frames to unknown addresses are flooded).
 */
final class MacTable {

    private static final long EMPTY = -1L;

    /** One immutable generation: keys and ports side by side, linear probing. */
    private record Snapshot(long[] keys, SwitchPort[] ports, int size) {
    }

    private final int capacity;
    private volatile Snapshot snapshot;

    /** @param capacity the most addresses the table holds */
    MacTable(int capacity) {
        this.capacity = capacity;
        this.snapshot = empty(capacity);
    }

    private static Snapshot empty(int capacity) {
        int n = Integer.highestOneBit(Math.max(4, capacity * 2 - 1)) << 1;
        long[] keys = new long[n];
        Arrays.fill(keys, EMPTY);
        return new Snapshot(keys, new SwitchPort[n], 0);
    }

    /** The port that last sent from {@code mac}, or null. */
    SwitchPort lookup(long mac) {
        Snapshot s = snapshot;
        long[] keys = s.keys;
        int mask = keys.length - 1;
        for (int i = hash(mac) & mask;; i = (i + 1) & mask) {
            long k = keys[i];
            if (k == mac) {
                return s.ports[i];
            }
            if (k == EMPTY) {
                return null;
            }
        }
    }

    /**
     * Records that {@code mac} is behind {@code port}.
     *
     * @return false when the table is full and the address is new
     */
    boolean learn(long mac, SwitchPort port) {
        if (lookup(mac) == port) {
            return true;
        }
        synchronized (this) {
            Snapshot s = snapshot;
            if (indexOf(s, mac) < 0 && s.size >= capacity) {
                return false;
            }
            Snapshot next = empty(capacity);
            int size = 0;
            for (int i = 0; i < s.keys.length; i++) {
                if (s.keys[i] != EMPTY && s.keys[i] != mac) {
                    put(next, s.keys[i], s.ports[i]);
                    size++;
                }
            }
            put(next, mac, port);
            snapshot = new Snapshot(next.keys, next.ports, size + 1);
            return true;
        }
    }

    /** Forgets every address behind {@code port}. */
    synchronized void forget(SwitchPort port) {
        Snapshot s = snapshot;
        Snapshot next = empty(capacity);
        int size = 0;
        for (int i = 0; i < s.keys.length; i++) {
            if (s.keys[i] != EMPTY && s.ports[i] != port) {
                put(next, s.keys[i], s.ports[i]);
                size++;
            }
        }
        snapshot = new Snapshot(next.keys, next.ports, size);
    }

    int size() {
        return snapshot.size;
    }

    /** Calls {@code each} for every entry (a consistent snapshot). */
    void forEach(java.util.function.ObjLongConsumer<SwitchPort> each) {
        Snapshot s = snapshot;
        for (int i = 0; i < s.keys.length; i++) {
            if (s.keys[i] != EMPTY) {
                each.accept(s.ports[i], s.keys[i]);
            }
        }
    }

    private static int indexOf(Snapshot s, long mac) {
        int mask = s.keys.length - 1;
        for (int i = hash(mac) & mask;; i = (i + 1) & mask) {
            if (s.keys[i] == mac) {
                return i;
            }
            if (s.keys[i] == EMPTY) {
                return -1;
            }
        }
    }

    private static void put(Snapshot s, long mac, SwitchPort port) {
        int mask = s.keys.length - 1;
        int i = hash(mac) & mask;
        while (s.keys[i] != EMPTY) {
            i = (i + 1) & mask;
        }
        s.keys[i] = mac;
        s.ports[i] = port;
    }

    private static int hash(long mac) {
        long h = mac * 0x9E37_79B9_7F4A_7C15L;
        return (int) (h >>> 32);
    }
}
