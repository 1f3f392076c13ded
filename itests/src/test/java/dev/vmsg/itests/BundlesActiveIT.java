package dev.vmsg.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;

import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.Bundle;
import org.osgi.service.cm.ConfigurationAdmin;

/** Smoke test of the plumbing: the container comes up and every vmsg bundle reaches ACTIVE. */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class BundlesActiveIT extends VmsgTestSupport {

    @Test
    public void everyVmsgBundleIsActive() throws Exception {
        for (String bsn : VMSG_BUNDLES) {
            Bundle b = awaitBundleActive(bsn, DEFAULT_TIMEOUT);
            assertEquals(bsn + " state", "ACTIVE", stateName(b.getState()));
            assertEquals("bundle " + bsn + " comes from the reactor jar",
                    bundleFile(bsn).toURI().toString(), b.getLocation());
        }
    }

    @Test
    public void platformServicesArePresent() throws Exception {
        assertNotNull(configurationAdmin());
        assertNotNull(awaitService(org.osgi.service.log.LoggerFactory.class, null, DEFAULT_TIMEOUT));
        assertEquals("ACTIVE", stateName(awaitBundleActive("org.apache.felix.scr", DEFAULT_TIMEOUT).getState()));
    }

    @Test
    public void factoryConfigurationHelpersRoundTrip() throws Exception {
        String pid = createFactoryConfiguration("dev.vmsg.itests.dummy", "one", java.util.Map.of("a", "b"));
        assertEquals("dev.vmsg.itests.dummy~one", pid);
        ConfigurationAdmin cm = configurationAdmin();
        assertNotNull(cm.listConfigurations("(service.pid=" + pid + ")"));
        deleteConfiguration(pid);
        assertEquals(null, cm.listConfigurations("(service.pid=" + pid + ")"));
    }
}
