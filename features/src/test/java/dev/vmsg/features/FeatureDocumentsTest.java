package dev.vmsg.features;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.osgi.service.feature.Feature;
import org.osgi.service.feature.FeatureBundle;
import org.osgi.service.feature.FeatureConfiguration;
import org.osgi.service.feature.FeatureExtension;
import org.osgi.service.feature.FeatureService;
import org.osgi.service.feature.ID;

/**
 * The feature documents against the product: the default runtime is assembled from the same
 * feature names (one bndrun fragment per unit feature, the vmsg-all group = the runtime), and every
 * bundle a document lists is in the runtime's local bundle repository, so feature:add can find it.
 */
class FeatureDocumentsTest {

    static final Path ROOT = Path.of(System.getProperty("vmsg.root", "..")).toAbsolutePath().normalize();
    static final Path FEATURES = ROOT.resolve("features");
    static final Path BNDRUN = ROOT.resolve("bndrun");
    static final Path REPOSITORY = ROOT.resolve("runtime/target/repository");
    static final String GROUP_EXTENSION = "vmsg-group";

    static final Map<String, Feature> DOCS = new TreeMap<>();

    @BeforeAll
    static void readAll() throws IOException {
        FeatureService service = ServiceLoader.load(FeatureService.class).findFirst().orElseThrow();
        try (Stream<Path> files = Files.list(FEATURES)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".json")).toList()) {
                try (Reader in = Files.newBufferedReader(f, StandardCharsets.UTF_8)) {
                    String name = f.getFileName().toString().replace(".json", "");
                    DOCS.put(name, service.readFeature(in));
                }
            }
        }
        assertTrue(DOCS.size() >= 12, "feature documents found: " + DOCS.keySet());
    }

    @Test
    void everyIdIsTheAttachedArtifactOfItsFile() {
        String version = System.getProperty("vmsg.version", "0.1.0-SNAPSHOT");
        DOCS.forEach((name, f) -> assertEquals("dev.vmsg:vmsg-features:json:" + name + ":" + version,
                f.getID().toString(), "ID of features/" + name + ".json"));
    }

    @Test
    void everyBundleOfEveryFeatureIsInTheRuntimesLocalRepository() {
        List<String> missing = new ArrayList<>();
        DOCS.values().forEach(f -> f.getBundles().forEach(b -> {
            if (!Files.isRegularFile(jar(b.getID()))) {
                missing.add(b.getID() + " (" + f.getID().getClassifier().orElse("?") + ")");
            }
        }));
        assertEquals(List.of(), missing, "not in " + REPOSITORY);
    }

    @Test
    void eachFragmentHoldsExactlyTheBundlesOfItsFeature() throws IOException {
        Map<String, List<String>> fragments = fragments();
        Set<String> units = new TreeSet<>();
        for (Map.Entry<String, Feature> e : DOCS.entrySet()) {
            if (isGroup(e.getValue())) {
                continue;
            }
            units.add(e.getKey());
            String fragment = fragmentOf(e.getKey());
            assertTrue(fragments.containsKey(fragment), "feature " + e.getKey() + " has no fragment bndrun/fragments/"
                    + fragment + ".bnd");
            assertEquals(new TreeSet<>(fragments.get(fragment)), symbolicNames(e.getValue()),
                    "bundles of fragment " + fragment + ".bnd vs feature " + e.getKey());
        }
        Set<String> expectedFragments = new TreeSet<>();
        units.forEach(u -> expectedFragments.add(fragmentOf(u)));
        assertEquals(expectedFragments, fragments.keySet(), "every fragment is a unit feature");
    }

    @Test
    void groupsAreTheUnionOfTheirMembers() {
        int groups = 0;
        for (Map.Entry<String, Feature> e : DOCS.entrySet()) {
            if (!isGroup(e.getValue())) {
                continue;
            }
            groups++;
            List<String> members = e.getValue().getExtensions().get(GROUP_EXTENSION).getText();
            Set<String> bundles = new LinkedHashSet<>();
            Map<String, Map<String, Object>> configs = new LinkedHashMap<>();
            for (String m : members) {
                Feature member = DOCS.get(m);
                assertTrue(member != null && !isGroup(member), e.getKey() + ": member " + m + " is not a unit feature");
                member.getBundles().forEach(b -> bundles.add(b.getID() + " @" + b.getMetadata().get("start-order")));
                member.getConfigurations().values().forEach(c -> configs.put(c.getPid(), c.getValues()));
            }
            Set<String> actual = new LinkedHashSet<>();
            e.getValue().getBundles().forEach(b -> actual.add(b.getID() + " @" + b.getMetadata().get("start-order")));
            assertEquals(bundles, actual, "bundles of group " + e.getKey());
            Map<String, Map<String, Object>> actualConfigs = new LinkedHashMap<>();
            e.getValue().getConfigurations().values().forEach(c -> actualConfigs.put(c.getPid(), c.getValues()));
            assertEquals(configs, actualConfigs, "configurations of group " + e.getKey());
        }
        assertTrue(DOCS.containsKey("vmsg-core") && isGroup(DOCS.get("vmsg-core")), "vmsg-core is a group");
        assertTrue(DOCS.containsKey("vmsg-all") && isGroup(DOCS.get("vmsg-all")), "vmsg-all is a group");
        assertEquals(2, groups);
    }

    @Test
    void theDefaultRuntimeIsTheVmsgAllGroup() throws IOException {
        Map<String, String> bndrun = bndProperties(BNDRUN.resolve("vmsg.bndrun"));
        List<String> includes = new ArrayList<>();
        for (String i : bndrun.get("-include").split(",")) {
            includes.add(i.trim().replace("fragments/", "").replace(".bnd", ""));
        }
        List<String> members = DOCS.get("vmsg-all").getExtensions().get(GROUP_EXTENSION).getText();
        assertEquals(new TreeSet<>(members.stream().map(FeatureDocumentsTest::fragmentOf).toList()),
                new TreeSet<>(includes), "fragments included by vmsg.bndrun vs members of vmsg-all");
        // the resolved -runbundles: the same symbolic names and versions as vmsg-all's bundles
        Map<String, String> resolved = new TreeMap<>();
        Matcher m = Pattern.compile("([\\w.]+);version='\\[([\\w.]+),").matcher(bndrun.get("-runbundles"));
        while (m.find()) {
            resolved.put(m.group(1), m.group(2));
        }
        Map<String, String> featured = new TreeMap<>();
        for (FeatureBundle b : DOCS.get("vmsg-all").getBundles()) {
            String[] bsnAndVersion = manifest(b.getID());
            featured.put(bsnAndVersion[0], bsnAndVersion[1]);
        }
        assertEquals(featured, resolved, "-runbundles of vmsg.bndrun vs bundles of vmsg-all (name -> version)");
    }

    @Test
    void theDefaultConfigurationFilesComeFromTheFeatures() throws IOException {
        Map<String, FeatureConfiguration> configs = DOCS.get("vmsg-all").getConfigurations();
        try (Stream<Path> files = Files.list(ROOT.resolve("runtime/conf"))) {
            for (Path cfg : files.filter(p -> p.toString().endsWith(".cfg")).toList()) {
                String file = cfg.getFileName().toString().replace(".cfg", "");
                int dash = file.lastIndexOf('-');
                String pid = file.substring(0, dash) + "~" + file.substring(dash + 1);
                FeatureConfiguration c = configs.get(pid);
                if (c == null) {
                    fail("runtime/conf/" + cfg.getFileName() + " has no configuration " + pid + " in vmsg-all");
                }
                java.util.Properties p = new java.util.Properties();
                try (Reader in = Files.newBufferedReader(cfg)) {
                    p.load(in);
                }
                Map<String, String> fromFile = new TreeMap<>();
                p.forEach((k, v) -> fromFile.put((String) k, (String) v));
                Map<String, String> fromFeature = new TreeMap<>();
                c.getValues().forEach((k, v) -> fromFeature.put(k, String.valueOf(v)));
                assertEquals(fromFeature, fromFile, "runtime/conf/" + cfg.getFileName() + " vs " + pid + " in vmsg-all");
            }
        }
    }

    @Test
    void everyConfigurationHasMetatypeAndEveryDefaultConfigurationFitsIt() throws IOException {
        Map<String, Map<String, org.apache.felix.metatype.AD>> designated = new TreeMap<>();
        Set<String> configurationPids = new TreeSet<>();
        List<Path> jars;
        try (Stream<Path> files = Files.walk(REPOSITORY.resolve("dev/vmsg"))) {
            jars = files.filter(p -> p.toString().endsWith(".jar")).toList();
        }
        for (Path jar : jars) {
            try (JarFile file = new JarFile(jar.toFile())) {
                for (var e : java.util.Collections.list(file.entries())) {
                    String name = e.getName();
                    String url = "jar:" + jar.toUri() + "!/" + name;
                    if (name.startsWith("OSGI-INF/metatype/") && name.endsWith(".xml")) {
                        var md = new org.apache.felix.metatype.MetaDataReader().parse(new java.net.URL(url));
                        for (Object o : md.getDesignates()) {
                            var d = (org.apache.felix.metatype.Designate) o;
                            var ocd = (org.apache.felix.metatype.OCD) md.getObjectClassDefinitions()
                                    .get(d.getObject().getOcdRef());
                            @SuppressWarnings("unchecked")
                            Map<String, org.apache.felix.metatype.AD> ads = ocd.getAttributeDefinitions();
                            designated.put(d.getFactoryPid() != null ? d.getFactoryPid() : d.getPid(), ads);
                        }
                    } else if (name.startsWith("OSGI-INF/") && name.endsWith(".xml")) {
                        Matcher m = Pattern.compile("configuration-pid=\"([^\"]+)\"")
                                .matcher(new String(file.getInputStream(e).readAllBytes(), StandardCharsets.UTF_8));
                        while (m.find()) {
                            configurationPids.addAll(List.of(m.group(1).split("\\s+")));
                        }
                    }
                }
            }
        }
        assertTrue(configurationPids.size() >= 8, "component configuration PIDs found: " + configurationPids);
        for (String pid : configurationPids) {
            assertTrue(designated.containsKey(pid), "configuration PID " + pid + " has no metatype");
        }
        List<String> problems = new ArrayList<>();
        for (Feature f : DOCS.values()) {
            for (FeatureConfiguration c : f.getConfigurations().values()) {
                Map<String, org.apache.felix.metatype.AD> ads = designated.get(c.getFactoryPid().orElse(c.getPid()));
                if (ads == null) {
                    problems.add(c.getPid() + ": no metatype");
                    continue;
                }
                c.getValues().forEach((k, v) -> {
                    org.apache.felix.metatype.AD ad = ads.get(k);
                    String verdict = ad == null ? "no such attribute" : ad.validate(String.valueOf(v));
                    if (verdict != null && !verdict.isEmpty()) {
                        problems.add(f.getID().getClassifier().orElse("?") + " " + c.getPid() + ": " + k + "=" + v
                                + ": " + verdict);
                    }
                });
            }
        }
        assertEquals(List.of(), problems, "default configurations that their metatype refuses");
    }

    // ---------------------------------------------------------------- helpers

    static boolean isGroup(Feature f) {
        FeatureExtension ext = f.getExtensions().get(GROUP_EXTENSION);
        return ext != null && ext.getType() == FeatureExtension.Type.TEXT;
    }

    /** vmsg-bus-loopback -> loopback, vmsg-device-rng -> rng, vmsg-shell -> shell. */
    static String fragmentOf(String feature) {
        return feature.replaceFirst("^vmsg-", "").replaceFirst("^(bus|device)-", "");
    }

    static Path jar(ID id) {
        return REPOSITORY.resolve(id.getGroupId().replace('.', '/')).resolve(id.getArtifactId())
                .resolve(id.getVersion()).resolve(id.getArtifactId() + "-" + id.getVersion() + ".jar");
    }

    /** Bundle-SymbolicName and Bundle-Version (major.minor.micro) of a feature bundle's jar. */
    static String[] manifest(ID id) throws IOException {
        try (JarFile jar = new JarFile(jar(id).toFile())) {
            var attributes = jar.getManifest().getMainAttributes();
            String bsn = attributes.getValue("Bundle-SymbolicName").split(";")[0].trim();
            String[] v = attributes.getValue("Bundle-Version").split("\\.");
            return new String[] {bsn, v[0] + "." + (v.length > 1 ? v[1] : "0") + "." + (v.length > 2 ? v[2] : "0")};
        }
    }

    static Set<String> symbolicNames(Feature f) throws IOException {
        Set<String> names = new TreeSet<>();
        for (FeatureBundle b : f.getBundles()) {
            names.add(manifest(b.getID())[0]);
        }
        return names;
    }

    /** fragment name -> the bnd.identity ids of its -runrequires.NAME key. */
    static Map<String, List<String>> fragments() throws IOException {
        Map<String, List<String>> out = new TreeMap<>();
        try (Stream<Path> files = Files.list(BNDRUN.resolve("fragments"))) {
            for (Path f : files.filter(p -> p.toString().endsWith(".bnd")).toList()) {
                String name = f.getFileName().toString().replace(".bnd", "");
                String value = bndProperties(f).get("-runrequires." + name);
                assertFalse(value == null, f + " has no -runrequires." + name);
                List<String> ids = new ArrayList<>();
                Matcher m = Pattern.compile("bnd\\.identity;id='([^']+)'").matcher(value);
                while (m.find()) {
                    ids.add(m.group(1));
                }
                out.put(name, ids);
            }
        }
        return out;
    }

    /** bnd's properties syntax as far as the bndrun files use it: comments, key: value, \ continuations. */
    static Map<String, String> bndProperties(Path file) throws IOException {
        Map<String, String> out = new LinkedHashMap<>();
        String key = null;
        StringBuilder value = new StringBuilder();
        for (String raw : Files.readAllLines(file)) {
            String line = raw.strip();
            if (key == null) {
                if (line.isEmpty() || line.startsWith("#")) {
                    continue;
                }
                int colon = line.indexOf(':');
                key = line.substring(0, colon).trim();
                line = line.substring(colon + 1).strip();
            }
            boolean more = line.endsWith("\\");
            value.append(more ? line.substring(0, line.length() - 1) : line);
            if (!more) {
                out.put(key, value.toString().trim());
                key = null;
                value.setLength(0);
            }
        }
        return out;
    }
}
