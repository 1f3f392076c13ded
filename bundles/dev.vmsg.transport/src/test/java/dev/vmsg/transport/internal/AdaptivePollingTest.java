package dev.vmsg.transport.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vmsg.driver.PolledFuture;
import dev.vmsg.driver.VirtioDeviceException;
import dev.vmsg.memory.DmaRegion;
import dev.vmsg.virtqueue.BufferSegment;
import dev.vmsg.wire.WireProfile;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Adaptive polling (TransportOptions.pollMicros): a device thread that keeps serving its ring
 * without EVENT_AVAIL, driver callers that harvest their own completions, and the limits that keep
 * both honest: other work for the device is served while it polls, removal ends it within its
 * bound, and every chain still ends exactly once. A 1 s budget makes "still polling" certain on a
 * loaded machine; the budget-0 test pins the event-only behaviour.
 */
class AdaptivePollingTest {

    private static final TransportOptions POLL_LONG = new TransportOptions(2000, 2000, 5, 2000, 1_000_000);
    private static final TransportOptions POLL_OFF = new TransportOptions(2000, 2000, 5, 2000, 0);

    @Test
    void pollingCallersEndEveryChainExactlyOnceWithoutEventsPerChain() throws Exception {
        int threads = 2;
        int perThread = 3000;
        try (Rig rig = new Rig(WireProfile.REV1, 264, POLL_LONG)) {
            EchoDriver.Bound b = rig.driveEcho(new EchoBackend(0)).bound.get(0);
            DmaRegion buf = b.device.allocator().allocate(4096);
            Map<Object, String> endedOn = new ConcurrentHashMap<>();
            AtomicInteger unfinished = new AtomicInteger();
            List<Thread> callers = new ArrayList<>();
            long kicksBefore = rig.count("driver tx EVENT_AVAIL");
            for (int t = 0; t < threads; t++) {
                int id = t;
                Thread caller = new Thread(() -> {
                    for (int i = 0; i < perThread; i++) {
                        String cookie = "t" + id + "-" + i;
                        b.queue.submit(new BufferSegment[] {new BufferSegment(buf.address() + 64L * id, 8)},
                                new BufferSegment[] {new BufferSegment(buf.address() + 1024 + 64L * id, 8)}, cookie);
                        if (!b.queue.pollUntil(() -> b.ends.containsKey(cookie))) {
                            unfinished.incrementAndGet();
                        }
                        endedOn.putIfAbsent(cookie, Thread.currentThread().getName());
                    }
                }, "poller-" + t);
                callers.add(caller);
                caller.start();
            }
            for (Thread caller : callers) {
                caller.join(TimeUnit.SECONDS.toMillis(60));
                assertFalse(caller.isAlive(), caller.getName() + " still running after 60 s");
            }
            Rig.await("every chain ended", () -> b.ends.size() == threads * perThread);
            assertFalse(b.events.stream().anyMatch(e -> e.startsWith("DOUBLE END")), "a chain ended twice");
            assertTrue(b.ends.values().stream().allMatch(v -> v.equals(8)), "every chain completed with 8 bytes");
            assertEquals(0, unfinished.get(), "a 1 s budget ends every poll with the chain done");
            // The device kept polling its ring: a handful of kicks at most, not one per chain.
            long kicks = rig.count("driver tx EVENT_AVAIL") - kicksBefore;
            assertTrue(kicks < 20, kicks + " EVENT_AVAIL for " + threads * perThread + " chains");
        }
    }

    @Test
    void budgetZeroSendsAboutAnEventEachWayPerRequest() throws Exception {
        try (Rig rig = new Rig(WireProfile.REV1, 264, POLL_OFF)) {
            EchoDriver.Bound b = rig.driveEcho(new EchoBackend(0)).bound.get(0);
            DmaRegion buf = b.device.allocator().allocate(4096);
            long kicks = rig.count("driver tx EVENT_AVAIL");
            long used = rig.count("driver rx EVENT_USED");
            for (int i = 0; i < 200; i++) {
                String cookie = "c" + i;
                b.queue.submit(new BufferSegment[] {new BufferSegment(buf.address(), 8)},
                        new BufferSegment[] {new BufferSegment(buf.address() + 1024, 8)}, cookie);
                assertFalse(b.queue.pollUntil(() -> false), "budget 0 returns at once");
                assertEquals("completed " + cookie + " 8", Rig.take(b.events, "completed"));
            }
            // One event each way per request, except where EVENT_IDX legitimately elides one: a
            // completion published while the driver thread is still harvesting the previous one is
            // taken in the same harvest without an event (and likewise for kicks).
            long kicksSent = rig.count("driver tx EVENT_AVAIL") - kicks;
            long usedSeen = rig.count("driver rx EVENT_USED") - used;
            assertTrue(kicksSent >= 150 && kicksSent <= 200, kicksSent + " EVENT_AVAIL for 200 requests");
            assertTrue(usedSeen >= 150 && usedSeen <= 200, usedSeen + " EVENT_USED for 200 requests");
        }
    }

