package dev.vmsg.transport.internal;

import static org.junit.jupiter.api.Assertions.assertNotNull;

import dev.vmsg.bus.DriverEndpoint;
import dev.vmsg.bus.FrameReceiver;
import dev.vmsg.wire.Frame;
import dev.vmsg.wire.Message;
import dev.vmsg.wire.MessageCodec;
import java.nio.ByteBuffer;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A hand-driven driver side: sends exactly the messages (or raw bytes) a test writes and collects
 * every frame the device side sends back. It plays a buggy or hostile driver.
 */
final class RawDriver implements FrameReceiver {

    final MessageCodec codec;
    final DriverEndpoint endpoint;
    final BlockingQueue<Frame> received = new LinkedBlockingQueue<>();
    private int token;

    RawDriver(DriverEndpoint endpoint) {
        this.endpoint = endpoint;
        this.codec = new MessageCodec(endpoint.info().profile(), endpoint.info().maxMessageSize());
        endpoint.open(this);
    }

    @Override
    public void onFrame(ByteBuffer frame) {
        received.add(codec.decode(frame));
    }

    void send(Message m, int devNum) {
        ByteBuffer b = ByteBuffer.allocate(codec.maxMessageSize());
        codec.encode(m, devNum, ++token & 0xFFFF, b);
        b.flip();
        endpoint.send(b);
    }

    void sendRaw(byte[] bytes) {
        endpoint.send(ByteBuffer.wrap(bytes));
    }

    /** Sends a request to device {@code devNum} and returns the response (skipping events). */
    @SuppressWarnings("unchecked")
    <T extends Message> T call(Message request, int devNum) throws InterruptedException {
        send(request, devNum);
        while (true) {
            Frame f = received.poll(5, TimeUnit.SECONDS);
            assertNotNull(f, "no response to " + request);
            if (f.header().isResponse()) {
                return (T) f.message();
            }
        }
    }

    /** Next frame within {@code millis}, or null. */
    Frame next(long millis) throws InterruptedException {
        return received.poll(millis, TimeUnit.MILLISECONDS);
    }
}
