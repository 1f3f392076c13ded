package dev.vmsg.itests;

import static org.ops4j.pax.exam.CoreOptions.bundle;
import static org.ops4j.pax.exam.CoreOptions.composite;
import static org.ops4j.pax.exam.CoreOptions.junitBundles;
import static org.ops4j.pax.exam.CoreOptions.mavenBundle;
import static org.ops4j.pax.exam.CoreOptions.options;
import static org.ops4j.pax.exam.CoreOptions.systemProperty;

import java.io.File;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import javax.inject.Inject;

import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;
import org.osgi.framework.Filter;
import org.osgi.framework.FrameworkEvent;
import org.osgi.framework.FrameworkUtil;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.wiring.FrameworkWiring;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.util.tracker.ServiceTracker;

/**
 * Base class of the vmsg integration tests: one Felix native container with SCR, ConfigAdmin,
 * the Log Service and the vmsg bundles from the reactor (no Gogo), plus helpers.
 *
 * <p>The bundles under test come from the reactor's target jars, passed by failsafe as system
 * properties {@code vmsg.bundle.<symbolic name>} (see itests/pom.xml). Every other bundle is a
 * {@code mvn:} URL that pax-url resolves from the local repository only; it must be pre-fetched by
 * the dependency:copy execution of itests/pom.xml.
 *
 * <p>Every wait is bounded: helpers take a timeout and fail the test with a readable message.
 */
public abstract class VmsgTestSupport {

