package dev.vmsg.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import dev.vmsg.admin.BusView;
import dev.vmsg.admin.DeviceView;
import dev.vmsg.admin.VmsgAdmin;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.After;
import org.junit.Before;
import org.osgi.framework.Bundle;
import org.osgi.framework.Constants;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;
import org.osgi.service.log.LogEntry;
import org.osgi.service.log.LogLevel;
import org.osgi.service.log.LogListener;
import org.osgi.service.log.LogReaderService;
import org.osgi.service.log.Logger;
import org.osgi.service.log.admin.LoggerAdmin;
import org.osgi.service.log.admin.LoggerContext;

/**
 * Helpers for the tests that run loopback buses and rng devices: configurations (deleted again
 * after each test), the {@link VmsgAdmin} view, entropy reads, thread checks, and a log capture
 * through the Log Reader service.
 *
 * <p>Entropy is read <em>reflectively</em>, through the {@code EntropySource} interface as loaded
 * by the bundle that registered the service: the probe bundle never wires to package
 * {@code dev.vmsg.device.rng}, so uninstalling and refreshing the rng bundle does not refresh
 * (and kill) the probe. Only tests that never uninstall the rng bundle use the interface itself.
 */
public abstract class RngTestSupport extends VmsgTestSupport {

    public static final String BUS_FACTORY_PID = "dev.vmsg.bus.loopback";
    public static final String RNG_FACTORY_PID = "dev.vmsg.device.rng";
    public static final String ENTROPY_SOURCE = "dev.vmsg.device.rng.EntropySource";
    public static final Duration READ_TIMEOUT = Duration.ofSeconds(5);
    /** ACKNOWLEDGE | DRIVER | FEATURES_OK | DRIVER_OK */
    public static final int STATUS_RUNNING = 0x0F;

    protected final List<String> createdPids = new ArrayList<>();
    private final List<LogEntry> logEntries = Collections.synchronizedList(new ArrayList<>());
    private LogReaderService logReader;
    private LogListener logListener;

    // ---------------------------------------------------------------- lifecycle

    @Before
    public void captureLog() throws Exception {
        logReader = awaitService(LogReaderService.class, null, DEFAULT_TIMEOUT);
        logListener = logEntries::add;
        // The Log Service 1.4 default level is WARN: let INFO through, so the capture can prove it sees vmsg.
        LoggerContext root = awaitService(LoggerAdmin.class, null, DEFAULT_TIMEOUT).getLoggerContext(null);
        Map<String, LogLevel> levels = new HashMap<>(root.getLogLevels());
        if (levels.get(Logger.ROOT_LOGGER_NAME) != LogLevel.INFO) {
            levels.put(Logger.ROOT_LOGGER_NAME, LogLevel.INFO);
            root.setLogLevels(levels);
        }
        logReader.addLogListener(logListener);
    }

    @After
    public void deleteCreatedConfigurations() throws Exception {
        List<String> pids = new ArrayList<>(createdPids);
        Collections.reverse(pids);
        for (String pid : pids) {
            deleteConfiguration(pid);
        }
        createdPids.clear();
        // Leave the container as the next test expects it: no device, no device thread.
        awaitCondition(() -> admin().devices().isEmpty(), DEFAULT_TIMEOUT,
                () -> "devices left after the test: " + admin().devices());
        awaitNoThread("vmsg-(dev|drv|loopback)-.*", DEFAULT_TIMEOUT);
        if (logReader != null) {
            logReader.removeLogListener(logListener);
        }
    }

    // ---------------------------------------------------------------- configurations

    /** Creates loopback bus {@code name} (profile, max message size); deleted after the test. */
    protected String createBus(String name, String profile, int maxMessageSize) throws Exception {
        String pid = createFactoryConfiguration(BUS_FACTORY_PID, name,
                Map.of("name", name, "profile", profile, "window.size", 4 * 1024 * 1024,
                        "max.message.size", maxMessageSize));
        createdPids.add(pid);
        return pid;
    }

    protected String createBus(String name) throws Exception {
        return createBus(name, "REV1", 264);
    }

    /** Creates rng device {@code name} on bus {@code bus}; deleted after the test. */
    protected String createRng(String bus, String name) throws Exception {
        String pid = createFactoryConfiguration(RNG_FACTORY_PID, bus + "-" + name, Map.of("bus", bus, "name", name));
        createdPids.add(pid);
        return pid;
    }

    /** Creates console device {@code name} on {@code bus} with one endpoint port {@code app}; deleted after the test. */
    protected String createConsole(String bus, String name) throws Exception {
        String pid = createFactoryConfiguration("dev.vmsg.device.console", bus + "-" + name,
                Map.of("bus", bus, "name", name, "ports", new String[] {"app=endpoint"}));
        createdPids.add(pid);
        return pid;
    }

