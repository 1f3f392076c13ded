package dev.vmsg.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import dev.vmsg.admin.BusView;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerMethod;
import org.osgi.framework.ServiceReference;

/**
 * HARDENING row 24 in the container: a loopback bus configured with {@code service.ranking=10}
 * and the same name as the bus an rng device is on arrives and leaves again, {@code
 * vmsg.rebinding.itSwaps} times (50 in CI, 1000 in {@code fuzz-long.sh}), while a client keeps
 * reading entropy from whichever {@code EntropySource} the bus offers. The higher-ranked bus takes
 * over (its window is the served one), the first bus comes back from standby when it leaves, and
 * every read ends once with bytes or with REMOVED. The core logic is swapped 1000 times per kind
 * (bus, backend, driver) in {@code RebindingTest}.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerMethod.class)
public class RebindingIT extends RngTestSupport {

    private static final int SWAPS = Integer.getInteger("vmsg.rebinding.itSwaps", 50);

    @Test
    public void aHigherRankedBusTakesOverUnderReadsAndTheFirstComesBackFromStandby() throws Exception {
        String bus = "it-rank";
        createBus(bus);
        createRng(bus, "rng0");
        awaitRunning(bus, 0);
        long lowBase = servedWindowBase(bus);
        long highBase = lowBase + 0x1000_0000L;

        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong ok = new AtomicLong();
        AtomicLong removed = new AtomicLong();
        List<String> unexpected = new CopyOnWriteArrayList<>();
        Thread client = new Thread(() -> {
            while (!stop.get()) {
                List<ServiceReference<?>> sources = entropySources(bus);
                if (sources.isEmpty()) {
                    java.util.concurrent.locks.LockSupport.parkNanos(100_000);
                    continue;
                }
                ServiceReference<?> ref = sources.get(0);
                Object source = context.getService(ref);
                if (source == null) {
                    continue; // unregistered between the lookup and here
                }
                long start = System.nanoTime();
                try {
                    byte[] b = readEntropy(source, ref.getBundle(), 64);
                    if (allZero(b)) {
                        unexpected.add("a read gave only zero bytes");
                    }
                    ok.incrementAndGet();
                } catch (Exception e) {
                    if ("REMOVED".equals(reasonOf(e))) {
                        removed.incrementAndGet(); // the device went with the bus it was on
                    } else {
                        unexpected.add(e.toString());
                    }
                } finally {
                    long ms = (System.nanoTime() - start) / 1_000_000;
                    if (ms > READ_TIMEOUT.toMillis() + 1000) {
                        unexpected.add("a read took " + ms + " ms");
                    }
                    context.ungetService(ref);
                }
            }
        }, "it-rebinding-client");
        client.start();
        try {
            for (int i = 0; i < SWAPS; i++) {
                long before = ok.get();
                String high = createFactoryConfiguration(BUS_FACTORY_PID, bus + "-high",
                        Map.of("name", bus, "profile", "REV1", "window.size", 4 * 1024 * 1024, "window.base", highBase,
                                "max.message.size", 264, "service.ranking", 10));
                createdPids.add(high);
                awaitCondition(() -> servedWindowBase(bus) == highBase, DEFAULT_TIMEOUT,
                        () -> "the higher-ranked bus is not served: " + admin().buses());
                awaitRunning(bus, 0);
                awaitCondition(() -> ok.get() > before + 5, DEFAULT_TIMEOUT, () -> "no reads over the higher-ranked bus");
                long middle = ok.get();
                deleteCreated(high);
                awaitCondition(() -> servedWindowBase(bus) == lowBase, DEFAULT_TIMEOUT,
                        () -> "the first bus did not come back from standby: " + admin().buses());
                awaitRunning(bus, 0);
                awaitCondition(() -> ok.get() > middle + 5, DEFAULT_TIMEOUT, () -> "no reads over the first bus again");
            }
        } finally {
            stop.set(true);
            client.join(DEFAULT_TIMEOUT.toMillis());
        }
        assertFalse("the client stopped", client.isAlive());
        assertTrue("unexpected outcomes: " + unexpected, unexpected.isEmpty());
        assertTrue("reads succeeded: " + ok.get(), ok.get() >= 10L * SWAPS);
        assertEquals("one bus of that name is served", 1, admin().buses().stream().filter(b -> b.name().equals(bus))
                .count());
        assertNoVmsgErrors();
    }

    private long servedWindowBase(String bus) {
        return admin().buses().stream().filter(b -> b.name().equals(bus)).mapToLong(BusView::windowBase).findFirst()
                .orElse(-1);
    }
}
