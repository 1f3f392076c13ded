package dev.vmsg.bench;

import dev.vmsg.bus.BusEndpoint;
import dev.vmsg.bus.FrameReceiver;
import dev.vmsg.wire.Header;
import dev.vmsg.wire.Message;
import dev.vmsg.wire.MessageCodec;
import dev.vmsg.wire.WireProfile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** The device side of B2: decode the request, dispatch it, encode the response into a reused buffer, send it. */
final class DeviceResponder implements FrameReceiver {
    private final BusEndpoint endpoint;
    private final MessageCodec codec;
    private final VqueueDevice device = new VqueueDevice();
    private final ByteBuffer responseSlot;

    DeviceResponder(BusEndpoint endpoint, WireProfile profile, int maxMessage) {
        this.endpoint = endpoint;
        this.codec = new MessageCodec(profile, maxMessage);
        this.responseSlot = ByteBuffer.allocateDirect(maxMessage).order(ByteOrder.LITTLE_ENDIAN);
    }

    @Override
    public void onFrame(ByteBuffer frame) {
        Header h = codec.readHeader(frame);
        Message response = device.handle(codec.readMessage(h, frame));
        ByteBuffer out = responseSlot;
        out.clear();
        codec.encode(response, h.devNum(), h.token(), out);
        out.flip();
        endpoint.send(out);
    }
}