    /**
     * Creates FIFO bus {@code name} playing {@code role} ("device" or "driver") over the queue and
     * window files in {@code dir}; deleted after the test.
     */
    protected String createFifo(String name, String role, java.nio.file.Path dir) throws Exception {
        String pid = createFactoryConfiguration("dev.vmsg.bus.fifo", name, Map.of("name", name, "role", role,
                "queue.file", dir.resolve("it.queue").toString(), "window.file", dir.resolve("it.window").toString(),
                "heartbeat.ms", 50L, "peer.timeout.ms", 1000L));
        createdPids.add(pid);
        return pid;
    }

    /** Creates FF-A bus {@code name} (emulated firmware, 1 MiB area); deleted after the test. */
    protected String createFfaBus(String name, String messaging, String events) throws Exception {
        String pid = createFactoryConfiguration("dev.vmsg.bus.ffa", name, Map.of("name", name, "messaging", messaging,
                "event.method", events, "area.size", 1024 * 1024));
        createdPids.add(pid);
        return pid;
    }

    /** Deletes a configuration this test created, now. */
    protected void deleteCreated(String pid) throws Exception {
        deleteConfiguration(pid);
        createdPids.remove(pid);
    }

    // ---------------------------------------------------------------- entropy sources

    protected static String entropyFilter(String bus) {
        return "(&(objectClass=" + ENTROPY_SOURCE + ")(vmsg.bus.name=" + bus + "))";
    }

    protected static String entropyFilter(String bus, int number) {
        return "(&(objectClass=" + ENTROPY_SOURCE + ")(vmsg.bus.name=" + bus + ")(vmsg.device.number=" + number + "))";
    }

    protected ServiceReference<?> awaitEntropySource(String bus) throws InterruptedException {
        return awaitAnyServiceReference(entropyFilter(bus), DEFAULT_TIMEOUT);
    }

    protected List<ServiceReference<?>> entropySources(String bus) {
        return allServiceReferences(entropyFilter(bus));
    }

    /**
     * Every service matching the filter, without Felix's class-space check: that check would make
     * the probe wire (DynamicImport-Package: *) to the provider's package, e.g. the rng bundle's,
     * and a refresh after uninstalling that bundle would then refresh the probe.
     */
    protected List<ServiceReference<?>> allServiceReferences(String filter) {
        try {
            ServiceReference<?>[] refs = context.getAllServiceReferences(null, filter);
            return refs == null ? List.of() : Arrays.asList(refs);
        } catch (InvalidSyntaxException e) {
            throw new IllegalArgumentException(e);
        }
    }

    /** Like awaitServiceReference, through {@link #allServiceReferences}. */
    protected ServiceReference<?> awaitAnyServiceReference(String filter, Duration timeout) throws InterruptedException {
        awaitCondition(() -> !allServiceReferences(filter).isEmpty(), timeout,
                () -> "no service matching " + filter + " within " + timeout);
        return allServiceReferences(filter).get(0);
    }

    /** Like awaitNoService, through {@link #allServiceReferences}. */
    protected void awaitNoServiceAtAll(String filter, Duration timeout) throws InterruptedException {
        awaitCondition(() -> allServiceReferences(filter).isEmpty(), timeout,
                () -> "a service matching " + filter + " is still registered after " + timeout + ": "
                        + allServiceReferences(filter));
    }

    protected static long serviceId(ServiceReference<?> ref) {
        return (Long) ref.getProperty(Constants.SERVICE_ID);
    }

    /** Reads {@code length} bytes from the entropy source behind {@code ref} (reflectively, see class doc). */
    protected byte[] readEntropy(ServiceReference<?> ref, int length) throws Exception {
        Object source = context.getService(ref);
        if (source == null) {
            throw new AssertionError("entropy source " + ref + " is gone");
        }
        try {
            return readEntropy(source, ref.getBundle(), length);
        } finally {
            context.ungetService(ref);
        }
    }

    /**
     * Reads from an entropy source object through its interface as its bundle sees it; rethrows
     * what {@code read} threw (a VirtioDeviceException from the API bundle, say).
     */
    protected static byte[] readEntropy(Object source, Bundle provider, int length) throws Exception {
        Class<?> api = provider.loadClass(ENTROPY_SOURCE);
        Method read = api.getMethod("read", byte[].class, Duration.class);
        byte[] out = new byte[length];
        try {
            read.invoke(source, out, READ_TIMEOUT);
        } catch (InvocationTargetException e) {
            if (e.getCause() instanceof Exception ex) {
                throw ex;
            }
            throw e;
        }
        return out;
    }