    @Test
    void aPollingDeviceStillAnswersItsDriversRequests() throws Exception {
        try (Rig rig = new Rig(WireProfile.REV1, 264, POLL_LONG)) {
            EchoBackend backend = new EchoBackend(32);
            EchoDriver.Bound b = rig.driveEcho(backend).bound.get(0);
            AtomicBoolean feeding = new AtomicBoolean(true);
            Thread feeder = feed(b, feeding);
            try {
                Rig.await("the feeder got going", () -> b.ends.size() > 100);
                // Config reads are requests to the device's thread, which is busy polling a ring
                // that never goes idle: polling must give way to them.
                for (int i = 0; i < 20; i++) {
                    assertArrayEquals(backend.config, b.device.readConfig(0, 32));
                }
            } finally {
                feeding.set(false);
                feeder.join(TimeUnit.SECONDS.toMillis(30));
            }
            assertFalse(feeder.isAlive());
        }
    }

    @Test
    void removingAPollingDeviceEndsItWithinItsBoundAndEndsEveryChainOnce() throws Exception {
        try (Rig rig = new Rig(WireProfile.REV1, 264, POLL_LONG)) {
            EchoDriver driver = rig.driveEcho(new EchoBackend(0));
            EchoDriver.Bound b = driver.bound.get(0);
            AtomicBoolean feeding = new AtomicBoolean(true);
            Thread feeder = feed(b, feeding);
            Rig.await("the feeder got going", () -> b.ends.size() > 100);
            long start = System.nanoTime();
            rig.core.removeBackend("b");
            Rig.take(driver.lifecycle, "remove lb/0");
            long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertTrue(tookMillis < 2000 + 3000, "removal took " + tookMillis + " ms");
            feeding.set(false);
            feeder.join(TimeUnit.SECONDS.toMillis(30));
            assertFalse(feeder.isAlive());
            assertFalse(b.events.stream().anyMatch(e -> e.startsWith("DOUBLE END")), "a chain ended twice");
            assertTrue(rig.warnings.stream().noneMatch(w -> w.contains("did not stop")), rig.warnings.toString());
        }
    }

    @Test
    void aQueueTheBackendSilencedIsNeitherPolledNorWokenAgain() throws Exception {
        try (Rig rig = new Rig(WireProfile.REV1, 264, new TransportOptions(2000, 2000, 5, 2000, 1000))) {
            EchoBackend backend = new EchoBackend(0);
            backend.quiet = true;
            EchoDriver.Bound b = rig.driveEcho(backend).bound.get(0);
            DmaRegion buf = b.device.allocator().allocate(4096);
            BufferSegment[] in = {new BufferSegment(buf.address(), 8)};
            BufferSegment[] out = {new BufferSegment(buf.address() + 1024, 8)};
            b.queue.submit(in, out, "first");
            assertEquals("completed first 8", Rig.take(b.events, "completed"));
            long kicks = rig.count("driver tx EVENT_AVAIL");
            // The backend asked for no more EVENT_AVAIL: the transport must not poll the queue or
            // turn notifications back on behind its back, so this chain waits for the backend.
            b.queue.submit(in, out, "second");
            Thread.sleep(300);
            assertFalse(b.ends.containsKey("second"), "the silenced queue was served anyway");
            assertEquals(kicks, rig.count("driver tx EVENT_AVAIL"));
        }
    }

    @Test
    void aWaiterWhoseKickWentUnheardGetsItsChainServedByRenotifying() throws Exception {
        try (Rig rig = new Rig(WireProfile.REV1, 264, new TransportOptions(2000, 2000, 5, 2000, 1000))) {
            EchoBackend backend = new EchoBackend(0);
            backend.quiet = true;
            EchoDriver.Bound b = rig.driveEcho(backend).bound.get(0);
            DmaRegion buf = b.device.allocator().allocate(4096);
            BufferSegment[] in = {new BufferSegment(buf.address(), 8)};
            BufferSegment[] out = {new BufferSegment(buf.address() + 1024, 8)};
            b.queue.submit(in, out, "first");
            assertEquals("completed first 8", Rig.take(b.events, "completed"));
            // The backend silenced the queue, so this chain raises no EVENT_AVAIL: as if the kick
            // had been lost. A PolledFuture waiter asks again after its first blocking slice.
            PolledFuture<Object> waiter = new PolledFuture<>(b.queue);
            Thread completer = new Thread(() -> {
                try {
                    Rig.await("second ended", () -> b.ends.containsKey("second"));
                    waiter.complete(b.ends.get("second"));
                } catch (InterruptedException | AssertionError e) {
                    waiter.completeExceptionally(e);
                }
            });
            completer.start();
            b.queue.submit(in, out, "second");
            assertEquals(8, waiter.get(10, TimeUnit.SECONDS));
            completer.join(10_000);
        }
    }

    /** Keeps queue 0 busy until {@code feeding} turns false or the queue refuses (device removed). */
    private static Thread feed(EchoDriver.Bound b, AtomicBoolean feeding) {
        DmaRegion buf = b.device.allocator().allocate(4096);
        Thread t = new Thread(() -> {
            int i = 0;
            while (feeding.get()) {
                String cookie = "f" + i++;
                try {
                    b.queue.submit(new BufferSegment[] {new BufferSegment(buf.address(), 8)},
                            new BufferSegment[] {new BufferSegment(buf.address() + 1024, 8)}, cookie);
                } catch (VirtioDeviceException e) {
                    return; // queue closed: the device went away
                }
                b.queue.pollUntil(() -> b.ends.containsKey(cookie) || !feeding.get());
            }
        }, "feeder");
        t.start();
        return t;
    }
}
