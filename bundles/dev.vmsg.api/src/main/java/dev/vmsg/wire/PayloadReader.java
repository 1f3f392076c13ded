package dev.vmsg.wire;

import java.nio.ByteBuffer;
import java.util.UUID;

/**
 * Decodes message payloads: one small method per layout, dispatched on (type, msg_id) in two small steps so that the
 * JIT inlines the whole path of a hot message. The caller has checked that {@code len} payload bytes are available at
 * {@code at}; every read here stays within them.
 */
final class PayloadReader {
    private static final byte[] NO_DATA = new byte[0];
    // Messages without fields are values: decoding one returns a shared instance instead of allocating.
    private static final GetDeviceInfoRequest GET_DEVICE_INFO_REQUEST = new GetDeviceInfoRequest();
    private static final GetDeviceStatusRequest GET_DEVICE_STATUS_REQUEST = new GetDeviceStatusRequest();
    private static final SetDriverFeaturesResponse SET_DRIVER_FEATURES_RESPONSE = new SetDriverFeaturesResponse();
    private static final SetVqueueResponse SET_VQUEUE_RESPONSE = new SetVqueueResponse();
    private static final ResetVqueueResponse RESET_VQUEUE_RESPONSE = new ResetVqueueResponse();

    private PayloadReader() {
    }

    /** @param type header type bits 0..1 */
    static Message read(WireProfile p, int type, int msgId, ByteBuffer b, int at, int len) {
        return switch (type) {
            case MessageType.TRANSPORT_REQUEST -> transportRequest(p, msgId, b, at, len);
            case MessageType.TRANSPORT_RESPONSE -> transportResponse(p, msgId, b, at, len);
            case MessageType.BUS_REQUEST -> busRequest(p, msgId, b, at, len);
            default -> busResponse(p, msgId, b, at, len);
        };
    }

    private static Message transportRequest(WireProfile p, int id, ByteBuffer b, int at, int len) {
        return switch (id) {
            case MessageIds.GET_DEVICE_INFO -> GET_DEVICE_INFO_REQUEST;
            case MessageIds.GET_DEVICE_FEATURES -> getDeviceFeaturesRequest(p, b, at, len);
            case MessageIds.SET_DRIVER_FEATURES -> setDriverFeaturesRequest(p, b, at, len);
            case MessageIds.GET_CONFIG -> getConfigRequest(p, b, at, len);
            case MessageIds.SET_CONFIG -> setConfigRequest(p, b, at, len);
            case MessageIds.GET_DEVICE_STATUS -> GET_DEVICE_STATUS_REQUEST;
            case MessageIds.SET_DEVICE_STATUS -> new SetDeviceStatusRequest(u32(p, MessageType.TRANSPORT_REQUEST, id, b, at, len));
            case MessageIds.GET_VQUEUE -> new GetVqueueRequest(u32(p, MessageType.TRANSPORT_REQUEST, id, b, at, len));
            case MessageIds.SET_VQUEUE -> setVqueueRequest(p, b, at, len);
            case MessageIds.RESET_VQUEUE -> new ResetVqueueRequest(u32(p, MessageType.TRANSPORT_REQUEST, id, b, at, len));
            case MessageIds.GET_SHM -> new GetShmRequest(u32(p, MessageType.TRANSPORT_REQUEST, id, b, at, len));
            default -> transportEvent(p, id, b, at, len);
        };
    }

    private static Message transportEvent(WireProfile p, int id, ByteBuffer b, int at, int len) {
        return switch (id) {
            case MessageIds.EVENT_AVAIL -> eventAvail(p, b, at, len);
            case MessageIds.EVENT_USED -> new EventUsed(u32(p, MessageType.TRANSPORT_REQUEST, id, b, at, len));
            case MessageIds.EVENT_CONFIG -> eventConfig(p, b, at, len);
            default -> throw unknown(p, MessageType.TRANSPORT_REQUEST, id);
        };
    }

