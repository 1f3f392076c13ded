package dev.vmsg.device.net.internal;

import dev.vmsg.device.net.FrameHandler;
import dev.vmsg.device.net.NetworkPort;
import dev.vmsg.device.net.PortCounters;
import java.nio.ByteBuffer;
import java.time.Duration;

/** The {@link NetworkPort} of one running virtio-net device: the driver's transmit and receive sides. */
final class VirtioNetworkPort implements NetworkPort {

    private final String bus;
    private final int number;
    private final long mac;
    private final int mtu;
    private final NetTx tx;
    private final NetRx rx;
    private volatile boolean linkUp;

    VirtioNetworkPort(String bus, int number, long mac, int mtu, boolean linkUp, NetTx tx, NetRx rx) {
        this.bus = bus;
        this.number = number;
        this.mac = mac;
        this.mtu = mtu;
        this.linkUp = linkUp;
        this.tx = tx;
        this.rx = rx;
    }

    @Override
    public String busName() {
        return bus;
    }

    @Override
    public int deviceNumber() {
        return number;
    }

    @Override
    public byte[] mac() {
        return VirtioNet.macBytes(mac);
    }

    @Override
    public String macAddress() {
        return VirtioNet.macString(mac);
    }

    @Override
    public int mtu() {
        return mtu;
    }

    @Override
    public boolean linkUp() {
        return linkUp;
    }

    void setLinkUp(boolean up) {
        linkUp = up;
    }

    private void check(ByteBuffer frame) {
        int n = frame.remaining();
        if (n < VirtioNet.ETH_HEADER || n > VirtioNet.maxFrame(mtu, VirtioNet.tagged(frame))) {
            throw new IllegalArgumentException("frame of " + n + " bytes: an Ethernet frame on " + bus + "/" + number
                    + " has 14.." + maxFrameSize(false) + " bytes (" + maxFrameSize(true) + " when 802.1Q-tagged)");
        }
    }

    @Override
    public boolean trySend(ByteBuffer frame) {
        check(frame);
        return tx.trySend(frame);
    }

    @Override
    public int send(ByteBuffer[] frames, int offset, int count) {
        int sent = 0;
        while (sent < count) {
            ByteBuffer f = frames[offset + sent];
            check(f);
            if (!tx.trySend(f)) {
                break;
            }
            sent++;
        }
        return sent;
    }

    @Override
    public void send(ByteBuffer frame, Duration timeout) {
        check(frame);
        tx.send(frame, timeout);
    }

    @Override
    public void setReceiver(FrameHandler receiver) {
        rx.setReceiver(receiver);
    }

    @Override
    public int receive(FrameHandler handler, int max) {
        return rx.poll(handler, max);
    }

    @Override
    public PortCounters counters() {
        // One lock at a time: a receiver that sends holds rx, then takes tx.
        long txFrames;
        long txBytes;
        synchronized (tx) {
            txFrames = tx.frames;
            txBytes = tx.bytes;
        }
        synchronized (rx) {
            return new PortCounters(txFrames, txBytes, rx.frames, rx.bytes, rx.errors, rx.dropped);
        }
    }

    int txInFlight() {
        return tx.inFlight();
    }

    int txSlots() {
        return tx.slots();
    }

    long txFailed() {
        synchronized (tx) {
            return tx.failed;
        }
    }

    @Override
    public String toString() {
        return "NetworkPort[" + bus + "/" + number + ", " + macAddress() + ", mtu " + mtu + (linkUp ? ", up" : ", down")
                + "]";
    }
}
