package dev.vmsg.feature.internal;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.osgi.service.feature.Feature;
import org.osgi.service.feature.FeatureService;

/**
 * The features that can be added: every {@code *.json} Feature document in the feature folders,
 * read afresh at every call so that a document dropped in later is seen. A feature is named by its
 * file name without {@code .json} (for example {@code vmsg-device-rng}) or by its full ID.
 */
public final class FeatureCatalog {

    /** One feature document. */
    public record Entry(String name, Path file, Feature feature) {

        public String id() {
            return feature.getID().toString();
        }

        /** The feature's name, or its file name when it has none. */
        public String title() {
            return feature.getName().orElse(name);
        }
    }

    private final FeatureService service;
    private final List<Path> folders;

    public FeatureCatalog(FeatureService service, List<Path> folders) {
        this.service = service;
        this.folders = List.copyOf(folders);
    }

    public List<Path> folders() {
        return folders;
    }

    /** Every readable feature document, sorted by name; a document that does not parse is an error. */
    public List<Entry> entries() throws FeatureException {
        List<Entry> out = new ArrayList<>();
        for (Path folder : folders) {
            if (!Files.isDirectory(folder)) {
                continue;
            }
            try (DirectoryStream<Path> files = Files.newDirectoryStream(folder, "*.json")) {
                for (Path file : files) {
                    out.add(read(file));
                }
            } catch (IOException e) {
                throw new FeatureException("cannot list feature folder " + folder + ": " + e.getMessage(), e);
            }
        }
        out.sort(Comparator.comparing(Entry::name));
        return out;
    }

    /** The feature named {@code ref} (file name without .json, or full ID). */
    public Entry find(String ref) throws FeatureException {
        String wanted = ref.trim();
        for (Entry e : entries()) {
            if (e.name().equals(wanted) || e.id().equals(wanted)) {
                return e;
            }
        }
        throw new FeatureException("no feature '" + wanted + "' in " + folders + " (see feature:list)");
    }

    /** Parses one feature document with the Feature service. */
    public Entry read(Path file) throws FeatureException {
        String fileName = file.getFileName().toString();
        String name = fileName.endsWith(".json") ? fileName.substring(0, fileName.length() - 5) : fileName;
        try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            return new Entry(name, file, service.readFeature(in));
        } catch (IOException | RuntimeException e) {
            throw new FeatureException("feature document " + file + " is not valid: " + e.getMessage(), e);
        }
    }
}
