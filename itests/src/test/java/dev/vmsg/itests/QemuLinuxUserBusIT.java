package dev.vmsg.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerMethod;
import org.osgi.framework.Bundle;
import org.osgi.framework.ServiceReference;

/**
 * The QEMU linux-user mode of the FIFO bundle (factory PID {@code dev.vmsg.bus.qemu}) configured in a
 * running container: bus {@code qdev} is the device side and {@code qdrv} the driver side of the same
 * queue files, socket and RAM file, so the rng device hosted on {@code qdev} is driven through
 * {@code qdrv} in 48-byte RFC3 messages.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerMethod.class)
public class QemuLinuxUserBusIT extends RngTestSupport {

    private static final String FIFO_BUNDLE = "dev.vmsg.bus.fifo";
    private static final String QEMU_FACTORY_PID = "dev.vmsg.bus.qemu";

    private void createQemuBus(String name, String role, Path dir) throws Exception {
        String pid = createFactoryConfiguration(QEMU_FACTORY_PID, name, Map.of("name", name, "role", role,
                "directory", dir.toString(), "queue.name", "it", "ram.size", 4 * 1024 * 1024));
        createdPids.add(pid);
    }

    @Test
    public void configuringTheQemuLinuxUserModeAndUninstallingTheBundle() throws Exception {
        assertNull("the FIFO bundle is not part of this container until installed", findBundle(FIFO_BUNDLE));
        Bundle fifo = context.installBundle(bundleFile(FIFO_BUNDLE).toURI().toString());
        fifo.start();
        assertEquals(Bundle.ACTIVE, fifo.getState());

        Path dir = Files.createTempDirectory("vmsg-qemu-it");
        createQemuBus("qdev", "device", dir);
        createQemuBus("qdrv", "driver", dir);
        createRng("qdev", "rng0");
        ServiceReference<?> source = awaitEntropySource("qdrv");
        awaitCondition(() -> devicesOn("qdrv").stream().anyMatch(d -> d.side().equals("driver")
                && d.state().equals("running")) && devicesOn("qdev").stream().anyMatch(d -> d.side().equals("device")),
                DEFAULT_TIMEOUT, () -> "rng0 not running across the linux-user link: " + admin().devices());
        assertDistinctReads(source, 3, 64);
        assertEquals(48, busView("qdrv").orElseThrow().maxMessageSize());
        assertEquals("RFC3", busView("qdrv").orElseThrow().profile());
        assertEquals(262_272L, Files.size(dir.resolve("queue-it-driver")));
        assertEquals(262_272L, Files.size(dir.resolve("queue-it-device")));
        assertTrue("link threads of both sides: " + vmsgThreadNames(),
                threadsMatching("vmsg-qemu-qd(ev|rv)-(device|driver)-(link|rx)").size() == 4);

        uninstallBundle(FIFO_BUNDLE);

        awaitNoServiceAtAll(entropyFilter("qdrv"), DEFAULT_TIMEOUT);
        awaitNoServiceAtAll("(&(objectClass=dev.vmsg.bus.Bus)(vmsg.bus.type=qemu-linux-user))", DEFAULT_TIMEOUT);
        awaitNoThread("vmsg-qemu-.*", DEFAULT_TIMEOUT);
        assertFalse("the doorbell socket is removed with the device side", Files.exists(dir.resolve("it.socket")));
        assertNoVmsgErrors();
    }
}
