package dev.vmsg.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;
import static org.ops4j.pax.exam.CoreOptions.mavenBundle;

import dev.vmsg.admin.DeviceView;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.regex.Pattern;
import org.apache.felix.service.command.CommandProcessor;
import org.apache.felix.service.command.CommandSession;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;

/**
 * Every {@code vmsg} command run through the Gogo runtime against a live container (loopback bus
 * {@code lb7} with an rng and a console device), its output checked: what the shell prints is
 * what these tests read. Includes attach (a device that then appears in vmsg:devices), reset,
 * detach (it disappears), ping, trace on/show/save/off with the saved file walked as pcapng, and
 * the one-line errors.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class AdminCommandsIT extends RngTestSupport {

    private static final String BUS = "lb7";

    @Override
    protected Option[] extraOptions() {
        return new Option[] {mavenBundle("org.apache.felix", "org.apache.felix.gogo.runtime")
                .version(System.getProperty("vmsg.version.gogo.runtime"))};
    }

    private String run(String command) throws Exception {
        CommandProcessor processor = awaitService(CommandProcessor.class, null, DEFAULT_TIMEOUT);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (CommandSession session = processor.createSession(new ByteArrayInputStream(new byte[0]), out, out)) {
            Object result = session.execute(command);
            return String.valueOf(result);
        }
    }

    /** Runs a command that must fail; returns its exception's text, checked to be one line. */
    private String runFailing(String command) throws Exception {
        try {
            String out = run(command);
            fail(command + " did not fail: " + out);
            return null;
        } catch (Exception e) {
            String text = e.toString();
            assertFalse(command + ": not one line: " + text, text.contains("\n"));
            assertEquals(command + ": " + e.getClass().getName(), "dev.vmsg.shell.internal.CommandException",
                    e.getClass().getName());
            assertEquals("toString is the message alone", e.getMessage(), text);
            return text;
        }
    }

    private void assertLine(String output, String regex) {
        assertTrue("no line matching " + regex + " in:\n" + output,
                Pattern.compile("(?m)^" + regex + "$").matcher(output).find());
    }

    private void startBusWithDevices() throws Exception {
        createBus(BUS);
        createRng(BUS, "rng0");
        String pid = createFactoryConfiguration("dev.vmsg.device.console", BUS + "-con0",
                Map.of("bus", BUS, "name", "con0", "ports", new String[] {"app=endpoint"}));
        createdPids.add(pid);
    }

    @Test
    public void everyCommandRunsAgainstTheLiveContainer() throws Exception {
        startBusWithDevices();
        String demo = run("vmsg:demo");
        assertLine(demo, BUS + "\\s+loopback\\s+REV1\\s+264\\s+0x\\p{XDigit}+\\+4096 KiB\\s+driver\\+device\\s+\\d+");

        String buses = run("vmsg:buses");
        assertLine(buses, "BUS\\s+TYPE\\s+PROFILE\\s+MAX MSG\\s+WINDOW\\s+SIDES\\s+MESSAGES");
        assertLine(buses, BUS + "\\s+loopback\\s+REV1.*");

        String devices = run("vmsg:devices");
        assertLine(devices, BUS + "\\s+\\d+\\s+device\\s+rng0\\s+ENTROPY\\(4\\)\\s+ACKNOWLEDGE\\|DRIVER\\|FEATURES_OK\\|DRIVER_OK"
                + "\\s+running\\s+\\{VIRTIO_F_EVENT_IDX, VIRTIO_F_VERSION_1.*\\}\\s+0:\\d+");
        assertLine(devices, BUS + "\\s+\\d+\\s+driver\\s+" + BUS + "/\\d+\\s+CONSOLE\\(3\\)\\s+.*running\\s+"
                + "\\{VIRTIO_CONSOLE_F_SIZE, VIRTIO_CONSOLE_F_MULTIPORT, .*");

        // info: features by name (device-type bits from the console bundle), config, queues, traffic
        String info = run("vmsg:info con0");
        assertLine(info, "type      CONSOLE \\(3\\)");
        assertLine(info, "offered   \\{VIRTIO_CONSOLE_F_SIZE, VIRTIO_CONSOLE_F_MULTIPORT, VIRTIO_CONSOLE_F_EMERG_WRITE, "
                + "VIRTIO_F_EVENT_IDX, VIRTIO_F_VERSION_1, .*\\}");
        assertLine(info, "agreed    \\{VIRTIO_CONSOLE_F_SIZE, VIRTIO_CONSOLE_F_MULTIPORT, .*VIRTIO_F_VERSION_1.*\\}");
        assertLine(info, "config    12 bytes, generation \\d+");
        assertLine(info, "  0000   (\\p{XDigit}\\p{XDigit} ){11}\\p{XDigit}\\p{XDigit}"); // cols, rows, max_nr_ports, emerg_wr
        assertLine(info, "configured dev.vmsg.device.console~" + BUS + "-con0 bus=" + BUS + " name=con0 ports=.*");
        assertLine(info, "QUEUE\\s+SIZE\\s+DESC\\s+DRIVER\\s+DEVICE\\s+NOTIFIED\\s+CHAINS\\s+ERRORS");
        assertLine(info, "0\\s+\\d+\\s+0x\\p{XDigit}+\\s+0x\\p{XDigit}+\\s+0x\\p{XDigit}+\\s+\\d+\\s+\\d+\\s+0");
        assertLine(info, "traffic   \\d+ messages, \\d+ B sent, \\d+ B received, requests none");
        String drivenInfo = run("vmsg:info " + BUS + "/" + admin().device("con0").orElseThrow().number() + "/driver");
        assertLine(drivenInfo, "traffic   \\d+ messages, \\d+ B sent, \\d+ B received, requests n=\\d+ mean .* p50 .* p99 .*");

        // the Metrics service a monitoring bundle reads: the same numbers the commands show
        dev.vmsg.admin.Metrics metrics = awaitService(dev.vmsg.admin.Metrics.class, null, DEFAULT_TIMEOUT);
        assertTrue(metrics.busStats().stream().anyMatch(s -> s.name().equals(BUS) && s.bytesSent() > 0
                && s.requestLatency().count() > 0));
        assertTrue(metrics.deviceStats().stream().anyMatch(s -> s.name().startsWith(BUS + "/")
                && s.name().endsWith("/driver")));

        // ping: timed bus PINGs
        String ping = run("vmsg:ping " + BUS + " 2");
        assertLine(ping, BUS + ": PING round trip \\d+(\\.\\d+)? (ns|us|ms|s)");
        assertLine(ping, "2 PINGs: min .*, mean .*, max .*");

        // trace: off by default, on, show, save as pcapng, off
        assertTrue(run("vmsg:trace " + BUS + " show").startsWith("no messages traced on " + BUS + " (vmsg:trace"));
        assertEquals("tracing " + BUS + ": the last 32 messages are kept (vmsg:trace " + BUS + " show)\n",
                run("vmsg:trace " + BUS + " on 32"));
        run("vmsg:ping " + BUS);
        awaitCondition(() -> admin().traceRecords(BUS, 100).size() >= 4, DEFAULT_TIMEOUT,
                () -> "four trace records of a PING");
        String show = run("vmsg:trace " + BUS + " show 100");
        assertLine(show, "SEQ\\s+TIME \\(UTC\\)\\s+SIDE\\s+DIR\\s+KIND\\s+MESSAGE\\s+DEV\\s+TOKEN\\s+SIZE\\s+DECODED");
        assertLine(show, "\\d+\\s+\\d\\d:\\d\\d:\\d\\d\\.\\d{6}\\s+driver\\s+tx\\s+bus request\\s+BUS_PING\\(0x03\\)\\s+0\\s+\\d+"
                + "\\s+\\d+\\s+PingRequest\\[data=-?\\d+\\]");
        assertLine(show, "\\d+\\s+\\S+\\s+device\\s+tx\\s+bus response\\s+BUS_PING\\(0x03\\)\\s+0\\s+\\d+\\s+\\d+\\s+PingResponse.*");
        Path file = Files.createTempFile("vmsg-trace", ".pcapng");
        try {
            String saved = run("vmsg:trace " + BUS + " save " + file);
            int n = admin().traceRecords(BUS, 1000).size();
            assertEquals("saved " + n + " messages of " + BUS + " to " + file.toAbsolutePath()
                    + " (pcapng, link type 147 LINKTYPE_USER0, see docs/ADMIN.md)\n", saved);
            assertPcapng(Files.readAllBytes(file), n);
        } finally {
            Files.deleteIfExists(file);
        }
        assertTrue(run("vmsg:trace " + BUS + " off").startsWith("tracing " + BUS + " off; "));
        int kept = admin().traceRecords(BUS, 1000).size();
        run("vmsg:ping " + BUS);
        assertEquals("off: nothing more recorded", kept, admin().traceRecords(BUS, 1000).size());

        // stats: all, one bus, one device
        String stats = run("vmsg:stats");
        assertLine(stats, "BUS\\s+MESSAGES\\s+SENT B\\s+RECEIVED B\\s+DROPS\\s+ERRORS\\s+REQUESTS\\s+P50\\s+P99");
        assertLine(stats, BUS + "\\s+\\d+\\s+\\d+\\s+\\d+\\s+0\\s+0\\s+\\d+\\s+\\S+ (ns|us|ms|s)\\s+\\S+ (ns|us|ms|s)");
        assertLine(stats, BUS + "/\\d+/driver\\s+\\d+\\s+\\d+\\s+\\d+\\s+0\\s+\\d+\\s+\\S+ (ns|us|ms|s)\\s+\\S+ (ns|us|ms|s)");
        String busStats = run("vmsg:stats " + BUS);
        assertLine(busStats, BUS + ": \\d+ messages, \\d+ B sent, \\d+ B received");
        assertLine(busStats, "request latency n=\\d+ mean .* p50 .* p99 .* max .*");
        assertLine(busStats, "driver tx BUS_PING\\s+\\d+");
        assertLine(busStats, "no drops, no errors");
        String rngStats = run("vmsg:stats rng0");
        assertLine(rngStats, BUS + "/\\d+/driver: \\d+ messages, .*");
        assertLine(rngStats, "tx GET_DEVICE_INFO\\s+1");

        // traffic: kept, the older view of the same counters
        assertLine(run("vmsg:traffic " + BUS), "driver\\s+tx\\s+BUS_PING\\s+\\d+");

        // attach -> appears in vmsg:devices, reset, detach -> gone
        createdPids.add("dev.vmsg.device.rng~rng9"); // deleted after the test should detach fail
        String attached = run("vmsg:attach rng " + BUS + " name=rng9");
        assertTrue(attached, attached.matches("attached rng9 as " + BUS + "/\\d+ \\(configuration dev.vmsg.device.rng~rng9\\)\n"));
        assertLine(run("vmsg:devices"), BUS + "\\s+\\d+\\s+device\\s+rng9\\s+ENTROPY\\(4\\)\\s+.*");
        awaitCondition(() -> admin().device(BUS + "/" + admin().device("rng9").orElseThrow().number() + "/driver")
                .map(d -> d.state().equals("running")).orElse(false), DEFAULT_TIMEOUT, () -> "rng9 not driven");
        DeviceView rng9 = admin().device("rng9").orElseThrow();
        assertEquals("reset " + BUS + "/" + rng9.number() + " (ENTROPY): running, status "
                + "ACKNOWLEDGE|DRIVER|FEATURES_OK|DRIVER_OK\n", run("vmsg:reset rng9"));
        assertEquals("detached rng9 (deleted configuration dev.vmsg.device.rng~rng9)\n", run("vmsg:detach rng9"));
        assertFalse(run("vmsg:devices").contains("rng9"));

        // without a name: the first free <type><n> (rng0 is taken by the test's own device)
        createdPids.add("dev.vmsg.device.rng~rng1");
        String unnamed = run("vmsg:attach rng " + BUS);
        assertTrue(unnamed, unnamed.matches("attached rng1 as " + BUS + "/\\d+ \\(configuration dev.vmsg.device.rng~rng1\\)\n"));
        assertTrue(runFailing("vmsg:attach rng " + BUS + " name=rng1").startsWith("a device named 'rng1' exists already"));
        assertEquals("detached rng1 (deleted configuration dev.vmsg.device.rng~rng1)\n", run("vmsg:detach rng1"));
    }

    @Test
    public void helpAndErrorsAreOneReadableLine() throws Exception {
        for (String command : new String[] {"buses", "devices", "info", "stats", "traffic", "ping", "attach", "detach",
                "reset", "trace", "demo"}) {
            String help = run("vmsg:" + command + " --help");
            assertTrue(command + ": " + help, help.startsWith("usage: vmsg:" + command));
            assertEquals(command + ": usage line and description", 2, help.lines().count());
        }
        assertEquals("usage: vmsg:info <device>", runFailing("vmsg:info"));
        assertEquals("PING on nope failed: no bus named 'nope' (see vmsg:buses)", runFailing("vmsg:ping nope"));
        assertTrue(runFailing("vmsg:info nope").startsWith("no device 'nope': name it as"));
        assertTrue(runFailing("vmsg:trace nope on").startsWith("no bus named 'nope'"));
        createBus(BUS);
        awaitCondition(() -> admin().buses().stream().anyMatch(b -> b.name().equals(BUS)), DEFAULT_TIMEOUT,
                () -> "bus " + BUS + " not served");
        String types = runFailing("vmsg:attach gpu " + BUS);
        assertTrue(types, types.startsWith("no device type 'gpu' is installed (installed: ")
                && types.contains("console") && types.contains("rng"));
        // values are checked against the type's metatype before anything is stored
        String notANumber = runFailing("vmsg:attach rng " + BUS + " name=bad0 max.bytes.per.request=lots");
        assertTrue(notANumber, notANumber.startsWith("configuration dev.vmsg.device.rng~bad0 refused: "
                + "max.bytes.per.request=lots: "));
        String belowMinimum = runFailing("vmsg:attach rng " + BUS + " name=bad0 queue.size=0");
        assertTrue(belowMinimum, belowMinimum.startsWith("configuration dev.vmsg.device.rng~bad0 refused: queue.size=0: "));
        assertEquals("configuration dev.vmsg.device.rng~bad0 refused: no key 'queue_size' (dev.vmsg.device.rng takes "
                + "bus, max.bytes.per.request, name, queue.size)",
                runFailing("vmsg:attach rng " + BUS + " name=bad0 queue_size=64"));
        assertNull("a refused configuration is not stored",
                configurationAdmin().listConfigurations("(service.pid=dev.vmsg.device.rng~bad0)"));
        assertEquals("no device 'nope': name it as <bus>/<number>[/driver|/device] or by its name (see vmsg:devices)",
                runFailing("vmsg:detach nope"));
        assertEquals("usage: vmsg:trace <bus> on [capacity] | off | show [n] | save <file>",
                runFailing("vmsg:trace " + BUS + " sideways"));
    }

    /** Walks the blocks of a pcapng file (little-endian, as written): SHB, IDB, then {@code packets} EPBs. */
    private static void assertPcapng(byte[] file, int packets) {
        ByteBuffer b = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(0x0A0D0D0A, b.getInt(0));
        assertEquals(0x1A2B3C4D, b.getInt(8));
        int at = 0;
        int epbs = 0;
        int blocks = 0;
        while (at < file.length) {
            int type = b.getInt(at);
            int length = b.getInt(at + 4);
            assertTrue(length >= 12 && length % 4 == 0 && at + length <= file.length);
            assertEquals(length, b.getInt(at + length - 4));
            if (blocks == 1) {
                assertEquals(1, type);
                assertEquals("LINKTYPE_USER0", 147, b.getShort(at + 8));
            } else if (blocks > 1) {
                assertEquals(6, type);
                epbs++;
                int captured = b.getInt(at + 20);
                assertEquals("pseudo-header version", 1, file[at + 28]);
                assertTrue(captured >= 4 + 8);
            }
            blocks++;
            at += length;
        }
        assertEquals(packets, epbs);
    }
}
