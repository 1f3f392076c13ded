package dev.vmsg.bench;

import dev.vmsg.bus.Bus;
import dev.vmsg.bus.DeviceEndpoint;
import dev.vmsg.bus.DriverEndpoint;
import dev.vmsg.wire.Header;
import dev.vmsg.wire.Message;
import dev.vmsg.wire.MessageCodec;
import dev.vmsg.wire.SetVqueueRequest;
import dev.vmsg.wire.VqueueFlags;
import dev.vmsg.wire.WireProfile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The request/response loop of the bus benchmark that delivers on the bus's own threads (B2 with
 * three threads): the caller encodes a 48-byte SET_VQUEUE request (REV1) and sends it on the
 * driver endpoint; {@link DeviceResponder} answers on the device side; the driver endpoint's
 * delivery thread decodes the response and publishes completion through an {@link AtomicLong}
 * the caller spins on.
 */
final class AsyncRoundTrip {

    private final DriverEndpoint driver;
    private final MessageCodec driverCodec;
    private final ByteBuffer requestSlot;
    private final Message request;
    private final AtomicLong completions = new AtomicLong();
    private volatile long lastValue;
    private long sent;

    AsyncRoundTrip(Bus bus, int maxMessage) {
        driver = bus.driverEndpoint().get();
        DeviceEndpoint device = bus.deviceEndpoint().get();
        driverCodec = new MessageCodec(WireProfile.REV1, maxMessage);
        requestSlot = ByteBuffer.allocateDirect(maxMessage).order(ByteOrder.LITTLE_ENDIAN);
        request = new SetVqueueRequest(2, VqueueFlags.ENABLE, 128, 0x4000_6000L, 0x4000_7000L, 0x4000_8000L);

        device.open(new DeviceResponder(device, WireProfile.REV1, maxMessage));
        MessageCodec completionCodec = new MessageCodec(WireProfile.REV1, maxMessage);
        driver.open(frame -> {
            Header h = completionCodec.readHeader(frame);
            Message r = completionCodec.readMessage(h, frame);
            lastValue = CodecDispatchBenchmark.digest(r) + h.token();
            completions.lazySet(completions.get() + 1); // single writer: this delivery thread
        });
        // one round trip to make sure the path works
        if (roundTrip() < 0) {
            throw new IllegalStateException("bad response");
        }
    }

    long roundTrip() {
        long n = ++sent;
        ByteBuffer req = requestSlot;
        req.clear();
        driverCodec.encode(request, 1, (int) n & 0xFFFF, req);
        req.flip();
        driver.send(req);
        while (completions.get() != n) {
            Thread.onSpinWait();
        }
        return lastValue;
    }
}
