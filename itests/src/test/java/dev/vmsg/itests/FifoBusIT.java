package dev.vmsg.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerMethod;
import org.osgi.framework.Bundle;
import org.osgi.framework.ServiceReference;

/**
 * The FIFO bus bundle installed into, used in and uninstalled from a running container. One
 * container plays both hosts: bus {@code fdev} is the device side and {@code fdrv} the driver side
 * of the same two files, so the rng device hosted on {@code fdev} is driven through {@code fdrv}.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerMethod.class)
public class FifoBusIT extends RngTestSupport {

    private static final String FIFO_BUNDLE = "dev.vmsg.bus.fifo";

    @Test
    public void installingConfiguringAndUninstallingTheFifoBusBundle() throws Exception {
        assertNull("the FIFO bundle is not part of this container until installed", findBundle(FIFO_BUNDLE));
        Bundle fifo = context.installBundle(bundleFile(FIFO_BUNDLE).toURI().toString());
        fifo.start();
        assertEquals(Bundle.ACTIVE, fifo.getState());

        Path dir = Files.createTempDirectory("vmsg-fifo-it");
        createFifo("fdev", "device", dir);
        createFifo("fdrv", "driver", dir);
        createRng("fdev", "rng0");
        ServiceReference<?> source = awaitEntropySource("fdrv");
        awaitCondition(() -> devicesOn("fdrv").stream().anyMatch(d -> d.side().equals("driver")
                && d.state().equals("running")) && devicesOn("fdev").stream().anyMatch(d -> d.side().equals("device")),
                DEFAULT_TIMEOUT, () -> "rng0 not running across the FIFO link: " + admin().devices());
        assertDistinctReads(source, 3, 64);
        assertTrue("link threads of both sides: " + vmsgThreadNames(),
                threadsMatching("vmsg-fifo-fd(ev|rv)-(device|driver)-(link|rx)").size() == 4);

        uninstallBundle(FIFO_BUNDLE);

        awaitNoServiceAtAll(entropyFilter("fdrv"), DEFAULT_TIMEOUT);
        awaitNoServiceAtAll("(&(objectClass=dev.vmsg.bus.Bus)(vmsg.bus.type=fifo))", DEFAULT_TIMEOUT);
        awaitNoThread("vmsg-fifo-.*", DEFAULT_TIMEOUT);
        awaitCondition(() -> busView("fdrv").isEmpty() && busView("fdev").isEmpty(), DEFAULT_TIMEOUT,
                () -> "buses still served after uninstall: " + admin().buses());
        assertFalse("the doorbell socket is removed with the device side", Files.exists(dir.resolve("it.queue.sock")));
        assertNoVmsgErrors();
    }
}
