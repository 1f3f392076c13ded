package dev.vmsg.device.net.internal;

/**
 * What a virtio-net device model offers besides its backend.
 *
 * @param mac          the MAC address in config space (a unicast address, as a long)
 * @param mtu          the MTU in config space, {@value VirtioNet#MIN_MTU}..{@value VirtioNet#MAX_MTU}
 * @param queueSize    largest size of each queue (power of two, 2..32768)
 * @param backlog      frames that may wait for receive buffers (rounded up to a power of two)
 */
record NetSettings(long mac, int mtu, int queueSize, int backlog) {

    static final int DEFAULT_MTU = 1500;

    NetSettings {
        if (mac < 0 || mac > 0xFFFF_FFFF_FFFFL || VirtioNet.isGroup(mac)) {
            throw new IllegalArgumentException("MAC must be a unicast address: " + Long.toHexString(mac));
        }
        if (mtu < VirtioNet.MIN_MTU || mtu > VirtioNet.MAX_MTU) {
            throw new IllegalArgumentException("MTU must be " + VirtioNet.MIN_MTU + ".." + VirtioNet.MAX_MTU + ": " + mtu);
        }
        if (queueSize < 2 || queueSize > 32768 || Integer.bitCount(queueSize) != 1) {
            throw new IllegalArgumentException("queue size must be a power of two in 2..32768: " + queueSize);
        }
        if (backlog < 1 || backlog > 65536) {
            throw new IllegalArgumentException("backlog must be 1..65536 frames: " + backlog);
        }
    }

    /** The longest frame the device takes or delivers (802.1Q-tagged). */
    int maxFrame() {
        return VirtioNet.maxFrame(mtu, true);
    }
}
