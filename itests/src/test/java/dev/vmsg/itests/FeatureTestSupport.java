package dev.vmsg.itests;

import static org.ops4j.pax.exam.CoreOptions.bundle;
import static org.ops4j.pax.exam.CoreOptions.mavenBundle;
import static org.ops4j.pax.exam.CoreOptions.systemProperty;

import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.ops4j.pax.exam.Option;
import org.osgi.framework.Bundle;
import org.osgi.framework.ServiceReference;

/**
 * A container with the vmsg core, FileInstall on an empty temporary deploy folder and the loopback
 * bus but no device type: the feature installer
 * (dev.vmsg.feature with the Felix Feature service) finds the feature documents in features/ and
 * the bundles in the runtime's local repository (runtime/target/repository), as in ./vmsg.
 * Commands are called as Gogo calls them: on the service with {@code osgi.command.scope=feature}.
 */
public abstract class FeatureTestSupport extends RngTestSupport {

    @Override
    protected List<String> vmsgBundles() {
        return List.of("dev.vmsg.api", "dev.vmsg.transport", "dev.vmsg.bus.loopback");
    }

    @Override
    protected Option[] extraOptions() {
        java.nio.file.Path deploy;
        try {
            deploy = java.nio.file.Files.createTempDirectory("vmsg-deploy");
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
        List<Option> options = new ArrayList<>(Arrays.asList(
                // the deploy folder as ./vmsg runs it (FileInstall), empty at the start
                systemProperty("felix.fileinstall.dir").value(deploy.toString()),
                systemProperty("felix.fileinstall.poll").value("200"),
                systemProperty("felix.fileinstall.noInitialDelay").value("true"),
                systemProperty("felix.fileinstall.enableConfigSave").value("false"),
                propagate("vmsg.feature.dirs"),
                propagate("vmsg.feature.repository"),
                mavenBundle("org.glassfish", "jakarta.json").version(version("jakarta.json")),
                mavenBundle("org.osgi", "org.osgi.util.converter").version(version("osgi.converter")),
                mavenBundle("org.osgi", "org.osgi.service.feature").version(version("osgi.feature")),
                mavenBundle("org.apache.felix", "org.apache.felix.cm.json").version(version("felix.cm.json")),
                mavenBundle("org.apache.felix", "org.apache.felix.feature").version(version("felix.feature")),
                mavenBundle("org.apache.felix", "org.apache.felix.fileinstall").version(version("felix.fileinstall")),
                bundle(bundleFile("dev.vmsg.feature").toURI().toString())));
        options.addAll(Arrays.asList(moreOptions()));
        return options.toArray(new Option[0]);
    }

    /** Subclasses add options on top of the feature installer. */
    protected Option[] moreOptions() {
        return new Option[0];
    }

    /** Runs {@code feature:<function> [args]} (String and int arguments) and returns its text, as Gogo would print it. */
    protected String feature(String function, Object... args) throws Exception {
        ServiceReference<?> ref = awaitServiceReference("(osgi.command.scope=feature)", DEFAULT_TIMEOUT);
        Object commands = context.getService(ref);
        try {
            Class<?>[] types = new Class<?>[args.length];
            for (int i = 0; i < args.length; i++) {
                types[i] = args[i] instanceof Integer ? int.class : String.class;
            }
            Method m = commands.getClass().getMethod(function, types);
            return (String) m.invoke(commands, args);
        } finally {
            context.ungetService(ref);
        }
    }

    /** Every installed bundle: id -> "symbolic-name state". */
    protected Map<Long, String> bundleSnapshot() {
        Map<Long, String> out = new TreeMap<>();
        for (Bundle b : context.getBundles()) {
            out.put(b.getBundleId(), b.getSymbolicName() + " " + stateName(b.getState()));
        }
        return out;
    }
}
