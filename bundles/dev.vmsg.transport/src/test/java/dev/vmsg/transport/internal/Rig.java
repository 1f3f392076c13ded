package dev.vmsg.transport.internal;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.fail;

import dev.vmsg.admin.DeviceView;
import dev.vmsg.bus.loopback.internal.LoopbackBus;
import dev.vmsg.wire.WireProfile;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/** A loopback bus served by a {@link TransportCore}, with a log the test can read. */
final class Rig implements AutoCloseable {

    final LoopbackBus bus;
    final TransportCore core;
    final List<String> warnings = new CopyOnWriteArrayList<>();

    Rig(WireProfile profile, int maxMessageSize) {
        this(profile, maxMessageSize, new TransportOptions(2000, 2000, 5, 2000));
    }

    Rig(WireProfile profile, int maxMessageSize, TransportOptions options) {
        bus = LoopbackBus.create("lb", profile, maxMessageSize, 1 << 20, warnings::add);
        core = new TransportCore(options, warningsTo(warnings));
        core.addBus("bus", bus);
    }

    /** A log that keeps the warnings in {@code sink} and drops the rest. */
    static TransportLog warningsTo(List<String> sink) {
        return new TransportLog() {
            @Override
            public void info(String message) {
            }

            @Override
            public void warn(String message) {
                sink.add(message);
            }

            @Override
            public void debug(String message) {
            }
        };
    }

    /** Drives {@code backend} (device {@code echo0}, number 0) with a new {@link EchoDriver}; returns once it runs. */
    EchoDriver driveEcho(EchoBackend backend) throws InterruptedException {
        EchoDriver driver = new EchoDriver();
        core.addDriver("d", driver);
        core.addBackend("b", backend, "lb", "echo0", null);
        take(driver.lifecycle, "ready lb/0");
        return driver;
    }

    DeviceView view(int number, String side) {
        return core.device("lb/" + number + "/" + side).orElse(null);
    }

    long count(String key) {
        return core.buses().get(0).messages().getOrDefault(key, 0L);
    }

    static String take(BlockingQueue<String> q, String prefix) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true) {
            String s = q.poll(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            assertNotNull(s, "nothing starting with '" + prefix + "' within 10 s");
            if (s.startsWith(prefix)) {
                return s;
            }
        }
    }

    static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("not within 10 s: " + what);
            }
            Thread.sleep(5);
        }
    }

    @Override
    public void close() {
        core.close();
        bus.close();
    }
}
