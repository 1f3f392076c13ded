package dev.vmsg.wire;

import java.nio.ByteBuffer;

/**
 * Sizes and writes message payloads. Each case checks its fields before its first write, so a failed encode leaves
 * the destination unchanged.
 */
final class PayloadWriter {
    private PayloadWriter() {
    }

    /** Payload bytes of {@code m} in profile {@code p} (long: variable parts may be huge). */
    static long payloadSize(WireProfile p, Message m) {
        switch (Layout.key(m)) {
            case Layout.T_REQ | MessageIds.GET_DEVICE_INFO:
            case Layout.T_RESP | MessageIds.SET_DRIVER_FEATURES:
            case Layout.T_REQ | MessageIds.GET_DEVICE_STATUS:
            case Layout.T_RESP | MessageIds.SET_VQUEUE:
            case Layout.T_RESP | MessageIds.RESET_VQUEUE:
                return 0;
            case Layout.T_REQ | MessageIds.GET_DEVICE_FEATURES:
            case Layout.T_REQ | MessageIds.GET_CONFIG:
            case Layout.T_REQ | MessageIds.EVENT_AVAIL:
                return 8;
            case Layout.T_RESP | MessageIds.GET_DEVICE_STATUS:
            case Layout.T_REQ | MessageIds.SET_DEVICE_STATUS:
            case Layout.T_RESP | MessageIds.SET_DEVICE_STATUS:
            case Layout.T_REQ | MessageIds.GET_VQUEUE:
            case Layout.T_REQ | MessageIds.RESET_VQUEUE:
            case Layout.T_REQ | MessageIds.GET_SHM:
            case Layout.T_REQ | MessageIds.EVENT_USED:
            case Layout.B_REQ | MessageIds.BUS_GET_DEVICES:
            case Layout.B_REQ | MessageIds.BUS_PING:
            case Layout.B_RESP | MessageIds.BUS_PING:
            case Layout.B_REQ | MessageIds.BUS_EVENT_DEVICE:
                return 4;
            case Layout.T_RESP | MessageIds.GET_DEVICE_INFO:
                return Layout.deviceInfoSize(p);
            case Layout.T_RESP | MessageIds.GET_DEVICE_FEATURES:
                return 8 + 4L * ((GetDeviceFeaturesResponse) m).features().length;
            case Layout.T_REQ | MessageIds.SET_DRIVER_FEATURES:
                return 8 + 4L * ((SetDriverFeaturesRequest) m).features().length;
            case Layout.T_RESP | MessageIds.GET_CONFIG:
                return 12L + ((GetConfigResponse) m).data().length;
            case Layout.T_REQ | MessageIds.SET_CONFIG:
                return 12L + ((SetConfigRequest) m).data().length;
            case Layout.T_RESP | MessageIds.SET_CONFIG:
                return 12L + ((SetConfigResponse) m).data().length;
            case Layout.T_RESP | MessageIds.GET_VQUEUE:
            case Layout.T_REQ | MessageIds.SET_VQUEUE:
                return Layout.vqueueSize(p);
            case Layout.T_RESP | MessageIds.GET_SHM:
                return Layout.shmSize(p);
            case Layout.T_REQ | MessageIds.EVENT_CONFIG:
                return 16L + ((EventConfig) m).data().length;
            case Layout.B_RESP | MessageIds.BUS_GET_DEVICES:
                return Layout.DEVICES_FIXED + (long) ((GetDevicesResponse) m).bitmap().length;
            default:
                throw new AssertionError("no layout for " + m.getClass().getName());
        }
    }

