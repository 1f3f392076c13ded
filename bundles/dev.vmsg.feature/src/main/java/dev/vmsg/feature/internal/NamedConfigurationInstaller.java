package dev.vmsg.feature.internal;

import java.io.File;
import java.io.IOException;
import org.apache.felix.fileinstall.ArtifactInstaller;
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
 * Gives the deploy folder {@code <factory pid>~<name>.cfg} files: dropping one creates the named
 * factory configuration, editing it updates it, deleting it deletes it. An {@link ArtifactInstaller}
 * ranked above FileInstall's own configuration installer, asked only for files with a {@code ~}.
 */
@Component(service = ArtifactInstaller.class, property = Constants.SERVICE_RANKING + ":Integer=100")
public final class NamedConfigurationInstaller implements ArtifactInstaller {

    private final ConfigurationAdmin configurationAdmin;
    private final Logger log;

    @Activate
    public NamedConfigurationInstaller(@Reference ConfigurationAdmin configurationAdmin,
            @Reference(service = LoggerFactory.class) Logger log) {
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
        Configuration c = configurationAdmin.getFactoryConfiguration(cfg.factoryPid(), cfg.name(), "?");
        if (c.updateIfDifferent(NamedConfigurationFile.read(artifact.toPath()))) {
            log.info("deploy folder: configuration " + cfg.pid() + " set from " + artifact.getName());
        }
    }

    @Override
    public void update(File artifact) throws IOException {
        install(artifact);
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
