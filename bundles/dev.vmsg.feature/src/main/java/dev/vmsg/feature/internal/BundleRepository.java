package dev.vmsg.feature.internal;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.osgi.service.feature.ID;

/**
 * A local bundle repository in Maven layout ({@code group/path/artifact/version/artifact-version[-classifier].type}),
 * as {@code dependency:copy-dependencies -Dmdep.useRepositoryLayout=true} writes it and as
 * {@code ~/.m2/repository} is. The first folder that has the file wins.
 */
public final class BundleRepository {

    private final List<Path> folders;

    public BundleRepository(List<Path> folders) {
        this.folders = List.copyOf(folders);
    }

    public List<Path> folders() {
        return folders;
    }

    /** The relative path of an artifact in Maven layout. */
    static Path relativePath(ID id) {
        String file = id.getArtifactId() + "-" + id.getVersion()
                + id.getClassifier().map(c -> "-" + c).orElse("") + "." + id.getType().orElse("jar");
        return Path.of(id.getGroupId().replace('.', '/'), id.getArtifactId(), id.getVersion(), file);
    }

    /** The file of this artifact, or an error naming where it was looked for. */
    public Path locate(ID id) throws FeatureException {
        Path relative = relativePath(id);
        for (Path folder : folders) {
            Path candidate = folder.resolve(relative);
            if (Files.isRegularFile(candidate)) {
                return candidate;
            }
        }
        throw new FeatureException("bundle " + id + " is not in the repository " + folders + " (looked for " + relative
                + ")");
    }
}
