package dev.vmsg.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import dev.vmsg.admin.DeviceView;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.io.IOException;
import java.util.List;
import java.util.Optional;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.Bundle;

/**
 * The deploy folder, as ./vmsg runs it (FileInstall): a device plugin jar dropped there is installed
 * and started; a {@code <factory pid>~<name>.cfg} (or {@code -<name>}) creates that device, editing
 * it reconfigures the device, deleting it detaches the device; deleting the jar uninstalls it.
 * The {@code ~} form is dev.vmsg.feature's (FileInstall 3.7.4 reads only the {@code -} form).
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class HotDeployIT extends FeatureTestSupport {

    private Path deploy() {
        return Path.of(context.getProperty("felix.fileinstall.dir"));
    }

    /** Writes a file next to the deploy folder and moves it in, so FileInstall never sees half of it. */
    private void drop(String name, String content) throws IOException {
        Path tmp = Files.createTempFile(deploy().getParent(), "vmsg", ".part");
        Files.writeString(tmp, content);
        Files.move(tmp, deploy().resolve(name), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    private Optional<DeviceView> device(String name, String side) {
        return admin().devices().stream()
                .filter(d -> d.bus().equals("loopback0") && d.side().equals(side) && d.name().equals(name)).findFirst();
    }

    private boolean running(String name) {
        return device(name, "device").filter(d -> d.status() == STATUS_RUNNING).isPresent()
                && admin().devices().stream().anyMatch(d -> d.side().equals("driver")
                        && d.number() == device(name, "device").get().number() && d.status() == STATUS_RUNNING);
    }

    @Test
    public void aPluginJarAndACfgFileBringADeviceUpAndDeletingTheCfgTakesItDown() throws Exception {
        createBus("loopback0");
        Path jar = bundleFile("dev.vmsg.device.rng").toPath();
        Path tmp = Files.createTempFile(deploy().getParent(), "vmsg", ".part");
        Files.copy(jar, tmp, StandardCopyOption.REPLACE_EXISTING);
        Files.move(tmp, deploy().resolve("dev.vmsg.device.rng.jar"), StandardCopyOption.ATOMIC_MOVE);
        Bundle plugin = awaitBundleActive("dev.vmsg.device.rng", DEFAULT_TIMEOUT);
        assertTrue(plugin.getLocation(), plugin.getLocation().contains(deploy().getFileName().toString()));

        // named factory configuration, "~" form: creates the device
        drop("dev.vmsg.device.rng~hot0.cfg", "bus = loopback0\nname = hot0\n");
        awaitCondition(() -> running("hot0"), DEFAULT_TIMEOUT, () -> "hot0 not running: " + admin().devices());
        // editing it reconfigures the device: a fixed device number
        drop("dev.vmsg.device.rng~hot0.cfg", "bus = loopback0\nname = hot0\nnumber = 7\n");
        awaitCondition(() -> device("hot0", "device").map(d -> d.number() == 7).orElse(false) && running("hot0"),
                DEFAULT_TIMEOUT, () -> "hot0 not re-created as number 7: " + admin().devices());
        // the "-" form works the same
        drop("dev.vmsg.device.rng-hot1.cfg", "bus = loopback0\nname = hot1\n");
        awaitCondition(() -> running("hot1"), DEFAULT_TIMEOUT, () -> "hot1 not running: " + admin().devices());

        // deleting the .cfg detaches the device, and only that one
        Files.delete(deploy().resolve("dev.vmsg.device.rng~hot0.cfg"));
        awaitCondition(() -> device("hot0", "device").isEmpty(), DEFAULT_TIMEOUT,
                () -> "hot0 still there: " + admin().devices());
        assertTrue(running("hot1"));
        Files.delete(deploy().resolve("dev.vmsg.device.rng-hot1.cfg"));
        awaitCondition(() -> admin().devices().isEmpty(), DEFAULT_TIMEOUT,
                () -> "devices left: " + admin().devices());

        // deleting the jar uninstalls the plugin
        Files.delete(deploy().resolve("dev.vmsg.device.rng.jar"));
        // Felix drops the bundle from its list a moment before it marks it UNINSTALLED: wait for both.
        awaitCondition(() -> findBundle("dev.vmsg.device.rng") == null && plugin.getState() == Bundle.UNINSTALLED,
                DEFAULT_TIMEOUT, () -> "the plugin is still installed (" + stateName(plugin.getState()) + ")");
    }

    @Test
    public void aWrongValueIsOneErrorLineWithPidKeyAndExpectationAndNoDevice() throws Exception {
        createBus("loopback0");
        Path tmp = Files.createTempFile(deploy().getParent(), "vmsg", ".part");
        Files.copy(bundleFile("dev.vmsg.device.rng").toPath(), tmp, StandardCopyOption.REPLACE_EXISTING);
        Files.move(tmp, deploy().resolve("rng.jar"), StandardCopyOption.ATOMIC_MOVE);
        awaitBundleActive("dev.vmsg.device.rng", DEFAULT_TIMEOUT);

        drop("dev.vmsg.device.rng-bad0.cfg", "bus = loopback0\nname = bad0\nqueue.size = 40000\n");
        awaitVmsgLog("deploy folder: dev.vmsg.device.rng-bad0.cfg rejected: dev.vmsg.device.rng~bad0: "
                + "queue.size = '40000': expected an Integer from 1 to 32768 (nothing created)");
        drop("dev.vmsg.device.rng~bad1.cfg", "bus = loopback0\nname = bad1\nmax.bytes.per.request = lots\n");
        awaitVmsgLog("dev.vmsg.device.rng~bad1: max.bytes.per.request = 'lots': expected an Integer from 1 to 1048576");
        assertTrue(configurationAdmin().listConfigurations("(service.factoryPid=dev.vmsg.device.rng)") == null);

        // a valid device, then a wrong edit: the device keeps its last valid configuration
        drop("dev.vmsg.device.rng~good.cfg", "bus = loopback0\nname = good\n");
        awaitCondition(() -> running("good"), DEFAULT_TIMEOUT, () -> "good not running: " + admin().devices());
        drop("dev.vmsg.device.rng~good.cfg", "bus = loopback0\nname = good\nqueue.size = 0\n");
        awaitVmsgLog("dev.vmsg.device.rng~good: queue.size = '0': expected an Integer from 1 to 32768 "
                + "(the last valid configuration stays)");
        assertTrue(running("good"));
        assertEquals(List.of("good"), admin().devices().stream().filter(d -> d.side().equals("device"))
                .map(DeviceView::name).toList());

        for (String f : List.of("dev.vmsg.device.rng-bad0.cfg", "dev.vmsg.device.rng~bad1.cfg",
                "dev.vmsg.device.rng~good.cfg", "rng.jar")) {
            Files.delete(deploy().resolve(f));
        }
        awaitCondition(() -> findBundle("dev.vmsg.device.rng") == null && admin().devices().isEmpty(),
                DEFAULT_TIMEOUT, () -> "left behind: " + admin().devices());
    }
}
