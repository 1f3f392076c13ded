package dev.vmsg.transport.internal;

import dev.vmsg.bus.DeviceEndpoint;
import dev.vmsg.bus.FrameReceiver;
import dev.vmsg.wire.Frame;
import dev.vmsg.wire.Message;
import dev.vmsg.wire.MessageCodec;
import java.nio.ByteBuffer;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.function.Function;

/**
 * A scripted device side that plays a silent, slow or lying device: for each frame the driver
 * sends, {@code script} returns the reply to send (or null for silence).
 */
final class HostileDevice implements FrameReceiver {

    final MessageCodec codec;
    final DeviceEndpoint endpoint;
    final BlockingQueue<Frame> received = new LinkedBlockingQueue<>();
    volatile Function<Frame, Message> script;
    /** Answer GET_DEVICES with an empty bus when the script does not, so discovery does not hold the bus slot. */
    volatile boolean answerDiscovery = true;

    HostileDevice(DeviceEndpoint endpoint, Function<Frame, Message> script) {
        this.endpoint = endpoint;
        this.codec = new MessageCodec(endpoint.info().profile(), endpoint.info().maxMessageSize());
        this.script = script;
        endpoint.open(this);
    }

    @Override
    public void onFrame(ByteBuffer frame) {
        Frame f = codec.decode(frame);
        received.add(f);
        Message reply = script.apply(f);
        if (reply == null && answerDiscovery && f.message() instanceof dev.vmsg.wire.GetDevicesRequest r) {
            reply = dev.vmsg.wire.GetDevicesResponse.of(r.offset(), r.count(), 0, java.util.List.of());
        }
        if (reply != null) {
            send(reply, f.header().devNum(), f.header().token());
        }
    }

    void send(Message m, int devNum, int token) {
        ByteBuffer b = ByteBuffer.allocate(codec.maxMessageSize());
        codec.encode(m, devNum, token, b);
        b.flip();
        endpoint.send(b);
    }
}
