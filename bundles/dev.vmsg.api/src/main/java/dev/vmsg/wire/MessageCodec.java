package dev.vmsg.wire;

import java.nio.ByteBuffer;
import java.nio.ReadOnlyBufferException;
import java.util.Objects;

/**
 * Encodes and decodes virtio-msg messages for one {@link WireProfile} and one bus maximum message size. Immutable and
 * thread-safe. All fields are little-endian whatever the buffer's {@code order()}; buffers are accessed with absolute
 * indexes, and only their position is moved.
 *
 * <p>Decoding checks, in this order: the header fits, {@code headerSize <= msg_size <= maxMessageSize}, msg_size bytes
 * are available, bus messages have dev_num 0, the (type, msg_id) pair is known, msg_size reaches the message's fixed
 * part, variable parts (feature blocks, config data, bitmap) fit in msg_size. Bytes after the layout are padding and
 * ignored; reserved fields and type bits 2..7 are ignored. Every failure is a {@link WireException}; no other
 * exception escapes a decode.
 *
 * <p>Profile normalisation (spec decision 11.6): RFC3/RFC2 GET_VQUEUE responses decode with {@code flags = ENABLED}
 * iff {@code size != 0}; RFC3/RFC2 SET_VQUEUE requests decode with {@code flags = ENABLE}; encoding drops flags in those
 * profiles. RFC3/RFC2 GET_DEVICE_INFO carries {@code num_feature_bits = 32 * numFeatureBlocks}, no UUID (decoded as the
 * nil UUID) and u16 admin fields; RFC3/RFC2 GET_SHM carries u32 length and address. Values that do not fit their
 * field fail with {@link WireException.Reason#FIELD_OUT_OF_RANGE}.
 */
public final class MessageCodec {
    /** The largest msg_size the 16-bit field can hold. */
    public static final int MAX_MESSAGE_SIZE_LIMIT = 0xFFFF;

    private final WireProfile profile;
    private final int maxMessageSize;
    private final int headerSize;
    private final boolean hasToken;

    /**
     * @throws IllegalArgumentException if {@code maxMessageSize} is below {@link WireProfile#minimumBusMessageSize()}
     *         or above 65535
     */
    public MessageCodec(WireProfile profile, int maxMessageSize) {
        this.profile = Objects.requireNonNull(profile, "profile");
        if (maxMessageSize < profile.minimumBusMessageSize() || maxMessageSize > MAX_MESSAGE_SIZE_LIMIT) {
            throw new IllegalArgumentException("maxMessageSize " + maxMessageSize + " is outside ["
                    + profile.minimumBusMessageSize() + ", " + MAX_MESSAGE_SIZE_LIMIT + "] for profile " + profile);
        }
        this.maxMessageSize = maxMessageSize;
        this.headerSize = profile.headerSize();
        this.hasToken = profile.hasToken();
    }

    public WireProfile profile() {
        return profile;
    }

    public int maxMessageSize() {
        return maxMessageSize;
    }

    /** The msg_size {@code m} encodes to in this profile (may exceed {@link #maxMessageSize()}). */
    public int encodedSize(Message m) {
        return (int) Math.min(Integer.MAX_VALUE, headerSize + PayloadWriter.payloadSize(profile, m));
    }

    /**
     * Writes {@code m} with its header at {@code dst.position()} and advances the position by msg_size. Bus messages
     * always carry dev_num 0 ({@code devNum} is ignored); RFC2 has no token ({@code token} is ignored). Reserved
     * fields and type bits 2..7 are written as zero; nothing is written past msg_size. On any exception {@code dst}
     * is unchanged (contents and position).
     *
     * @return msg_size
     * @throws WireException OVERSIZED if msg_size exceeds the maximum, BUFFER_TOO_SMALL if {@code dst} lacks room,
     *         FIELD_OUT_OF_RANGE if dev_num, token or a message field does not fit its wire field
     * @throws java.nio.ReadOnlyBufferException if {@code dst} is read-only
     */
    public int encode(Message m, int devNum, int token, ByteBuffer dst) {
        long size = headerSize + PayloadWriter.payloadSize(profile, m);
        int type = m.type();
        if (size > maxMessageSize || size > dst.remaining() || dst.isReadOnly()) {
            throw cannotEncode(m, size, dst);
        }
        if ((type & MessageType.BUS_BIT) != 0) {
            devNum = 0;
        }
        if (!hasToken) {
            token = 0;
        }
        if (((devNum | token) & ~0xFFFF) != 0) {
            throw new WireException(WireException.Reason.FIELD_OUT_OF_RANGE,
                    "dev_num " + devNum + " and token " + token + " must both be u16");
        }
        int at = dst.position();
        int msgSize = (int) size;
        PayloadWriter.write(profile, m, dst, at + headerSize);
        // type, msg_id and dev_num are the low 32 bits of the header in every profile.
        int first = type | m.msgId() << 8 | devNum << 16;
        if (hasToken) {
            Le.put64(dst, at, Integer.toUnsignedLong(first) | (long) token << 32 | (long) msgSize << 48);
        } else {
            Le.put32(dst, at, first);
            Le.put16(dst, at + 4, msgSize);
        }
        dst.position(at + msgSize);
        return msgSize;
    }

