package dev.vmsg.transport.internal;

import dev.vmsg.bus.BusEndpoint;
import dev.vmsg.bus.FrameReceiver;
import dev.vmsg.memory.DmaWindow;
import dev.vmsg.wire.BusMessage;
import dev.vmsg.wire.Header;
import dev.vmsg.wire.Message;
import dev.vmsg.wire.MessageCodec;
import dev.vmsg.wire.MessageKind;
import dev.vmsg.wire.WireException;
import java.nio.ByteBuffer;
import java.util.Map;

/**
 * What the driver side and the device side of a bus share: the endpoint, the codec of the bus's
 * profile, the message counters, and the receive path that turns a frame into a message or a
 * counted drop (malformed frames and bus-specific ids never reach the protocol code).
 */
abstract class TransportSide implements FrameReceiver {

    final BusEndpoint endpoint;
    final MessageCodec codec;
    final TransportLog log;
    final MessageCounters counters = new MessageCounters();
    private final RateLimiter warnLimiter = new RateLimiter(10, 60_000);

    TransportSide(BusEndpoint endpoint, TransportLog log) {
        this.endpoint = endpoint;
        this.log = log;
        this.codec = new MessageCodec(endpoint.info().profile(), endpoint.info().maxMessageSize());
    }

    String busName() {
        return endpoint.info().name();
    }

    DmaWindow window() {
        return endpoint.info().window();
    }

    /** Payload bytes one message can carry on this bus. */
    int maxPayload() {
        return codec.maxMessageSize() - codec.profile().headerSize();
    }

    MessageCounters counters() {
        return counters;
    }

    TransportLog log() {
        return log;
    }

    @Override
    public final void onFrame(ByteBuffer frame) {
        Header header;
        Message message;
        try {
            header = codec.readHeader(frame);
            if (header.isImplementationDefined()) {
                counters.dropped("bus-specific message " + Integer.toHexString(header.msgId()));
                return;
            }
            message = codec.readMessage(header, frame);
        } catch (WireException e) {
            counters.dropped("malformed: " + e.reason());
            rateLimitedWarn("bus " + busName() + ": dropped a malformed frame: " + e.getMessage());
            return;
        }
        counters.received(header.isBusMessage(), header.msgId(), header.isResponse());
        onMessage(header, message);
    }

    /** A well-formed message arrived; on the bus's delivery thread. */
    abstract void onMessage(Header header, Message message);

    /**
     * Encodes {@code message} into {@code buffer} and sends it, counting it.
     *
     * @throws dev.vmsg.bus.BusException when the bus refuses it
     * @throws WireException when it cannot be encoded for this bus
     */
    void encodeAndSend(ByteBuffer buffer, int devNum, int token, Message message) {
        buffer.clear();
        codec.encode(message, devNum, token, buffer);
        buffer.flip();
        endpoint.send(buffer);
        counters.sent(message instanceof BusMessage, message.msgId(), message.kind() == MessageKind.RESPONSE);
    }

    void rateLimitedWarn(String message) {
        if (warnLimiter.tryAcquire()) {
            log.warn(message);
        }
    }

    public Map<String, Long> messageCounts() {
        return counters.snapshot();
    }
}
