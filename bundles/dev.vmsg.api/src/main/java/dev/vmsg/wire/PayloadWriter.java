package dev.vmsg.wire;

import java.nio.ByteBuffer;

/**
 * Sizes and writes message payloads: one small method per layout, selected by an {@code instanceof} chain on the
 * record class (hot fixed-size messages first, in small groups) so that the JIT inlines the whole path of a hot message
 * and no interface call is made on the message: a message whose class is known at the call site is written with no
 * dispatch at all and can stay unallocated. A layout writes nothing unless its payload fits the room it is given, and
 * checks its fields before its first write, so a failed encode leaves the destination unchanged.
 *
 * <p>{@link #write} returns what the header needs as one {@code long}: the payload size, the msg_id and the type.
 */
final class PayloadWriter {
    /** The room that makes {@link #write} size a message without touching the buffer. */
    private static final int SIZE_ONLY = -1;

    private PayloadWriter() {
    }

    /** The result of {@link #write} for a message without writing it (fields are not checked). */
    static long describe(WireProfile p, Message m) {
        return write(p, m, null, 0, SIZE_ONLY);
    }

    /** Payload bytes of a {@link #write} result (a long: variable parts may be huge). */
    static long payloadSize(long written) {
        return written >>> 16;
    }

    /** The msg_id of a {@link #write} result. */
    static int msgId(long written) {
        return (int) written >>> 8 & 0xFF;
    }

    /** The header type of a {@link #write} result. */
    static int type(long written) {
        return (int) written & 0xFF;
    }

    /** Packs what {@link #write} returns; inlined where {@code m}'s class is known, so its calls are constants. */
    private static long written(Message m, long payloadSize) {
        return payloadSize << 16 | m.msgId() << 8 | m.type();
    }

    /**
     * Writes the payload of {@code m} at {@code at} if it fits in {@code room} bytes (nothing is written and no field is
     * checked otherwise), and returns its size, msg_id and type.
     *
     * @throws WireException FIELD_OUT_OF_RANGE, before any write, if a field does not fit its wire field
     */
    static long write(WireProfile p, Message m, ByteBuffer b, int at, int room) {
        if (m instanceof EventAvail r) {
            return write(r, b, at, room);
        } else if (m instanceof EventUsed r) {
            return u32(r, r.vqIndex(), b, at, room);
        } else if (m instanceof SetVqueueRequest r) {
            return write(p, r, b, at, room);
        } else if (m instanceof SetVqueueResponse r) {
            return written(r, 0);
        } else if (m instanceof GetVqueueRequest r) {
            return u32(r, r.index(), b, at, room);
        } else if (m instanceof GetVqueueResponse r) {
            return write(p, r, b, at, room);
        } else if (m instanceof PingRequest r) {
            return u32(r, r.data(), b, at, room);
        } else if (m instanceof PingResponse r) {
            return u32(r, r.data(), b, at, room);
        }
        return writeSetup(p, m, b, at, room);
    }

    /** Device setup and status messages. */
    private static long writeSetup(WireProfile p, Message m, ByteBuffer b, int at, int room) {
        if (m instanceof GetDeviceStatusRequest r) {
            return written(r, 0);
        } else if (m instanceof GetDeviceStatusResponse r) {
            return u32(r, r.status(), b, at, room);
        } else if (m instanceof SetDeviceStatusRequest r) {
            return u32(r, r.status(), b, at, room);
        } else if (m instanceof SetDeviceStatusResponse r) {
            return u32(r, r.status(), b, at, room);
        } else if (m instanceof ResetVqueueRequest r) {
            return u32(r, r.index(), b, at, room);
        } else if (m instanceof ResetVqueueResponse r) {
            return written(r, 0);
        } else if (m instanceof GetDeviceInfoRequest r) {
            return written(r, 0);
        } else if (m instanceof GetDeviceInfoResponse r) {
            return write(p, r, b, at, room);
        } else if (m instanceof GetShmRequest r) {
            return u32(r, r.shmId(), b, at, room);
        } else if (m instanceof GetShmResponse r) {
            return write(p, r, b, at, room);
        }
        return writeVariable(p, m, b, at, room);
    }

