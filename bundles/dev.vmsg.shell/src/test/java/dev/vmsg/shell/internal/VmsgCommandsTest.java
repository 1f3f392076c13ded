package dev.vmsg.shell.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vmsg.admin.BusView;
import dev.vmsg.admin.DeviceView;
import dev.vmsg.admin.QueueView;
import dev.vmsg.admin.VmsgAdmin;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class VmsgCommandsTest {

    private final List<BusView> buses = new ArrayList<>();
    private final List<DeviceView> devices = new ArrayList<>();
    private final VmsgCommands commands = new VmsgCommands(new VmsgAdmin() {
        @Override
        public List<BusView> buses() {
            return buses;
        }

        @Override
        public List<DeviceView> devices() {
            return devices;
        }

        @Override
        public Optional<DeviceView> device(String ref) {
            return devices.stream().filter(d -> (d.bus() + "/" + d.number() + "/" + d.side()).equals(ref)).findFirst();
        }
    });

    private static DeviceView device(String side, String state) {
        return new DeviceView("lb0", 3, side, "rng0", 4, "ENTROPY", 0x0F, state, "{VIRTIO_F_VERSION_1}",
                "{VIRTIO_F_VERSION_1}", 0, 7, List.of(new QueueView(0, 64, 0x4000_0000L, 0x4000_0400L, 0x4000_0480L,
                        5, 4, 1)));
    }

    @Test
    void busesListsEachBusWithItsWindowSidesAndMessageTotal() {
        buses.add(new BusView("lb0", "loopback", "REV1", 264, 0x4000_0000L, 4 << 20, true, true,
                Map.of("driver tx EVENT_AVAIL", 3L, "device rx EVENT_AVAIL", 3L, "driver drop malformed: TRUNCATED", 9L)));
        String out = commands.buses();
        String[] lines = out.split("\n");
        assertEquals(2, lines.length, out);
        assertTrue(lines[0].startsWith("BUS"), out);
        assertTrue(lines[1].matches("lb0\\s+loopback\\s+REV1\\s+264\\s+0x40000000\\+4096 KiB\\s+driver\\+device\\s+6"), out);
    }

    @Test
    void emptyListsSayWhatToDo() {
        assertTrue(commands.buses().contains("dev.vmsg.bus.loopback"));
        assertEquals("no devices\n", commands.devices());
    }

    @Test
    void devicesShowsStatusByNameAndQueues() {
        devices.add(device("driver", "running"));
        String out = commands.devices();
        assertTrue(out.contains("ACKNOWLEDGE|DRIVER|FEATURES_OK|DRIVER_OK"), out);
        assertTrue(out.contains("ENTROPY(4)"), out);
        assertTrue(out.contains("0:64"), out);
    }

    @Test
    void infoShowsEveryQueueOrSaysHowToNameADevice() {
        devices.add(device("device", "running"));
        String out = commands.info("lb0/3/device");
        assertTrue(out.contains("0x40000400"), out);
        assertTrue(out.contains("generation 7"), out);
        assertTrue(commands.info("nope").startsWith("no device 'nope'"));
    }

    @Test
    void trafficSplitsSideDirectionAndMessage() {
        buses.add(new BusView("lb0", "loopback", "REV1", 264, 0, 4096, true, true,
                Map.of("driver tx GET_DEVICE_INFO", 1L)));
        String out = commands.traffic(null);
        assertTrue(out.matches("(?s)bus lb0\nSIDE\\s+DIR\\s+MESSAGE\\s+COUNT\ndriver\\s+tx\\s+GET_DEVICE_INFO\\s+1\n"), out);
        assertTrue(commands.traffic("other").startsWith("no bus named 'other'"));
    }

    @Test
    void demoWaitsBoundedUntilEveryHostedDeviceIsDriven() throws Exception {
        buses.add(new BusView("lb0", "loopback", "REV1", 264, 0, 4096, true, true, Map.of()));
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> commands.demo(50));
        assertTrue(e.getMessage().contains("within 50 ms"));
        devices.add(device("device", "running"));
        assertThrows(IllegalStateException.class, () -> commands.demo(50), "hosted but not driven yet");
        devices.add(device("driver", "initialising"));
        assertThrows(IllegalStateException.class, () -> commands.demo(50), "driver side not running yet");
        devices.set(1, device("driver", "running"));
        assertTrue(commands.demo(50).contains("== devices"));
    }
}
