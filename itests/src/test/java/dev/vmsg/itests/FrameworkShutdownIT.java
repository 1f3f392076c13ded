package dev.vmsg.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Dictionary;
import java.util.HashMap;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

import org.junit.Test;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.FrameworkEvent;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.launch.Framework;
import org.osgi.framework.launch.FrameworkFactory;

/**
 * HARDENING row 25: Felix is stopped while devices are active and a client is reading. An embedded
 * framework (not Pax Exam's, which must outlive its tests) runs SCR, ConfigAdmin and the vmsg
 * bundles with a loopback bus and an rng device. Oracles, per run: the framework stops within a
 * bound (every component's deactivate finished), the client's reads all end (with bytes or a typed
 * failure, none hangs), no vmsg thread survives, and nothing printed "BundleContext is no longer
 * valid" or an IllegalStateException. {@code vmsg.shutdown.runs} runs (5 in CI, 20 in the matrix's
 * long form).
 */
public class FrameworkShutdownIT {
    static final int RUNS = Integer.getInteger("vmsg.shutdown.runs", 5);
    static final Duration STOP_BOUND = Duration.ofSeconds(30);
    static final List<String> PLATFORM = List.of("org.osgi.util.function", "org.osgi.util.promise",
            "org.osgi.service.component", "org.apache.felix.scr", "org.apache.felix.configadmin", "org.apache.felix.log");
    static final List<String> VMSG = List.of("dev.vmsg.api", "dev.vmsg.transport", "dev.vmsg.bus.loopback",
            "dev.vmsg.device.rng");

    @Test
    public void stoppingTheFrameworkWithActiveDevicesEndsEveryDeactivateWithinABound() throws Exception {
        for (int run = 0; run < RUNS; run++) {
            oneRun(run);
        }
    }

