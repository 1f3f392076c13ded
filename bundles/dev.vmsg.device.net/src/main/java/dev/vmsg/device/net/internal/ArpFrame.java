package dev.vmsg.device.net.internal;

import java.nio.ByteBuffer;

/**
 * Ethernet frames carrying ARP for IPv4 over Ethernet (RFC 826), byte-exact: what the demo command
 * sends between two ports and reads back.
 *
 * @param operation   {@link #REQUEST} or {@link #REPLY}
 * @param senderMac   sender hardware address
 * @param senderIp    sender protocol address
 * @param targetMac   target hardware address (0 in a request)
 * @param targetIp    target protocol address
 */
record ArpFrame(int operation, long senderMac, int senderIp, long targetMac, int targetIp) {

    static final int REQUEST = 1;
    static final int REPLY = 2;
    static final int ETH_P_ARP = 0x0806;
    static final long BROADCAST = 0xFFFF_FFFF_FFFFL;
    /** 14 bytes of Ethernet header, 28 of ARP, padded to the 60-byte Ethernet minimum. */
    static final int FRAME_LENGTH = 60;

    static ArpFrame request(long senderMac, int senderIp, int targetIp) {
        return new ArpFrame(REQUEST, senderMac, senderIp, 0, targetIp);
    }

    /** The answer of the station that owns {@code mac} to this request. */
    ArpFrame reply(long mac) {
        return new ArpFrame(REPLY, mac, targetIp, senderMac, senderIp);
    }

    /** The whole Ethernet frame: to broadcast for a request, to the target for a reply. */
    ByteBuffer toFrame() {
        ByteBuffer f = ByteBuffer.allocate(FRAME_LENGTH);
        putMac(f, operation == REQUEST ? BROADCAST : targetMac);
        putMac(f, senderMac);
        f.putShort((short) ETH_P_ARP);
        f.putShort((short) 1).putShort((short) 0x0800).put((byte) 6).put((byte) 4).putShort((short) operation);
        putMac(f, senderMac);
        f.putInt(senderIp);
        putMac(f, targetMac);
        f.putInt(targetIp);
        return f.clear();
    }

    /** Parses an ARP frame from position to limit; null when it is not Ethernet/IPv4 ARP. */
    static ArpFrame parse(ByteBuffer frame) {
        ByteBuffer f = frame.slice();
        if (f.remaining() < 42 || (f.getShort(12) & 0xFFFF) != ETH_P_ARP || f.getShort(14) != 1
                || f.getShort(16) != 0x0800 || f.get(18) != 6 || f.get(19) != 4) {
            return null;
        }
        int op = f.getShort(20) & 0xFFFF;
        return new ArpFrame(op, mac(f, 22), f.getInt(28), mac(f, 32), f.getInt(38));
    }

    private static void putMac(ByteBuffer f, long mac) {
        f.putShort((short) (mac >>> 32)).putInt((int) mac);
    }

    private static long mac(ByteBuffer f, int at) {
        return (f.getShort(at) & 0xFFFFL) << 32 | (f.getInt(at + 2) & 0xFFFF_FFFFL);
    }

    static String ip(int v) {
        return (v >>> 24) + "." + (v >>> 16 & 0xFF) + "." + (v >>> 8 & 0xFF) + "." + (v & 0xFF);
    }

    @Override
    public String toString() {
        return operation == REQUEST
                ? "ARP who-has " + ip(targetIp) + " tell " + ip(senderIp) + " (" + VirtioNet.macString(senderMac) + ")"
                : "ARP reply " + ip(senderIp) + " is-at " + VirtioNet.macString(senderMac) + " (to "
                        + VirtioNet.macString(targetMac) + ")";
    }
}
