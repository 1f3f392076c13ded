package dev.vmsg.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.ref.WeakReference;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerMethod;
import org.osgi.framework.Bundle;
import org.osgi.framework.wiring.BundleWiring;

/**
 * HARDENING row 22: every bus and device bundle is stopped and started, then uninstalled,
 * refreshed, reinstalled and started, {@code vmsg.lifecycle.cycles} times (200 in CI, 1000 in
 * scripts/fuzz-long.sh) in one
 * container, while a loopback bus and an rng device are configured (so components really activate
 * and deactivate each cycle). Oracles: vmsg threads back to the baseline after each bundle's loop;
 * the class loader of every uninstalled revision becomes unreachable (a {@link WeakReference}
 * cleared after {@code System.gc()}, bounded retries); metaspace after the loops stays within a
 * bound of the baseline; the rng device still serves entropy at the end; no vmsg ERROR was logged.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerMethod.class)
public class LifecycleLoopIT extends RngTestSupport {

    /**
     * 200 in CI (30-40 ms a cycle on a quiet machine, up to ten times that on a loaded one);
     * scripts/fuzz-long.sh runs 1000.
     */
    static final int CYCLES = Integer.getInteger("vmsg.lifecycle.cycles", 200);
    /** Generous: 1200 revisions of small bundles whose classes are all unloaded take far less. */
    static final long METASPACE_GROWTH_BOUND = 48L << 20;
    static final List<String> CYCLED = List.of("dev.vmsg.device.rng", "dev.vmsg.device.console", "dev.vmsg.device.blk",
            "dev.vmsg.device.net", "dev.vmsg.bus.loopback", "dev.vmsg.bus.ffa", "dev.vmsg.bus.fifo");

    @Test
    public void everyBusAndDeviceBundleCyclesWithThreadsClassLoadersAndMetaspaceAtBaseline() throws Exception {
        for (String bsn : List.of("dev.vmsg.device.blk", "dev.vmsg.device.net", "dev.vmsg.bus.fifo")) {
            if (findBundle(bsn) == null) {
                context.installBundle(bundleFile(bsn).toURI().toString()).start();
            }
        }
        String bus = "it-cycle";
        createBus(bus);
        createRng(bus, "rng0");
        assertDistinctReads(awaitEntropySource(bus), 2, 64);
        awaitRunning(bus, 0);
        int baselineThreads = countVmsgThreads();
        long baselineMetaspace = metaspaceAfterGc();

        List<WeakReference<ClassLoader>> loaders = new ArrayList<>();
        Map<String, Long> millis = new LinkedHashMap<>();
        for (String bsn : CYCLED) {
            long start = System.nanoTime();
            for (int i = 0; i < CYCLES; i++) {
                Bundle b = findBundle(bsn);
                loaders.add(new WeakReference<>(b.adapt(BundleWiring.class).getClassLoader()));
                b.stop();
                b.start();
                String location = b.getLocation();
                b.uninstall();
                b = null;
                refreshBundles(DEFAULT_TIMEOUT);
                context.installBundle(location).start();
            }
            millis.put(bsn, (System.nanoTime() - start) / 1_000_000);
            String cycled = bsn;
            awaitCondition(() -> countVmsgThreads() <= baselineThreads, DEFAULT_TIMEOUT,
                    () -> "after cycling " + cycled + ": vmsg threads " + vmsgThreadNames() + " above the baseline of "
                            + baselineThreads);
        }

        // The device works after all of it (its bus and its own bundle came and went).
        assertDistinctReads(awaitEntropySource(bus), 3, 64);
        awaitRunning(bus, 0);
        awaitCondition(() -> countVmsgThreads() == baselineThreads, DEFAULT_TIMEOUT,
                () -> "vmsg threads " + vmsgThreadNames() + " not back to the baseline of " + baselineThreads);

        int alive = 0;
        for (int attempt = 0; attempt < 30; attempt++) {
            System.gc();
            alive = (int) loaders.stream().filter(r -> r.get() != null).count();
            if (alive == 0) {
                break;
            }
            Thread.sleep(100);
        }
        assertEquals("class loaders of uninstalled revisions still reachable, of " + loaders.size(), 0, alive);
        long metaspace = metaspaceAfterGc();
        System.out.println("lifecycle loop: " + CYCLES + " cycles per bundle, ms per bundle " + millis
                + ", metaspace " + (baselineMetaspace >> 10) + " KiB -> " + (metaspace >> 10) + " KiB, "
                + loaders.size() + " class loaders collected");
        assertTrue("metaspace grew from " + baselineMetaspace + " to " + metaspace + " bytes over "
                + loaders.size() + " revisions", metaspace - baselineMetaspace < METASPACE_GROWTH_BOUND);
        assertNoVmsgErrors();
    }

    private static long metaspaceAfterGc() throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(50);
        }
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getName().equals("Metaspace")) {
                return pool.getUsage().getUsed();
            }
        }
        throw new AssertionError("no Metaspace memory pool in this JVM");
    }
}
