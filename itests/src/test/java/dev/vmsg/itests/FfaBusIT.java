package dev.vmsg.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerMethod;
import org.osgi.framework.Bundle;
import org.osgi.framework.ServiceReference;

/**
 * The rng device over the FF-A bus (emulated FF-A firmware) in the container, with each event
 * method; and the FF-A bus bundle going away and coming back under its devices. A fresh container
 * per test, since one test uninstalls a bundle. Entropy is read reflectively (see RngTestSupport).
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerMethod.class)
public class FfaBusIT extends RngTestSupport {

    private static final String FFA_BUNDLE = "dev.vmsg.bus.ffa";

    private void rngOver(String events, String messaging) throws Exception {
        String bus = "it-ffa-" + events.toLowerCase();
        String busPid = createFfaBus(bus, messaging, events);
        try {
            createRng(bus, "rng0");
            ServiceReference<?> ref = awaitEntropySource(bus);
            awaitRunning(bus, 0);
            assertDistinctReads(ref, 3, 256);
            assertRunningBothSides(bus, 0);
            assertEquals("ffa", busView(bus).orElseThrow().type());
            assertEquals(104, busView(bus).orElseThrow().maxMessageSize());
            assertEquals(1L << 48, busView(bus).orElseThrow().windowBase());
            assertNoVmsgErrors();
        } finally {
            deleteConfiguration(busPid);
        }
    }

    @Test
    public void rngWithPollEvents() throws Exception {
        rngOver("POLL", "DIRECT");
    }

    @Test
    public void rngWithNotificationEvents() throws Exception {
        rngOver("NOTIF", "DIRECT");
    }

    @Test
    public void rngWithIndirectEvents() throws Exception {
        rngOver("INDIRECT", "INDIRECT");
    }

    @Test
    public void rngWithFifoEvents() throws Exception {
        rngOver("FIFO", "DIRECT");
    }

    @Test
    public void uninstallingTheFfaBundleRemovesItsDevicesAndReinstallRestoresThem() throws Exception {
        String bus = "it-ffa-life";
        String busPid = createFfaBus(bus, "DIRECT", "NOTIF");
        try {
            createRng(bus, "rng0");
            ServiceReference<?> ref = awaitEntropySource(bus);
            awaitRunning(bus, 0);
            assertDistinctReads(ref, 2, 64);

            String location = uninstallBundle(FFA_BUNDLE);
            awaitNoServiceAtAll(entropyFilter(bus), DEFAULT_TIMEOUT);
            awaitNoServiceAtAll("(objectClass=dev.vmsg.bus.Bus)", DEFAULT_TIMEOUT);
            awaitCondition(() -> admin().devices().isEmpty(), DEFAULT_TIMEOUT,
                    () -> "devices left after uninstalling the FF-A bundle: " + admin().devices());
            awaitNoThread("vmsg-ffa-.*", DEFAULT_TIMEOUT);
            assertTrue("no bus view left: " + admin().buses(), admin().buses().isEmpty());

            Bundle again = reinstallBundle(location);
            assertEquals(Bundle.ACTIVE, again.getState());
            ServiceReference<?> back = awaitEntropySource(bus);
            awaitRunning(bus, 0);
            assertDistinctReads(back, 3, 64);
            assertRunningBothSides(bus, 0);
            assertNoVmsgErrors();
        } finally {
            deleteConfiguration(busPid);
        }
    }
}