    /** The vmsg bundles of the runtime, in install order. */
    public static final List<String> VMSG_BUNDLES = List.of(
            "dev.vmsg.api",
            "dev.vmsg.transport",
            "dev.vmsg.bus.loopback",
            "dev.vmsg.bus.ffa",
            "dev.vmsg.device.rng",
            "dev.vmsg.device.console",
            "dev.vmsg.shell");

    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);

    /** Threads created by vmsg code are named with this prefix (ARCHITECTURE.md, "Threads"). */
    public static final String VMSG_THREAD_PREFIX = "vmsg-";

    @Inject
    protected BundleContext context;

    @Configuration
    public Option[] config() {
        List<Option> options = new ArrayList<>(Arrays.asList(
                // Keep pax-url's configuration visible inside the container too.
                propagate("org.ops4j.pax.url.mvn.localRepository"),
                propagate("org.ops4j.pax.url.mvn.repositories"),
                propagate("org.ops4j.pax.url.mvn.defaultRepositories"),
                propagate("org.ops4j.pax.url.mvn.useFallbackRepositories"),
                propagate("org.ops4j.pax.url.mvn.settings"),
                propagate("org.ops4j.pax.url.mvn.offline"),
                // OSGi platform (versions come from itests/pom.xml)
                mavenBundle("org.osgi", "org.osgi.util.function").version(version("osgi.function")),
                mavenBundle("org.osgi", "org.osgi.util.promise").version(version("osgi.promise")),
                mavenBundle("org.osgi", "org.osgi.service.component").version(version("osgi.component")),
                mavenBundle("org.apache.felix", "org.apache.felix.scr").version(version("felix.scr")),
                mavenBundle("org.apache.felix", "org.apache.felix.configadmin").version(version("felix.configadmin")),
                mavenBundle("org.apache.felix", "org.apache.felix.log").version(version("felix.log")),
                mavenBundle("org.apache.felix", "org.apache.felix.metatype").version(version("felix.metatype")),
                junitBundles()));
        for (String bsn : vmsgBundles()) {
            options.add(bundle(bundleFile(bsn).toURI().toString()));
        }
        options.addAll(Arrays.asList(extraOptions()));
        return options(options.toArray(new Option[0]));
    }

    /** The reactor bundles this container gets; subclasses may install fewer (and add others later). */
    protected List<String> vmsgBundles() {
        return VMSG_BUNDLES;
    }

    /** Subclasses add container options here (more bundles, framework properties). */
    protected Option[] extraOptions() {
        return new Option[0];
    }

    protected static Option propagate(String key) {
        String value = System.getProperty(key);
        return value == null ? composite() : systemProperty(key).value(value);
    }

    protected static String version(String key) {
        String value = System.getProperty("vmsg.version." + key);
        if (value == null || value.isEmpty()) {
            throw new IllegalStateException("system property vmsg.version." + key
                    + " is not set: run the integration tests through Maven (./mvnw verify)");
        }
        return value;
    }

    /** The reactor jar of a vmsg bundle, from system property {@code vmsg.bundle.<bsn>}. */
    public static File bundleFile(String symbolicName) {
        String path = System.getProperty("vmsg.bundle." + symbolicName);
        if (path == null || path.isEmpty() || path.startsWith("${")) {
            throw new IllegalStateException("system property vmsg.bundle." + symbolicName
                    + " is not set: run the integration tests through Maven (./mvnw verify)");
        }
        File file = new File(path);
        if (!file.isFile()) {
            throw new IllegalStateException("bundle jar of " + symbolicName + " not found: " + file
                    + " (build the reactor first: ./mvnw verify)");
        }
        return file;
    }

    // ---------------------------------------------------------------- bundles

    /** The installed bundle with this symbolic name, or null. */
    protected Bundle findBundle(String symbolicName) {
        for (Bundle b : context.getBundles()) {
            if (symbolicName.equals(b.getSymbolicName())) {
                return b;
            }
        }
        return null;
    }

    protected static String stateName(int state) {
        switch (state) {
            case Bundle.UNINSTALLED: return "UNINSTALLED";
            case Bundle.INSTALLED: return "INSTALLED";
            case Bundle.RESOLVED: return "RESOLVED";
            case Bundle.STARTING: return "STARTING";
            case Bundle.STOPPING: return "STOPPING";
            case Bundle.ACTIVE: return "ACTIVE";
            default: return "UNKNOWN(" + state + ")";
        }
    }

    /** Waits until the bundle is ACTIVE; fails with its state otherwise. */
    protected Bundle awaitBundleActive(String symbolicName, Duration timeout) throws InterruptedException {
        awaitCondition(() -> {
            Bundle b = findBundle(symbolicName);
            return b != null && b.getState() == Bundle.ACTIVE;
        }, timeout, () -> {
            Bundle b = findBundle(symbolicName);
            return "bundle " + symbolicName + " not ACTIVE after " + timeout + ": "
                    + (b == null ? "not installed" : stateName(b.getState()));
        });
        return findBundle(symbolicName);
    }

    /**
     * Uninstalls the bundle with this symbolic name and refreshes the framework (waits for the
     * refresh to finish). Returns the bundle's location, for {@link #reinstallBundle(String)}.
     */
    protected String uninstallBundle(String symbolicName) throws BundleException, InterruptedException {
        Bundle b = findBundle(symbolicName);
        if (b == null) {
            throw new AssertionError("bundle " + symbolicName + " is not installed");
        }
        String location = b.getLocation();
        b.uninstall();
        refreshBundles(DEFAULT_TIMEOUT);
        return location;
    }

    /** Installs a bundle from a location (as returned by {@link #uninstallBundle}) and starts it. */
    protected Bundle reinstallBundle(String location) throws BundleException {
        Bundle b = context.installBundle(location);
        b.start();
        return b;
    }

    /** Uninstalls and reinstalls the bundle with this symbolic name; returns the new bundle. */
    protected Bundle reinstallBundleBySymbolicName(String symbolicName) throws BundleException, InterruptedException {
        return reinstallBundle(uninstallBundle(symbolicName));
    }

    /** Refreshes removal-pending bundles and waits (bounded) for the refresh to complete. */
    protected void refreshBundles(Duration timeout) throws InterruptedException {
        FrameworkWiring wiring = context.getBundle(0).adapt(FrameworkWiring.class);
        CountDownLatch done = new CountDownLatch(1);
        wiring.refreshBundles(null, event -> {
            if (event.getType() == FrameworkEvent.PACKAGES_REFRESHED || event.getType() == FrameworkEvent.ERROR) {
                done.countDown();
            }
        });
        if (!done.await(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionError("framework refresh did not finish within " + timeout);
        }
    }

    // ---------------------------------------------------------------- services

    /**
     * Waits (bounded) for a service of this type matching the filter (null: any) and gets it
     * through the test's bundle context. The service stays gotten until the probe bundle stops
     * (ungetting it would invalidate service-factory objects such as ConfigurationAdmin's).
     */
    protected <T> T awaitService(Class<T> type, String filter, Duration timeout) throws InterruptedException {
        String f = "(objectClass=" + type.getName() + ")";
        if (filter != null && !filter.isEmpty()) {
            f = "(&" + f + filter + ")";
        }
        ServiceTracker<T, T> tracker = new ServiceTracker<>(context, filter(f), null);
        tracker.open();
        try {
            if (tracker.waitForService(timeout.toMillis()) == null) {
                throw new AssertionError("no service " + f + " within " + timeout);
            }
            ServiceReference<T> ref = tracker.getServiceReference();
            T service = ref == null ? null : context.getService(ref);
            if (service == null) {
                throw new AssertionError("service " + f + " went away while being fetched");
            }
            return service;
        } finally {
            tracker.close();
        }
    }

    /** Waits (bounded) for any service matching an LDAP filter; returns its reference. */
    protected ServiceReference<?> awaitServiceReference(String filter, Duration timeout) throws InterruptedException {
        ServiceReference<?>[] found = new ServiceReference<?>[1];
        awaitCondition(() -> {
            try {
                ServiceReference<?>[] refs = context.getServiceReferences((String) null, filter);
                if (refs != null && refs.length > 0) {
                    found[0] = refs[0];
                    return true;
                }
                return false;
            } catch (InvalidSyntaxException e) {
                throw new IllegalArgumentException(e);
            }
        }, timeout, () -> "no service matching " + filter + " within " + timeout);
        return found[0];
    }

    /** Waits (bounded) until no service matches the filter. */
    protected void awaitNoService(String filter, Duration timeout) throws InterruptedException {
        awaitCondition(() -> {
            try {
                return context.getServiceReferences((String) null, filter) == null;
            } catch (InvalidSyntaxException e) {
                throw new IllegalArgumentException(e);
            }
        }, timeout, () -> "a service matching " + filter + " is still registered after " + timeout);
    }

    protected Filter filter(String filter) {
        try {
            return FrameworkUtil.createFilter(filter);
        } catch (InvalidSyntaxException e) {
            throw new IllegalArgumentException("bad filter " + filter, e);
        }
    }

    // ---------------------------------------------------------------- configuration

    protected ConfigurationAdmin configurationAdmin() throws InterruptedException {
        return awaitService(ConfigurationAdmin.class, null, DEFAULT_TIMEOUT);
    }

    /**
     * Creates (or updates) the factory configuration {@code factoryPid~name} with these properties,
     * unbound to any bundle location ("?"), as FileInstall and Gogo would. Returns its PID.
     */
    protected String createFactoryConfiguration(String factoryPid, String name, Map<String, ?> properties)
            throws Exception {
        org.osgi.service.cm.Configuration configuration =
                configurationAdmin().getFactoryConfiguration(factoryPid, name, "?");
        Dictionary<String, Object> dict = new Hashtable<>();
        properties.forEach(dict::put);
        configuration.update(dict);
        return configuration.getPid();
    }

    /** Deletes the configuration with this PID (as returned by createFactoryConfiguration); no-op if absent. */
    protected void deleteConfiguration(String pid) throws Exception {
        org.osgi.service.cm.Configuration[] found =
                configurationAdmin().listConfigurations("(service.pid=" + pid + ")");
        if (found != null) {
            for (org.osgi.service.cm.Configuration c : found) {
                c.delete();
            }
        }
    }

    /** Deletes the factory configuration {@code factoryPid~name}; no-op if absent. */
    protected void deleteFactoryConfiguration(String factoryPid, String name) throws Exception {
        deleteConfiguration(factoryPid + "~" + name);
    }

    // ---------------------------------------------------------------- threads

    /** Live threads whose name starts with {@code vmsg-}. */
    protected static List<String> vmsgThreadNames() {
        List<String> names = new ArrayList<>();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.isAlive() && t.getName().startsWith(VMSG_THREAD_PREFIX)) {
                names.add(t.getName());
            }
        }
        names.sort(null);
        return names;
    }

    /** Number of live threads whose name starts with {@code vmsg-}. */
    protected static int countVmsgThreads() {
        return vmsgThreadNames().size();
    }

    /** Waits (bounded) until at most {@code max} vmsg- threads are alive; fails listing them. */
    protected static void awaitVmsgThreadsAtMost(int max, Duration timeout) throws InterruptedException {
        awaitCondition(() -> countVmsgThreads() <= max, timeout,
                () -> "more than " + max + " vmsg- threads alive after " + timeout + ": " + vmsgThreadNames());
    }

    // ---------------------------------------------------------------- waiting

    /** Polls the condition every 20 ms until it holds or the timeout passes (then fails). */
    protected static void awaitCondition(BooleanSupplier condition, Duration timeout,
            java.util.function.Supplier<String> failure) throws InterruptedException {
        Objects.requireNonNull(condition);
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError(failure.get());
            }
            Thread.sleep(20);
        }
    }
}
