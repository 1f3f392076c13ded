package dev.vmsg.device.net.internal;

import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One port of an {@link L2Switch}: the link of the device plugged into it, with its counters.
 * {@link #transmit} and {@link #flush} run on that device's thread; the counters are read anywhere.
 */
final class SwitchPort implements NetLink {

    private final L2Switch owner;
    private final int number;
    private final NetReceiver receiver;
    /** Ports this device's current batch delivered to, woken once each by {@link #flush()} (device thread). */
    private final SwitchPort[] toWake;
    private int toWakeCount;

    // Written by this port's device thread only (lazySet), read anywhere:
    final AtomicLong fromDevice = new AtomicLong();
    final AtomicLong fromDeviceBytes = new AtomicLong();
    final AtomicLong flooded = new AtomicLong();
    final AtomicLong filtered = new AtomicLong();
    // Written by every device that sends to this port:
    final AtomicLong toDevice = new AtomicLong();
    final AtomicLong toDeviceBytes = new AtomicLong();
    final AtomicLong toDeviceDropped = new AtomicLong();

    SwitchPort(L2Switch owner, int number, NetReceiver receiver, int maxPorts) {
        this.owner = owner;
        this.number = number;
        this.receiver = receiver;
        this.toWake = new SwitchPort[maxPorts];
    }

    /** Bumps a counter only this port's device thread writes. */
    static void bump(AtomicLong counter, long by) {
        counter.lazySet(counter.get() + by);
    }

    int number() {
        return number;
    }

    NetReceiver receiver() {
        return receiver;
    }

    @Override
    public void transmit(ByteBuffer frame) {
        owner.forward(this, frame);
    }

    /** {@code port} got a frame of this batch: wake it at the end. */
    void wakeLater(SwitchPort port) {
        for (int i = 0; i < toWakeCount; i++) {
            if (toWake[i] == port) {
                return;
            }
        }
        if (toWakeCount < toWake.length) {
            toWake[toWakeCount++] = port;
        } else {
            port.receiver.wake();
        }
    }

    @Override
    public void flush() {
        for (int i = 0; i < toWakeCount; i++) {
            toWake[i].receiver.wake();
            toWake[i] = null;
        }
        toWakeCount = 0;
    }

    @Override
    public void close() {
        owner.detach(this);
    }

    @Override
    public String describe() {
        return "switch:" + owner.name() + " port " + number;
    }
}