    private static Message transportResponse(WireProfile p, int id, ByteBuffer b, int at, int len) {
        return switch (id) {
            case MessageIds.GET_DEVICE_INFO -> getDeviceInfoResponse(p, b, at, len);
            case MessageIds.GET_DEVICE_FEATURES -> getDeviceFeaturesResponse(p, b, at, len);
            case MessageIds.SET_DRIVER_FEATURES -> SET_DRIVER_FEATURES_RESPONSE;
            case MessageIds.GET_CONFIG -> getConfigResponse(p, b, at, len);
            case MessageIds.SET_CONFIG -> setConfigResponse(p, b, at, len);
            case MessageIds.GET_DEVICE_STATUS -> new GetDeviceStatusResponse(u32(p, MessageType.TRANSPORT_RESPONSE, id, b, at, len));
            case MessageIds.SET_DEVICE_STATUS -> new SetDeviceStatusResponse(u32(p, MessageType.TRANSPORT_RESPONSE, id, b, at, len));
            case MessageIds.GET_VQUEUE -> getVqueueResponse(p, b, at, len);
            case MessageIds.SET_VQUEUE -> SET_VQUEUE_RESPONSE;
            case MessageIds.RESET_VQUEUE -> RESET_VQUEUE_RESPONSE;
            case MessageIds.GET_SHM -> getShmResponse(p, b, at, len);
            default -> throw unknown(p, MessageType.TRANSPORT_RESPONSE, id);
        };
    }

    private static Message busRequest(WireProfile p, int id, ByteBuffer b, int at, int len) {
        return switch (id) {
            case MessageIds.BUS_GET_DEVICES -> getDevicesRequest(p, b, at, len);
            case MessageIds.BUS_PING -> new PingRequest(u32(p, MessageType.BUS_REQUEST, id, b, at, len));
            case MessageIds.BUS_EVENT_DEVICE -> eventDevice(p, b, at, len);
            default -> throw unknown(p, MessageType.BUS_REQUEST, id);
        };
    }

    private static Message busResponse(WireProfile p, int id, ByteBuffer b, int at, int len) {
        return switch (id) {
            case MessageIds.BUS_GET_DEVICES -> getDevicesResponse(p, b, at, len);
            case MessageIds.BUS_PING -> new PingResponse(u32(p, MessageType.BUS_RESPONSE, id, b, at, len));
            default -> throw unknown(p, MessageType.BUS_RESPONSE, id);
        };
    }

    /** The single u32 of the many one-field layouts. */
    private static int u32(WireProfile p, int type, int id, ByteBuffer b, int at, int len) {
        need(p, type, id, len, 4);
        return Le.u32(b, at);
    }

    private static GetDeviceInfoResponse getDeviceInfoResponse(WireProfile p, ByteBuffer b, int at, int len) {
        need(p, MessageType.TRANSPORT_RESPONSE, MessageIds.GET_DEVICE_INFO, len, Layout.deviceInfoSize(p));
        if (p == WireProfile.REV1) {
            // RFC 4122 byte order: the first byte on the wire is the most significant byte of the UUID.
            UUID uuid = new UUID(Long.reverseBytes(Le.u64(b, at + 8)), Long.reverseBytes(Le.u64(b, at + 16)));
            return new GetDeviceInfoResponse(Le.u32(b, at), Le.u32(b, at + 4), uuid, Le.u32(b, at + 24),
                    Le.u32(b, at + 28), Le.u32(b, at + 32), Le.u32(b, at + 36), Le.u32(b, at + 40));
        }
        // Decision 11.6: num_feature_bits rounds up to whole blocks; no UUID before REV1.
        int blocks = (int) ((Integer.toUnsignedLong(Le.u32(b, at + 8)) + 31) >>> 5);
        return new GetDeviceInfoResponse(Le.u32(b, at), Le.u32(b, at + 4), GetDeviceInfoResponse.NIL_UUID, blocks,
                Le.u32(b, at + 12), Le.u32(b, at + 16), Le.u16(b, at + 20), Le.u16(b, at + 22));
    }

    private static GetDeviceFeaturesRequest getDeviceFeaturesRequest(WireProfile p, ByteBuffer b, int at, int len) {
        need(p, MessageType.TRANSPORT_REQUEST, MessageIds.GET_DEVICE_FEATURES, len, 8);
        return new GetDeviceFeaturesRequest(Le.u32(b, at), Le.u32(b, at + 4));
    }

    private static GetDeviceFeaturesResponse getDeviceFeaturesResponse(WireProfile p, ByteBuffer b, int at, int len) {
        int[] features = features(p, MessageType.TRANSPORT_RESPONSE, MessageIds.GET_DEVICE_FEATURES, b, at, len);
        return new GetDeviceFeaturesResponse(Le.u32(b, at), features.length, features);
    }

    private static SetDriverFeaturesRequest setDriverFeaturesRequest(WireProfile p, ByteBuffer b, int at, int len) {
        int[] features = features(p, MessageType.TRANSPORT_REQUEST, MessageIds.SET_DRIVER_FEATURES, b, at, len);
        return new SetDriverFeaturesRequest(Le.u32(b, at), features.length, features);
    }

