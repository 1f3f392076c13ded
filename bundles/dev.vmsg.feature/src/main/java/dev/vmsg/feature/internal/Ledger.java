package dev.vmsg.feature.internal;

import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * What the installer did: the features it installed, the bundles and configurations each one
 * uses, and which of those the installer itself created (it owns them). A bundle or configuration
 * that was there before a feature came is used but never owned, so removing the feature leaves it
 * alone; an owned one is released only when no other installed feature still uses it.
 * Persisted as a properties file in the installer bundle's data area.
 */
public final class Ledger {

    /** One installed feature: bundle ids in start order and configuration PIDs it uses. */
    public record Record(String id, String name, List<Long> bundles, List<String> configurations) {
        public Record {
            bundles = List.copyOf(bundles);
            configurations = List.copyOf(configurations);
        }
    }

    /** What removing a feature gives back: owned bundles (in start order) and configurations nobody else uses. */
    public record Release(Record record, List<Long> bundles, List<String> configurations) {
    }

    private final Map<String, Record> installed = new LinkedHashMap<>();
    private final Set<Long> ownedBundles = new LinkedHashSet<>();
    private final Set<String> ownedConfigurations = new LinkedHashSet<>();

    public synchronized boolean isInstalled(String featureId) {
        return installed.containsKey(featureId);
    }

    public synchronized Record get(String featureId) {
        return installed.get(featureId);
    }

    public synchronized List<Record> records() {
        return List.copyOf(installed.values());
    }

    public synchronized boolean ownsBundle(long bundleId) {
        return ownedBundles.contains(bundleId);
    }

    public synchronized boolean ownsConfiguration(String pid) {
        return ownedConfigurations.contains(pid);
    }

    /** Records an installed feature and what the installer created for it. */
    public synchronized void add(Record record, Collection<Long> createdBundles, Collection<String> createdConfigurations) {
        if (installed.containsKey(record.id())) {
            throw new IllegalStateException("feature " + record.id() + " is already recorded");
        }
        installed.put(record.id(), record);
        ownedBundles.addAll(createdBundles);
        ownedConfigurations.addAll(createdConfigurations);
    }

    /**
     * Forgets a feature and says what to undo: the owned bundles and configurations of this feature
     * that no other installed feature uses (they are no longer owned afterwards).
     */
    public synchronized Release remove(String featureId) {
        Record record = installed.remove(featureId);
        if (record == null) {
            throw new IllegalStateException("feature " + featureId + " is not recorded");
        }
        Set<Long> stillUsedBundles = new LinkedHashSet<>();
        Set<String> stillUsedConfigurations = new LinkedHashSet<>();
        for (Record other : installed.values()) {
            stillUsedBundles.addAll(other.bundles());
            stillUsedConfigurations.addAll(other.configurations());
        }
        List<Long> bundles = new ArrayList<>();
        for (Long b : record.bundles()) {
            if (ownedBundles.contains(b) && !stillUsedBundles.contains(b)) {
                bundles.add(b);
                ownedBundles.remove(b);
            }
        }
        List<String> configurations = new ArrayList<>();
        for (String pid : record.configurations()) {
            if (ownedConfigurations.contains(pid) && !stillUsedConfigurations.contains(pid)) {
                configurations.add(pid);
                ownedConfigurations.remove(pid);
            }
        }
        return new Release(record, bundles, configurations);
    }

    public synchronized void save(Path file) throws IOException {
        Properties p = new Properties();
        int n = 0;
        for (Record r : installed.values()) {
            p.setProperty("feature." + n + ".id", r.id());
            p.setProperty("feature." + n + ".name", r.name());
            p.setProperty("feature." + n + ".bundles", join(r.bundles()));
            p.setProperty("feature." + n + ".configurations", join(r.configurations()));
            n++;
        }
        p.setProperty("features", Integer.toString(n));
        p.setProperty("owned.bundles", join(ownedBundles));
        p.setProperty("owned.configurations", join(ownedConfigurations));
        Files.createDirectories(file.toAbsolutePath().getParent());
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try (Writer out = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
            p.store(out, "vmsg feature installer ledger");
        }
        Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    /** Reads a saved ledger; a missing file is an empty ledger. */
    public static Ledger load(Path file) throws IOException {
        Ledger ledger = new Ledger();
        if (!Files.isRegularFile(file)) {
            return ledger;
        }
        Properties p = new Properties();
        try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            p.load(in);
        }
        int n = Integer.parseInt(p.getProperty("features", "0"));
        for (int i = 0; i < n; i++) {
            String id = p.getProperty("feature." + i + ".id");
            ledger.installed.put(id, new Record(id, p.getProperty("feature." + i + ".name", id),
                    split(p.getProperty("feature." + i + ".bundles")).stream().map(Long::valueOf).toList(),
                    split(p.getProperty("feature." + i + ".configurations"))));
        }
        split(p.getProperty("owned.bundles")).forEach(b -> ledger.ownedBundles.add(Long.valueOf(b)));
        ledger.ownedConfigurations.addAll(split(p.getProperty("owned.configurations")));
        return ledger;
    }

    private static String join(Collection<?> values) {
        return values.stream().map(String::valueOf).collect(Collectors.joining(","));
    }

    private static List<String> split(String value) {
        if (value == null || value.isBlank()) {
            return List.of();
        }
        return Arrays.stream(value.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
    }
}