    /** Feature, configuration and discovery messages, most of them with a variable part. */
    private static long writeVariable(WireProfile p, Message m, ByteBuffer b, int at, int room) {
        if (m instanceof GetDeviceFeaturesRequest r) {
            return write(r, b, at, room);
        } else if (m instanceof GetDeviceFeaturesResponse r) {
            return writeFeatures(r, r.blockIndex(), r.features(), b, at, room);
        } else if (m instanceof SetDriverFeaturesRequest r) {
            return writeFeatures(r, r.blockIndex(), r.features(), b, at, room);
        } else if (m instanceof SetDriverFeaturesResponse r) {
            return written(r, 0);
        } else if (m instanceof GetConfigRequest r) {
            return write(r, b, at, room);
        } else if (m instanceof GetConfigResponse r) {
            return writeConfig(r, r.generation(), r.offset(), r.length(), r.data(), b, at, room);
        } else if (m instanceof SetConfigRequest r) {
            return writeConfig(r, r.generation(), r.offset(), r.length(), r.data(), b, at, room);
        } else if (m instanceof SetConfigResponse r) {
            return writeConfig(r, r.generation(), r.offset(), r.length(), r.data(), b, at, room);
        } else if (m instanceof EventConfig r) {
            return write(r, b, at, room);
        }
        return writeBus(p, m, b, at, room);
    }

    private static long writeBus(WireProfile p, Message m, ByteBuffer b, int at, int room) {
        if (m instanceof GetDevicesRequest r) {
            return write(r, b, at, room);
        } else if (m instanceof GetDevicesResponse r) {
            return write(p, r, b, at, room);
        } else if (m instanceof EventDevice r) {
            return write(r, b, at, room);
        }
        throw new AssertionError(m);
    }

    /** The single u32 of the many one-field layouts. */
    private static long u32(Message m, int value, ByteBuffer b, int at, int room) {
        if (room >= 4) {
            Le.put32(b, at, value);
        }
        return written(m, 4);
    }

    private static long write(WireProfile p, GetDeviceInfoResponse r, ByteBuffer b, int at, int room) {
        int size = Layout.deviceInfoSize(p);
        if (room < size) {
            return written(r, size);
        }
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
            return written(r, size);
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
        return written(r, size);
    }

    private static long write(GetDeviceFeaturesRequest r, ByteBuffer b, int at, int room) {
        if (room >= 8) {
            Le.put32(b, at, r.blockIndex());
            Le.put32(b, at + 4, r.numBlocks());
        }
        return written(r, 8);
    }

    private static long write(GetConfigRequest r, ByteBuffer b, int at, int room) {
        if (room >= 8) {
            Le.put32(b, at, r.offset());
            Le.put32(b, at + 4, r.length());
        }
        return written(r, 8);
    }

    /** Decision 11.6: the 2025 profiles have a reserved field (RFC3) or nothing (RFC2) where REV1 has flags. */
    private static long write(WireProfile p, GetVqueueResponse r, ByteBuffer b, int at, int room) {
        int size = Layout.vqueueSize(p);
        if (room >= size) {
            Le.put32(b, at, r.index());
            Le.put32(b, at + 4, r.maxSize());
            Le.put32(b, at + 8, r.size());
            if (p != WireProfile.RFC2) {
                Le.put32(b, at + 12, p == WireProfile.REV1 ? r.flags() : 0);
            }
            writeAddrs(r.descriptorAddr(), r.driverAddr(), r.deviceAddr(), b, at + Layout.vqueueAddrs(p));
        }
        return written(r, size);
    }

    /** Decision 11.6: the 2025 profiles have a reserved field where REV1 has flags; a 2025 SET_VQUEUE enables. */
    private static long write(WireProfile p, SetVqueueRequest r, ByteBuffer b, int at, int room) {
        int size = Layout.vqueueSize(p);
        if (room >= size) {
            Le.put32(b, at, r.index());
            Le.put32(b, at + 4, p == WireProfile.REV1 ? r.flags() : 0);
            Le.put32(b, at + 8, r.size());
            if (p != WireProfile.RFC2) {
                Le.put32(b, at + 12, 0);
            }
            writeAddrs(r.descriptorAddr(), r.driverAddr(), r.deviceAddr(), b, at + Layout.vqueueAddrs(p));
        }
        return written(r, size);
    }

