package dev.vmsg.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import dev.vmsg.admin.DeviceView;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerMethod;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleListener;

/**
 * feature:add and feature:remove of a device type in a running container: the device comes and
 * goes, and no bundle outside the feature changes (same ids, same states, not one bundle event:
 * a refresh reaching beyond the feature would unresolve and re-resolve them).
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerMethod.class)
public class FeatureInstallerIT extends FeatureTestSupport {

    private static final String RNG = "dev.vmsg.device.rng";

    private List<DeviceView> rng0() {
        return admin().devices().stream().filter(d -> d.deviceId() == 4 && d.bus().equals("loopback0")).toList();
    }

    @Test
    public void addingAndRemovingADeviceTypeLeavesEveryOtherBundleAlone() throws Exception {
        createBus("loopback0");
        awaitCondition(() -> busView("loopback0").isPresent(), DEFAULT_TIMEOUT, () -> "no bus loopback0");
        assertNull("the container starts without the rng bundle", findBundle(RNG));
        Map<Long, String> before = bundleSnapshot();
        List<String> events = Collections.synchronizedList(new ArrayList<>());
        BundleListener bundles = e -> {
            if (!RNG.equals(e.getBundle().getSymbolicName())) {
                events.add(e.getBundle().getSymbolicName() + " event " + e.getType());
            }
        };
        context.addBundleListener(bundles);
        try {
            assertTrue(feature("list"), feature("list").matches("(?s).*\\nvmsg-device-rng\\s+no\\s+1\\s+1\\s.*"));
            String added = feature("add", "vmsg-device-rng");
            assertTrue(added, added.contains("bundle dev.vmsg.device.rng 0.1.0.SNAPSHOT ["));
            assertTrue(added, added.contains("configuration dev.vmsg.device.rng~rng0 created"));
            assertTrue(added, added.contains("feature vmsg-device-rng added: 1 bundle(s) installed and started, "
                    + "1 configuration(s) created"));
            Bundle rng = findBundle(RNG);
            assertNotNull(rng);
            assertEquals(Bundle.ACTIVE, rng.getState());
            assertTrue(rng.getLocation(), rng.getLocation().startsWith(
                    "feature:dev.vmsg:vmsg-features:json:vmsg-device-rng:0.1.0-SNAPSHOT/"));
            // the device appears on both sides and runs
            awaitCondition(() -> rng0().size() == 2 && rng0().stream().allMatch(d -> d.status() == STATUS_RUNNING),
                    DEFAULT_TIMEOUT, () -> "rng0 not running on both sides: " + admin().devices());
            assertTrue(feature("list").matches("(?s).*\\nvmsg-device-rng\\s+yes\\s.*"));
            assertTrue(feature("show", "vmsg-device-rng").contains("(installed [" + rng.getBundleId() + "])"));
            assertTrue(feature("add", "vmsg-device-rng").startsWith("feature:add: feature vmsg-device-rng is already added"));

            String removed = feature("remove", "vmsg-device-rng");
            assertTrue(removed, removed.contains("configuration dev.vmsg.device.rng~rng0 deleted"));
            assertTrue(removed, removed.contains("stopped and uninstalled"));
            assertTrue(removed, removed.contains("feature vmsg-device-rng removed"));
            assertNull("the rng bundle is gone", findBundle(RNG));
            awaitCondition(() -> rng0().isEmpty(), DEFAULT_TIMEOUT, () -> "rng0 still there: " + admin().devices());
            assertNull(configurationAdmin().listConfigurations("(service.pid=dev.vmsg.device.rng~rng0)"));
            assertTrue(feature("remove", "vmsg-device-rng").startsWith("feature:remove: feature vmsg-device-rng is not added"));
        } finally {
            context.removeBundleListener(bundles);
        }
        assertEquals("every other bundle keeps its id and state", before, bundleSnapshot());
        // a refresh that reached beyond the feature would show as UNRESOLVED/RESOLVED (and STOPPED/STARTED) events
        assertEquals("no event for any bundle outside the feature", List.of(), events);
    }

    @Test
    public void bundlesAndConfigurationsThatWereThereBeforeAreUsedAndKept() throws Exception {
        createBus("loopback0");
        Bundle own = context.installBundle(bundleFile(RNG).toURI().toString());
        own.start();
        String pid = createFactoryConfiguration(RNG, "rng0", Map.of("bus", "loopback0", "name", "rng0"));
        createdPids.add(pid);
        awaitCondition(() -> rng0().size() == 2, DEFAULT_TIMEOUT, () -> "rng0 not up: " + admin().devices());

        String added = feature("add", "vmsg-device-rng");
        assertTrue(added, added.contains("[" + own.getBundleId() + "] already installed: used as is"));
        assertTrue(added, added.contains("configuration dev.vmsg.device.rng~rng0 already exists: used as is"));
        String removed = feature("remove", "vmsg-device-rng");
        assertTrue(removed, removed.contains("kept: installed by someone else"));

        assertEquals(Bundle.ACTIVE, own.getState());
        assertEquals(own, findBundle(RNG));
        assertNotNull(configurationAdmin().listConfigurations("(service.pid=" + pid + ")"));
        assertEquals(2, rng0().size());
        own.uninstall();
    }

    @Test
    public void aFailedAddLeavesNothingBehind() throws Exception {
        // a feature whose first bundle is in the repository and whose second is not: the first is
        // installed, then the add fails and uninstalls it again
        java.nio.file.Path folder = java.nio.file.Files.createTempDirectory("vmsg-features");
        java.nio.file.Files.writeString(folder.resolve("half.json"), "{\"feature-resource-version\": \"1.0\","
                + "\"id\": \"dev.vmsg.test:half:json:half:1.0.0\", \"bundles\": ["
                + "{\"id\": \"dev.vmsg:dev.vmsg.device.rng:0.1.0-SNAPSHOT\", \"start-order\": \"10\"},"
                + "{\"id\": \"dev.vmsg:dev.vmsg.not.there:0.1.0-SNAPSHOT\", \"start-order\": \"20\"}],"
                + "\"configurations\": {\"dev.vmsg.device.rng~half0\": {\"bus\": \"loopback0\"}}}");
        java.nio.file.Files.writeString(folder.resolve("badcfg.json"), "{\"feature-resource-version\": \"1.0\","
                + "\"id\": \"dev.vmsg.test:badcfg:json:badcfg:1.0.0\", \"bundles\": ["
                + "{\"id\": \"dev.vmsg:dev.vmsg.device.rng:0.1.0-SNAPSHOT\"}],"
                + "\"configurations\": {\"dev.vmsg.device.rng~bad0\": {\"bus\": \"loopback0\","
                + " \"queue.size:Integer\": 0}}}");
        String pid = createConfiguration("dev.vmsg.feature", Map.of("features",
                new String[] {folder.toString(), System.getProperty("vmsg.feature.dirs")}));
        awaitCondition(() -> {
            try {
                return feature("list").contains("\nhalf ");
            } catch (Exception e) {
                return false;
            }
        }, DEFAULT_TIMEOUT, () -> "the installer does not see " + folder);
        Map<Long, String> before = bundleSnapshot();
        String added = feature("add", "half");
        assertTrue(added, added.startsWith("feature:add: feature half not added (nothing left behind): bundle "
                + "dev.vmsg:dev.vmsg.not.there:0.1.0-SNAPSHOT is not in the repository"));
        assertNull("the bundle installed before the failure is uninstalled again", findBundle(RNG));
        assertNull(configurationAdmin().listConfigurations("(service.pid=dev.vmsg.device.rng~half0)"));
        assertEquals(before, bundleSnapshot());
        assertTrue(feature("list").matches("(?s).*\\nhalf\\s+no\\s.*"));
        // a configuration its bundle's metatype refuses: one line with PID, key and expectation; nothing left
        String bad = feature("add", "badcfg");
        assertEquals("feature:add: feature badcfg not added (nothing left behind): configuration rejected: "
                + "dev.vmsg.device.rng~bad0: queue.size = '0': expected an Integer from 1 to 32768\n", bad);
        assertNull(findBundle(RNG));
        assertEquals(before, bundleSnapshot());
        deleteConfiguration(pid);
        assertTrue(feature("add", "no-such-feature").startsWith("feature:add: no feature 'no-such-feature' in "));
    }

    private String createConfiguration(String pid, Map<String, Object> values) throws Exception {
        org.osgi.service.cm.Configuration c = configurationAdmin().getConfiguration(pid, "?");
        java.util.Hashtable<String, Object> dict = new java.util.Hashtable<>(values);
        c.update(dict);
        return c.getPid();
    }

    @Test
    public void waitforSeesServicesAndActiveBundlesAndGivesUpInTime() throws Exception {
        assertEquals("service (osgi.command.scope=feature) is registered",
                feature("waitfor", "(osgi.command.scope=feature)", 5));
        assertTrue(feature("waitfor", "dev.vmsg.transport", 5).matches("bundle dev.vmsg.transport \\[\\d+\\] is active"));
        long start = System.nanoTime();
        assertEquals("feature:waitfor: no service (objectClass=no.such.Service) after 1 s",
                feature("waitfor", "(objectClass=no.such.Service)", 1));
        long waited = System.nanoTime() - start;
        assertTrue("gave up after " + waited + " ns", waited >= 900_000_000L && waited < 10_000_000_000L);
        assertTrue(feature("waitfor", "(broken", 1).startsWith("feature:waitfor: not a valid filter: (broken"));
    }
}
