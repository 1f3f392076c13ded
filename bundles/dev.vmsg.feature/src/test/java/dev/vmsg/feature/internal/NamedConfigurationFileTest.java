package dev.vmsg.feature.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Dictionary;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NamedConfigurationFileTest {

    @Test
    void onlyFactoryPidTildeNameDotCfgIsANamedConfiguration() {
        NamedConfigurationFile f = NamedConfigurationFile.of("dev.vmsg.device.rng~rng1.cfg");
        assertEquals("dev.vmsg.device.rng", f.factoryPid());
        assertEquals("rng1", f.name());
        assertEquals("dev.vmsg.device.rng~rng1", f.pid());
        NamedConfigurationFile dash = NamedConfigurationFile.of("dev.vmsg.device.rng-rng-1.cfg");
        assertEquals("dev.vmsg.device.rng~rng-1", dash.pid(), "vmsg's - form, split at the first - as FileInstall does");
        assertNull(NamedConfigurationFile.of("org.example.thing-a.cfg"), "the - form of other PIDs stays FileInstall's");
        assertNull(NamedConfigurationFile.of("dev.vmsg.device.rng~rng1.config"));
        assertNull(NamedConfigurationFile.of("~rng1.cfg"));
        assertNull(NamedConfigurationFile.of("dev.vmsg.device.rng~.cfg"));
        assertNull(NamedConfigurationFile.of("plugin.jar"));
    }

    @Test
    void readsKeyValueLinesAsTrimmedStrings(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("x~y.cfg");
        Files.writeString(file, "# comment\nbus = loopback0\nname=y\nqueue.size =  64 \n");
        Dictionary<String, Object> d = NamedConfigurationFile.read(file);
        assertEquals(3, d.size());
        assertEquals("loopback0", d.get("bus"));
        assertEquals("64", d.get("queue.size"));
    }
}
