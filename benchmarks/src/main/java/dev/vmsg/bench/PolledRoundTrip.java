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

/**
 * The request/response loop of the two-thread bus benchmarks (B2, B6): the caller encodes a
 * 48-byte SET_VQUEUE request (REV1), sends it on the driver endpoint opened polled, and polls that
 * endpoint on its own thread until the response arrives and is decoded; {@link DeviceResponder}
 * answers on the device side, on its delivery thread or, with {@code devicePolled}, inside the
 * bus call (buses that can).
 */
final class PolledRoundTrip {

    private final DriverEndpoint driver;
    private final MessageCodec driverCodec;
    private final ByteBuffer requestSlot;
    private final Message request;
    private long sent;
    private long received;
    private long lastValue;

    PolledRoundTrip(Bus bus, int maxMessage, boolean devicePolled) {
        driver = bus.driverEndpoint().get();
        DeviceEndpoint device = bus.deviceEndpoint().get();
        driverCodec = new MessageCodec(WireProfile.REV1, maxMessage);
        requestSlot = ByteBuffer.allocateDirect(maxMessage).order(ByteOrder.LITTLE_ENDIAN);
        request = new SetVqueueRequest(2, VqueueFlags.ENABLE, 128, 0x4000_6000L, 0x4000_7000L, 0x4000_8000L);
        DeviceResponder responder = new DeviceResponder(device, WireProfile.REV1, maxMessage);
        if (devicePolled) {
            device.openPolled(responder);
        } else {
            device.open(responder);
        }
        driver.openPolled(frame -> {
            Header h = driverCodec.readHeader(frame);
            Message r = driverCodec.readMessage(h, frame);
            lastValue = CodecDispatchBenchmark.digest(r) + h.token();
            received++;
        });
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
        while (received != n) {
            if (driver.poll(1) == 0) {
                Thread.onSpinWait();
            }
        }
        return lastValue;
    }
}
