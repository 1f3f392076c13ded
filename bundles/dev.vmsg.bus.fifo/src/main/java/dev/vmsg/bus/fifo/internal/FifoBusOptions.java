package dev.vmsg.bus.fifo.internal;

import dev.vmsg.wire.WireProfile;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Objects;

/**
 * Everything one FIFO bus instance needs; both sides of a link must agree on the file paths, the
 * window base and size and the wire profile (the queue geometry is read from the layout).
 *
 * @param name              bus instance name
 * @param role              which side this process plays
 * @param queueFile         the file holding the vmamp_shmem layout and the queues
 * @param windowFile        the file holding the DMA window
 * @param windowBase        bus address of the window's first byte
 * @param windowSize        window size in bytes
 * @param elementSize       bytes per queue element (= largest message); device side only
 * @param elementCount      elements per queue; device side only
 * @param mode              how this side waits for messages
 * @param heartbeatMillis   heartbeat interval
 * @param peerTimeoutMillis no heartbeat for this long: the peer is declared dead
 * @param sendTimeoutMillis how long a send waits for room in a full queue
 * @param profile           wire profile of every message
 */
public record FifoBusOptions(String name, Role role, Path queueFile, Path windowFile, long windowBase, int windowSize,
        int elementSize, int elementCount, NotificationMode mode, long heartbeatMillis, long peerTimeoutMillis,
        long sendTimeoutMillis, WireProfile profile) {

    /** Which side of the link this process hosts. */
    public enum Role {
        DRIVER, DEVICE;

        public static Role parse(String s) {
            try {
                return valueOf(s.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("role '" + s + "' is not driver or device");
            }
        }
    }

    public static final long DEFAULT_WINDOW_BASE = 0x4000_0000L;

    public FifoBusOptions {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(role, "role");
        Objects.requireNonNull(queueFile, "queueFile");
        Objects.requireNonNull(windowFile, "windowFile");
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(profile, "profile");
        if (heartbeatMillis <= 0 || peerTimeoutMillis <= 0 || sendTimeoutMillis <= 0) {
            throw new IllegalArgumentException("fifo bus " + name + ": timings must be positive");
        }
        if (peerTimeoutMillis < 3 * heartbeatMillis) {
            throw new IllegalArgumentException("fifo bus " + name + ": peer timeout " + peerTimeoutMillis
                    + " ms must be at least 3 heartbeat intervals (" + 3 * heartbeatMillis + " ms)");
        }
        if (queueFile.equals(windowFile)) {
            throw new IllegalArgumentException("fifo bus " + name + ": queue file and window file must differ");
        }
    }

    /** Options with the defaults: files under {@code dir}, 4 MiB window, 256 x 264-byte elements, adaptive. */
    public static FifoBusOptions defaults(String name, Role role, Path dir) {
        return new FifoBusOptions(name, role, dir.resolve("vmsg-" + name + ".queue"),
                dir.resolve("vmsg-" + name + ".window"), DEFAULT_WINDOW_BASE, 4 << 20, 264, 256,
                NotificationMode.ADAPTIVE, 100, 2000, 1000, WireProfile.REV1);
    }

    /** The doorbell socket, next to the queue file. */
    Path doorbellSocket() {
        return queueFile.resolveSibling(queueFile.getFileName() + ".sock");
    }

    /** The same link seen from the other side (or this one). */
    public FifoBusOptions withRole(Role r) {
        return new FifoBusOptions(name, r, queueFile, windowFile, windowBase, windowSize, elementSize, elementCount,
                mode, heartbeatMillis, peerTimeoutMillis, sendTimeoutMillis, profile);
    }

    /** The same link with a window of {@code bytes}. */
    public FifoBusOptions withWindowSize(int bytes) {
        return new FifoBusOptions(name, role, queueFile, windowFile, windowBase, bytes, elementSize, elementCount,
                mode, heartbeatMillis, peerTimeoutMillis, sendTimeoutMillis, profile);
    }

    FifoBusOptions withMode(NotificationMode m) {
        return new FifoBusOptions(name, role, queueFile, windowFile, windowBase, windowSize, elementSize, elementCount,
                m, heartbeatMillis, peerTimeoutMillis, sendTimeoutMillis, profile);
    }

    FifoBusOptions withTimings(long heartbeat, long peerTimeout, long sendTimeout) {
        return new FifoBusOptions(name, role, queueFile, windowFile, windowBase, windowSize, elementSize, elementCount,
                mode, heartbeat, peerTimeout, sendTimeout, profile);
    }
}
