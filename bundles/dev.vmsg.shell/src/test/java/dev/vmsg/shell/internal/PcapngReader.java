package dev.vmsg.shell.internal;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A minimal pcapng reader written from the specification (draft-ietf-opsawg-pcapng, sections 3, 4.1,
 * 4.2, 4.3), independent of {@link PcapngWriter}: it detects the byte order from the Section
 * Header Block's magic, checks that every block's two length fields agree and are multiples of
 * 4, and decodes options generically. It fails (AssertionError) on anything malformed.
 */
final class PcapngReader {

    record Interface(int linkType, int snapLen, Map<Integer, byte[]> options) {
        String option(int code) {
            byte[] v = options.get(code);
            return v == null ? null : new String(v, StandardCharsets.UTF_8);
        }
    }

    record Packet(int interfaceId, long timestamp, int capturedLength, int originalLength, byte[] data,
            Map<Integer, byte[]> options) {
    }

    record Capture(ByteOrder order, int majorVersion, int minorVersion, Map<Integer, byte[]> sectionOptions,
            List<Interface> interfaces, List<Packet> packets) {
    }

    private PcapngReader() {
    }

    static Capture read(byte[] file) {
        ByteBuffer b = ByteBuffer.wrap(file);
        check(file.length >= 28, "file shorter than a Section Header Block");
        check(b.getInt(0) == 0x0A0D0D0A, "first block is not a Section Header Block");
        int magic = b.order(ByteOrder.LITTLE_ENDIAN).getInt(8);
        ByteOrder order = magic == 0x1A2B3C4D ? ByteOrder.LITTLE_ENDIAN : ByteOrder.BIG_ENDIAN;
        b.order(order);
        check(b.getInt(8) == 0x1A2B3C4D, "byte-order magic");
        int major = Short.toUnsignedInt(b.getShort(12));
        int minor = Short.toUnsignedInt(b.getShort(14));
        Map<Integer, byte[]> shbOptions = Map.of();
        List<Interface> interfaces = new ArrayList<>();
        List<Packet> packets = new ArrayList<>();
        int at = 0;
        while (at < file.length) {
            check(file.length - at >= 12, "truncated block at " + at);
            int type = b.getInt(at);
            int length = b.getInt(at + 4);
            check(length >= 12 && length % 4 == 0 && at + length <= file.length, "bad block length " + length + " at " + at);
            check(b.getInt(at + length - 4) == length, "trailing block length differs at " + at);
            int body = at + 8;
            int bodyEnd = at + length - 4;
            switch (type) {
                case 0x0A0D0D0A -> shbOptions = options(b, body + 16, bodyEnd);
                case 0x00000001 -> interfaces.add(new Interface(Short.toUnsignedInt(b.getShort(body)),
                        b.getInt(body + 4), options(b, body + 8, bodyEnd)));
                case 0x00000006 -> {
                    int iface = b.getInt(body);
                    check(iface < interfaces.size(), "packet for undeclared interface " + iface);
                    long ts = (Integer.toUnsignedLong(b.getInt(body + 4)) << 32) | Integer.toUnsignedLong(b.getInt(body + 8));
                    int cap = b.getInt(body + 12);
                    int orig = b.getInt(body + 16);
                    int dataAt = body + 20;
                    check(cap >= 0 && dataAt + cap <= bodyEnd, "captured length beyond the block");
                    byte[] data = Arrays.copyOfRange(file, dataAt, dataAt + cap);
                    int optionsAt = dataAt + ((cap + 3) & ~3);
                    packets.add(new Packet(iface, ts, cap, orig, data, options(b, optionsAt, bodyEnd)));
                }
                default -> check(false, "unexpected block type " + Integer.toHexString(type));
            }
            at += length;
        }
        return new Capture(order, major, minor, shbOptions, interfaces, packets);
    }

    private static Map<Integer, byte[]> options(ByteBuffer b, int at, int end) {
        Map<Integer, byte[]> out = new HashMap<>();
        boolean ended = at >= end; // options are optional
        while (at < end) {
            check(end - at >= 4, "truncated option");
            int code = Short.toUnsignedInt(b.getShort(at));
            int len = Short.toUnsignedInt(b.getShort(at + 2));
            if (code == 0) {
                check(len == 0, "opt_endofopt with a length");
                ended = true;
                at += 4;
                break;
            }
            check(at + 4 + len <= end, "option " + code + " beyond its block");
            byte[] v = new byte[len];
            b.get(at + 4, v);
            out.put(code, v);
            at += 4 + ((len + 3) & ~3);
        }
        check(ended && at == end, "options not closed by opt_endofopt at the block's end");
        return out;
    }

    private static void check(boolean ok, String what) {
        if (!ok) {
            throw new AssertionError("pcapng: " + what);
        }
    }
}
