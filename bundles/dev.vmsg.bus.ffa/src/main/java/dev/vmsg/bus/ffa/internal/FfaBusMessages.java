package dev.vmsg.bus.ffa.internal;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Encodings of the FF-A bus messages (spec section 4.3, 2026 layouts): bus type, dev_num 0, an
 * 8-byte header (type u8, msg_id u8, dev_num le16, token le16, msg_size le16), payload packed
 * little-endian with no padding.
 */
final class FfaBusMessages {

    static final int HEADER = 8;
    static final int TYPE_BUS_REQUEST = 0x02;
    static final int TYPE_BUS_RESPONSE = 0x03;

    static final int VERSION = 0x80;
    static final int AREA_SHARE = 0x81;
    static final int AREA_UNSHARE = 0x82;
    static final int RESET = 0x83;
    static final int EVENT_POLL = 0x84;
    static final int EVENT_CONFIGURE = 0x85;
    static final int FIFO_CONFIGURE = 0x86;
    static final int ERROR = 0x87;
    static final int AREA_RELEASE = 0xC0;

    static final int RESULT_SUCCESS = 0;
    static final int RESULT_ERROR = 1;
    static final int RESULT_BUSY = 2;

    /** Bus version 1.0, encoded (major << 16) | minor. */
    static final int BUS_VERSION_1_0 = 0x0001_0000;
    static final int TRANSPORT_REVISION = 1;

    static final int FEATURE_DIRECT_RX = 1;
    static final int FEATURE_DIRECT_TX = 1 << 1;
    static final int FEATURE_INDIRECT_RX = 1 << 2;
    static final int FEATURE_INDIRECT_TX = 1 << 3;
    static final int FEATURE_NOTIF_RX = 1 << 4;
    static final int FEATURE_NOTIF_TX = 1 << 5;
    static final int FEATURE_FIFO = 1 << 6;

    /** SHARE | writeable | inner shareable | write-back | normal | non-secure (section 4.4). */
    static final int SHARING_ATTRS_DEFAULT = 0x6F4;

    /** Bus address of an area byte: area id in bits 63..48, offset in 47..0. */
    static final int AREA_SHIFT = 48;

    private FfaBusMessages() {
    }

    /** A frame of {@code payload} bytes with its header filled in. */
    static ByteBuffer frame(int type, int msgId, int token, int payload) {
        ByteBuffer b = ByteBuffer.allocate(HEADER + payload).order(ByteOrder.LITTLE_ENDIAN);
        b.put(0, (byte) type);
        b.put(1, (byte) msgId);
        b.putShort(2, (short) 0);
        b.putShort(4, (short) token);
        b.putShort(6, (short) (HEADER + payload));
        return b;
    }

    static int type(ByteBuffer f) {
        return f.get(f.position()) & 0xFF;
    }

    static int msgId(ByteBuffer f) {
        return f.get(f.position() + 1) & 0xFF;
    }

    static int token(ByteBuffer f) {
        return f.getShort(f.position() + 4) & 0xFFFF;
    }

    /** Whether {@code f} is a bus message of the FF-A binding (bus type, id 0x80 or above). */
    static boolean isFfaBusMessage(ByteBuffer f) {
        return f.remaining() >= HEADER && (type(f) & 0x02) != 0 && msgId(f) >= 0x80;
    }

    // ---- VERSION ----

    record VersionRequest(int busVersion, int transportRevision, int ffaVersion) {
        ByteBuffer encode(int token) {
            ByteBuffer b = frame(TYPE_BUS_REQUEST, VERSION, token, 12);
            b.putInt(8, busVersion).putInt(12, transportRevision).putInt(16, ffaVersion);
            return b;
        }

        static VersionRequest decode(ByteBuffer f) {
            int p = f.position() + HEADER;
            need(f, 12);
            return new VersionRequest(f.getInt(p), f.getInt(p + 4), f.getInt(p + 8));
        }
    }

    record VersionResponse(int busVersion, int transportRevision, int ffaVersion, int transportFeatures,
            int busFeatures, int maxAreas) {
        ByteBuffer encode(int token) {
            ByteBuffer b = frame(TYPE_BUS_RESPONSE, VERSION, token, 22);
            b.putInt(8, busVersion).putInt(12, transportRevision).putInt(16, ffaVersion)
                    .putInt(20, transportFeatures).putInt(24, busFeatures).putShort(28, (short) maxAreas);
            return b;
        }

        static VersionResponse decode(ByteBuffer f) {
            int p = f.position() + HEADER;
            need(f, 22);
            return new VersionResponse(f.getInt(p), f.getInt(p + 4), f.getInt(p + 8), f.getInt(p + 12),
                    f.getInt(p + 16), f.getShort(p + 20) & 0xFFFF);
        }
    }

