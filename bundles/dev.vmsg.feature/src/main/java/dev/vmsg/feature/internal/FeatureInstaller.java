package dev.vmsg.feature.internal;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.Dictionary;
import java.util.HashSet;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;
import org.osgi.framework.Constants;
import org.osgi.framework.FrameworkEvent;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.Version;
import org.osgi.framework.wiring.FrameworkWiring;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.feature.FeatureBundle;
import org.osgi.service.feature.FeatureConfiguration;

/**
 * Adds and removes features in the running framework. Adding installs the feature's bundles that
 * are not there yet (location {@code feature:<feature id>/<bundle id>}), creates its configurations
 * that do not exist yet, then starts the bundles it installed in start order; any failure undoes
 * what this add did. Removing deletes the configurations and stops and uninstalls the bundles this
 * installer created and no other installed feature uses. Bundles and configurations that were
 * there before are used, never changed. A refresh is made only when every bundle it would touch
 * is one the removal uninstalled: no bundle outside the feature is ever refreshed.
 */
public final class FeatureInstaller {

    /** Start order of a bundle entry without a {@code start-order} metadata key. */
    static final int DEFAULT_START_ORDER = 10;

    private static final long REFRESH_TIMEOUT_MS = 30_000;

    private final BundleContext context;
    private final ConfigurationAdmin configurationAdmin;
    private final BundleRepository repository;
    private final Ledger ledger;
    private final Path ledgerFile;

    public FeatureInstaller(BundleContext context, ConfigurationAdmin configurationAdmin, BundleRepository repository,
            Ledger ledger, Path ledgerFile) {
        this.context = context;
        this.configurationAdmin = configurationAdmin;
        this.repository = repository;
        this.ledger = ledger;
        this.ledgerFile = ledgerFile;
    }

    public Ledger ledger() {
        return ledger;
    }

    /** Bundle entries of a feature in start order (stable: document order within one start order). */
    static List<FeatureBundle> inStartOrder(List<FeatureBundle> bundles) {
        List<FeatureBundle> sorted = new ArrayList<>(bundles);
        sorted.sort(Comparator.comparingInt(FeatureInstaller::startOrder));
        return sorted;
    }

    static int startOrder(FeatureBundle bundle) {
        Object value = bundle.getMetadata().get("start-order");
        if (value == null) {
            return DEFAULT_START_ORDER;
        }
        try {
            return value instanceof Number n ? n.intValue() : Integer.parseInt(String.valueOf(value).trim());
        } catch (NumberFormatException e) {
            return DEFAULT_START_ORDER;
        }
    }

    /** Installs the feature; returns what it did, one line per bundle or configuration. */
    public synchronized List<String> add(FeatureCatalog.Entry entry) throws FeatureException {
        String featureId = entry.id();
        if (ledger.isInstalled(featureId)) {
            throw new FeatureException("feature " + entry.name() + " is already added");
        }
        List<String> report = new ArrayList<>();
        List<Bundle> installedHere = new ArrayList<>();
        List<Configuration> createdHere = new ArrayList<>();
        List<Long> used = new ArrayList<>();
        List<String> pids = new ArrayList<>();
        try {
            List<FeatureBundle> ordered = inStartOrder(entry.feature().getBundles());
            for (FeatureBundle fb : ordered) {
                Path jar = repository.locate(fb.getID());
                BundleIdentity identity = BundleIdentity.of(jar);
                Bundle existing = identity.findIn(context);
                if (existing != null) {
                    used.add(existing.getBundleId());
                    report.add("bundle " + identity + " [" + existing.getBundleId() + "] already installed: used as is");
                    continue;
                }
                Bundle b;
                try (InputStream in = Files.newInputStream(jar)) {
                    b = context.installBundle("feature:" + featureId + "/" + fb.getID(), in);
                }
                installedHere.add(b);
                used.add(b.getBundleId());
                report.add("bundle " + identity + " [" + b.getBundleId() + "] installed from " + jar);
            }
            List<Bundle> all = Arrays.asList(context.getBundles());
            for (FeatureConfiguration fc : entry.feature().getConfigurations().values()) {
                List<String> problems = ConfigurationRules.check(all, fc.getPid(), new Hashtable<>(fc.getValues()));
                if (!problems.isEmpty()) {
                    throw new FeatureException("configuration rejected: " + ConfigurationRules.oneLine(problems));
                }
            }
            for (FeatureConfiguration fc : entry.feature().getConfigurations().values()) {
                pids.add(fc.getPid());
                if (exists(fc.getPid())) {
                    report.add("configuration " + fc.getPid() + " already exists: used as is");
                    continue;
                }
                createdHere.add(create(fc));
                report.add("configuration " + fc.getPid() + " created");
            }
            for (Bundle b : installedHere) {
                if (b.getHeaders().get(Constants.FRAGMENT_HOST) == null) {
                    b.start();
                }
            }
        } catch (FeatureException | IOException | BundleException | InvalidSyntaxException | RuntimeException e) {
            undo(createdHere, installedHere);
            String why = e instanceof FeatureException ? e.getMessage() : e.getClass().getSimpleName() + ": "
                    + e.getMessage();
            throw new FeatureException("feature " + entry.name() + " not added (nothing left behind): " + why, e);
        }
        ledger.add(new Ledger.Record(featureId, entry.name(), used, pids),
                installedHere.stream().map(Bundle::getBundleId).toList(),
                createdHere.stream().map(Configuration::getPid).toList());
        save();
        report.add("feature " + entry.name() + " added: " + installedHere.size() + " bundle(s) installed and started, "
                + createdHere.size() + " configuration(s) created");
        return report;
    }

