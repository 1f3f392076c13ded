package dev.vmsg.wire;

import java.nio.ByteBuffer;
import java.util.UUID;

/**
 * Decodes message payloads. The caller has checked that {@code len} payload bytes are available at {@code at}; every
 * read here stays within them.
 */
final class PayloadReader {
    private static final byte[] NO_DATA = new byte[0];

    private PayloadReader() {
    }

    static Message read(WireProfile p, int type, int msgId, int msgSize, ByteBuffer b, int at, int len) {
        switch ((type << 8) | msgId) {
            case Layout.T_REQ | MessageIds.GET_DEVICE_INFO:
                return new GetDeviceInfoRequest();
            case Layout.T_RESP | MessageIds.GET_DEVICE_INFO:
                need(p, type, msgId, msgSize, len, Layout.deviceInfoSize(p));
                return readDeviceInfo(p, b, at);
            case Layout.T_REQ | MessageIds.GET_DEVICE_FEATURES:
                need(p, type, msgId, msgSize, len, 8);
                return new GetDeviceFeaturesRequest(Le.u32(b, at), Le.u32(b, at + 4));
            case Layout.T_RESP | MessageIds.GET_DEVICE_FEATURES: {
                need(p, type, msgId, msgSize, len, 8);
                int numBlocks = Le.u32(b, at + 4);
                return new GetDeviceFeaturesResponse(Le.u32(b, at), numBlocks,
                        readFeatures(type, msgId, msgSize, numBlocks, b, at, len));
            }
            case Layout.T_REQ | MessageIds.SET_DRIVER_FEATURES: {
                need(p, type, msgId, msgSize, len, 8);
                int numBlocks = Le.u32(b, at + 4);
                return new SetDriverFeaturesRequest(Le.u32(b, at), numBlocks,
                        readFeatures(type, msgId, msgSize, numBlocks, b, at, len));
            }
            case Layout.T_RESP | MessageIds.SET_DRIVER_FEATURES:
                return new SetDriverFeaturesResponse();
            case Layout.T_REQ | MessageIds.GET_CONFIG:
                need(p, type, msgId, msgSize, len, 8);
                return new GetConfigRequest(Le.u32(b, at), Le.u32(b, at + 4));
            case Layout.T_RESP | MessageIds.GET_CONFIG: {
                need(p, type, msgId, msgSize, len, 12);
                int length = Le.u32(b, at + 8);
                return new GetConfigResponse(Le.u32(b, at), Le.u32(b, at + 4), length,
                        readData(type, msgId, msgSize, length, b, at + 12, len - 12));
            }
            case Layout.T_REQ | MessageIds.SET_CONFIG: {
                need(p, type, msgId, msgSize, len, 12);
                int length = Le.u32(b, at + 8);
                return new SetConfigRequest(Le.u32(b, at), Le.u32(b, at + 4), length,
                        readData(type, msgId, msgSize, length, b, at + 12, len - 12));
            }
            case Layout.T_RESP | MessageIds.SET_CONFIG: {
                need(p, type, msgId, msgSize, len, 12);
                int length = Le.u32(b, at + 8);
                // Echoing the written bytes is optional: without room for them the response carries none.
                byte[] data = Integer.toUnsignedLong(length) <= len - 12
                        ? readData(type, msgId, msgSize, length, b, at + 12, len - 12) : NO_DATA;
                return new SetConfigResponse(Le.u32(b, at), Le.u32(b, at + 4), length, data);
            }
            case Layout.T_REQ | MessageIds.GET_DEVICE_STATUS:
                return new GetDeviceStatusRequest();
            case Layout.T_RESP | MessageIds.GET_DEVICE_STATUS:
                need(p, type, msgId, msgSize, len, 4);
                return new GetDeviceStatusResponse(Le.u32(b, at));
            case Layout.T_REQ | MessageIds.SET_DEVICE_STATUS:
                need(p, type, msgId, msgSize, len, 4);
                return new SetDeviceStatusRequest(Le.u32(b, at));
            case Layout.T_RESP | MessageIds.SET_DEVICE_STATUS:
                need(p, type, msgId, msgSize, len, 4);
                return new SetDeviceStatusResponse(Le.u32(b, at));
            case Layout.T_REQ | MessageIds.GET_VQUEUE:
                need(p, type, msgId, msgSize, len, 4);
                return new GetVqueueRequest(Le.u32(b, at));
            case Layout.T_RESP | MessageIds.GET_VQUEUE: {
                need(p, type, msgId, msgSize, len, Layout.vqueueSize(p));
                int size = Le.u32(b, at + 8);
                // Decision 11.6: 2025 profiles have no flags; a configured queue is an enabled one.
                int flags = p == WireProfile.REV1 ? Le.u32(b, at + 12) : (size != 0 ? VqueueFlags.ENABLED : 0);
                int addrs = at + Layout.vqueueAddrs(p);
                return new GetVqueueResponse(Le.u32(b, at), Le.u32(b, at + 4), size, flags,
                        Le.u64(b, addrs), Le.u64(b, addrs + 8), Le.u64(b, addrs + 16));
            }
            case Layout.T_REQ | MessageIds.SET_VQUEUE: {
                need(p, type, msgId, msgSize, len, Layout.vqueueSize(p));
                // Decision 11.6: a 2025 SET_VQUEUE enables the queue.
                int flags = p == WireProfile.REV1 ? Le.u32(b, at + 4) : VqueueFlags.ENABLE;
                int addrs = at + Layout.vqueueAddrs(p);
                return new SetVqueueRequest(Le.u32(b, at), flags, Le.u32(b, at + 8),
                        Le.u64(b, addrs), Le.u64(b, addrs + 8), Le.u64(b, addrs + 16));
            }
            case Layout.T_RESP | MessageIds.SET_VQUEUE:
                return new SetVqueueResponse();
            case Layout.T_REQ | MessageIds.RESET_VQUEUE:
                need(p, type, msgId, msgSize, len, 4);
                return new ResetVqueueRequest(Le.u32(b, at));
            case Layout.T_RESP | MessageIds.RESET_VQUEUE:
                return new ResetVqueueResponse();
            case Layout.T_REQ | MessageIds.GET_SHM:
                need(p, type, msgId, msgSize, len, 4);
                return new GetShmRequest(Le.u32(b, at));
            case Layout.T_RESP | MessageIds.GET_SHM:
                need(p, type, msgId, msgSize, len, Layout.shmSize(p));
                if (p == WireProfile.REV1) {
                    return new GetShmResponse(Le.u32(b, at), Le.u64(b, at + 8), Le.u64(b, at + 16));
                }
                return new GetShmResponse(Le.u32(b, at), Integer.toUnsignedLong(Le.u32(b, at + 4)),
                        Integer.toUnsignedLong(Le.u32(b, at + 8)));
            case Layout.T_REQ | MessageIds.EVENT_CONFIG: {
                need(p, type, msgId, msgSize, len, 16);
                int length = Le.u32(b, at + 12);
                return new EventConfig(Le.u32(b, at), Le.u32(b, at + 4), Le.u32(b, at + 8), length,
                        readData(type, msgId, msgSize, length, b, at + 16, len - 16));
            }
            case Layout.T_REQ | MessageIds.EVENT_AVAIL:
                need(p, type, msgId, msgSize, len, 8);
                return new EventAvail(Le.u32(b, at), Le.u32(b, at + 4));
            case Layout.T_REQ | MessageIds.EVENT_USED:
                need(p, type, msgId, msgSize, len, 4);
                return new EventUsed(Le.u32(b, at));
            case Layout.B_REQ | MessageIds.BUS_GET_DEVICES:
                need(p, type, msgId, msgSize, len, 4);
                return new GetDevicesRequest(Le.u16(b, at), Le.u16(b, at + 2));
            case Layout.B_RESP | MessageIds.BUS_GET_DEVICES: {
                need(p, type, msgId, msgSize, len, Layout.DEVICES_FIXED);
                int count = Le.u16(b, at + Layout.devicesCount(p));
                byte[] bitmap = readData(type, msgId, msgSize, GetDevicesResponse.bitmapLength(count),
                        b, at + Layout.DEVICES_FIXED, len - Layout.DEVICES_FIXED);
                return new GetDevicesResponse(Le.u16(b, at), count, Le.u16(b, at + Layout.devicesNextOffset(p)), bitmap);
            }
            case Layout.B_REQ | MessageIds.BUS_PING:
                need(p, type, msgId, msgSize, len, 4);
                return new PingRequest(Le.u32(b, at));
            case Layout.B_RESP | MessageIds.BUS_PING:
                need(p, type, msgId, msgSize, len, 4);
                return new PingResponse(Le.u32(b, at));
            case Layout.B_REQ | MessageIds.BUS_EVENT_DEVICE:
                need(p, type, msgId, msgSize, len, 4);
                return new EventDevice(Le.u16(b, at), Le.u16(b, at + 2));
            default:
                if ((type & MessageType.RESPONSE_BIT) != 0 && (msgId & MessageIds.EVENT_BIT) != 0) {
                    throw new WireException(WireException.Reason.BAD_TYPE, MessageCodec.describe(type, msgId)
                            + ": an event id never has the response type bit");
                }
                throw new WireException(WireException.Reason.UNKNOWN_ID, MessageCodec.describe(type, msgId)
                        + " is not a known " + p + " message");
        }
    }

