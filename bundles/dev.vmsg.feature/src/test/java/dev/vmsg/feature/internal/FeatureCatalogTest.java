package dev.vmsg.feature.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.osgi.service.feature.FeatureBundle;
import org.osgi.service.feature.FeatureService;

class FeatureCatalogTest {

    static final FeatureService FEATURES = ServiceLoader.load(FeatureService.class).findFirst().orElseThrow();

    private static final String DOC = """
            {
              "feature-resource-version": "1.0",
              "id": "dev.vmsg.examples:demo:json:demo-feature:1.0.0",
              "name": "Demo",
              "bundles": [
                { "id": "g.h:late:1.0", "start-order": "30" },
                { "id": "g.h:first:1.0", "start-order": "5" },
                { "id": "g.h:plain:1.0" },
                { "id": "g.h:second:1.0", "start-order": "5" }
              ],
              "configurations": {
                "dev.vmsg.device.demo~demo0": { "bus": "loopback0", "size:Integer": 16, "ratio:Long": 3 }
              }
            }
            """;

    @Test
    void findsAFeatureByFileNameOrIdAndReadsTypedConfigurationValues(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("demo-feature.json"), DOC);
        FeatureCatalog catalog = new FeatureCatalog(FEATURES, List.of(dir.resolve("missing"), dir));
        FeatureCatalog.Entry byName = catalog.find("demo-feature");
        FeatureCatalog.Entry byId = catalog.find("dev.vmsg.examples:demo:json:demo-feature:1.0.0");
        assertEquals(byName.file(), byId.file());
        assertEquals("Demo", byName.title());
        var config = byName.feature().getConfigurations().get("dev.vmsg.device.demo~demo0");
        assertEquals("dev.vmsg.device.demo", config.getFactoryPid().orElseThrow());
        assertEquals(Integer.valueOf(16), config.getValues().get("size"));
        assertEquals(Long.valueOf(3), config.getValues().get("ratio"));
        assertEquals("loopback0", config.getValues().get("bus"));
    }

    @Test
    void startOrderIsNumericAndStableWithTenAsDefault(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("demo-feature.json"), DOC);
        List<FeatureBundle> ordered = FeatureInstaller.inStartOrder(
                new FeatureCatalog(FEATURES, List.of(dir)).find("demo-feature").feature().getBundles());
        assertEquals(List.of("first", "second", "plain", "late"),
                ordered.stream().map(b -> b.getID().getArtifactId()).toList());
    }

    @Test
    void anUnknownFeatureAndABrokenDocumentAreOneLineErrors(@TempDir Path dir) throws Exception {
        FeatureCatalog catalog = new FeatureCatalog(FEATURES, List.of(dir));
        FeatureException unknown = assertThrows(FeatureException.class, () -> catalog.find("nope"));
        assertTrue(unknown.getMessage().startsWith("no feature 'nope' in"), unknown.getMessage());
        Files.writeString(dir.resolve("broken.json"), "{ \"bundles\": [ ");
        FeatureException broken = assertThrows(FeatureException.class, catalog::entries);
        assertTrue(broken.getMessage().contains("broken.json is not valid"), broken.getMessage());
        assertTrue(!broken.getMessage().contains("\n"));
    }

    @Test
    void theRepositoryIsMavenLayoutAndNamesWhereItLooked(@TempDir Path dir) throws Exception {
        Path jar = dir.resolve("g/h/art/1.0-SNAPSHOT/art-1.0-SNAPSHOT.jar");
        Files.createDirectories(jar.getParent());
        Files.write(jar, new byte[] {1});
        BundleRepository repo = new BundleRepository(List.of(dir.resolve("empty"), dir));
        assertEquals(jar, repo.locate(FEATURES.getIDfromMavenCoordinates("g.h:art:1.0-SNAPSHOT")));
        FeatureException missing = assertThrows(FeatureException.class,
                () -> repo.locate(FEATURES.getIDfromMavenCoordinates("g.h:art:json:cls:2.0")));
        assertTrue(missing.getMessage().contains("g/h/art/2.0/art-2.0-cls.json"), missing.getMessage());
    }
}
