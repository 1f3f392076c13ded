package dev.vmsg.device.net.internal;

import java.nio.ByteBuffer;

/** virtio-net facts from the spec (virtio 1.x §5.1): queues, feature bits, config layout, header, control commands. */
final class VirtioNet {

    static final int RX_QUEUE = 0;
    static final int TX_QUEUE = 1;
    /** The control queue follows the one receive/transmit pair (no VIRTIO_NET_F_MQ). */
    static final int CTRL_QUEUE = 2;

    static final int F_CSUM = 0;
    static final int F_GUEST_CSUM = 1;
    static final int F_MTU = 3;
    static final int F_MAC = 5;
    static final int F_MRG_RXBUF = 15;
    static final int F_STATUS = 16;
    static final int F_CTRL_VQ = 17;
    static final int F_CTRL_MAC_ADDR = 23;

    // struct virtio_net_config (§5.1.4)
    static final int CFG_MAC = 0;
    static final int CFG_STATUS = 6;
    static final int CFG_MAX_VIRTQUEUE_PAIRS = 8;
    static final int CFG_MTU = 10;
    /** Config bytes this device serves: mac, status, max_virtqueue_pairs, mtu. */
    static final int CONFIG_SIZE = 12;

    static final int S_LINK_UP = 1;

    /** struct virtio_net_hdr with VERSION_1: always 12 bytes, num_buffers included (§5.1.6). */
    static final int HDR_SIZE = 12;
    static final int HDR_FLAGS = 0;
    static final int HDR_GSO_TYPE = 1;
    static final int HDR_HDR_LEN = 2;
    static final int HDR_GSO_SIZE = 4;
    static final int HDR_CSUM_START = 6;
    static final int HDR_CSUM_OFFSET = 8;
    static final int HDR_NUM_BUFFERS = 10;

    static final int HDR_F_NEEDS_CSUM = 1;
    static final int HDR_F_DATA_VALID = 2;
    static final int HDR_F_RSC_INFO = 4;
    static final int GSO_NONE = 0;

    static final int ETH_HEADER = 14;
    static final int ETH_VLAN_HEADER = 18;
    static final int ETH_P_8021Q = 0x8100;
    /** The smallest MTU a device may report (§5.1.4.1). */
    static final int MIN_MTU = 68;
    static final int MAX_MTU = 65535 - ETH_VLAN_HEADER - HDR_SIZE;

    // control queue (§5.1.6.5)
    static final int CTRL_CLASS_MAC = 1;
    static final int CTRL_MAC_ADDR_SET = 1;
    static final int CTRL_OK = 0;
    static final int CTRL_ERR = 1;

    /** The longest Ethernet frame an MTU allows: 18 header bytes when 802.1Q-tagged, else 14. */
    static int maxFrame(int mtu, boolean tagged) {
        return mtu + (tagged ? ETH_VLAN_HEADER : ETH_HEADER);
    }

    /** Whether the frame from {@code f}'s position (at least 14 bytes) carries an 802.1Q tag (TPID after the two MACs). */
    static boolean tagged(ByteBuffer f) {
        int at = f.position();
        return ((f.get(at + 12) & 0xFF) << 8 | (f.get(at + 13) & 0xFF)) == ETH_P_8021Q;
    }

    /** Six MAC bytes at {@code at} as one long (big-endian, the top 16 bits zero). */
    static long macAt(byte[] b, int at) {
        long v = 0;
        for (int i = 0; i < 6; i++) {
            v = v << 8 | (b[at + i] & 0xFF);
        }
        return v;
    }

    static long macOf(byte[] mac) {
        return macAt(mac, 0);
    }

    /** Group bit of the first octet: broadcast and multicast. */
    static boolean isGroup(long mac) {
        return (mac & 0x0100_0000_0000L) != 0;
    }

    static String macString(long mac) {
        StringBuilder s = new StringBuilder(17);
        for (int i = 5; i >= 0; i--) {
            int b = (int) (mac >>> (8 * i)) & 0xFF;
            s.append(Character.forDigit(b >> 4, 16)).append(Character.forDigit(b & 15, 16));
            if (i > 0) {
                s.append(':');
            }
        }
        return s.toString();
    }

    static byte[] macBytes(long mac) {
        byte[] b = new byte[6];
        for (int i = 0; i < 6; i++) {
            b[i] = (byte) (mac >>> (8 * (5 - i)));
        }
        return b;
    }

    /**
     * Parses {@code 02:00:00:00:00:01} (or with '-'); rejects group addresses, which no port may own.
     *
     * @throws IllegalArgumentException for anything else
     */
    static long parseMac(String text) {
        String[] parts = text.trim().split("[:-]");
        if (parts.length != 6) {
            throw new IllegalArgumentException("MAC address needs six hex octets: '" + text + "'");
        }
        long v = 0;
        for (String p : parts) {
            if (p.length() < 1 || p.length() > 2) {
                throw new IllegalArgumentException("bad MAC octet '" + p + "' in '" + text + "'");
            }
            v = v << 8 | Integer.parseInt(p, 16);
        }
        if (isGroup(v)) {
            throw new IllegalArgumentException("MAC " + text + " is a group (multicast) address");
        }
        return v;
    }

    private VirtioNet() {
    }
}
