package dev.vmsg.wire;

import java.nio.ByteBuffer;

/**
 * Sizes and writes message payloads: one small method per layout, dispatched on (type, msg_id) in two small steps so
 * that the JIT inlines the whole path of a hot message. Each layout checks its fields before its first write, so a
 * failed encode leaves the destination unchanged.
 */
final class PayloadWriter {
    private PayloadWriter() {
    }

    /** Payload bytes of {@code m} in profile {@code p} (a long: variable parts may be huge). */
    static long payloadSize(WireProfile p, Message m) {
        switch (m.type()) {
            case MessageType.TRANSPORT_REQUEST:
                return transportRequestSize(p, m);
            case MessageType.TRANSPORT_RESPONSE:
                return transportResponseSize(p, m);
            case MessageType.BUS_REQUEST:
                return 4;
            default:
                return m instanceof GetDevicesResponse r ? Layout.DEVICES_FIXED + (long) r.bitmap().length : 4;
        }
    }

    private static long transportRequestSize(WireProfile p, Message m) {
        return switch (m.msgId()) {
            case MessageIds.GET_DEVICE_INFO, MessageIds.GET_DEVICE_STATUS -> 0;
            case MessageIds.SET_DEVICE_STATUS, MessageIds.GET_VQUEUE, MessageIds.RESET_VQUEUE, MessageIds.GET_SHM,
                    MessageIds.EVENT_USED -> 4;
            case MessageIds.GET_DEVICE_FEATURES, MessageIds.GET_CONFIG, MessageIds.EVENT_AVAIL -> 8;
            case MessageIds.SET_DRIVER_FEATURES -> 8 + 4L * ((SetDriverFeaturesRequest) m).features().length;
            case MessageIds.SET_CONFIG -> 12L + ((SetConfigRequest) m).data().length;
            case MessageIds.SET_VQUEUE -> Layout.vqueueSize(p);
            case MessageIds.EVENT_CONFIG -> 16L + ((EventConfig) m).data().length;
            default -> throw new AssertionError(m);
        };
    }

    private static long transportResponseSize(WireProfile p, Message m) {
        return switch (m.msgId()) {
            case MessageIds.SET_DRIVER_FEATURES, MessageIds.SET_VQUEUE, MessageIds.RESET_VQUEUE -> 0;
            case MessageIds.GET_DEVICE_STATUS, MessageIds.SET_DEVICE_STATUS -> 4;
            case MessageIds.GET_DEVICE_INFO -> Layout.deviceInfoSize(p);
            case MessageIds.GET_DEVICE_FEATURES -> 8 + 4L * ((GetDeviceFeaturesResponse) m).features().length;
            case MessageIds.GET_CONFIG -> 12L + ((GetConfigResponse) m).data().length;
            case MessageIds.SET_CONFIG -> 12L + ((SetConfigResponse) m).data().length;
            case MessageIds.GET_VQUEUE -> Layout.vqueueSize(p);
            case MessageIds.GET_SHM -> Layout.shmSize(p);
            default -> throw new AssertionError(m);
        };
    }

    /** Writes the payload of {@code m}, sized by {@link #payloadSize}, at {@code at}. */
    static void write(WireProfile p, Message m, ByteBuffer b, int at) {
        switch (m.type()) {
            case MessageType.TRANSPORT_REQUEST -> writeTransportRequest(p, m, b, at);
            case MessageType.TRANSPORT_RESPONSE -> writeTransportResponse(p, m, b, at);
            case MessageType.BUS_REQUEST -> writeBusRequest(m, b, at);
            default -> writeBusResponse(p, m, b, at);
        }
    }

    private static void writeTransportRequest(WireProfile p, Message m, ByteBuffer b, int at) {
        switch (m.msgId()) {
            case MessageIds.GET_DEVICE_INFO, MessageIds.GET_DEVICE_STATUS -> { }
            case MessageIds.GET_DEVICE_FEATURES -> write((GetDeviceFeaturesRequest) m, b, at);
            case MessageIds.SET_DRIVER_FEATURES -> write((SetDriverFeaturesRequest) m, b, at);
            case MessageIds.GET_CONFIG -> write((GetConfigRequest) m, b, at);
            case MessageIds.SET_CONFIG -> write((SetConfigRequest) m, b, at);
            case MessageIds.SET_DEVICE_STATUS -> Le.put32(b, at, ((SetDeviceStatusRequest) m).status());
            case MessageIds.GET_VQUEUE -> Le.put32(b, at, ((GetVqueueRequest) m).index());
            case MessageIds.SET_VQUEUE -> write(p, (SetVqueueRequest) m, b, at);
            case MessageIds.RESET_VQUEUE -> Le.put32(b, at, ((ResetVqueueRequest) m).index());
            case MessageIds.GET_SHM -> Le.put32(b, at, ((GetShmRequest) m).shmId());
            case MessageIds.EVENT_CONFIG -> write((EventConfig) m, b, at);
            case MessageIds.EVENT_AVAIL -> write((EventAvail) m, b, at);
            case MessageIds.EVENT_USED -> Le.put32(b, at, ((EventUsed) m).vqIndex());
            default -> throw new AssertionError(m);
        }
    }

