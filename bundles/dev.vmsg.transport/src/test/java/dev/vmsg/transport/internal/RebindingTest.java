package dev.vmsg.transport.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.vmsg.bus.loopback.internal.LoopbackBus;
import dev.vmsg.driver.VirtioDeviceException;
import dev.vmsg.memory.DmaRegion;
import dev.vmsg.virtqueue.BufferSegment;
import dev.vmsg.wire.WireProfile;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

/**
 * Hardening row 24: a bus, a device backend or a driver of higher {@code service.ranking} arrives
 * while a lower-ranked one is bound, and leaves again, {@value #SWAPS} times, while a client keeps
 * sending requests. The higher-ranked one takes over each time and the lower-ranked one comes back
 * when it leaves (nothing is lost on standby); every request ends exactly once, completed or
 * "removed", and no other failure is ever seen; no thread is left behind.
 */
class RebindingTest {

    static final int SWAPS = Integer.getInteger("vmsg.rebinding.swaps", 1000);
    private static final byte[] PAYLOAD = "rebinding".getBytes(StandardCharsets.US_ASCII);

    private final List<String> warnings = new CopyOnWriteArrayList<>();

    private TransportCore core() {
        return new TransportCore(new TransportOptions(2000, 2000, 5, 2000), new TransportLog() {
            @Override
            public void info(String message) {
            }

            @Override
            public void warn(String message) {
                warnings.add(message);
            }

            @Override
            public void debug(String message) {
            }
        });
    }

    private LoopbackBus bus() {
        return LoopbackBus.create("lb", WireProfile.REV1, 264, 1 << 20, warnings::add);
    }

    @Test
    void aHigherRankedBusTakesOverAndTheStandbyBusComesBack() throws Exception {
        int threads = vmsgThreads();
        TransportCore core = core();
        LoopbackBus low = bus();
        LoopbackBus high = bus();
        EchoDriver driver = new EchoDriver();
        EchoBackend backend = new EchoBackend(0);
        try (Client client = new Client(List.of(driver), () -> state(core))) {
            core.addDriver("driver", driver);
            core.addBackend("backend", backend, "lb", "echo0", null);
            core.addBus("low", low, 0);
            client.awaitServedBy("the low-ranked bus", b -> b.device.window() == low.info().window());
            for (int i = 0; i < SWAPS; i++) {
                core.addBus("high", high, 10);
                client.awaitServedBy("the high-ranked bus, swap " + i, b -> b.device.window() == high.info().window());
                core.removeBus("high");
                client.awaitServedBy("the low-ranked bus again, swap " + i, b -> b.device.window() == low.info().window());
            }
            // An equal ranking does not displace the bus that came first.
            core.addBus("equal", high, 0);
            client.awaitServedBy("the first bus of equal rank", b -> b.device.window() == low.info().window());
            core.removeBus("low");
            client.awaitServedBy("the standby bus once the first leaves", b -> b.device.window() == high.info().window());
            client.stopAndCheck();
        } finally {
            core.close();
            low.close();
            high.close();
        }
        assertNoUnexpectedWarnings();
        awaitThreads(threads);
    }

    @Test
    void aHigherRankedBackendTakesItsDeviceNumberAndTheOtherWaits() throws Exception {
        int threads = vmsgThreads();
        TransportCore core = core();
        LoopbackBus bus = bus();
        EchoDriver driver = new EchoDriver();
        EchoBackend low = new EchoBackend(0);
        EchoBackend high = new EchoBackend(0);
        try (Client client = new Client(List.of(driver), () -> state(core))) {
            core.addBus("bus", bus, 0);
            core.addDriver("driver", driver);
            core.addBackend("low", low, "lb", "echo-low", 3, 0);
            client.awaitServedBy("the low-ranked backend", b -> b.device.deviceNumber() == 3);
            for (int i = 0; i < SWAPS; i++) {
                int highBefore = high.driverOkCount.get();
                int lowBefore = low.driverOkCount.get();
                core.addBackend("high", high, "lb", "echo-high", 3, 10);
                client.awaitServedBy("the high-ranked backend, swap " + i, b -> high.driverOkCount.get() > highBefore);
                core.removeBackend("high");
                client.awaitServedBy("the low-ranked backend again, swap " + i, b -> low.driverOkCount.get() > lowBefore);
            }
            client.stopAndCheck();
            assertTrue(client.completedBy(b -> true) > 2L * SWAPS);
        } finally {
            core.close();
            bus.close();
        }
        assertNoUnexpectedWarnings();
        awaitThreads(threads);
    }