    private static GetDeviceInfoResponse readDeviceInfo(WireProfile p, ByteBuffer b, int at) {
        if (p == WireProfile.REV1) {
            // RFC 4122 byte order: the first byte on the wire is the most significant byte of the UUID.
            UUID uuid = new UUID(Long.reverseBytes(Le.u64(b, at + 8)), Long.reverseBytes(Le.u64(b, at + 16)));
            return new GetDeviceInfoResponse(Le.u32(b, at), Le.u32(b, at + 4), uuid, Le.u32(b, at + 24),
                    Le.u32(b, at + 28), Le.u32(b, at + 32), Le.u32(b, at + 36), Le.u32(b, at + 40));
        }
        int blocks = (int) ((Integer.toUnsignedLong(Le.u32(b, at + 8)) + 31) >>> 5);
        return new GetDeviceInfoResponse(Le.u32(b, at), Le.u32(b, at + 4), GetDeviceInfoResponse.NIL_UUID, blocks,
                Le.u32(b, at + 12), Le.u32(b, at + 16), Le.u16(b, at + 20), Le.u16(b, at + 22));
    }

    private static int[] readFeatures(int type, int msgId, int msgSize, int numBlocks, ByteBuffer b, int at, int len) {
        int cap = (len - 8) / 4;
        if (Integer.toUnsignedLong(numBlocks) > cap) {
            throw new WireException(WireException.Reason.INCONSISTENT_LENGTH, MessageCodec.describe(type, msgId)
                    + ": num_blocks " + Integer.toUnsignedString(numBlocks) + " but msg_size " + msgSize
                    + " holds at most " + cap + " blocks");
        }
        int[] features = new int[numBlocks];
        for (int i = 0; i < numBlocks; i++) {
            features[i] = Le.u32(b, at + 8 + 4 * i);
        }
        return features;
    }

    private static byte[] readData(int type, int msgId, int msgSize, int length, ByteBuffer b, int at, int available) {
        if (Integer.toUnsignedLong(length) > available) {
            throw new WireException(WireException.Reason.INCONSISTENT_LENGTH, MessageCodec.describe(type, msgId)
                    + ": length " + Integer.toUnsignedString(length) + " but msg_size " + msgSize + " leaves "
                    + available + " bytes for it");
        }
        if (length == 0) {
            return NO_DATA;
        }
        byte[] data = new byte[length];
        b.get(at, data);
        return data;
    }

    private static void need(WireProfile p, int type, int msgId, int msgSize, int len, int minimum) {
        if (len < minimum) {
            throw new WireException(WireException.Reason.BELOW_MINIMUM, MessageCodec.describe(type, msgId)
                    + ": msg_size " + msgSize + " is below the " + p + " minimum " + (p.headerSize() + minimum));
        }
    }
}
