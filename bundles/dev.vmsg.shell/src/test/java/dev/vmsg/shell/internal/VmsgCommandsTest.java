package dev.vmsg.shell.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vmsg.admin.BusView;
import dev.vmsg.admin.DeviceView;
import dev.vmsg.admin.QueueView;
import dev.vmsg.admin.LatencyStats;
import dev.vmsg.admin.Metrics;
import dev.vmsg.admin.TraceRecord;
import dev.vmsg.admin.TrafficStats;
import dev.vmsg.admin.VmsgAdmin;
import dev.vmsg.wire.Header;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.Test;

class VmsgCommandsTest {

    private final List<BusView> buses = new ArrayList<>();
    private final List<DeviceView> devices = new ArrayList<>();
    private final List<TraceRecord> trace = new ArrayList<>();
    private final Map<String, TrafficStats> stats = new TreeMap<>();
    private final List<String> calls = new ArrayList<>();

    /** A fake core: records the operations asked, serves the lists above. */
    private final class FakeCore implements VmsgAdmin, Metrics {
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

        @Override
        public long ping(String bus) {
            calls.add("ping " + bus);
            if (!bus.equals("lb0")) {
                throw new IllegalArgumentException("no bus named '" + bus + "' (see vmsg:buses)");
            }
            return 12_345;
        }

        @Override
        public byte[] readConfig(String ref) {
            calls.add("readConfig " + ref);
            byte[] config = new byte[20];
            for (int i = 0; i < config.length; i++) {
                config[i] = (byte) (0xF0 + i);
            }
            return config;
        }

        @Override
        public DeviceView reset(String ref) {
            calls.add("reset " + ref);
            return VmsgCommandsTest.device("driver", "running");
        }

        @Override
        public void trace(String bus, boolean on, int capacity) {
            calls.add("trace " + bus + " " + on + " " + capacity);
        }

        @Override
        public boolean tracing(String bus) {
            return false;
        }

        @Override
        public List<TraceRecord> traceRecords(String bus, int max) {
            return trace.subList(Math.max(0, trace.size() - max), trace.size());
        }

        @Override
        public List<TrafficStats> busStats() {
            return stats.values().stream().filter(s -> !s.name().contains("/")).toList();
        }

        @Override
        public List<TrafficStats> deviceStats() {
            return stats.values().stream().filter(s -> s.name().contains("/")).toList();
        }

        @Override
        public Optional<TrafficStats> stats(String ref) {
            return Optional.ofNullable(stats.get(ref));
        }
    }