    /** Removes a feature added before; returns what it did. */
    public synchronized List<String> remove(String featureId, String name) throws FeatureException {
        if (!ledger.isInstalled(featureId)) {
            throw new FeatureException("feature " + name + " is not added (see feature:list)");
        }
        Ledger.Release release = ledger.remove(featureId);
        List<String> report = new ArrayList<>();
        for (String pid : release.configurations()) {
            try {
                Configuration[] found = configurationAdmin.listConfigurations("(" + Constants.SERVICE_PID + "=" + pid + ")");
                if (found != null) {
                    for (Configuration c : found) {
                        c.delete();
                    }
                }
                report.add("configuration " + pid + " deleted");
            } catch (IOException | InvalidSyntaxException | IllegalStateException e) {
                report.add("configuration " + pid + " could not be deleted: " + e.getMessage());
            }
        }
        List<Long> reversed = new ArrayList<>(release.bundles());
        Collections.reverse(reversed);
        List<Bundle> uninstalled = new ArrayList<>();
        for (Long id : reversed) {
            Bundle b = context.getBundle(id);
            if (b == null) {
                report.add("bundle [" + id + "] was already uninstalled by someone else");
                continue;
            }
            String what = b.getSymbolicName() + " " + b.getVersion() + " [" + id + "]";
            try {
                b.stop();
                b.uninstall();
                uninstalled.add(b);
                report.add("bundle " + what + " stopped and uninstalled");
            } catch (BundleException | IllegalStateException e) {
                report.add("bundle " + what + " could not be uninstalled: " + e.getMessage());
            }
        }
        report.addAll(refreshOnly(uninstalled));
        for (Long id : release.record().bundles()) {
            if (!release.bundles().contains(id)) {
                Bundle b = context.getBundle(id);
                report.add("bundle " + (b == null ? "[" + id + "]" : b.getSymbolicName() + " [" + id + "]")
                        + " kept: installed by someone else or still used by another feature");
            }
        }
        save();
        report.add("feature " + name + " removed");
        return report;
    }

