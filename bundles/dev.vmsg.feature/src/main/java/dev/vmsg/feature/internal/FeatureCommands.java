package dev.vmsg.feature.internal;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.feature.FeatureBundle;
import org.osgi.service.feature.FeatureConfiguration;
import org.osgi.service.feature.FeatureService;
import org.osgi.service.feature.ID;
import org.osgi.service.log.Logger;
import org.osgi.service.log.LoggerFactory;
import org.osgi.service.metatype.annotations.Designate;

/**
 * Gogo commands {@code feature:list}, {@code feature:show <feature>}, {@code feature:add <feature>}
 * and {@code feature:remove <feature>}, and {@code feature:waitfor <filter or symbolic name> <seconds>}
 * for scripts that wait for what the deploy folder brings: the DS shell of {@link FeatureCatalog} and
 * {@link FeatureInstaller}. A plain service with command properties, no shell dependency; every
 * command answers text, and a failure is one line starting with the command's name.
 */
@Component(service = FeatureCommands.class, immediate = true, configurationPid = "dev.vmsg.feature",
        property = {"osgi.command.scope=feature", "osgi.command.function=list", "osgi.command.function=show",
            "osgi.command.function=add", "osgi.command.function=remove", "osgi.command.function=waitfor"})
@Designate(ocd = FeatureInstallerConfig.class)
public final class FeatureCommands {

    static final String FEATURE_DIRS = "vmsg.feature.dirs";
    static final String REPOSITORY_DIRS = "vmsg.feature.repository";

    private final FeatureCatalog catalog;
    private final FeatureInstaller installer;
    private final BundleRepository repository;
    private final BundleContext context;
    private final Logger log;

    @Activate
    public FeatureCommands(BundleContext context, FeatureInstallerConfig config,
            @Reference FeatureService features, @Reference ConfigurationAdmin configurationAdmin,
            @Reference(service = LoggerFactory.class) Logger log) throws IOException {
        this.context = context;
        this.log = log;
        this.catalog = new FeatureCatalog(features, folders(config.features(), context.getProperty(FEATURE_DIRS)));
        this.repository = new BundleRepository(folders(config.repository(),
                context.getProperty(REPOSITORY_DIRS)));
        Path ledgerFile = context.getDataFile("ledger.properties").toPath();
        this.installer = new FeatureInstaller(context, configurationAdmin, repository, Ledger.load(ledgerFile),
                ledgerFile);
    }

    static List<Path> folders(String[] configured, String fallback) {
        List<String> names = new ArrayList<>(Arrays.asList(configured));
        if (names.stream().allMatch(String::isBlank) && fallback != null) {
            names = Arrays.asList(fallback.split(","));
        }
        return names.stream().map(String::trim).filter(s -> !s.isEmpty()).map(Path::of).toList();
    }

    /** Every feature in the feature folders: name, whether it is added, bundles, configurations, title. */
    public String list() {
        try {
            List<FeatureCatalog.Entry> entries = catalog.entries();
            if (entries.isEmpty()) {
                return "feature:list: no feature documents in " + catalog.folders() + "\n";
            }
            StringBuilder out = new StringBuilder(String.format("%-24s %-6s %-8s %-8s %s%n", "FEATURE", "ADDED",
                    "BUNDLES", "CONFIGS", "TITLE"));
            for (FeatureCatalog.Entry e : entries) {
                out.append(String.format("%-24s %-6s %-8d %-8d %s%n", e.name(),
                        installer.ledger().isInstalled(e.id()) ? "yes" : "no", e.feature().getBundles().size(),
                        e.feature().getConfigurations().size(), e.title()));
            }
            return out.toString();
        } catch (FeatureException e) {
            return "feature:list: " + e.getMessage() + "\n";
        }
    }

    /** One feature: id, description, its bundles (with where each is installed) and configurations. */
    public String show(String feature) {
        try {
            FeatureCatalog.Entry e = catalog.find(feature);
            StringBuilder out = new StringBuilder();
            out.append("feature ").append(e.name()).append(" (").append(e.title()).append(")\n");
            out.append("  id:          ").append(e.id()).append('\n');
            out.append("  file:        ").append(e.file()).append('\n');
            e.feature().getDescription().ifPresent(d -> out.append("  description: ").append(d).append('\n'));
            out.append("  added:       ").append(installer.ledger().isInstalled(e.id()) ? "yes" : "no").append('\n');
            out.append("  bundles (start order):\n");
            for (FeatureBundle b : FeatureInstaller.inStartOrder(e.feature().getBundles())) {
                out.append(String.format("    %-4d %s%s%n", FeatureInstaller.startOrder(b), b.getID(),
                        where(b.getID())));
            }
            if (!e.feature().getConfigurations().isEmpty()) {
                out.append("  configurations:\n");
                for (FeatureConfiguration c : e.feature().getConfigurations().values()) {
                    out.append("    ").append(c.getPid()).append(' ').append(values(c.getValues())).append('\n');
                }
            }
            return out.toString();
        } catch (FeatureException e) {
            return "feature:show: " + e.getMessage() + "\n";
        }
    }

    /** Installs a feature's bundles and configurations and starts the bundles in start order. */
    public String add(String feature) {
        try {
            List<String> report = installer.add(catalog.find(feature));
            log.info(report.get(report.size() - 1));
            return String.join("\n", report) + "\n";
        } catch (FeatureException e) {
            log.error(e.getMessage());
            return "feature:add: " + e.getMessage() + "\n";
        }
    }

    /** Undoes a feature:add: its configurations and the bundles it installed that nothing else uses. */
    public String remove(String feature) {
        try {
            String id = resolveId(feature);
            List<String> report = installer.remove(id, feature);
            log.info(report.get(report.size() - 1));
            return String.join("\n", report) + "\n";
        } catch (FeatureException e) {
            return "feature:remove: " + e.getMessage() + "\n";
        }
    }

    /**
     * Waits (at most {@code seconds}, 1..600) until a service matching the LDAP filter {@code what}
     * (for example {@code (osgi.command.scope=i2c)}) is registered, or, when {@code what} is not a
     * filter, until a bundle with that symbolic name is ACTIVE: see {@link ContainerWait}.
     */
    public String waitfor(String what, int seconds) throws InterruptedException {
        return new ContainerWait(context).waitFor(what, seconds);
    }

    /** The ID of an added feature by name or ID, even if its document is gone from the feature folders. */
    private String resolveId(String feature) throws FeatureException {
        for (Ledger.Record r : installer.ledger().records()) {
            if (r.name().equals(feature.trim()) || r.id().equals(feature.trim())) {
                return r.id();
            }
        }
        throw new FeatureException("feature " + feature + " is not added (see feature:list)");
    }

    private String where(ID id) {
        try {
            Bundle b = FeatureInstaller.BundleIdentity.of(repository.locate(id)).findIn(context);
            return b == null ? "  (not installed)" : "  (installed [" + b.getBundleId() + "])";
        } catch (FeatureException e) {
            return "  (not in the repository)";
        }
    }

    private static String values(Map<String, Object> values) {
        return values.entrySet().stream().map(e -> e.getKey() + "=" + text(e.getValue()))
                .collect(Collectors.joining(", ", "{", "}"));
    }

    private static String text(Object value) {
        if (value instanceof Object[] array) {
            return Arrays.toString(array);
        }
        return String.valueOf(value);
    }
}
