package dev.vmsg.device.net.internal;

import java.nio.ByteBuffer;

/** Ethernet frames built byte by byte for the tests: raw frames and IPv4/UDP with real checksums. */
final class Frames {

    static final long BROADCAST = 0xFFFF_FFFF_FFFFL;

    private Frames() {
    }

    /** dst, src, EtherType, payload. */
    static byte[] ethernet(long dst, long src, int etherType, byte[] payload) {
        ByteBuffer f = ByteBuffer.allocate(14 + payload.length);
        f.putShort((short) (dst >>> 32)).putInt((int) dst);
        f.putShort((short) (src >>> 32)).putInt((int) src);
        f.putShort((short) etherType).put(payload);
        return f.array();
    }

    /** A frame of exactly {@code length} bytes (>= 14) with a recognisable payload. */
    static byte[] sized(long dst, long src, int length, int seed) {
        byte[] payload = new byte[length - 14];
        for (int i = 0; i < payload.length; i++) {
            payload[i] = (byte) (seed * 31 + i);
        }
        return ethernet(dst, src, 0x88B5, payload);
    }

    /** An IPv4/UDP datagram in an Ethernet frame, with the IPv4 header checksum and the UDP checksum. */
    static byte[] udp(long dstMac, long srcMac, int srcIp, int dstIp, int srcPort, int dstPort, byte[] data) {
        int udpLength = 8 + data.length;
        ByteBuffer ip = ByteBuffer.allocate(20 + udpLength);
        ip.put((byte) 0x45).put((byte) 0).putShort((short) (20 + udpLength)).putShort((short) 0x1234)
                .putShort((short) 0x4000).put((byte) 64).put((byte) 17).putShort((short) 0).putInt(srcIp).putInt(dstIp);
        ip.putShort(10, (short) checksum(ip.array(), 0, 20, 0));
        ip.putShort((short) srcPort).putShort((short) dstPort).putShort((short) udpLength).putShort((short) 0).put(data);
        long pseudo = (srcIp >>> 16) + (srcIp & 0xFFFF) + (dstIp >>> 16) + (dstIp & 0xFFFF) + 17 + udpLength;
        int sum = checksum(ip.array(), 20, udpLength, pseudo);
        ip.putShort(26, (short) (sum == 0 ? 0xFFFF : sum));
        return ethernet(dstMac, srcMac, 0x0800, ip.array());
    }

    /** The Internet checksum (RFC 1071) of {@code length} bytes plus an initial sum. */
    static int checksum(byte[] b, int off, int length, long initial) {
        long sum = initial;
        for (int i = 0; i < length; i += 2) {
            int hi = b[off + i] & 0xFF;
            int lo = i + 1 < length ? b[off + i + 1] & 0xFF : 0;
            sum += hi << 8 | lo;
        }
        while (sum >>> 16 != 0) {
            sum = (sum & 0xFFFF) + (sum >>> 16);
        }
        return (int) (~sum & 0xFFFF);
    }
}