    private static GetConfigRequest getConfigRequest(WireProfile p, ByteBuffer b, int at, int len) {
        need(p, MessageType.TRANSPORT_REQUEST, MessageIds.GET_CONFIG, len, 8);
        return new GetConfigRequest(Le.u32(b, at), Le.u32(b, at + 4));
    }

    private static GetConfigResponse getConfigResponse(WireProfile p, ByteBuffer b, int at, int len) {
        int type = MessageType.TRANSPORT_RESPONSE;
        need(p, type, MessageIds.GET_CONFIG, len, 12);
        int length = Le.u32(b, at + 8);
        byte[] data = data(p, type, MessageIds.GET_CONFIG, length, b, at + 12, len - 12);
        return new GetConfigResponse(Le.u32(b, at), Le.u32(b, at + 4), length, data);
    }

    private static SetConfigRequest setConfigRequest(WireProfile p, ByteBuffer b, int at, int len) {
        int type = MessageType.TRANSPORT_REQUEST;
        need(p, type, MessageIds.SET_CONFIG, len, 12);
        int length = Le.u32(b, at + 8);
        byte[] data = data(p, type, MessageIds.SET_CONFIG, length, b, at + 12, len - 12);
        return new SetConfigRequest(Le.u32(b, at), Le.u32(b, at + 4), length, data);
    }

    private static SetConfigResponse setConfigResponse(WireProfile p, ByteBuffer b, int at, int len) {
        int type = MessageType.TRANSPORT_RESPONSE;
        need(p, type, MessageIds.SET_CONFIG, len, 12);
        int length = Le.u32(b, at + 8);
        // Echoing the written bytes is optional: without room for them the response carries none.
        byte[] data = Integer.toUnsignedLong(length) <= len - 12
                ? data(p, type, MessageIds.SET_CONFIG, length, b, at + 12, len - 12) : NO_DATA;
        return new SetConfigResponse(Le.u32(b, at), Le.u32(b, at + 4), length, data);
    }

    private static GetVqueueResponse getVqueueResponse(WireProfile p, ByteBuffer b, int at, int len) {
        need(p, MessageType.TRANSPORT_RESPONSE, MessageIds.GET_VQUEUE, len, Layout.vqueueSize(p));
        int size = Le.u32(b, at + 8);
        // Decision 11.6: the 2025 profiles have no flags; a configured queue is an enabled one.
        int flags = p == WireProfile.REV1 ? Le.u32(b, at + 12) : (size != 0 ? VqueueFlags.ENABLED : 0);
        int addrs = at + Layout.vqueueAddrs(p);
        return new GetVqueueResponse(Le.u32(b, at), Le.u32(b, at + 4), size, flags,
                Le.u64(b, addrs), Le.u64(b, addrs + 8), Le.u64(b, addrs + 16));
    }

    private static SetVqueueRequest setVqueueRequest(WireProfile p, ByteBuffer b, int at, int len) {
        need(p, MessageType.TRANSPORT_REQUEST, MessageIds.SET_VQUEUE, len, Layout.vqueueSize(p));
        // Decision 11.6: a 2025 SET_VQUEUE enables the queue.
        int flags = p == WireProfile.REV1 ? Le.u32(b, at + 4) : VqueueFlags.ENABLE;
        int addrs = at + Layout.vqueueAddrs(p);
        return new SetVqueueRequest(Le.u32(b, at), flags, Le.u32(b, at + 8),
                Le.u64(b, addrs), Le.u64(b, addrs + 8), Le.u64(b, addrs + 16));
    }

    private static GetShmResponse getShmResponse(WireProfile p, ByteBuffer b, int at, int len) {
        need(p, MessageType.TRANSPORT_RESPONSE, MessageIds.GET_SHM, len, Layout.shmSize(p));
        if (p == WireProfile.REV1) {
            return new GetShmResponse(Le.u32(b, at), Le.u64(b, at + 8), Le.u64(b, at + 16));
        }
        return new GetShmResponse(Le.u32(b, at), Integer.toUnsignedLong(Le.u32(b, at + 4)),
                Integer.toUnsignedLong(Le.u32(b, at + 8)));
    }