    /** Writes the payload of {@code m} ({@code len} bytes, as computed by {@link #payloadSize}) at {@code at}. */
    static void write(WireProfile p, Message m, ByteBuffer b, int at, int len) {
        switch (Layout.key(m)) {
            case Layout.T_REQ | MessageIds.GET_DEVICE_INFO:
            case Layout.T_RESP | MessageIds.SET_DRIVER_FEATURES:
            case Layout.T_REQ | MessageIds.GET_DEVICE_STATUS:
            case Layout.T_RESP | MessageIds.SET_VQUEUE:
            case Layout.T_RESP | MessageIds.RESET_VQUEUE:
                return;
            case Layout.T_RESP | MessageIds.GET_DEVICE_INFO:
                writeDeviceInfo(p, (GetDeviceInfoResponse) m, b, at);
                return;
            case Layout.T_REQ | MessageIds.GET_DEVICE_FEATURES: {
                GetDeviceFeaturesRequest r = (GetDeviceFeaturesRequest) m;
                Le.put32(b, at, r.blockIndex());
                Le.put32(b, at + 4, r.numBlocks());
                return;
            }
            case Layout.T_RESP | MessageIds.GET_DEVICE_FEATURES: {
                GetDeviceFeaturesResponse r = (GetDeviceFeaturesResponse) m;
                writeFeatures(r.blockIndex(), r.features(), b, at);
                return;
            }
            case Layout.T_REQ | MessageIds.SET_DRIVER_FEATURES: {
                SetDriverFeaturesRequest r = (SetDriverFeaturesRequest) m;
                writeFeatures(r.blockIndex(), r.features(), b, at);
                return;
            }
            case Layout.T_REQ | MessageIds.GET_CONFIG: {
                GetConfigRequest r = (GetConfigRequest) m;
                Le.put32(b, at, r.offset());
                Le.put32(b, at + 4, r.length());
                return;
            }
            case Layout.T_RESP | MessageIds.GET_CONFIG: {
                GetConfigResponse r = (GetConfigResponse) m;
                writeConfig(r.generation(), r.offset(), r.length(), r.data(), b, at);
                return;
            }
            case Layout.T_REQ | MessageIds.SET_CONFIG: {
                SetConfigRequest r = (SetConfigRequest) m;
                writeConfig(r.generation(), r.offset(), r.length(), r.data(), b, at);
                return;
            }
            case Layout.T_RESP | MessageIds.SET_CONFIG: {
                SetConfigResponse r = (SetConfigResponse) m;
                writeConfig(r.generation(), r.offset(), r.length(), r.data(), b, at);
                return;
            }
            case Layout.T_RESP | MessageIds.GET_DEVICE_STATUS:
                Le.put32(b, at, ((GetDeviceStatusResponse) m).status());
                return;
            case Layout.T_REQ | MessageIds.SET_DEVICE_STATUS:
                Le.put32(b, at, ((SetDeviceStatusRequest) m).status());
                return;
            case Layout.T_RESP | MessageIds.SET_DEVICE_STATUS:
                Le.put32(b, at, ((SetDeviceStatusResponse) m).status());
                return;
            case Layout.T_REQ | MessageIds.GET_VQUEUE:
                Le.put32(b, at, ((GetVqueueRequest) m).index());
                return;
            case Layout.T_RESP | MessageIds.GET_VQUEUE: {
                GetVqueueResponse r = (GetVqueueResponse) m;
                Le.put32(b, at, r.index());
                Le.put32(b, at + 4, r.maxSize());
                Le.put32(b, at + 8, r.size());
                if (p != WireProfile.RFC2) {
                    Le.put32(b, at + 12, p == WireProfile.REV1 ? r.flags() : 0);
                }
                writeAddrs(r.descriptorAddr(), r.driverAddr(), r.deviceAddr(), b, at + Layout.vqueueAddrs(p));
                return;
            }
            case Layout.T_REQ | MessageIds.SET_VQUEUE: {
                SetVqueueRequest r = (SetVqueueRequest) m;
                Le.put32(b, at, r.index());
                Le.put32(b, at + 4, p == WireProfile.REV1 ? r.flags() : 0);
                Le.put32(b, at + 8, r.size());
                if (p != WireProfile.RFC2) {
                    Le.put32(b, at + 12, 0);
                }
                writeAddrs(r.descriptorAddr(), r.driverAddr(), r.deviceAddr(), b, at + Layout.vqueueAddrs(p));
                return;
            }
            case Layout.T_REQ | MessageIds.RESET_VQUEUE:
                Le.put32(b, at, ((ResetVqueueRequest) m).index());
                return;
            case Layout.T_REQ | MessageIds.GET_SHM:
                Le.put32(b, at, ((GetShmRequest) m).shmId());
                return;
            case Layout.T_RESP | MessageIds.GET_SHM:
                writeShm(p, (GetShmResponse) m, b, at);
                return;
            case Layout.T_REQ | MessageIds.EVENT_CONFIG: {
                EventConfig r = (EventConfig) m;
                Le.put32(b, at, r.deviceStatus());
                writeConfig(r.generation(), r.offset(), r.length(), r.data(), b, at + 4);
                return;
            }
            case Layout.T_REQ | MessageIds.EVENT_AVAIL: {
                EventAvail r = (EventAvail) m;
                Le.put32(b, at, r.vqIndex());
                Le.put32(b, at + 4, r.nextOffset());
                return;
            }
            case Layout.T_REQ | MessageIds.EVENT_USED:
                Le.put32(b, at, ((EventUsed) m).vqIndex());
                return;
            case Layout.B_REQ | MessageIds.BUS_GET_DEVICES: {
                GetDevicesRequest r = (GetDevicesRequest) m;
                checkU16("GET_DEVICES offset", r.offset());
                checkU16("GET_DEVICES count", r.count());
                Le.put16(b, at, r.offset());
                Le.put16(b, at + 2, r.count());
                return;
            }
            case Layout.B_RESP | MessageIds.BUS_GET_DEVICES: {
                GetDevicesResponse r = (GetDevicesResponse) m;
                checkU16("GET_DEVICES offset", r.offset());
                checkU16("GET_DEVICES count", r.count());
                checkU16("GET_DEVICES next_offset", r.nextOffset());
                Le.put16(b, at, r.offset());
                Le.put16(b, at + Layout.devicesCount(p), r.count());
                Le.put16(b, at + Layout.devicesNextOffset(p), r.nextOffset());
                b.put(at + Layout.DEVICES_FIXED, r.bitmap());
                return;
            }
            case Layout.B_REQ | MessageIds.BUS_PING:
                Le.put32(b, at, ((PingRequest) m).data());
                return;
            case Layout.B_RESP | MessageIds.BUS_PING:
                Le.put32(b, at, ((PingResponse) m).data());
                return;
            case Layout.B_REQ | MessageIds.BUS_EVENT_DEVICE: {
                EventDevice r = (EventDevice) m;
                checkU16("EVENT_DEVICE device_number", r.deviceNumber());
                checkU16("EVENT_DEVICE device_bus_state", r.state());
                Le.put16(b, at, r.deviceNumber());
                Le.put16(b, at + 2, r.state());
                return;
            }
            default:
                throw new AssertionError("no layout for " + m.getClass().getName());
        }
    }