    /**
     * Refreshes the removal-pending revisions of the uninstalled bundles, but only when the refresh
     * would touch nothing else; otherwise says which bundles keep using the old revisions.
     */
    private List<String> refreshOnly(List<Bundle> uninstalled) {
        if (uninstalled.isEmpty()) {
            return List.of();
        }
        FrameworkWiring wiring = context.getBundle(Constants.SYSTEM_BUNDLE_LOCATION).adapt(FrameworkWiring.class);
        Set<Bundle> ours = new HashSet<>(uninstalled);
        List<Bundle> pending = wiring.getRemovalPendingBundles().stream().filter(ours::contains).toList();
        if (pending.isEmpty()) {
            return List.of();
        }
        Collection<Bundle> closure = wiring.getDependencyClosure(pending);
        List<String> outside = closure.stream().filter(b -> !ours.contains(b))
                .map(b -> b.getSymbolicName() + " [" + b.getBundleId() + "]").toList();
        if (!outside.isEmpty()) {
            return List.of("not refreshed: " + outside + " still use packages of the removed bundles and keep them"
                    + " until the next restart (no bundle outside the feature is refreshed)");
        }
        CountDownLatch done = new CountDownLatch(1);
        wiring.refreshBundles(pending, event -> {
            if (event.getType() == FrameworkEvent.PACKAGES_REFRESHED || event.getType() == FrameworkEvent.ERROR) {
                done.countDown();
            }
        });
        try {
            if (!done.await(REFRESH_TIMEOUT_MS, TimeUnit.MILLISECONDS)) {
                return List.of("refresh of the removed bundles did not finish within " + REFRESH_TIMEOUT_MS + " ms");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return List.of("interrupted while refreshing the removed bundles");
        }
        return List.of("released the old revisions of " + pending.size() + " removed bundle(s)");
    }

    private boolean exists(String pid) throws IOException, InvalidSyntaxException {
        return configurationAdmin.listConfigurations("(" + Constants.SERVICE_PID + "=" + pid + ")") != null;
    }

    private Configuration create(FeatureConfiguration fc) throws IOException {
        Configuration c;
        if (fc.getFactoryPid().isPresent()) {
            String factoryPid = fc.getFactoryPid().get();
            String name = fc.getPid().substring(fc.getPid().indexOf('~') + 1);
            c = configurationAdmin.getFactoryConfiguration(factoryPid, name, "?");
        } else {
            c = configurationAdmin.getConfiguration(fc.getPid(), "?");
        }
        Dictionary<String, Object> values = new Hashtable<>();
        for (Map.Entry<String, Object> e : fc.getValues().entrySet()) {
            values.put(e.getKey(), e.getValue());
        }
        c.update(values);
        return c;
    }

    private void undo(List<Configuration> configurations, List<Bundle> bundles) {
        for (Configuration c : configurations) {
            try {
                c.delete();
            } catch (IOException | IllegalStateException e) {
                // best effort: the add is failing already and reports its own cause
            }
        }
        for (int i = bundles.size() - 1; i >= 0; i--) {
            try {
                bundles.get(i).uninstall();
            } catch (BundleException | IllegalStateException e) {
                // best effort, as above
            }
        }
        refreshOnly(bundles);
    }

    private void save() throws FeatureException {
        try {
            ledger.save(ledgerFile);
        } catch (IOException e) {
            throw new FeatureException("cannot save the installer's ledger " + ledgerFile + ": " + e.getMessage(), e);
        }
    }

    /** Symbolic name and version of a bundle jar, read from its manifest. */
    record BundleIdentity(String symbolicName, Version version) {

        static BundleIdentity of(Path jar) throws FeatureException {
            try (JarFile file = new JarFile(jar.toFile())) {
                Manifest m = file.getManifest();
                String bsn = m == null ? null : m.getMainAttributes().getValue(Constants.BUNDLE_SYMBOLICNAME);
                if (bsn == null) {
                    throw new FeatureException(jar + " is not an OSGi bundle (no Bundle-SymbolicName)");
                }
                String version = m.getMainAttributes().getValue(Constants.BUNDLE_VERSION);
                return new BundleIdentity(bsn.split(";")[0].trim(), Version.parseVersion(version));
            } catch (IOException | IllegalArgumentException e) {
                throw new FeatureException("cannot read the manifest of " + jar + ": " + e.getMessage(), e);
            }
        }

        Bundle findIn(BundleContext context) {
            for (Bundle b : context.getBundles()) {
                if (symbolicName.equals(b.getSymbolicName()) && version.equals(b.getVersion())) {
                    return b;
                }
            }
            return null;
        }

        @Override
        public String toString() {
            return symbolicName + " " + version;
        }
    }
}