    private static void writeTransportResponse(WireProfile p, Message m, ByteBuffer b, int at) {
        switch (m.msgId()) {
            case MessageIds.SET_DRIVER_FEATURES, MessageIds.SET_VQUEUE, MessageIds.RESET_VQUEUE -> { }
            case MessageIds.GET_DEVICE_INFO -> write(p, (GetDeviceInfoResponse) m, b, at);
            case MessageIds.GET_DEVICE_FEATURES -> write((GetDeviceFeaturesResponse) m, b, at);
            case MessageIds.GET_CONFIG -> write((GetConfigResponse) m, b, at);
            case MessageIds.SET_CONFIG -> write((SetConfigResponse) m, b, at);
            case MessageIds.GET_DEVICE_STATUS -> Le.put32(b, at, ((GetDeviceStatusResponse) m).status());
            case MessageIds.SET_DEVICE_STATUS -> Le.put32(b, at, ((SetDeviceStatusResponse) m).status());
            case MessageIds.GET_VQUEUE -> write(p, (GetVqueueResponse) m, b, at);
            case MessageIds.GET_SHM -> write(p, (GetShmResponse) m, b, at);
            default -> throw new AssertionError(m);
        }
    }

    private static void writeBusRequest(Message m, ByteBuffer b, int at) {
        switch (m.msgId()) {
            case MessageIds.BUS_GET_DEVICES -> write((GetDevicesRequest) m, b, at);
            case MessageIds.BUS_PING -> Le.put32(b, at, ((PingRequest) m).data());
            case MessageIds.BUS_EVENT_DEVICE -> write((EventDevice) m, b, at);
            default -> throw new AssertionError(m);
        }
    }

    private static void writeBusResponse(WireProfile p, Message m, ByteBuffer b, int at) {
        switch (m.msgId()) {
            case MessageIds.BUS_GET_DEVICES -> write(p, (GetDevicesResponse) m, b, at);
            case MessageIds.BUS_PING -> Le.put32(b, at, ((PingResponse) m).data());
            default -> throw new AssertionError(m);
        }
    }

    private static void write(WireProfile p, GetDeviceInfoResponse r, ByteBuffer b, int at) {
        if (p == WireProfile.REV1) {
            Le.put32(b, at, r.deviceId());
            Le.put32(b, at + 4, r.vendorId());
            // The UUID is 16 bytes in RFC 4122 (big-endian) order, as uuid_t carries it.
            Le.put64(b, at + 8, Long.reverseBytes(r.deviceUuid().getMostSignificantBits()));
            Le.put64(b, at + 16, Long.reverseBytes(r.deviceUuid().getLeastSignificantBits()));
            Le.put32(b, at + 24, r.numFeatureBlocks());
            Le.put32(b, at + 28, r.configSize());
            Le.put32(b, at + 32, r.maxVirtqueues());
            Le.put32(b, at + 36, r.adminVqStart());
            Le.put32(b, at + 40, r.adminVqCount());
            return;
        }
        long bits = Integer.toUnsignedLong(r.numFeatureBlocks()) * 32;
        checkU32("GET_DEVICE_INFO num_feature_bits (32 * numFeatureBlocks, before REV1)", bits);
        checkU16("GET_DEVICE_INFO admin_vq_start (u16 before REV1)", r.adminVqStart());
        checkU16("GET_DEVICE_INFO admin_vq_count (u16 before REV1)", r.adminVqCount());
        Le.put32(b, at, r.deviceId());
        Le.put32(b, at + 4, r.vendorId());
        Le.put32(b, at + 8, (int) bits);
        Le.put32(b, at + 12, r.configSize());
        Le.put32(b, at + 16, r.maxVirtqueues());
        Le.put16(b, at + 20, r.adminVqStart());
        Le.put16(b, at + 22, r.adminVqCount());
    }

    private static void write(GetDeviceFeaturesRequest r, ByteBuffer b, int at) {
        Le.put32(b, at, r.blockIndex());
        Le.put32(b, at + 4, r.numBlocks());
    }

    private static void write(GetDeviceFeaturesResponse r, ByteBuffer b, int at) {
        writeFeatures(r.blockIndex(), r.features(), b, at);
    }

    private static void write(SetDriverFeaturesRequest r, ByteBuffer b, int at) {
        writeFeatures(r.blockIndex(), r.features(), b, at);
    }

    private static void write(GetConfigRequest r, ByteBuffer b, int at) {
        Le.put32(b, at, r.offset());
        Le.put32(b, at + 4, r.length());
    }

    private static void write(GetConfigResponse r, ByteBuffer b, int at) {
        writeConfig(r.generation(), r.offset(), r.length(), r.data(), b, at);
    }

    private static void write(SetConfigRequest r, ByteBuffer b, int at) {
        writeConfig(r.generation(), r.offset(), r.length(), r.data(), b, at);
    }

