package dev.vmsg.transport.internal;

import dev.vmsg.virtqueue.DeviceVirtqueue;

/** Device-side state of one queue as SET_VQUEUE / RESET_VQUEUE left it. Device thread only. */
final class HostedQueue {

    final int index;
    final int maxSize;
    int size;
    long descriptorAddr;
    long driverAddr;
    long deviceAddr;
    /** Non-null while the queue is enabled. */
    DeviceVirtqueue ring;
    long notifications;
    long rejected;

    HostedQueue(int index, int maxSize) {
        this.index = index;
        this.maxSize = maxSize;
    }

    boolean enabled() {
        return ring != null;
    }

    void clear() {
        size = 0;
        descriptorAddr = 0;
        driverAddr = 0;
        deviceAddr = 0;
        ring = null;
    }
}
