package dev.vmsg.virtqueue;

import dev.vmsg.memory.DmaWindow;

/**
 * A test-side device that reads the avail ring and writes real used-ring bytes, including any
 * garbage a test asks for. It is independent of {@link DeviceVirtqueue} on purpose.
 */
final class MockDevice {
    final DmaWindow window;
    final int size;
    final VirtqueueAddresses addrs;
    int lastAvail;
    int usedIdx;

    MockDevice(DmaWindow window, int size, VirtqueueAddresses addrs) {
        this.window = window;
        this.size = size;
        this.addrs = addrs;
    }

    int availIdx() {
        return window.getShortAcquire(addrs.driverAddr() + 2) & 0xFFFF;
    }

    int availFlags() {
        return window.getShort(addrs.driverAddr()) & 0xFFFF;
    }

    int usedEvent() {
        return window.getShort(addrs.driverAddr() + 4 + 2L * size) & 0xFFFF;
    }

    /** The next head from the avail ring, or -1. */
    int nextHead() {
        if (availIdx() == lastAvail) {
            return -1;
        }
        int head = window.getShort(addrs.driverAddr() + 4 + 2L * (lastAvail % size)) & 0xFFFF;
        lastAvail = (lastAvail + 1) & 0xFFFF;
        return head;
    }

    long descAddr(int i) {
        return window.getLong(addrs.descriptorAddr() + 16L * i);
    }

    int descLen(int i) {
        return window.getInt(addrs.descriptorAddr() + 16L * i + 8);
    }

    int descFlags(int i) {
        return window.getShort(addrs.descriptorAddr() + 16L * i + 12) & 0xFFFF;
    }

    int descNext(int i) {
        return window.getShort(addrs.descriptorAddr() + 16L * i + 14) & 0xFFFF;
    }

    /** Writes a used element {id, len} and publishes used.idx + 1. */
    MockDevice complete(int id, int len) {
        long elem = addrs.deviceAddr() + 4 + 8L * (usedIdx % size);
        window.putInt(elem, id);
        window.putInt(elem + 4, len);
        usedIdx = (usedIdx + 1) & 0xFFFF;
        window.putShortRelease(addrs.deviceAddr() + 2, (short) usedIdx);
        return this;
    }

    /** Writes used.idx raw. */
    MockDevice setUsedIdx(int idx) {
        usedIdx = idx & 0xFFFF;
        window.putShortRelease(addrs.deviceAddr() + 2, (short) idx);
        return this;
    }

    MockDevice setUsedFlags(int flags) {
        window.putShortRelease(addrs.deviceAddr(), (short) flags);
        return this;
    }

    MockDevice setAvailEvent(int idx) {
        window.putShortRelease(addrs.deviceAddr() + 4 + 8L * size, (short) idx);
        return this;
    }
}