    // ---- AREA_SHARE: area_id u16 @0, mem_handle u64 @2, mem_tag u64 @10, page_count u32 @18, sharing_attrs u32 @22

    record AreaShare(int areaId, long memHandle, long memTag, int pageCount, int sharingAttrs) {
        ByteBuffer encode(int token) {
            ByteBuffer b = frame(TYPE_BUS_REQUEST, AREA_SHARE, token, 26);
            b.putShort(8, (short) areaId).putLong(10, memHandle).putLong(18, memTag).putInt(26, pageCount)
                    .putInt(30, sharingAttrs);
            return b;
        }

        static AreaShare decode(ByteBuffer f) {
            int p = f.position() + HEADER;
            need(f, 26);
            return new AreaShare(f.getShort(p) & 0xFFFF, f.getLong(p + 2), f.getLong(p + 10), f.getInt(p + 18),
                    f.getInt(p + 22));
        }
    }

    /** AREA_SHARE / AREA_UNSHARE response: area_id u16 @0, result u16 @2. */
    static ByteBuffer areaResult(int msgId, int token, int areaId, int result) {
        ByteBuffer b = frame(TYPE_BUS_RESPONSE, msgId, token, 4);
        b.putShort(8, (short) areaId).putShort(10, (short) result);
        return b;
    }

    static ByteBuffer areaUnshare(int token, int areaId) {
        ByteBuffer b = frame(TYPE_BUS_REQUEST, AREA_UNSHARE, token, 2);
        b.putShort(8, (short) areaId);
        return b;
    }

    static int u16(ByteBuffer f, int payloadOffset) {
        need(f, payloadOffset + 2);
        return f.getShort(f.position() + HEADER + payloadOffset) & 0xFFFF;
    }

    // ---- EVENT_CONFIGURE: event_method u8 @0, reserved u8 @1, notif_id u16 @2; resp result u16

    record EventConfigure(int method, int notifId) {
        ByteBuffer encode(int token) {
            ByteBuffer b = frame(TYPE_BUS_REQUEST, EVENT_CONFIGURE, token, 4);
            b.put(8, (byte) method).put(9, (byte) 0).putShort(10, (short) notifId);
            return b;
        }

        static EventConfigure decode(ByteBuffer f) {
            int p = f.position() + HEADER;
            need(f, 4);
            return new EventConfigure(f.get(p) & 0xFF, f.getShort(p + 2) & 0xFFFF);
        }
    }

    /** A response carrying only {@code result u16}. */
    static ByteBuffer result(int msgId, int token, int result) {
        ByteBuffer b = frame(TYPE_BUS_RESPONSE, msgId, token, 2);
        b.putShort(8, (short) result);
        return b;
    }

    // ---- FIFO_CONFIGURE: mem_handle u64 @0, page_count u16 @8, driver_notif_id u16 @10;
    //      resp result u16 @0, device_notif_id u16 @2

    record FifoConfigure(long memHandle, int pageCount, int driverNotifId) {
        ByteBuffer encode(int token) {
            ByteBuffer b = frame(TYPE_BUS_REQUEST, FIFO_CONFIGURE, token, 12);
            b.putLong(8, memHandle).putShort(16, (short) pageCount).putShort(18, (short) driverNotifId);
            return b;
        }

        static FifoConfigure decode(ByteBuffer f) {
            int p = f.position() + HEADER;
            need(f, 12);
            return new FifoConfigure(f.getLong(p), f.getShort(p + 8) & 0xFFFF, f.getShort(p + 10) & 0xFFFF);
        }
    }

    static ByteBuffer fifoConfigureResult(int token, int result, int deviceNotifId) {
        ByteBuffer b = frame(TYPE_BUS_RESPONSE, FIFO_CONFIGURE, token, 4);
        b.putShort(8, (short) result).putShort(10, (short) deviceNotifId);
        return b;
    }

    /** ERROR: original_msg_id u16, sent in place of the response to a bus message the device cannot handle. */
    static ByteBuffer error(int token, int originalMsgId) {
        ByteBuffer b = frame(TYPE_BUS_RESPONSE, ERROR, token, 2);
        b.putShort(8, (short) originalMsgId);
        return b;
    }

    /** AREA_RELEASE event (device to driver): area_id u16. */
    static ByteBuffer areaRelease(int areaId) {
        ByteBuffer b = frame(TYPE_BUS_REQUEST, AREA_RELEASE, 0, 2);
        b.putShort(8, (short) areaId);
        return b;
    }

    static void need(ByteBuffer f, int payload) {
        if (f.remaining() < HEADER + payload) {
            throw new IllegalArgumentException("FF-A bus message 0x" + Integer.toHexString(msgId(f)) + " of "
                    + f.remaining() + " bytes is shorter than its " + (HEADER + payload) + "-byte layout");
        }
    }
}