    /** Reads {@code count} times {@code length} bytes; asserts non-zero data that differs between reads. */
    protected List<byte[]> assertDistinctReads(ServiceReference<?> ref, int count, int length) throws Exception {
        List<byte[]> reads = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            byte[] b = readEntropy(ref, length);
            assertEquals(length, b.length);
            assertFalse("read " + i + " returned only zero bytes", allZero(b));
            for (byte[] earlier : reads) {
                assertFalse("two reads returned the same bytes", Arrays.equals(earlier, b));
            }
            reads.add(b);
        }
        return reads;
    }

    /** The reason of a VirtioDeviceException (REMOVED, TIMEOUT, ...), read reflectively; else the exception. */
    protected static String reasonOf(Exception e) {
        try {
            return String.valueOf(e.getClass().getMethod("reason").invoke(e));
        } catch (ReflectiveOperationException notADeviceException) {
            return e.toString();
        }
    }

    protected static boolean allZero(byte[] b) {
        for (byte x : b) {
            if (x != 0) {
                return false;
            }
        }
        return true;
    }

    // ---------------------------------------------------------------- admin view

    protected VmsgAdmin admin() {
        try {
            return awaitService(VmsgAdmin.class, null, DEFAULT_TIMEOUT);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    protected List<DeviceView> devicesOn(String bus) {
        return admin().devices().stream().filter(d -> d.bus().equals(bus)).collect(Collectors.toList());
    }

    protected Optional<BusView> busView(String bus) {
        return admin().buses().stream().filter(b -> b.name().equals(bus)).findFirst();
    }

    /** A message counter of bus {@code bus} ({@code "driver rx BUS_EVENT_DEVICE"}); 0 when absent. */
    protected long counter(String bus, String key) {
        return busView(bus).map(b -> b.messages().getOrDefault(key, 0L)).orElse(0L);
    }

    /** Waits until both sides of device {@code number} on {@code bus} are running. */
    protected void awaitRunning(String bus, int number) throws InterruptedException {
        awaitCondition(() -> {
            List<DeviceView> views = devicesOn(bus).stream().filter(d -> d.number() == number)
                    .collect(Collectors.toList());
            return views.size() == 2 && views.stream().allMatch(d -> "running".equals(d.state()));
        }, DEFAULT_TIMEOUT, () -> "device " + bus + "/" + number + " not running on both sides: " + devicesOn(bus));
    }

    /** Asserts the device and driver side of {@code bus}/{@code number} run with status 0x0F and VERSION_1. */
    protected void assertRunningBothSides(String bus, int number) {
        List<DeviceView> views = devicesOn(bus).stream().filter(d -> d.number() == number)
                .collect(Collectors.toList());
        assertEquals("sides of " + bus + "/" + number + ": " + views, List.of("device", "driver"),
                views.stream().map(DeviceView::side).sorted().collect(Collectors.toList()));
        for (DeviceView v : views) {
            assertEquals(v.side() + " state", "running", v.state());
            assertEquals(v.side() + " status", STATUS_RUNNING, v.status());
            assertEquals(v.side() + " device id", 4, v.deviceId());
            assertTrue(v.side() + " negotiated features " + v.negotiatedFeatures(),
                    v.negotiatedFeatures().contains("VIRTIO_F_VERSION_1"));
        }
    }

    // ---------------------------------------------------------------- threads

    protected static List<String> threadsMatching(String regex) {
        Pattern p = Pattern.compile(regex);
        return vmsgThreadNames().stream().filter(n -> p.matcher(n).matches()).collect(Collectors.toList());
    }

    protected static void awaitNoThread(String regex, Duration timeout) throws InterruptedException {
        awaitCondition(() -> threadsMatching(regex).isEmpty(), timeout,
                () -> "threads matching " + regex + " still alive after " + timeout + ": " + threadsMatching(regex));
    }

    protected static String quote(String s) {
        return Pattern.quote(s);
    }

    // ---------------------------------------------------------------- log

    /** Log entries from vmsg bundles, captured since the test began. */
    protected List<LogEntry> vmsgLogEntries() {
        synchronized (logEntries) {
            return logEntries.stream().filter(e -> e.getBundle() != null && e.getBundle().getSymbolicName() != null
                    && e.getBundle().getSymbolicName().startsWith("dev.vmsg.")).collect(Collectors.toList());
        }
    }

    /** Asserts no vmsg bundle logged at ERROR level since the test began. */
    protected void assertNoVmsgErrors() {
        List<String> errors = vmsgLogEntries().stream().filter(e -> e.getLogLevel() == LogLevel.ERROR)
                .map(e -> e.getBundle().getSymbolicName() + ": " + e.getMessage()
                        + (e.getException() == null ? "" : " (" + e.getException() + ")"))
                .collect(Collectors.toList());
        assertTrue("ERROR log entries from vmsg bundles: " + errors, errors.isEmpty());
    }

    /** Waits until a log entry from a vmsg bundle contains {@code text} (proves the log capture sees vmsg). */
    protected void awaitVmsgLog(String text) throws InterruptedException {
        awaitCondition(() -> vmsgLogEntries().stream().anyMatch(e -> e.getMessage().contains(text)), DEFAULT_TIMEOUT,
                () -> "no vmsg log entry containing '" + text + "'; got: "
                        + vmsgLogEntries().stream().map(e -> e.getLogLevel() + " " + e.getMessage())
                        .collect(Collectors.toList()));
    }
}