    @Test
    void aHigherRankedDriverTakesTheDeviceAndTheOtherGetsItBack() throws Exception {
        int threads = vmsgThreads();
        TransportCore core = core();
        LoopbackBus bus = bus();
        EchoDriver low = new EchoDriver();
        EchoDriver high = new EchoDriver();
        try (Client client = new Client(List.of(low, high), () -> state(core))) {
            core.addBus("bus", bus, 0);
            core.addBackend("backend", new EchoBackend(0), "lb", "echo0", null);
            core.addDriver("low", low, 0);
            client.awaitServedBy("the low-ranked driver", b -> low.bound.contains(b));
            for (int i = 0; i < SWAPS; i++) {
                core.addDriver("high", high, 10);
                client.awaitServedBy("the high-ranked driver, swap " + i, b -> high.bound.contains(b));
                assertTrue(low.bound.isEmpty(), "the low-ranked driver still holds the device");
                core.removeDriver("high");
                client.awaitServedBy("the low-ranked driver again, swap " + i, b -> low.bound.contains(b));
            }
            // A driver of lower rank arriving later takes nothing away.
            EchoDriver lower = new EchoDriver();
            core.addDriver("lower", lower, -5);
            client.awaitServedBy("still the low-ranked driver", b -> low.bound.contains(b));
            assertTrue(lower.bound.isEmpty());
            client.stopAndCheck();
        } finally {
            core.close();
            bus.close();
        }
        assertNoUnexpectedWarnings();
        awaitThreads(threads);
    }

    private String state(TransportCore core) {
        return "devices " + core.devices().stream().map(v -> v.bus() + "/" + v.number() + "/" + v.side() + " "
                + v.name() + " " + v.state()).toList() + ", drops " + core.buses().stream().flatMap(b -> b.messages()
                .entrySet().stream()).filter(e -> e.getKey().contains("drop")).toList() + ", last warnings "
                + warnings.subList(Math.max(0, warnings.size() - 5), warnings.size());
    }

    private void assertNoUnexpectedWarnings() {
        for (String w : warnings) {
            if (w.contains("did not stop") || w.contains("did not finish") || w.contains("cannot be hosted")) {
                fail("unexpected warning: " + w);
            }
        }
    }