    private static EventConfig eventConfig(WireProfile p, ByteBuffer b, int at, int len) {
        int type = MessageType.TRANSPORT_REQUEST;
        need(p, type, MessageIds.EVENT_CONFIG, len, 16);
        int length = Le.u32(b, at + 12);
        byte[] data = data(p, type, MessageIds.EVENT_CONFIG, length, b, at + 16, len - 16);
        return new EventConfig(Le.u32(b, at), Le.u32(b, at + 4), Le.u32(b, at + 8), length, data);
    }

    private static EventAvail eventAvail(WireProfile p, ByteBuffer b, int at, int len) {
        need(p, MessageType.TRANSPORT_REQUEST, MessageIds.EVENT_AVAIL, len, 8);
        return new EventAvail(Le.u32(b, at), Le.u32(b, at + 4));
    }

    private static GetDevicesRequest getDevicesRequest(WireProfile p, ByteBuffer b, int at, int len) {
        need(p, MessageType.BUS_REQUEST, MessageIds.BUS_GET_DEVICES, len, 4);
        return new GetDevicesRequest(Le.u16(b, at), Le.u16(b, at + 2));
    }

    private static GetDevicesResponse getDevicesResponse(WireProfile p, ByteBuffer b, int at, int len) {
        int type = MessageType.BUS_RESPONSE;
        need(p, type, MessageIds.BUS_GET_DEVICES, len, Layout.DEVICES_FIXED);
        int count = Le.u16(b, at + Layout.devicesCount(p));
        byte[] bitmap = data(p, type, MessageIds.BUS_GET_DEVICES, GetDevicesResponse.bitmapLength(count),
                b, at + Layout.DEVICES_FIXED, len - Layout.DEVICES_FIXED);
        return new GetDevicesResponse(Le.u16(b, at), count, Le.u16(b, at + Layout.devicesNextOffset(p)), bitmap);
    }

    private static EventDevice eventDevice(WireProfile p, ByteBuffer b, int at, int len) {
        need(p, MessageType.BUS_REQUEST, MessageIds.BUS_EVENT_DEVICE, len, 4);
        return new EventDevice(Le.u16(b, at), Le.u16(b, at + 2));
    }

    /** block_index @0, num_blocks @4, then num_blocks u32; at most (len - 8) / 4 blocks fit. */
    private static int[] features(WireProfile p, int type, int id, ByteBuffer b, int at, int len) {
        need(p, type, id, len, 8);
        int numBlocks = Le.u32(b, at + 4);
        int cap = (len - 8) / 4;
        if (Integer.toUnsignedLong(numBlocks) > cap) {
            throw new WireException(WireException.Reason.INCONSISTENT_LENGTH, MessageCodec.describe(type, id)
                    + ": num_blocks " + Integer.toUnsignedString(numBlocks) + " but msg_size "
                    + (p.headerSize() + len) + " holds at most " + cap + " blocks");
        }
        int[] features = new int[numBlocks];
        for (int i = 0; i < numBlocks; i++) {
            features[i] = Le.u32(b, at + 8 + 4 * i);
        }
        return features;
    }

    private static byte[] data(WireProfile p, int type, int id, int length, ByteBuffer b, int at, int available) {
        if (Integer.toUnsignedLong(length) > available) {
            throw new WireException(WireException.Reason.INCONSISTENT_LENGTH, MessageCodec.describe(type, id)
                    + ": length " + Integer.toUnsignedString(length) + " but msg_size leaves " + available
                    + " bytes for it");
        }
        if (length == 0) {
            return NO_DATA;
        }
        byte[] data = new byte[length];
        b.get(at, data);
        return data;
    }

    private static void need(WireProfile p, int type, int id, int len, int minimum) {
        if (len < minimum) {
            throw belowMinimum(p, type, id, len, minimum);
        }
    }

    private static WireException belowMinimum(WireProfile p, int type, int id, int len, int minimum) {
        return new WireException(WireException.Reason.BELOW_MINIMUM, MessageCodec.describe(type, id) + ": msg_size "
                + (p.headerSize() + len) + " is below the " + p + " minimum " + (p.headerSize() + minimum));
    }

    private static WireException unknown(WireProfile p, int type, int id) {
        if ((type & MessageType.RESPONSE_BIT) != 0 && (id & MessageIds.EVENT_BIT) != 0) {
            return new WireException(WireException.Reason.BAD_TYPE, MessageCodec.describe(type, id)
                    + ": an event id never has the response type bit");
        }
        return new WireException(WireException.Reason.UNKNOWN_ID, MessageCodec.describe(type, id)
                + " is not a known " + p + " message");
    }
}
