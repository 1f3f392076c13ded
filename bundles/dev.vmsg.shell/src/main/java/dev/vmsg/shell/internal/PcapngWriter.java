package dev.vmsg.shell.internal;

import dev.vmsg.admin.TraceRecord;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Writes a bus trace as a pcapng file (draft-ietf-opsawg-pcapng): one Section Header Block, one
 * Interface Description Block for the bus, and one Enhanced Packet Block per traced message,
 * little-endian.
 *
 * <p>Link type {@value #LINKTYPE} is LINKTYPE_USER0, the range tcpdump.org reserves for private use:
 * virtio-msg has no registered link type. Each packet is a 4-byte vmsg pseudo-header followed by
 * the frame exactly as it travelled on the bus:
 * <pre>
 *   byte 0  version, 1
 *   byte 1  flags: bit 0 outbound (the capturing side sent it), bit 1 captured on the device side,
 *           bit 2 travelling driver to device
 *   byte 2  wire profile: 1 REV1, 2 RFC3, 3 RFC2, 0 unknown
 *   byte 3  0
 *   byte 4+ the virtio-msg frame, header included
 * </pre>
 * Each EPB also carries {@code epb_flags} (inbound/outbound) and an {@code opt_comment} with the
 * decoded message, which Wireshark shows as the packet comment. Timestamps are nanoseconds
 * ({@code if_tsresol} 9).
 */
final class PcapngWriter {

    static final int LINKTYPE = 147;
    static final int PSEUDO_HEADER_VERSION = 1;
    static final int FLAG_OUTBOUND = 1;
    static final int FLAG_DEVICE_SIDE = 2;
    static final int FLAG_DRIVER_TO_DEVICE = 4;

    static final int SHB = 0x0A0D0D0A;
    static final int IDB = 0x00000001;
    static final int EPB = 0x00000006;
    static final int BYTE_ORDER_MAGIC = 0x1A2B3C4D;

    private PcapngWriter() {
    }

    static int profileCode(String profile) {
        return switch (profile) {
            case "REV1" -> 1;
            case "RFC3" -> 2;
            case "RFC2" -> 3;
            default -> 0;
        };
    }

    /** The whole file for the trace of {@code bus}. */
    static byte[] write(String bus, String profile, List<TraceRecord> records) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            write(out, bus, profile, records);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a ByteArrayOutputStream does not throw
        }
        return out.toByteArray();
    }

    /** Streams the file for the trace of {@code bus} (a full ring is up to a million blocks). */
    static void write(OutputStream out, String bus, String profile, List<TraceRecord> records) throws IOException {
        out.write(block(SHB, shbBody()));
        out.write(block(IDB, idbBody(bus, profile)));
        for (TraceRecord r : records) {
            out.write(block(EPB, epbBody(r)));
        }
    }

    private static byte[] shbBody() {
        ByteBuffer b = le(64);
        b.putInt(BYTE_ORDER_MAGIC).putShort((short) 1).putShort((short) 0).putLong(-1L); // section length unknown
        option(b, 4, "vmsg".getBytes(StandardCharsets.UTF_8)); // shb_userappl
        endOfOptions(b);
        return bytes(b);
    }

    private static byte[] idbBody(String bus, String profile) {
        byte[] name = ("vmsg:" + bus).getBytes(StandardCharsets.UTF_8);
        byte[] description = ("virtio-msg bus " + bus + " (" + profile + "), vmsg pseudo-header v"
                + PSEUDO_HEADER_VERSION).getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = le(64 + name.length + description.length);
        b.putShort((short) LINKTYPE).putShort((short) 0).putInt(0); // snaplen 0: no limit
        option(b, 2, name); // if_name
        option(b, 3, description); // if_description
        option(b, 9, new byte[] {9}); // if_tsresol: 10^-9 s
        endOfOptions(b);
        return bytes(b);
    }

    private static byte[] epbBody(TraceRecord r) {
        byte[] comment = r.decoded().getBytes(StandardCharsets.UTF_8);
        int captured = 4 + r.frame().length;
        ByteBuffer b = le(64 + captured + comment.length);
        long ts = r.epochNanos();
        b.putInt(0).putInt((int) (ts >>> 32)).putInt((int) ts).putInt(captured).putInt(captured);
        boolean deviceSide = r.side().equals("device");
        int flags = (r.outbound() ? FLAG_OUTBOUND : 0) | (deviceSide ? FLAG_DEVICE_SIDE : 0)
                | (r.outbound() != deviceSide ? FLAG_DRIVER_TO_DEVICE : 0);
        b.put((byte) PSEUDO_HEADER_VERSION).put((byte) flags).put((byte) profileCode(r.profile())).put((byte) 0);
        b.put(r.frame());
        pad(b, captured);
        option(b, 1, comment); // opt_comment
        ByteBuffer direction = le(4).putInt(r.outbound() ? 2 : 1); // epb_flags bits 0-1: 1 inbound, 2 outbound
        option(b, 2, direction.array());
        endOfOptions(b);
        return bytes(b);
    }

    private static byte[] block(int type, byte[] body) {
        int total = 12 + body.length;
        ByteBuffer b = le(total);
        b.putInt(type).putInt(total).put(body).putInt(total);
        return b.array();
    }

    private static void option(ByteBuffer b, int code, byte[] value) {
        b.putShort((short) code).putShort((short) value.length).put(value);
        pad(b, value.length);
    }

    private static void endOfOptions(ByteBuffer b) {
        b.putShort((short) 0).putShort((short) 0);
    }

    private static void pad(ByteBuffer b, int length) {
        for (int i = length; (i & 3) != 0; i++) {
            b.put((byte) 0);
        }
    }

    private static ByteBuffer le(int capacity) {
        return ByteBuffer.allocate(capacity).order(ByteOrder.LITTLE_ENDIAN);
    }

    private static byte[] bytes(ByteBuffer b) {
        byte[] out = new byte[b.position()];
        b.flip().get(out);
        return out;
    }
}
