package dev.vmsg.feature.internal;

import java.io.File;
import java.io.IOException;
import java.util.Arrays;
import java.util.Dictionary;
import java.util.List;
import org.apache.felix.fileinstall.ArtifactInstaller;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.log.Logger;
import org.osgi.service.log.LoggerFactory;

/**
 * Gives the deploy folder {@code <factory pid>~<name>.cfg} files (and takes the {@code -} form of vmsg
 * PIDs): dropping one creates the named factory configuration, editing it updates it, deleting it
 * deletes it. A file whose values do not fit the metatype of the bundle that declares the PID is
 * rejected with one error line (PID, key, value, what is expected): nothing is created, or the
 * device keeps its last valid configuration. An {@link ArtifactInstaller} ranked above FileInstall's
 * own configuration installer.
 */
@Component(service = ArtifactInstaller.class, property = Constants.SERVICE_RANKING + ":Integer=100")
public final class NamedConfigurationInstaller implements ArtifactInstaller {

    private final ConfigurationAdmin configurationAdmin;
    private final Logger log;
    private final BundleContext context;

    @Activate
    public NamedConfigurationInstaller(BundleContext context,
            @Reference ConfigurationAdmin configurationAdmin, @Reference(service = LoggerFactory.class) Logger log) {
        this.context = context;
        this.configurationAdmin = configurationAdmin;
        this.log = log;
    }

    @Override
    public boolean canHandle(File artifact) {
        return NamedConfigurationFile.of(artifact.getName()) != null;
    }

    @Override
    public void install(File artifact) throws IOException {
        NamedConfigurationFile cfg = NamedConfigurationFile.of(artifact.getName());
        Dictionary<String, Object> values = NamedConfigurationFile.read(artifact.toPath());
        List<String> problems = ConfigurationRules.check(Arrays.asList(context.getBundles()),
                cfg.pid(), values);
        if (!problems.isEmpty()) {
            boolean exists = exists(cfg.pid());
            log.error("deploy folder: " + artifact.getName() + " rejected: " + ConfigurationRules.oneLine(problems)
                    + (exists ? " (the last valid configuration stays)" : " (nothing created)"));
            return;
        }
        Configuration c = configurationAdmin.getFactoryConfiguration(cfg.factoryPid(), cfg.name(), "?");
        if (c.updateIfDifferent(values)) {
            log.info("deploy folder: configuration " + cfg.pid() + " set from " + artifact.getName());
        }
    }

    @Override
    public void update(File artifact) throws IOException {
        install(artifact);
    }

    private boolean exists(String pid) throws IOException {
        try {
            return configurationAdmin.listConfigurations("(" + Constants.SERVICE_PID + "=" + pid + ")") != null;
        } catch (InvalidSyntaxException e) {
            throw new IOException("bad PID " + pid, e);
        }
    }

    @Override
    public void uninstall(File artifact) throws IOException {
        NamedConfigurationFile cfg = NamedConfigurationFile.of(artifact.getName());
        try {
            Configuration[] found = configurationAdmin.listConfigurations(
                    "(" + Constants.SERVICE_PID + "=" + cfg.pid() + ")");
            if (found != null) {
                for (Configuration c : found) {
                    c.delete();
                }
                log.info("deploy folder: configuration " + cfg.pid() + " deleted with " + artifact.getName());
            }
        } catch (InvalidSyntaxException e) {
            throw new IOException("bad PID in file name " + artifact.getName(), e);
        }
    }
}
