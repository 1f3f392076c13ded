package dev.vmsg.shell.internal;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Usage and description of every {@code vmsg} command, in one place: Gogo's {@code help} shows
 * the {@code @Descriptor} texts (which are these constants), and each command answers
 * {@code --help} with the same text.
 */
final class CommandHelp {

    static final String BUSES = "List the buses: type, wire profile, max message size, DMA window, sides served,"
            + " messages carried";
    static final String DEVICES = "List every device on both sides: bus, number, side, type, status, state,"
            + " negotiated features, queues";
    static final String INFO = "Show one device: status, features offered and negotiated by name, config,"
            + " each queue's size, addresses and counters, its traffic";
    static final String STATS = "Show the counters: messages by id, bytes, drops and errors by reason, request"
            + " latency p50/p99; of every bus and device, of one bus, or of one device";
    static final String TRAFFIC = "Show the messages each bus carried, by side, direction and name (vmsg:stats"
            + " shows the same and more)";
    static final String PING = "Send bus PINGs from the driver side and show each round trip";
    static final String ATTACH = "Create a device: the factory configuration dev.vmsg.device.<type>~<name>"
            + " with bus=<bus> and the given properties";
    static final String DETACH = "Remove a device: delete its factory configuration";
    static final String RESET = "Reset a device from the driver side and run its initialisation again"
            + " (also out of a broken state)";
    static final String TRACE = "Trace a bus's messages into a bounded ring (off by default): on [capacity],"
            + " off, show [n], save <file.pcapng>";
    static final String DEMO = "Wait for the devices to run, then show buses and devices";

    static final String DEVICE_REF = "a device: <bus>/<number>[/driver|/device] or its name (see vmsg:devices)";
    static final String BUS_REF = "a bus name (see vmsg:buses)";

    private static final Map<String, String[]> USAGE = new LinkedHashMap<>();

    static {
        USAGE.put("buses", new String[] {"vmsg:buses", BUSES});
        USAGE.put("devices", new String[] {"vmsg:devices", DEVICES});
        USAGE.put("info", new String[] {"vmsg:info <device>", INFO});
        USAGE.put("stats", new String[] {"vmsg:stats [<bus> | <device>]", STATS});
        USAGE.put("traffic", new String[] {"vmsg:traffic [<bus>]", TRAFFIC});
        USAGE.put("ping", new String[] {"vmsg:ping <bus> [count 1..100]", PING});
        USAGE.put("attach", new String[] {"vmsg:attach <type> <bus> [key=value ...]   e.g. vmsg:attach rng loopback0"
                + " name=rng7", ATTACH});
        USAGE.put("detach", new String[] {"vmsg:detach <device>", DETACH});
        USAGE.put("reset", new String[] {"vmsg:reset <device>", RESET});
        USAGE.put("trace", new String[] {"vmsg:trace <bus> on [capacity] | off | show [n] | save <file>", TRACE});
        USAGE.put("demo", new String[] {"vmsg:demo", DEMO});
    }

    private CommandHelp() {
    }

    static boolean asked(List<String> args) {
        return args.contains("--help") || args.contains("-h");
    }

    /** The usage line and description of {@code command}. */
    static String of(String command) {
        String[] u = USAGE.get(command);
        return "usage: " + u[0] + "\n  " + u[1] + "\n";
    }

    static String usage(String command) {
        return "usage: " + USAGE.get(command)[0];
    }
}
