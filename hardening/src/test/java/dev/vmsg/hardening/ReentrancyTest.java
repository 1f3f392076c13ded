package dev.vmsg.hardening;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vmsg.bus.loopback.internal.LoopbackBus;
import dev.vmsg.device.rng.internal.RngBackend;
import dev.vmsg.driver.DriverInstance;
import dev.vmsg.driver.QueueListener;
import dev.vmsg.driver.VirtioDevice;
import dev.vmsg.driver.VirtioDeviceException;
import dev.vmsg.driver.VirtioDriver;
import dev.vmsg.driver.Virtqueue;
import dev.vmsg.memory.DmaRegion;
import dev.vmsg.transport.internal.TransportCore;
import dev.vmsg.transport.internal.TransportLog;
import dev.vmsg.transport.internal.TransportOptions;
import dev.vmsg.virtqueue.BufferSegment;
import dev.vmsg.wire.DeviceIds;
import dev.vmsg.wire.FeatureSet;
import dev.vmsg.wire.WireProfile;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * HARDENING rule 7 (no re-entrancy), end to end over the loopback bus with the real transport and
 * the real rng device model: a driver that submits again and kicks from inside its completion
 * callback, {@value #KICKS} times, and buffers that overlap the driver's own rings.
 */
class ReentrancyTest {
    static final int KICKS = 100_000;

    /** An entropy driver whose completion callback re-submits its one buffer until KICKS completions. */
    private static final class RekickingDriver implements VirtioDriver, QueueListener {
        final CompletableFuture<Virtqueue> queue = new CompletableFuture<>();
        /** Completed at DRIVER_OK: a kick before it is dropped by the device, as the spec says. */
        final CompletableFuture<Virtqueue> ready = new CompletableFuture<>();
        final CountDownLatch done = new CountDownLatch(1);
        final AtomicInteger depth = new AtomicInteger();
        final AtomicInteger maxDepth = new AtomicInteger();
        final AtomicInteger completions = new AtomicInteger();
        final AtomicInteger maxStack = new AtomicInteger();
        final AtomicReference<Throwable> problem = new AtomicReference<>();
        volatile BufferSegment buffer;
        volatile VirtioDevice device;

        @Override
        public int deviceId() {
            return DeviceIds.ENTROPY;
        }

        @Override
        public FeatureSet supportedFeatures() {
            return FeatureSet.EMPTY;
        }

        @Override
        public DriverInstance probe(VirtioDevice d) {
            device = d;
            DmaRegion r = d.allocator().allocate(64);
            buffer = new BufferSegment(r.address(), 64);
            queue.complete(d.openQueue(0, 8, this));
            return new DriverInstance() {
                @Override
                public void ready() {
                    ready.complete(queue.getNow(null));
                }

                @Override
                public void remove(String reason) {
                }
            };
        }

        @Override
        public void completed(Object cookie, int length) {
            int now = depth.incrementAndGet();
            maxDepth.accumulateAndGet(now, Math::max);
            try {
                int n = completions.incrementAndGet();
                if (n % 10_000 == 0) {
                    maxStack.accumulateAndGet(Thread.currentThread().getStackTrace().length, Math::max);
                }
                if (!cookie.equals(n - 1)) {
                    problem.compareAndSet(null, new AssertionError("completion " + n + " carries cookie " + cookie));
                }
                if (n < KICKS) {
                    queue.getNow(null).submit(null, new BufferSegment[] {buffer}, n); // kicks from the callback
                } else {
                    done.countDown();
                }
            } catch (RuntimeException e) {
                problem.compareAndSet(null, e);
                done.countDown();
            } finally {
                depth.decrementAndGet();
            }
        }

        @Override
        public void failed(Object cookie, VirtioDeviceException cause) {
            problem.compareAndSet(null, cause);
            done.countDown();
        }
    }

    /** The driver's queue at DRIVER_OK, with the rng model behind it on a loopback bus. */
    private interface Body {
        void run(RekickingDriver driver, Virtqueue q) throws Exception;
    }

    private static void withRngOnLoopback(String bus, Body body) throws Exception {
        LoopbackBus lb = LoopbackBus.create(bus, WireProfile.REV1, 264, 1 << 20, w -> { });
        TransportCore core = new TransportCore(new TransportOptions(10_000, 10_000, 10, 5000), TransportLog.SILENT);
        RekickingDriver driver = new RekickingDriver();
        try {
            core.addBus("bus", lb);
            core.addDriver("d", driver);
            core.addBackend("rng", new RngBackend(new Random(1), 64, 8), bus, "rng0", null);
            body.run(driver, driver.ready.get(20, TimeUnit.SECONDS));
        } finally {
            core.close();
            lb.close();
        }
    }

    @Test
    void aDriverThatKicksFromItsCallbackNeverNestsAndNeverLosesARequest() throws Exception {
        withRngOnLoopback("re", (driver, q) -> {
            q.submit(null, new BufferSegment[] {driver.buffer}, 0);
            assertTrue(driver.done.await(120, TimeUnit.SECONDS), "only " + driver.completions.get() + " of "
                    + KICKS + " completions within 120 s");
            assertNull(driver.problem.get(), () -> "failure: " + driver.problem.get());
            assertEquals(KICKS, driver.completions.get());
            assertEquals(1, driver.maxDepth.get(), "a completion callback ran inside another one");
            assertTrue(driver.maxStack.get() < 200, "stack grew to " + driver.maxStack.get() + " frames");
        });
    }

    @Test
    void aBufferOverlappingTheDriversRingsIsRefusedAndTheQueueStaysUsable() throws Exception {
        withRngOnLoopback("ov", (driver, q) -> {
            VirtioDevice d = driver.device;
            assertNotNull(d);
            // The whole window holds the rings, so this segment overlaps them whatever the layout.
            BufferSegment everything = new BufferSegment(d.window().base(), (int) d.window().size());
            assertThrows(VirtioDeviceException.class, () -> q.submit(null, new BufferSegment[] {everything}, "bad"));
            assertThrows(VirtioDeviceException.class,
                    () -> q.submit(new BufferSegment[] {everything}, new BufferSegment[] {driver.buffer}, "bad"));
            assertEquals(8, q.freeDescriptors(), "a refused chain takes no descriptor");
            q.submit(null, new BufferSegment[] {driver.buffer}, 0);
            // The re-kicking driver runs to its end: the queue was not harmed by the refusals.
            assertTrue(driver.done.await(120, TimeUnit.SECONDS), driver.completions.get() + " completions");
            assertNull(driver.problem.get(), () -> "failure: " + driver.problem.get());
        });
    }
}
