package dev.vmsg.itests;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import dev.vmsg.admin.DeviceView;
import java.lang.reflect.Method;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.Bundle;
import org.osgi.framework.ServiceReference;

/**
 * The example plugin (examples/virtio-i2c) installed at run time, end to end: feature:add brings
 * the bundle from the local repository, a configuration attaches a virtio-i2c device to loopback0,
 * the device runs on both sides, the driver's I2cAdapter service writes and reads the simulated
 * EEPROM through the virtqueue, and feature:remove takes it all away. The probe reaches the plugin's
 * classes only reflectively (it must not wire to a package it uninstalls).
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class ExamplePluginIT extends FeatureTestSupport {

    private static final String PLUGIN = "dev.vmsg.examples.i2c";
    private static final String ADAPTER = "(objectClass=dev.vmsg.examples.i2c.I2cAdapter)";

    private List<DeviceView> i2c() {
        return admin().devices().stream().filter(d -> d.deviceId() == 34).toList();
    }

    @Test
    public void theExamplePluginWorksEndToEndWhenAddedAtRunTime() throws Exception {
        createBus("loopback0");
        assertTrue(feature("list"), feature("list").contains("vmsg-example-i2c"));
        String added = feature("add", "vmsg-example-i2c");
        assertTrue(added, added.contains("feature vmsg-example-i2c added: 1 bundle(s) installed and started"));
        Bundle plugin = awaitBundleActive(PLUGIN, DEFAULT_TIMEOUT);

        String pid = createFactoryConfiguration("dev.vmsg.examples.i2c", "i2c0",
                Map.of("bus", "loopback0", "name", "i2c0"));
        createdPids.add(pid);
        awaitCondition(() -> i2c().size() == 2 && i2c().stream().allMatch(d -> d.status() == STATUS_RUNNING),
                DEFAULT_TIMEOUT, () -> "i2c0 not running on both sides: " + admin().devices());
        assertEquals("I2C_ADAPTER", i2c().get(0).typeName());

        ServiceReference<?> ref = awaitAnyServiceReference(ADAPTER, DEFAULT_TIMEOUT);
        Object adapter = context.getService(ref);
        ClassLoader loader = plugin.adapt(org.osgi.framework.wiring.BundleWiring.class).getClassLoader();
        Class<?> message = loader.loadClass("dev.vmsg.examples.i2c.I2cMessage");
        Method write = message.getMethod("write", int.class, byte[].class);
        Method read = message.getMethod("read", int.class, int.class);
        Method transfer = loader.loadClass("dev.vmsg.examples.i2c.I2cAdapter").getMethod("transfer", List.class,
                Duration.class);
        transfer.invoke(adapter, List.of(write.invoke(null, 0x50, new byte[] {0x20, 1, 2, 3})), Duration.ofSeconds(5));
        @SuppressWarnings("unchecked")
        List<byte[]> got = (List<byte[]>) transfer.invoke(adapter,
                List.of(write.invoke(null, 0x50, new byte[] {0x20}), read.invoke(null, 0x50, 3)), Duration.ofSeconds(5));
        assertArrayEquals(new byte[] {1, 2, 3}, got.get(1));
        context.ungetService(ref);

        deleteCreated(pid);
        awaitCondition(() -> i2c().isEmpty(), DEFAULT_TIMEOUT, () -> "i2c0 still there: " + admin().devices());
        String removed = feature("remove", "vmsg-example-i2c");
        assertTrue(removed, removed.contains("stopped and uninstalled"));
        assertNull(findBundle(PLUGIN));
        assertEquals(Bundle.UNINSTALLED, plugin.getState());
    }
}
