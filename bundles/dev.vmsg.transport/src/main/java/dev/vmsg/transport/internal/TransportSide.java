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
    final SideMetrics metrics = new SideMetrics();
    /** The bus's message trace while it is on; null (the default) when off. */
    private volatile MessageTrace trace;
    private final String side = this instanceof DriverTransport ? "driver" : "device";
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

    SideMetrics metrics() {
        return metrics;
    }

    /** "driver" or "device". */
    String side() {
        return side;
    }

    /** Starts ({@code t} non-null) or stops recording this side's frames into a bus trace. */
    void trace(MessageTrace t) {
        trace = t;
    }

    @Override
    public final void onFrame(ByteBuffer frame) {
        int bytes = frame.remaining();
        MessageTrace t = trace;
        ByteBuffer raw = t == null ? null : frame.duplicate();
        Header header = null;
        Message message;
        try {
            header = codec.readHeader(frame);
            if (header.isImplementationDefined()) {
                counters.dropped("bus-specific message " + Integer.toHexString(header.msgId()));
                metrics.receivedUndecodable(bytes);
                if (t != null) {
                    t.record(side, false, raw, header, "dropped: bus-specific message");
                }
                return;
            }
            message = codec.readMessage(header, frame);
        } catch (WireException e) {
            counters.dropped("malformed: " + e.reason());
            metrics.receivedUndecodable(bytes);
            if (t != null) {
                t.record(side, false, raw, header, "dropped: malformed: " + e.getMessage());
            }
            rateLimitedWarn("bus " + busName() + ": dropped a malformed frame: " + e.getMessage());
            return;
        }
        counters.received(header.isBusMessage(), header.msgId(), header.isResponse());
        metrics.received(header.isBusMessage(), header.devNum(), header.msgId(), header.isResponse(), bytes);
        if (t != null) {
            t.record(side, false, raw, header, String.valueOf(message));
        }
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
        int bytes = buffer.remaining();
        MessageTrace t = trace;
        if (t != null) {
            t.record(side, true, buffer, headerOf(buffer), String.valueOf(message));
        }
        endpoint.send(buffer);
        boolean bus = message instanceof BusMessage;
        boolean response = message.kind() == MessageKind.RESPONSE;
        counters.sent(bus, message.msgId(), response);
        metrics.sent(bus, devNum, message.msgId(), response, bytes);
    }

    private Header headerOf(ByteBuffer frame) {
        try {
            return codec.readHeader(frame.duplicate());
        } catch (WireException e) {
            return null;
        }
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