    private static void writeDeviceInfo(WireProfile p, GetDeviceInfoResponse r, ByteBuffer b, int at) {
        if (p == WireProfile.REV1) {
            Le.put32(b, at, r.deviceId());
            Le.put32(b, at + 4, r.vendorId());
            // The UUID is 16 bytes in RFC 4122 (big-endian) order, as uuid_t / QUuid carry it.
            long msb = r.deviceUuid().getMostSignificantBits();
            long lsb = r.deviceUuid().getLeastSignificantBits();
            Le.put64(b, at + 8, Long.reverseBytes(msb));
            Le.put64(b, at + 16, Long.reverseBytes(lsb));
            Le.put32(b, at + 24, r.numFeatureBlocks());
            Le.put32(b, at + 28, r.configSize());
            Le.put32(b, at + 32, r.maxVirtqueues());
            Le.put32(b, at + 36, r.adminVqStart());
            Le.put32(b, at + 40, r.adminVqCount());
            return;
        }
        long bits = Integer.toUnsignedLong(r.numFeatureBlocks()) * 32;
        if (bits > 0xFFFF_FFFFL) {
            throw new WireException(WireException.Reason.FIELD_OUT_OF_RANGE, "GET_DEVICE_INFO numFeatureBlocks "
                    + Integer.toUnsignedString(r.numFeatureBlocks()) + " does not fit num_feature_bits (u32) in " + p);
        }
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

    private static void writeShm(WireProfile p, GetShmResponse r, ByteBuffer b, int at) {
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

    private static void checkU16(String field, int value) {
        if ((value & ~0xFFFF) != 0) {
            throw new WireException(WireException.Reason.FIELD_OUT_OF_RANGE, field + " " + value + " is not a u16");
        }
    }

    private static void checkU32(String field, long value) {
        if ((value & ~0xFFFF_FFFFL) != 0) {
            throw new WireException(WireException.Reason.FIELD_OUT_OF_RANGE, field + " "
                    + Long.toUnsignedString(value) + " is not a u32");
        }
    }
}