    private void oneRun(int run) throws Exception {
        Path storage = Files.createTempDirectory("vmsg-shutdown");
        Map<String, String> config = new HashMap<>();
        config.put(Constants.FRAMEWORK_STORAGE, storage.toString());
        config.put(Constants.FRAMEWORK_STORAGE_CLEAN, Constants.FRAMEWORK_STORAGE_CLEAN_ONFIRSTINIT);
        Framework framework = ServiceLoader.load(FrameworkFactory.class).iterator().next().newFramework(config);
        framework.start();
        BundleContext ctx = framework.getBundleContext();
        List<Bundle> bundles = new ArrayList<>();
        for (File jar : platformJars()) {
            bundles.add(ctx.installBundle(jar.toURI().toString()));
        }
        for (String bsn : VMSG) {
            bundles.add(ctx.installBundle(VmsgTestSupport.bundleFile(bsn).toURI().toString()));
        }
        for (Bundle b : bundles) {
            b.start();
        }
        configure(ctx, "dev.vmsg.bus.loopback", "sd", Map.of("name", "sd", "profile", "REV1",
                "window.size", 4 * 1024 * 1024, "max.message.size", 264));
        configure(ctx, "dev.vmsg.device.rng", "sd-rng0", Map.of("bus", "sd", "name", "rng0"));
        ServiceReference<?> ref = awaitReference(ctx, "(objectClass=" + RngTestSupport.ENTROPY_SOURCE + ")");
        Object source = ctx.getService(ref);
        Bundle provider = ref.getBundle();
        assertNotNull(RngTestSupport.readEntropy(source, provider, 64));

        AtomicLong reads = new AtomicLong();
        AtomicLong failures = new AtomicLong();
        Thread client = new Thread(() -> {
            while (true) {
                try {
                    RngTestSupport.readEntropy(source, provider, 256);
                    reads.incrementAndGet();
                } catch (Exception e) {
                    failures.incrementAndGet(); // REMOVED, or the bundle is gone: the read ended
                    return;
                }
            }
        }, "shutdown-client");
        client.setDaemon(true);
        client.start();
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (reads.get() < 10 && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertTrue("run " + run + ": the client read before the stop", reads.get() >= 10);

        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        PrintStream out = System.out;
        PrintStream err = System.err;
        PrintStream tee = new PrintStream(captured, true, StandardCharsets.UTF_8);
        System.setOut(tee);
        System.setErr(tee);
        long start = System.nanoTime();
        FrameworkEvent stopped;
        // A stop slower than a second leaves the threads' stacks in the output: where it waited.
        java.util.concurrent.ScheduledExecutorService watchdog = java.util.concurrent.Executors
                .newSingleThreadScheduledExecutor();
        java.util.concurrent.ScheduledFuture<String> slow = watchdog.schedule(FrameworkShutdownIT::stacks, 1000,
                java.util.concurrent.TimeUnit.MILLISECONDS);
        try {
            framework.stop();
            stopped = framework.waitForStop(STOP_BOUND.toMillis());
        } finally {
            System.setOut(out);
            System.setErr(err);
            slow.cancel(false);
            watchdog.shutdownNow();
        }
        if (slow.isDone() && !slow.isCancelled()) {
            out.println("framework shutdown run " + run + " was slow; threads after one second:\n" + slow.get());
        }
        long ms = (System.nanoTime() - start) / 1_000_000;
        String printed = captured.toString(StandardCharsets.UTF_8);
        assertEquals("run " + run + ": framework stopped within " + STOP_BOUND + " (took " + ms + " ms)",
                FrameworkEvent.STOPPED, stopped.getType());
        client.join(10_000);
        assertFalse("run " + run + ": the client's read did not end", client.isAlive());
        assertEquals("run " + run + ": the client's last read ended once", 1, failures.get());
        awaitNoVmsgThread(run);
        assertFalse("run " + run + ": " + printed, printed.contains("BundleContext is no longer valid"));
        assertFalse("run " + run + ": " + printed, printed.contains("IllegalStateException"));
        out.println("framework shutdown run " + run + ": stopped in " + ms + " ms after " + reads.get() + " reads");
        try (Stream<Path> files = Files.walk(storage)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    private static void awaitNoVmsgThread(int run) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (true) {
            List<String> left = Thread.getAllStackTraces().keySet().stream().map(Thread::getName)
                    .filter(n -> n.startsWith(VmsgTestSupport.VMSG_THREAD_PREFIX)).toList();
            if (left.isEmpty()) {
                return;
            }
            assertTrue("run " + run + ": vmsg threads after the stop: " + left, System.nanoTime() < deadline);
            Thread.sleep(20);
        }
    }

    /** The platform bundles the itests pom pre-fetches for Pax Exam (target/pax-prefetch). */
    private static List<File> platformJars() {
        File dir = new File("target/pax-prefetch");
        List<File> jars = new ArrayList<>();
        for (String artifact : PLATFORM) {
            File[] found = dir.listFiles((d, n) -> n.startsWith(artifact + "-") && n.endsWith(".jar"));
            assertTrue("no pre-fetched " + artifact + " in " + dir.getAbsolutePath(), found != null && found.length == 1);
            jars.add(found[0]);
        }
        return jars;
    }

    /** Creates a factory configuration through ConfigurationAdmin, reflectively (its API lives in the framework). */
    private static void configure(BundleContext ctx, String factoryPid, String name, Map<String, ?> props)
            throws Exception {
        ServiceReference<?> ref = awaitReference(ctx, "(objectClass=org.osgi.service.cm.ConfigurationAdmin)");
        Object admin = ctx.getService(ref);
        Object configuration = admin.getClass().getMethod("getFactoryConfiguration", String.class, String.class,
                String.class).invoke(admin, factoryPid, name, "?");
        Dictionary<String, Object> dict = new Hashtable<>(props);
        java.lang.reflect.Method update = configuration.getClass().getMethod("update", Dictionary.class);
        update.setAccessible(true);
        update.invoke(configuration, dict);
    }

    private static ServiceReference<?> awaitReference(BundleContext ctx, String filter) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (true) {
            ServiceReference<?>[] refs = ctx.getAllServiceReferences(null, filter); // the test classpath has its own cm API
            if (refs != null && refs.length > 0) {
                return refs[0];
            }
            if (System.nanoTime() > deadline) {
                StringBuilder states = new StringBuilder();
                for (Bundle b : ctx.getBundles()) {
                    states.append(' ').append(b.getSymbolicName()).append('=').append(b.getState());
                }
                throw new AssertionError("no service " + filter + " within 20 s; bundles:" + states);
            }
            Thread.sleep(20);
        }
    }

    /** The stacks of the framework's and vmsg's threads, for a slow stop. */
    private static String stacks() {
        StringBuilder sb = new StringBuilder();
        Thread.getAllStackTraces().forEach((t, frames) -> {
            if (t.getName().startsWith("vmsg") || t.getName().startsWith("SCR") || t.getName().contains("Felix")
                    || t.getName().startsWith("FelixStartLevel") || t.getName().equals("shutdown-client")) {
                sb.append(t.getName()).append(' ').append(t.getState()).append('\n');
                for (StackTraceElement f : frames) {
                    sb.append("    at ").append(f).append('\n');
                }
            }
        });
        return sb.toString();
    }
}