    private static long write(WireProfile p, GetShmResponse r, ByteBuffer b, int at, int room) {
        int size = Layout.shmSize(p);
        if (room < size) {
            return written(r, size);
        }
        if (p == WireProfile.REV1) {
            Le.put32(b, at, r.shmId());
            Le.put32(b, at + 4, 0);
            Le.put64(b, at + 8, r.length());
            Le.put64(b, at + 16, r.address());
            return written(r, size);
        }
        checkU32("GET_SHM length (u32 before REV1)", r.length());
        checkU32("GET_SHM address (u32 before REV1)", r.address());
        Le.put32(b, at, r.shmId());
        Le.put32(b, at + 4, (int) r.length());
        Le.put32(b, at + 8, (int) r.address());
        return written(r, size);
    }

    private static long write(EventConfig r, ByteBuffer b, int at, int room) {
        long size = 16L + r.data().length;
        if (room >= size) {
            Le.put32(b, at, r.deviceStatus());
            putConfig(r.generation(), r.offset(), r.length(), r.data(), b, at + 4);
        }
        return written(r, size);
    }

    private static long write(EventAvail r, ByteBuffer b, int at, int room) {
        if (room >= 8) {
            Le.put32(b, at, r.vqIndex());
            Le.put32(b, at + 4, r.nextOffset());
        }
        return written(r, 8);
    }

    private static long write(GetDevicesRequest r, ByteBuffer b, int at, int room) {
        if (room >= 4) {
            checkU16("GET_DEVICES offset", r.offset());
            checkU16("GET_DEVICES count", r.count());
            Le.put16(b, at, r.offset());
            Le.put16(b, at + 2, r.count());
        }
        return written(r, 4);
    }

    private static long write(WireProfile p, GetDevicesResponse r, ByteBuffer b, int at, int room) {
        long size = Layout.DEVICES_FIXED + (long) r.bitmap().length;
        if (room >= size) {
            checkU16("GET_DEVICES offset", r.offset());
            checkU16("GET_DEVICES count", r.count());
            checkU16("GET_DEVICES next_offset", r.nextOffset());
            Le.put16(b, at, r.offset());
            Le.put16(b, at + Layout.devicesCount(p), r.count());
            Le.put16(b, at + Layout.devicesNextOffset(p), r.nextOffset());
            b.put(at + Layout.DEVICES_FIXED, r.bitmap());
        }
        return written(r, size);
    }

    private static long write(EventDevice r, ByteBuffer b, int at, int room) {
        if (room >= 4) {
            checkU16("EVENT_DEVICE device_number", r.deviceNumber());
            checkU16("EVENT_DEVICE device_bus_state", r.state());
            Le.put16(b, at, r.deviceNumber());
            Le.put16(b, at + 2, r.state());
        }
        return written(r, 4);
    }

    /** block_index, num_blocks (the array's length), then the blocks. */
    private static long writeFeatures(Message m, int blockIndex, int[] features, ByteBuffer b, int at, int room) {
        long size = 8 + 4L * features.length;
        if (room >= size) {
            Le.put32(b, at, blockIndex);
            Le.put32(b, at + 4, features.length);
            for (int i = 0; i < features.length; i++) {
                Le.put32(b, at + 8 + 4 * i, features[i]);
            }
        }
        return written(m, size);
    }

    /** generation, offset, length, then the data. */
    private static long writeConfig(Message m, int generation, int offset, int length, byte[] data, ByteBuffer b,
            int at, int room) {
        long size = 12L + data.length;
        if (room >= size) {
            putConfig(generation, offset, length, data, b, at);
        }
        return written(m, size);
    }

    private static void putConfig(int generation, int offset, int length, byte[] data, ByteBuffer b, int at) {
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