    private RuntimeException cannotEncode(Message m, long size, ByteBuffer dst) {
        String what = MessageIds.name(m instanceof BusMessage, m.msgId()) + " " + m.kind();
        if (size > maxMessageSize) {
            return new WireException(WireException.Reason.OVERSIZED,
                    what + " needs msg_size " + size + " above the maximum " + maxMessageSize);
        }
        if (dst.isReadOnly()) {
            return new ReadOnlyBufferException();
        }
        return new WireException(WireException.Reason.BUFFER_TOO_SMALL,
                what + " needs " + size + " bytes, the destination has " + dst.remaining());
    }

    /**
     * Reads and validates the header at {@code src.position()} without moving the position. {@link Header#type()} has
     * the reserved bits 2..7 masked off; the token is 0 in profiles without one.
     *
     * @throws WireException TRUNCATED, BELOW_MINIMUM, OVERSIZED or BAD_HEADER (bus message with dev_num != 0)
     */
    public Header readHeader(ByteBuffer src) {
        int at = src.position();
        int remaining = src.remaining();
        if (remaining < headerSize) {
            throw truncatedHeader(remaining);
        }
        int first = Le.u32(src, at);
        int type = first & MessageType.VALID_MASK;
        int msgId = (first >>> 8) & 0xFF;
        int devNum = first >>> 16;
        int token = hasToken ? Le.u16(src, at + 4) : 0;
        int msgSize = Le.u16(src, at + (hasToken ? 6 : 4));
        checkFrame(type, msgId, devNum, msgSize, remaining);
        return new Header(type, msgId, devNum, token, msgSize);
    }

    private WireException truncatedHeader(int remaining) {
        return new WireException(WireException.Reason.TRUNCATED,
                remaining + " bytes available, the " + profile + " header needs " + headerSize);
    }

    /**
     * Decodes the message whose header {@code h} was read at {@code src.position()} and advances the position by
     * msg_size. Unknown (type, msg_id) pairs, including bus-specific ids 0x80..0xFF, fail with UNKNOWN_ID: a bus
     * handles those from the header before calling this.
     *
     * @throws WireException see the class description
     */
    public Message readMessage(Header h, ByteBuffer src) {
        int at = src.position();
        int type = h.type() & MessageType.VALID_MASK;
        int msgSize = h.msgSize();
        checkFrame(type, h.msgId(), h.devNum(), msgSize, src.remaining());
        Message m = PayloadReader.read(profile, type, h.msgId(), src, at + headerSize, msgSize - headerSize);
        src.position(at + msgSize);
        return m;
    }

    /** {@link #readHeader} then {@link #readMessage}. */
    public Frame decode(ByteBuffer src) {
        Header h = readHeader(src);
        return new Frame(h, readMessage(h, src));
    }

    private void checkFrame(int type, int msgId, int devNum, int msgSize, int remaining) {
        if (msgSize < headerSize || msgSize > maxMessageSize || msgSize > remaining
                || ((type & MessageType.BUS_BIT) != 0 && devNum != 0)) {
            throw badFrame(type, msgId, devNum, msgSize, remaining);
        }
    }

    private WireException badFrame(int type, int msgId, int devNum, int msgSize, int remaining) {
        String what = describe(type, msgId);
        if (msgSize < headerSize) {
            return new WireException(WireException.Reason.BELOW_MINIMUM,
                    what + ": msg_size " + msgSize + " is below the " + profile + " header size " + headerSize);
        }
        if (msgSize > maxMessageSize) {
            return new WireException(WireException.Reason.OVERSIZED,
                    what + ": msg_size " + msgSize + " is above the bus maximum " + maxMessageSize);
        }
        if (msgSize > remaining) {
            return new WireException(WireException.Reason.TRUNCATED,
                    what + ": msg_size " + msgSize + " but only " + remaining + " bytes available");
        }
        return new WireException(WireException.Reason.BAD_HEADER,
                what + ": bus message with dev_num " + devNum + " (must be 0)");
    }

    static String describe(int type, int msgId) {
        return MessageIds.name((type & MessageType.BUS_BIT) != 0, msgId)
                + ((type & MessageType.RESPONSE_BIT) != 0 ? " response" : "") + " (type " + type + ", msg_id 0x"
                + Integer.toHexString(msgId) + ")";
    }
}