    private final FakeCore core = new FakeCore();
    private final VmsgCommands commands = new VmsgCommands(core, core, () -> null);

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
        CommandException e = assertThrows(CommandException.class, () -> commands.info("nope"));
        assertTrue(e.getMessage().startsWith("no device 'nope'"), e.getMessage());
        assertEquals(0, e.getStackTrace().length, "a command error carries no stack trace");
    }

    @Test
    void infoDumpsTheConfigSpaceReadByTheDriverSideOrSaysWhyNot() {
        DeviceView hosted = device("device", "running");
        DeviceView withConfig = new DeviceView(hosted.bus(), hosted.number(), "device", hosted.name(), 2, "BLOCK",
                hosted.status(), hosted.state(), "{}", "{}", 20, 1, List.of());
        devices.add(withConfig);
        String alone = commands.info("lb0/3/device");
        assertTrue(alone.contains("config    20 bytes, generation 1\n          (driven by another container: read it there)\n"),
                alone);
        devices.add(new DeviceView("lb0", 3, "driver", "lb0/3", 2, "BLOCK", 0x0F, "running", "{}", "{}", 20, 1,
                List.of()));
        String out = commands.info("lb0/3/driver");
        assertTrue(out.contains("config    20 bytes, generation 1\n"
                + "  0000   f0 f1 f2 f3 f4 f5 f6 f7 f8 f9 fa fb fc fd fe ff\n"
                + "  0010   00 01 02 03\n"), out);
        assertEquals(List.of("readConfig lb0/3/driver"), calls);
    }

    @Test
    void trafficSplitsSideDirectionAndMessage() {
        buses.add(new BusView("lb0", "loopback", "REV1", 264, 0, 4096, true, true,
                Map.of("driver tx GET_DEVICE_INFO", 1L)));
        String out = commands.traffic();
        assertTrue(out.matches("(?s)bus lb0\nSIDE\\s+DIR\\s+MESSAGE\\s+COUNT\ndriver\\s+tx\\s+GET_DEVICE_INFO\\s+1\n"), out);
        assertTrue(assertThrows(CommandException.class, () -> commands.traffic("other")).getMessage()
                .startsWith("no bus named 'other'"));
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

    @Test
    void everyCommandAnswersHelpAndWrongArgumentCountsWithAUsageLine() throws Exception {
        assertTrue(commands.buses("--help").startsWith("usage: vmsg:buses\n  List the buses"));
        assertTrue(commands.devices("--help").startsWith("usage: vmsg:devices"));
        assertTrue(commands.info("--help").startsWith("usage: vmsg:info <device>"));
        assertTrue(commands.stats("--help").startsWith("usage: vmsg:stats"));
        assertTrue(commands.traffic("--help").startsWith("usage: vmsg:traffic"));
        assertTrue(commands.ping("--help").startsWith("usage: vmsg:ping <bus>"));
        assertTrue(commands.attach("--help").startsWith("usage: vmsg:attach <type> <bus>"));
        assertTrue(commands.detach("-h").startsWith("usage: vmsg:detach <device>"));
        assertTrue(commands.reset("--help").startsWith("usage: vmsg:reset <device>"));
        assertTrue(commands.trace("--help").startsWith("usage: vmsg:trace <bus> on"));
        assertEquals("usage: vmsg:info <device>", assertThrows(CommandException.class, () -> commands.info())
                .getMessage());
        assertEquals("usage: vmsg:ping <bus> [count 1..100]", assertThrows(CommandException.class,
                () -> commands.ping("a", "b", "c")).getMessage());
        assertTrue(assertThrows(CommandException.class, () -> commands.ping("lb0", "0")).getMessage()
                .startsWith("count must be a number in 1..100"));
        assertTrue(calls.isEmpty(), "no operation ran for help or a usage error: " + calls);
    }

    @Test
    void pingShowsEachRoundTripAndASummaryAndFailsInOneLine() {
        assertEquals("lb0: PING round trip 12.3 us\n", commands.ping("lb0"));
        String three = commands.ping("lb0", "3");
        assertTrue(three.endsWith("3 PINGs: min 12.3 us, mean 12.3 us, max 12.3 us\n"), three);
        CommandException e = assertThrows(CommandException.class, () -> commands.ping("nope"));
        assertEquals("PING on nope failed: no bus named 'nope' (see vmsg:buses)", e.getMessage());
        assertEquals(List.of("ping lb0", "ping lb0", "ping lb0", "ping lb0", "ping nope"), calls);
    }

    @Test
    void statsListsBusesAndDevicesAndShowsOneInDetail() {
        stats.put("lb0", new TrafficStats("lb0", Map.of("driver tx PING", 2L, "device rx PING", 2L), 64, 64,
                Map.of("device: unknown device number", 1L), Map.of("driver: timeout", 3L),
                new LatencyStats(2, 15_000, 12_000, 18_000, 18_000)));
        stats.put("lb0/0/driver", new TrafficStats("lb0/0/driver", Map.of("tx GET_CONFIG", 5L), 40, 120, Map.of(),
                Map.of(), new LatencyStats(5, 2_000_000, 1_500_000, 3_000_000, 3_100_000)));
        String all = commands.stats();
        assertTrue(all.matches("(?s)BUS\\s+MESSAGES\\s+SENT B\\s+RECEIVED B\\s+DROPS\\s+ERRORS\\s+REQUESTS\\s+P50\\s+P99\n"
                + "lb0\\s+4\\s+64\\s+64\\s+1\\s+3\\s+2\\s+12.0 us\\s+18.0 us\n\n"
                + "DEVICE.*\nlb0/0/driver\\s+5\\s+40\\s+120\\s+0\\s+5\\s+1.50 ms\\s+3.00 ms\n"), all);
        String one = commands.stats("lb0");
        assertTrue(one.startsWith("lb0: 4 messages, 64 B sent, 64 B received\n"
                + "request latency n=2 mean 15.0 us p50 12.0 us p99 18.0 us max 18.0 us\n"), one);
        assertTrue(one.matches("(?s).*drop: device: unknown device number\\s+1\n.*"), one);
        assertTrue(one.matches("(?s).*error: driver: timeout\\s+3\n.*"), one);
        assertTrue(assertThrows(CommandException.class, () -> commands.stats("x")).getMessage()
                .startsWith("no bus or device 'x'"));
    }

    @Test
    void durationsReadInTheirUnit() {
        assertEquals("999 ns", VmsgCommands.duration(999));
        assertEquals("1.0 us", VmsgCommands.duration(1_000));
        assertEquals("2.50 ms", VmsgCommands.duration(2_500_000));
        assertEquals("3.00 s", VmsgCommands.duration(3_000_000_000L));
    }

    @Test
    void resetReportsTheStateAfterwards() {
        devices.add(device("driver", "running"));
        assertEquals("reset lb0/3 (ENTROPY): running, status ACKNOWLEDGE|DRIVER|FEATURES_OK|DRIVER_OK\n",
                commands.reset("lb0/3/driver"));
        assertEquals(List.of("reset lb0/3/driver"), calls);
    }

    @Test
    void traceSwitchesShowsDecodedRowsAndSavesPcapng(@TempDir Path dir) throws Exception {
        buses.add(new BusView("lb0", "loopback", "REV1", 264, 0, 4096, true, true, Map.of()));
        assertTrue(commands.trace("lb0", "on", "16").startsWith("tracing lb0: the last 16 messages are kept"));
        assertTrue(commands.trace("lb0", "show").startsWith("no messages traced on lb0"));
        trace.add(new TraceRecord(0, 1_700_000_000_123_456_789L, "driver", true, "REV1",
                new Header(0, 0x02, 0, 7, 8), "GetDeviceInfoRequest[]", new byte[8]));
        trace.add(new TraceRecord(1, 1_700_000_000_223_456_789L, "device", false, "REV1",
                new Header(3, 0x03, 0, 0x10, 8), "PingResponse[data=5]", new byte[12]));
        String out = commands.trace("lb0", "show", "1");
        String[] lines = out.split("\n");
        assertEquals(2, lines.length, out);
        assertTrue(lines[0].matches("SEQ\\s+TIME \\(UTC\\)\\s+SIDE\\s+DIR\\s+KIND\\s+MESSAGE\\s+DEV\\s+TOKEN\\s+SIZE\\s+DECODED"),
                out);
        assertTrue(lines[1].matches("1\\s+22:13:20.223456\\s+device\\s+rx\\s+bus response\\s+BUS_PING\\(0x03\\)\\s+0\\s+16\\s+12"
                + "\\s+PingResponse\\[data=5\\]"), out);
        Path file = dir.resolve("t.pcapng");
        assertTrue(commands.trace("lb0", "save", file.toString()).startsWith("saved 2 messages of lb0 to "));
        assertEquals(2, PcapngReader.read(Files.readAllBytes(file)).packets().size());
        assertTrue(commands.trace("lb0", "off").startsWith("tracing lb0 off; 2 messages kept"));
        assertEquals(List.of("trace lb0 true 16", "trace lb0 false 1024"), calls);
        assertEquals("usage: vmsg:trace <bus> on [capacity] | off | show [n] | save <file>",
                assertThrows(CommandException.class, () -> commands.trace("lb0", "sideways")).getMessage());
        assertTrue(assertThrows(CommandException.class, () -> commands.trace("nope", "on")).getMessage()
                .startsWith("no bus named 'nope'"));
    }

    @Test
    void attachAndDetachSayWhatIsMissingWithoutConfigurationAdmin() {
        buses.add(new BusView("lb0", "loopback", "REV1", 264, 0, 4096, true, true, Map.of()));
        assertEquals("no ConfigurationAdmin service: devices cannot be attached or detached",
                assertThrows(CommandException.class, () -> commands.attach("rng", "lb0")).getMessage());
        assertTrue(assertThrows(CommandException.class, () -> commands.attach("rng", "lb9")).getMessage()
                .startsWith("no bus named 'lb9'"));
        assertEquals("'oops' is not key=value", assertThrows(CommandException.class,
                () -> commands.attach("rng", "lb0", "oops")).getMessage());
        assertEquals("key 'name' is given twice", assertThrows(CommandException.class,
                () -> commands.attach("rng", "lb0", "name=a", "name=b")).getMessage());
        assertEquals("key 'service.pid' is set by the framework, not by a configuration", assertThrows(
                CommandException.class, () -> commands.attach("rng", "lb0", "service.pid=x")).getMessage());
        buses.add(new BusView("remote", "fifo", "REV1", 264, 0, 4096, true, false, Map.of()));
        assertTrue(assertThrows(CommandException.class, () -> commands.attach("rng", "remote")).getMessage()
                .startsWith("bus remote is served only on the driver side here"));
        assertTrue(calls.isEmpty(), calls.toString());
    }
}
