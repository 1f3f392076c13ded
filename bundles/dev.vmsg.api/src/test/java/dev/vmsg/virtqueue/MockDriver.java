package dev.vmsg.virtqueue;

import dev.vmsg.memory.DmaWindow;

/**
 * A test-side driver that writes real split-ring bytes into a window: descriptors, avail entries,
 * avail.idx and the suppression fields. It checks nothing, so tests can write any garbage. It is
 * independent of {@link DriverVirtqueue} on purpose.
 */
final class MockDriver {
    final DmaWindow window;
    final int size;
    final VirtqueueAddresses addrs;
    int availIdx;
    int lastUsed;

    MockDriver(DmaWindow window, int size, VirtqueueAddresses addrs) {
        this.window = window;
        this.size = size;
        this.addrs = addrs;
        window.fill(addrs.descriptorAddr(), 16L * size, (byte) 0);
        window.fill(addrs.driverAddr(), 6L + 2L * size, (byte) 0);
        window.fill(addrs.deviceAddr(), 6L + 8L * size, (byte) 0);
    }

    /** Writes descriptor {@code i} of the queue's descriptor table. */
    MockDriver desc(int i, long addr, long len, int flags, int next) {
        return descAt(addrs.descriptorAddr(), i, addr, len, flags, next);
    }

    /** Writes descriptor {@code i} of any table (an indirect table, for example). */
    MockDriver descAt(long table, int i, long addr, long len, int flags, int next) {
        long at = table + 16L * i;
        window.putLong(at, addr);
        window.putInt(at + 8, (int) len);
        window.putShort(at + 12, (short) flags);
        window.putShort(at + 14, (short) next);
        return this;
    }

    /** Puts {@code head} in the next avail slot and publishes the new avail.idx. */
    MockDriver publish(int head) {
        window.putShort(addrs.driverAddr() + 4 + 2L * (availIdx % size), (short) head);
        availIdx = (availIdx + 1) & 0xFFFF;
        window.putShortRelease(addrs.driverAddr() + 2, (short) availIdx);
        return this;
    }

    /** Writes avail.idx raw, without touching the ring. */
    MockDriver setAvailIdx(int idx) {
        availIdx = idx & 0xFFFF;
        window.putShortRelease(addrs.driverAddr() + 2, (short) idx);
        return this;
    }

    MockDriver setAvailFlags(int flags) {
        window.putShortRelease(addrs.driverAddr(), (short) flags);
        return this;
    }

    MockDriver setUsedEvent(int idx) {
        window.putShortRelease(addrs.driverAddr() + 4 + 2L * size, (short) idx);
        return this;
    }

    int usedIdx() {
        return window.getShortAcquire(addrs.deviceAddr() + 2) & 0xFFFF;
    }

    int usedFlags() {
        return window.getShort(addrs.deviceAddr()) & 0xFFFF;
    }

    int availEvent() {
        return window.getShort(addrs.deviceAddr() + 4 + 8L * size) & 0xFFFF;
    }

    /** The id of used element {@code n} (a free-running index). */
    int usedId(int n) {
        return window.getInt(addrs.deviceAddr() + 4 + 8L * (n % size));
    }

    /** The len of used element {@code n}. */
    int usedLen(int n) {
        return window.getInt(addrs.deviceAddr() + 8 + 8L * (n % size));
    }

    /** The element just before used.idx: {id, len}. */
    int[] lastUsedElement() {
        int n = (usedIdx() - 1) & 0xFFFF;
        return new int[] {usedId(n), usedLen(n)};
    }
}
