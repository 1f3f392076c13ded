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
     * fields, padding-free layout, type bits 2..7 written as zero. On any exception {@code dst} is unchanged.
     *
     * @return msg_size
     * @throws WireException OVERSIZED if msg_size exceeds the maximum, BUFFER_TOO_SMALL if {@code dst} lacks room,
     *         FIELD_OUT_OF_RANGE if dev_num, token or a message field does not fit its wire field
     */
    public int encode(Message m, int devNum, int token, ByteBuffer dst) {
        long size = headerSize + PayloadWriter.payloadSize(profile, m);
        int type = m.type();
        int msgId = m.msgId();
        if (size > maxMessageSize) {
            throw new WireException(WireException.Reason.OVERSIZED, MessageIds.name((type & 2) != 0, msgId)
                    + " needs msg_size " + size + " above the maximum " + maxMessageSize);
        }
        if (dst.isReadOnly()) {
            throw new ReadOnlyBufferException();
        }
        if (dst.remaining() < size) {
            throw new WireException(WireException.Reason.BUFFER_TOO_SMALL, MessageIds.name((type & 2) != 0, msgId)
                    + " needs " + size + " bytes, destination has " + dst.remaining());
        }
        if ((type & MessageType.BUS_BIT) != 0) {
            devNum = 0;
        } else if ((devNum & ~0xFFFF) != 0) {
            throw new WireException(WireException.Reason.FIELD_OUT_OF_RANGE, "dev_num " + devNum + " is not a u16");
        }
        if (!hasToken) {
            token = 0;
        } else if ((token & ~0xFFFF) != 0) {
            throw new WireException(WireException.Reason.FIELD_OUT_OF_RANGE, "token " + token + " is not a u16");
        }
        int at = dst.position();
        int msgSize = (int) size;
        PayloadWriter.write(profile, m, dst, at + headerSize, msgSize - headerSize);
        Le.put8(dst, at, type);
        Le.put8(dst, at + 1, msgId);
        Le.put16(dst, at + 2, devNum);
        if (hasToken) {
            Le.put16(dst, at + 4, token);
            Le.put16(dst, at + 6, msgSize);
        } else {
            Le.put16(dst, at + 4, msgSize);
        }
        dst.position(at + msgSize);
        return msgSize;
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
            throw new WireException(WireException.Reason.TRUNCATED,
                    remaining + " bytes available, the " + profile + " header needs " + headerSize);
        }
        int type = Le.u8(src, at) & MessageType.VALID_MASK;
        int msgId = Le.u8(src, at + 1);
        int devNum = Le.u16(src, at + 2);
        int token = hasToken ? Le.u16(src, at + 4) : 0;
        int msgSize = Le.u16(src, at + (hasToken ? 6 : 4));
        checkFrame(type, msgId, devNum, msgSize, remaining);
        return new Header(type, msgId, devNum, token, msgSize);
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
        Message m = PayloadReader.read(profile, type, h.msgId(), msgSize, src, at + headerSize, msgSize - headerSize);
        src.position(at + msgSize);
        return m;
    }

    /** {@link #readHeader} then {@link #readMessage}. */
    public Frame decode(ByteBuffer src) {
        Header h = readHeader(src);
        return new Frame(h, readMessage(h, src));
    }

    private void checkFrame(int type, int msgId, int devNum, int msgSize, int remaining) {
        if (msgSize < headerSize) {
            throw new WireException(WireException.Reason.BELOW_MINIMUM, describe(type, msgId) + ": msg_size "
                    + msgSize + " is below the " + profile + " header size " + headerSize);
        }
        if (msgSize > maxMessageSize) {
            throw new WireException(WireException.Reason.OVERSIZED, describe(type, msgId) + ": msg_size " + msgSize
                    + " is above the bus maximum " + maxMessageSize);
        }
        if (msgSize > remaining) {
            throw new WireException(WireException.Reason.TRUNCATED, describe(type, msgId) + ": msg_size " + msgSize
                    + " but only " + remaining + " bytes available");
        }
        if ((type & MessageType.BUS_BIT) != 0 && devNum != 0) {
            throw new WireException(WireException.Reason.BAD_HEADER, describe(type, msgId) + ": bus message with dev_num "
                    + devNum + " (must be 0)");
        }
    }

    static String describe(int type, int msgId) {
        return MessageIds.name((type & MessageType.BUS_BIT) != 0, msgId)
                + ((type & MessageType.RESPONSE_BIT) != 0 ? " response" : "") + " (type " + type + ", msg_id 0x"
                + Integer.toHexString(msgId) + ")";
    }
}
