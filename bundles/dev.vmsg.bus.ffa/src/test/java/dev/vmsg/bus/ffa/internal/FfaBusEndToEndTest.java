package dev.vmsg.bus.ffa.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import dev.vmsg.bus.ffa.internal.FfaBusSettings.EventMethod;
import dev.vmsg.bus.ffa.internal.FfaBusSettings.Messaging;
import dev.vmsg.device.rng.EntropySource;
import dev.vmsg.device.rng.internal.RngBackend;
import dev.vmsg.device.rng.internal.RngDriver;
import dev.vmsg.transport.internal.TransportCore;
import dev.vmsg.transport.internal.TransportLog;
import dev.vmsg.transport.internal.TransportOptions;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The transport core drives a virtio-rng device over the FF-A bus, with each event method. */
class FfaBusEndToEndTest {

    private final BlockingQueue<EntropySource> published = new LinkedBlockingQueue<>();
    private final List<String> warnings = new CopyOnWriteArrayList<>();
    private FfaBus bus;
    private TransportCore core;

    private EntropySource start(Messaging messaging, EventMethod events) throws InterruptedException {
        bus = new FfaBus(FfaBusSettings.of("ffa0", messaging, events), warnings::add);
        core = new TransportCore(new TransportOptions(5000, 10_000, 10, 5000), TransportLog.SILENT);
        core.addBus("bus", bus);
        core.addDriver("driver", new RngDriver(source -> {
            published.add(source);
            return () -> { };
        }));
        core.addBackend("rng", new RngBackend(new Random(42), 4096, 64), "ffa0", "rng0", null);
        EntropySource source = published.poll(20, TimeUnit.SECONDS);
        assertNotNull(source, "no EntropySource over the FF-A bus with " + messaging + "/" + events + "; warnings "
                + warnings);
        return source;
    }

    @AfterEach
    void tearDown() {
        if (core != null) {
            core.close();
        }
        if (bus != null) {
            FfaBus b = bus;
            b.close();
            assertEquals(0, b.firmware().sharedHandles(), "areas unshared and reclaimed; warnings " + warnings);
        }
    }

    private void readsEntropy(Messaging messaging, EventMethod events) throws Exception {
        EntropySource source = start(messaging, events);
        byte[] got = new byte[64];
        source.read(got, Duration.ofSeconds(10));
        byte[] expected = new byte[64];
        new Random(42).nextBytes(expected);
        assertArrayEquals(expected, got, "bytes of the device's seeded generator, via area 1");
        byte[] more = new byte[5000];
        source.read(more, Duration.ofSeconds(10));
        assertEquals("ffa0", source.busName());
        assertEquals(1L << 48, bus.info().window().base(), "area 1 at (1 << 48) | offset");
    }

    @Test
    void entropyWithPollEvents() throws Exception {
        readsEntropy(Messaging.DIRECT, EventMethod.POLL);
    }

    @Test
    void entropyWithNotificationEvents() throws Exception {
        readsEntropy(Messaging.DIRECT, EventMethod.NOTIF);
    }

    @Test
    void entropyWithIndirectEvents() throws Exception {
        readsEntropy(Messaging.DIRECT, EventMethod.INDIRECT);
    }

    @Test
    void entropyWithFifoEvents() throws Exception {
        readsEntropy(Messaging.DIRECT, EventMethod.FIFO);
    }

    @Test
    void entropyWithIndirectMessaging() throws Exception {
        readsEntropy(Messaging.INDIRECT, EventMethod.INDIRECT);
    }

    @Test
    void entropyWithIndirectMessagingAndFifo() throws Exception {
        readsEntropy(Messaging.INDIRECT, EventMethod.FIFO);
    }
}