    private static int vmsgThreads() {
        int n = 0;
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.isAlive() && t.getName().startsWith("vmsg")) {
                n++;
            }
        }
        return n;
    }

    private static void awaitThreads(int baseline) throws InterruptedException {
        Rig.await("vmsg threads back to " + baseline, () -> vmsgThreads() <= baseline);
    }

    /**
     * A client sending echo requests, one at a time, through whichever device its drivers hold at
     * the moment, and recording how every request ended.
     */
    private static final class Client implements AutoCloseable {
        private final List<EchoDriver> drivers;
        private final java.util.function.Supplier<String> state;
        private final Thread thread;
        private volatile boolean running = true;
        private final AtomicLong submitted = new AtomicLong();
        private final Map<Object, EchoDriver.Bound> submittedOn = new ConcurrentHashMap<>();
        private final List<String> problems = new CopyOnWriteArrayList<>();
        private volatile Object waitingFor;
        private volatile EchoDriver.Bound waitingOn;
        private EchoDriver.Bound bufferOwner;
        private DmaRegion buffer;
        private final List<EchoDriver.Bound> completions = new CopyOnWriteArrayList<>();

        Client(List<EchoDriver> drivers, java.util.function.Supplier<String> state) {
            this.drivers = drivers;
            this.state = state;
            this.thread = new Thread(this::run, "rebinding-client");
            thread.start();
        }

        private EchoDriver.Bound current() {
            for (EchoDriver d : drivers) {
                for (EchoDriver.Bound b : d.bound) {
                    if (b.queue != null) {
                        return b;
                    }
                }
            }
            return null;
        }

        private void run() {
            while (running) {
                EchoDriver.Bound b = current();
                if (b == null) {
                    LockSupport.parkNanos(20_000);
                    continue;
                }
                Object cookie = "req" + submitted.incrementAndGet();
                submittedOn.put(cookie, b);
                try {
                    DmaRegion buf = bufferOn(b);
                    b.device.window().write(buf.address(), PAYLOAD, 0, PAYLOAD.length);
                    b.queue.submit(new BufferSegment[] {new BufferSegment(buf.address(), PAYLOAD.length)},
                            new BufferSegment[] {new BufferSegment(buf.address() + 1024, 64)}, cookie);
                } catch (VirtioDeviceException e) {
                    if (e.reason() != VirtioDeviceException.Reason.REMOVED) {
                        problems.add(cookie + ": submit failed with " + e.reason() + ": " + e.getMessage());
                    }
                    b.ends.putIfAbsent(cookie, e);
                    continue;
                } catch (RuntimeException e) {
                    problems.add(cookie + ": submit threw an untyped " + e);
                    continue;
                }
                waitingFor = cookie;
                waitingOn = b;
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                Object end;
                while ((end = b.ends.get(cookie)) == null) {
                    if (System.nanoTime() > deadline) {
                        problems.add(cookie + ": never ended");
                        running = false;
                        return;
                    }
                    LockSupport.parkNanos(20_000);
                }
                waitingOn = null;
                if (end instanceof Integer length) {
                    if (length != PAYLOAD.length) {
                        problems.add(cookie + ": completed with length " + length);
                    }
                    completions.add(b);
                } else if (((VirtioDeviceException) end).reason() != VirtioDeviceException.Reason.REMOVED) {
                    problems.add(cookie + ": failed with " + end);
                }
            }
        }

        /** A buffer in the window of {@code b}'s bus; the one on the device used before is freed. */
        private DmaRegion bufferOn(EchoDriver.Bound b) {
            if (bufferOwner != b) {
                if (buffer != null) {
                    bufferOwner.device.allocator().free(buffer);
                }
                buffer = b.device.allocator().allocate(4096);
                bufferOwner = b;
            }
            return buffer;
        }

        /** Waits until a request submitted from now on completes on a device {@code served} accepts. */
        void awaitServedBy(String what, java.util.function.Predicate<EchoDriver.Bound> served) throws InterruptedException {
            int from = completions.size();
            BooleanSupplier done = () -> {
                if (!problems.isEmpty()) {
                    fail(problems.get(0));
                }
                for (int i = from; i < completions.size(); i++) {
                    if (served.test(completions.get(i))) {
                        return true;
                    }
                }
                return false;
            };
            try {
                Rig.await("a request served by " + what, done);
            } catch (AssertionError e) {
                throw new AssertionError(e.getMessage() + "; the client waits on " + waitingFor + " of " + waitingOn
                        + (waitingOn == null ? "" : " (events " + waitingOn.events.stream().skip(Math.max(0,
                                waitingOn.events.size() - 5)).toList() + ")") + "; " + state.get(), e);
            }
        }

        long completedBy(java.util.function.Predicate<EchoDriver.Bound> on) {
            return completions.stream().filter(on).count();
        }

        /** Stops the client and checks that every request it sent ended exactly once, as it should. */
        void stopAndCheck() throws InterruptedException {
            running = false;
            thread.join(30_000);
            assertTrue(!thread.isAlive(), "the client did not stop");
            assertEquals(List.of(), problems);
            List<String> doubles = new ArrayList<>();
            long ended = 0;
            for (Map.Entry<Object, EchoDriver.Bound> e : submittedOn.entrySet()) {
                if (e.getValue().ends.containsKey(e.getKey())) {
                    ended++;
                }
            }
            for (EchoDriver.Bound b : new java.util.HashSet<>(submittedOn.values())) {
                for (String event : b.events) {
                    if (event.startsWith("DOUBLE END")) {
                        doubles.add(event);
                    }
                }
            }
            assertEquals(List.of(), doubles);
            assertEquals(submitted.get(), ended, "requests that never ended");
        }

        @Override
        public void close() throws InterruptedException {
            running = false;
            thread.join(30_000);
        }
    }
}
