package dev.vmsg.bus.ffa.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vmsg.bus.BusEndpoint;
import dev.vmsg.bus.DeviceEndpoint;
import dev.vmsg.bus.DriverEndpoint;
import dev.vmsg.bus.FrameReceiver;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The polled mode of the FF-A bus: with the driver side polled, send makes the REQ2 on the
 * caller's thread and the response waits in the bus until poll hands it over, on the polling thread.
 */
class FfaPolledTest {

    private static final int MSG = 0x06;
    private final List<String> warnings = new CopyOnWriteArrayList<>();
    private FfaBus bus;

    private record Seen(Thread thread, int type, int msgId, int devNum, int token) {
        static Seen of(ByteBuffer f) {
            int p = f.position();
            return new Seen(Thread.currentThread(), f.get(p) & 0xFF, f.get(p + 1) & 0xFF,
                    f.getShort(p + 2) & 0xFFFF, f.getShort(p + 4) & 0xFFFF);
        }
    }

    /** Answers every request with a header-only response carrying the same msg id, device and token. */
    private static final class Echo implements FrameReceiver {
        final BusEndpoint endpoint;
        final List<Seen> seen = new CopyOnWriteArrayList<>();

        Echo(BusEndpoint endpoint) {
            this.endpoint = endpoint;
        }

        @Override
        public void onFrame(ByteBuffer f) {
            Seen s = Seen.of(f);
            seen.add(s);
            ByteBuffer r = request(s.msgId(), s.devNum(), s.token());
            r.put(0, (byte) 0x01);
            endpoint.send(r);
        }

        @Override
        public void onLinkDown(String reason) {
        }
    }

    private static ByteBuffer request(int msgId, int devNum, int token) {
        ByteBuffer b = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        b.put(0, (byte) 0).put(1, (byte) msgId).putShort(2, (short) devNum).putShort(4, (short) token)
                .putShort(6, (short) 8);
        return b;
    }

    private static FrameReceiver recorder(List<Seen> out) {
        return new FrameReceiver() {
            @Override
            public void onFrame(ByteBuffer f) {
                out.add(Seen.of(f));
            }

            @Override
            public void onLinkDown(String reason) {
            }
        };
    }

    @AfterEach
    void tearDown() {
        if (bus != null) {
            bus.close();
        }
        assertEquals(List.of(), warnings);
    }

    @Test
    void polledDriverTakesTheResponseOnlyWhenPolledOnTheCallersThread() {
        bus = FfaBus.directMessaging("polled", 0, warnings::add);
        DriverEndpoint driver = bus.driverEndpoint().orElseThrow();
        DeviceEndpoint device = bus.deviceEndpoint().orElseThrow();
        Echo echo = new Echo(device);
        device.open(echo);
        List<Seen> responses = new CopyOnWriteArrayList<>();
        driver.openPolled(recorder(responses));

        for (int token = 1; token <= 100; token++) {
            driver.send(request(MSG, 3, token));
            // the REQ2 returned with RESP2 inside send, but nothing is handed over before poll
            assertEquals(token - 1, responses.size());
            assertEquals(1, driver.poll(8));
            assertEquals(0, driver.poll(8));
            Seen r = responses.get(token - 1);
            assertSame(Thread.currentThread(), r.thread(), "response handed over on the polling thread");
            assertEquals(new Seen(Thread.currentThread(), 0x01, MSG, 3, token), r);
            // a normally opened device receiver runs on the device delivery thread
            assertNotSame(Thread.currentThread(), echo.seen.get(token - 1).thread());
        }
        assertEquals(0, bus.driverPartition().failedSends.get());
        assertEquals(0, bus.devicePartition().dropped.get());
    }

    @Test
    void polledDeviceAnswersTheDirectRequestInsideTheCall() {
        bus = FfaBus.directMessaging("polled2", 0, warnings::add);
        DriverEndpoint driver = bus.driverEndpoint().orElseThrow();
        DeviceEndpoint device = bus.deviceEndpoint().orElseThrow();
        Echo echo = new Echo(device);
        device.openPolled(echo);
        List<Seen> responses = new CopyOnWriteArrayList<>();
        driver.openPolled(recorder(responses));

        driver.send(request(MSG, 1, 7));
        assertEquals(1, echo.seen.size(), "the device receiver ran inside the REQ2");
        assertSame(Thread.currentThread(), echo.seen.get(0).thread());
        assertEquals(0, device.poll(8), "a direct request does not wait for the device's poll");
        assertTrue(responses.isEmpty());
        assertEquals(1, driver.poll(8));
        assertEquals(new Seen(Thread.currentThread(), 0x01, MSG, 1, 7), responses.get(0));
    }

    @Test
    void openAndOpenPolledExcludeEachOther() {
        bus = FfaBus.directMessaging("polled3", 0, warnings::add);
        DriverEndpoint driver = bus.driverEndpoint().orElseThrow();
        DeviceEndpoint device = bus.deviceEndpoint().orElseThrow();
        driver.open(recorder(new CopyOnWriteArrayList<>()));
        assertThrows(IllegalStateException.class, () -> driver.openPolled(recorder(new CopyOnWriteArrayList<>())));
        assertThrows(IllegalStateException.class, () -> driver.poll(1));
        device.openPolled(recorder(new CopyOnWriteArrayList<>()));
        assertThrows(IllegalStateException.class, () -> device.open(recorder(new CopyOnWriteArrayList<>())));
    }
}