    private static void write(SetConfigResponse r, ByteBuffer b, int at) {
        writeConfig(r.generation(), r.offset(), r.length(), r.data(), b, at);
    }

    /** Decision 11.6: the 2025 profiles have a reserved field (RFC3) or nothing (RFC2) where REV1 has flags. */
    private static void write(WireProfile p, GetVqueueResponse r, ByteBuffer b, int at) {
        Le.put32(b, at, r.index());
        Le.put32(b, at + 4, r.maxSize());
        Le.put32(b, at + 8, r.size());
        if (p != WireProfile.RFC2) {
            Le.put32(b, at + 12, p == WireProfile.REV1 ? r.flags() : 0);
        }
        writeAddrs(r.descriptorAddr(), r.driverAddr(), r.deviceAddr(), b, at + Layout.vqueueAddrs(p));
    }

    /** Decision 11.6: the 2025 profiles have a reserved field where REV1 has flags; a 2025 SET_VQUEUE enables. */
    private static void write(WireProfile p, SetVqueueRequest r, ByteBuffer b, int at) {
        Le.put32(b, at, r.index());
        Le.put32(b, at + 4, p == WireProfile.REV1 ? r.flags() : 0);
        Le.put32(b, at + 8, r.size());
        if (p != WireProfile.RFC2) {
            Le.put32(b, at + 12, 0);
        }
        writeAddrs(r.descriptorAddr(), r.driverAddr(), r.deviceAddr(), b, at + Layout.vqueueAddrs(p));
    }

    private static void write(WireProfile p, GetShmResponse r, ByteBuffer b, int at) {
        if (p == WireProfile.REV1) {
            Le.put32(b, at, r.shmId());
            Le.put32(b, at + 4, 0);
            Le.put64(b, at + 8, r.length());
            Le.put64(b, at + 16, r.address());
            return;
        }
        checkU32("GET_SHM length (u32 before REV1)", r.length());
        checkU32("GET_SHM address (u32 before REV1)", r.address());
        Le.put32(b, at, r.shmId());
        Le.put32(b, at + 4, (int) r.length());
        Le.put32(b, at + 8, (int) r.address());
    }

    private static void write(EventConfig r, ByteBuffer b, int at) {
        Le.put32(b, at, r.deviceStatus());
        writeConfig(r.generation(), r.offset(), r.length(), r.data(), b, at + 4);
    }

    private static void write(EventAvail r, ByteBuffer b, int at) {
        Le.put32(b, at, r.vqIndex());
        Le.put32(b, at + 4, r.nextOffset());
    }

    private static void write(GetDevicesRequest r, ByteBuffer b, int at) {
        checkU16("GET_DEVICES offset", r.offset());
        checkU16("GET_DEVICES count", r.count());
        Le.put16(b, at, r.offset());
        Le.put16(b, at + 2, r.count());
    }

    private static void write(WireProfile p, GetDevicesResponse r, ByteBuffer b, int at) {
        checkU16("GET_DEVICES offset", r.offset());
        checkU16("GET_DEVICES count", r.count());
        checkU16("GET_DEVICES next_offset", r.nextOffset());
        Le.put16(b, at, r.offset());
        Le.put16(b, at + Layout.devicesCount(p), r.count());
        Le.put16(b, at + Layout.devicesNextOffset(p), r.nextOffset());
        b.put(at + Layout.DEVICES_FIXED, r.bitmap());
    }

    private static void write(EventDevice r, ByteBuffer b, int at) {
        checkU16("EVENT_DEVICE device_number", r.deviceNumber());
        checkU16("EVENT_DEVICE device_bus_state", r.state());
        Le.put16(b, at, r.deviceNumber());
        Le.put16(b, at + 2, r.state());
    }

    private static void writeFeatures(int blockIndex, int[] features, ByteBuffer b, int at) {
        Le.put32(b, at, blockIndex);
        Le.put32(b, at + 4, features.length);
        for (int i = 0; i < features.length; i++) {
            Le.put32(b, at + 8 + 4 * i, features[i]);
        }
    }

    private static void writeConfig(int generation, int offset, int length, byte[] data, ByteBuffer b, int at) {
        Le.put32(b, at, generation);
        Le.put32(b, at + 4, offset);
        Le.put32(b, at + 8, length);
        b.put(at + 12, data);
    }

    private static void writeAddrs(long desc, long driver, long device, ByteBuffer b, int at) {
        Le.put64(b, at, desc);
        Le.put64(b, at + 8, driver);
        Le.put64(b, at + 16, device);
    }

    private static void checkU16(String field, int value) {
        if ((value & ~0xFFFF) != 0) {
            throw new WireException(WireException.Reason.FIELD_OUT_OF_RANGE, field + " " + value + " is not a u16");
        }
    }

    private static void checkU32(String field, long value) {
        if ((value & ~0xFFFF_FFFFL) != 0) {
            throw new WireException(WireException.Reason.FIELD_OUT_OF_RANGE, field + " "
                    + Long.toUnsignedString(value) + " does not fit a u32");
        }
    }
}
