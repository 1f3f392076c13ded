package dev.vmsg.shell.internal;

import dev.vmsg.admin.BusView;
import dev.vmsg.admin.DeviceView;
import dev.vmsg.admin.LatencyStats;
import dev.vmsg.admin.Metrics;
import dev.vmsg.admin.QueueView;
import dev.vmsg.admin.TraceRecord;
import dev.vmsg.admin.TrafficStats;
import dev.vmsg.admin.VmsgAdmin;
import dev.vmsg.wire.DeviceStatus;
import dev.vmsg.wire.Header;
import dev.vmsg.wire.MessageIds;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import org.osgi.service.cm.Configuration;

/**
 * The {@code vmsg} commands, as plain methods over {@link VmsgAdmin}, {@link Metrics} and the
 * device configurations: each takes the command's arguments and returns the text to print; each
 * answers {@code --help}; errors are a {@link CommandException}: one readable line, never a stack
 * trace.
 */
public final class VmsgCommands {

    /** Trace ring size when {@code vmsg:trace <bus> on} gives none. */
    static final int DEFAULT_TRACE_CAPACITY = 1024;
    static final long ATTACH_WAIT_MILLIS = 10_000;
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss.SSSSSS")
            .withZone(ZoneOffset.UTC);

    private final VmsgAdmin admin;
    private final Metrics metrics;
    private final Supplier<DeviceConfigurations> configurations;

    /**
     * @param configurations the device configurations, or null when ConfigurationAdmin is missing
     */
    public VmsgCommands(VmsgAdmin admin, Metrics metrics, Supplier<DeviceConfigurations> configurations) {
        this.admin = admin;
        this.metrics = metrics;
        this.configurations = configurations;
    }

    /** vmsg:buses */
    public String buses(String... args) {
        if (help("buses", 0, 0, args)) {
            return CommandHelp.of("buses");
        }
        Table t = new Table("BUS", "TYPE", "PROFILE", "MAX MSG", "WINDOW", "SIDES", "MESSAGES");
        for (BusView b : admin.buses()) {
            long total = b.messages().entrySet().stream().filter(e -> !e.getKey().contains(" drop "))
                    .mapToLong(Map.Entry::getValue).sum();
            t.row(b.name(), b.type(), b.profile(), b.maxMessageSize(),
                    String.format("0x%x+%d KiB", b.windowBase(), b.windowSize() / 1024),
                    (b.driverSide() ? "driver" : "") + (b.driverSide() && b.deviceSide() ? "+" : "")
                            + (b.deviceSide() ? "device" : ""), total);
        }
        return t.isEmpty() ? "no buses (configure one: factory PID dev.vmsg.bus.loopback)\n" : t.toString();
    }

    /** vmsg:devices */
    public String devices(String... args) {
        if (help("devices", 0, 0, args)) {
            return CommandHelp.of("devices");
        }
        Table t = new Table("BUS", "NUM", "SIDE", "NAME", "TYPE", "STATUS", "STATE", "FEATURES", "QUEUES");
        for (DeviceView d : admin.devices()) {
            t.row(d.bus(), d.number(), d.side(), d.name(), d.typeName() + "(" + d.deviceId() + ")",
                    DeviceStatus.describe(d.status()), d.state(), d.negotiatedFeatures(), queues(d.queues()));
        }
        return t.isEmpty() ? "no devices\n" : t.toString();
    }

    private static String queues(List<QueueView> queues) {
        if (queues.isEmpty()) {
            return "-";
        }
        StringBuilder out = new StringBuilder();
        for (QueueView q : queues) {
            if (out.length() > 0) {
                out.append(',');
            }
            out.append(q.index()).append(':').append(q.size());
        }
        return out.toString();
    }

    /** vmsg:info <device> */
    public String info(String... args) {
        if (help("info", 1, 1, args)) {
            return CommandHelp.of("info");
        }
        DeviceView d = device(args[0]);
        StringBuilder out = new StringBuilder();
        out.append("device    ").append(d.bus()).append('/').append(d.number()).append(" (").append(d.side())
                .append(" side) ").append(d.name()).append('\n');
        out.append("type      ").append(d.typeName()).append(" (").append(d.deviceId()).append(")\n");
        out.append("status    ").append(DeviceStatus.describe(d.status())).append(String.format(" (0x%02x)", d.status()))
                .append('\n');
        out.append("state     ").append(d.state()).append('\n');
        out.append("offered   ").append(d.offeredFeatures()).append('\n');
        out.append("agreed    ").append(d.negotiatedFeatures()).append('\n');
        out.append("config    ").append(d.configSize()).append(" bytes, generation ").append(d.configGeneration())
                .append('\n');
        if (d.configSize() != 0) {
            out.append(configBytes(d));
        }
        if (d.side().equals("device")) {
            out.append("configured ").append(configurationOf(d.name())).append('\n');
        }
        Table t = new Table("QUEUE", "SIZE", "DESC", "DRIVER", "DEVICE", "NOTIFIED", "CHAINS", "ERRORS");
        for (QueueView q : d.queues()) {
            t.row(q.index(), q.size(), hex(q.descriptorAddr()), hex(q.driverAddr()), hex(q.deviceAddr()),
                    q.notifications(), q.chains(), q.errors());
        }
        out.append(t.isEmpty() ? "queues    none\n" : t.toString());
        metrics.stats(d.bus() + "/" + d.number() + "/" + d.side()).ifPresent(s -> out.append("traffic   ")
                .append(s.messageCount()).append(" messages, ").append(s.bytesSent()).append(" B sent, ")
                .append(s.bytesReceived()).append(" B received, requests ").append(latency(s.requestLatency()))
                .append('\n'));
        return out.toString();
    }

    /** The config space as read by the driver side now, 16 bytes a line, or why it cannot be read. */
    private String configBytes(DeviceView d) {
        if (admin.device(d.bus() + "/" + d.number() + "/driver").isEmpty()) {
            return "          (driven by another container: read it there)\n";
        }
        byte[] config;
        try {
            config = admin.readConfig(d.bus() + "/" + d.number() + "/driver");
        } catch (RuntimeException e) {
            return "          (not readable now: " + e.getMessage() + ")\n";
        }
        StringBuilder out = new StringBuilder();
        for (int at = 0; at < config.length; at += 16) {
            out.append(String.format("  %04x   ", at));
            for (int i = at; i < Math.min(at + 16, config.length); i++) {
                out.append(String.format("%02x", config[i] & 0xFF)).append(i + 1 < Math.min(at + 16, config.length) ? " " : "");
            }
            out.append('\n');
        }
        return out.toString();
    }

    private String configurationOf(String name) {
        DeviceConfigurations c = configurations == null ? null : configurations.get();
        if (c == null) {
            return "(no ConfigurationAdmin)";
        }
        try {
            Optional<Configuration> found = c.find(name);
            if (found.isEmpty()) {
                return "(not by a device factory configuration)";
            }
            Configuration conf = found.get();
            StringBuilder out = new StringBuilder(conf.getPid());
            var props = conf.getProperties();
            java.util.List<String> keys = java.util.Collections.list(props.keys());
            keys.sort(null);
            for (String k : keys) {
                if (!k.startsWith("service.") && !k.startsWith("felix.") && !k.startsWith("component.")) {
                    Object v = props.get(k);
                    out.append(' ').append(k).append('=')
                            .append(v instanceof Object[] a ? String.join(",", Arrays.stream(a).map(String::valueOf)
                                    .toList()) : String.valueOf(v));
                }
            }
            return out.toString();
        } catch (IOException e) {
            return "(ConfigurationAdmin failed: " + e.getMessage() + ")";
        }
    }

    /** vmsg:traffic [bus]: the messages each bus carried, by side, direction and name. */
    public String traffic(String... args) {
        if (help("traffic", 0, 1, args)) {
            return CommandHelp.of("traffic");
        }
        String bus = args.length == 0 ? null : args[0];
        StringBuilder out = new StringBuilder();
        for (BusView b : admin.buses()) {
            if (bus != null && !b.name().equals(bus)) {
                continue;
            }
            out.append("bus ").append(b.name()).append('\n');
            Table t = new Table("SIDE", "DIR", "MESSAGE", "COUNT");
            b.messages().forEach((key, count) -> {
                String[] parts = key.split(" ", 3);
                t.row(parts[0], parts.length > 1 ? parts[1] : "", parts.length > 2 ? parts[2] : "", count);
            });
            out.append(t.isEmpty() ? "  no messages yet\n" : t.toString());
        }
        if (out.length() == 0) {
            throw new CommandException("no bus named '" + bus + "' (see vmsg:buses)");
        }
        return out.toString();
    }

    /** vmsg:stats [bus|device] */
    public String stats(String... args) {
        if (help("stats", 0, 1, args)) {
            return CommandHelp.of("stats");
        }
        if (args.length == 1) {
            TrafficStats s = metrics.stats(args[0]).orElseThrow(() -> new CommandException("no bus or device '"
                    + args[0] + "' (see vmsg:buses, vmsg:devices)"));
            return detail(s);
        }
        StringBuilder out = new StringBuilder();
        Table buses = new Table("BUS", "MESSAGES", "SENT B", "RECEIVED B", "DROPS", "ERRORS", "REQUESTS", "P50",
                "P99");
        for (TrafficStats s : metrics.busStats()) {
            buses.row(s.name(), s.messageCount(), s.bytesSent(), s.bytesReceived(), sum(s.drops()), sum(s.errors()),
                    s.requestLatency().count(), p50(s.requestLatency()), p99(s.requestLatency()));
        }
        out.append(buses.isEmpty() ? "no buses\n" : buses.toString());
        Table devices = new Table("DEVICE", "MESSAGES", "SENT B", "RECEIVED B", "ERRORS", "REQUESTS", "P50", "P99");
        for (TrafficStats s : metrics.deviceStats()) {
            devices.row(s.name(), s.messageCount(), s.bytesSent(), s.bytesReceived(), sum(s.errors()),
                    s.requestLatency().count(), p50(s.requestLatency()), p99(s.requestLatency()));
        }
        if (!devices.isEmpty()) {
            out.append('\n').append(devices);
        }
        return out.toString();
    }

    private static String detail(TrafficStats s) {
        StringBuilder out = new StringBuilder();
        out.append(s.name()).append(": ").append(s.messageCount()).append(" messages, ").append(s.bytesSent())
                .append(" B sent, ").append(s.bytesReceived()).append(" B received\n");
        out.append("request latency ").append(latency(s.requestLatency())).append('\n');
        Table m = new Table("MESSAGE", "COUNT");
        s.messages().forEach(m::row);
        out.append(m.isEmpty() ? "no messages\n" : m.toString());
        Table p = new Table("DROPPED OR FAILED", "COUNT");
        s.drops().forEach((k, v) -> p.row("drop: " + k, v));
        s.errors().forEach((k, v) -> p.row("error: " + k, v));
        out.append(p.isEmpty() ? "no drops, no errors\n" : p.toString());
        return out.toString();
    }

    private static String latency(LatencyStats l) {
        if (l.count() == 0) {
            return "none";
        }
        return "n=" + l.count() + " mean " + duration(l.meanNanos()) + " p50 " + duration(l.p50Nanos()) + " p99 "
                + duration(l.p99Nanos()) + " max " + duration(l.maxNanos());
    }

    private static String p50(LatencyStats l) {
        return l.count() == 0 ? "-" : duration(l.p50Nanos());
    }

    private static String p99(LatencyStats l) {
        return l.count() == 0 ? "-" : duration(l.p99Nanos());
    }

    private static long sum(Map<String, Long> counts) {
        return counts.values().stream().mapToLong(Long::longValue).sum();
    }

    /** 850 ns, 12.3 us, 4.56 ms, 1.20 s */
    static String duration(long nanos) {
        if (nanos < 1_000) {
            return nanos + " ns";
        }
        if (nanos < 1_000_000) {
            return String.format(java.util.Locale.ROOT, "%.1f us", nanos / 1e3);
        }
        if (nanos < 1_000_000_000) {
            return String.format(java.util.Locale.ROOT, "%.2f ms", nanos / 1e6);
        }
        return String.format(java.util.Locale.ROOT, "%.2f s", nanos / 1e9);
    }

    /** vmsg:ping <bus> [count] */
    public String ping(String... args) {
        if (help("ping", 1, 2, args)) {
            return CommandHelp.of("ping");
        }
        int count = args.length > 1 ? number(args[1], "count", 1, 100) : 1;
        StringBuilder out = new StringBuilder();
        long min = Long.MAX_VALUE;
        long max = 0;
        long total = 0;
        for (int i = 0; i < count; i++) {
            long rtt;
            try {
                rtt = admin.ping(args[0]);
            } catch (RuntimeException e) {
                throw new CommandException("PING on " + args[0] + " failed: " + e.getMessage());
            }
            out.append(args[0]).append(": PING round trip ").append(duration(rtt)).append('\n');
            min = Math.min(min, rtt);
            max = Math.max(max, rtt);
            total += rtt;
        }
        if (count > 1) {
            out.append(count).append(" PINGs: min ").append(duration(min)).append(", mean ")
                    .append(duration(total / count)).append(", max ").append(duration(max)).append('\n');
        }
        return out.toString();
    }

    /** vmsg:attach <type> <bus> [key=value...] */
    public String attach(String... args) throws InterruptedException {
        if (help("attach", 2, Integer.MAX_VALUE, args)) {
            return CommandHelp.of("attach");
        }
        String bus = args[1];
        BusView view = admin.buses().stream().filter(b -> b.name().equals(bus)).findFirst()
                .orElseThrow(() -> new CommandException("no bus named '" + bus + "' (see vmsg:buses)"));
        if (!view.deviceSide()) {
            throw new CommandException("bus " + bus + " is served only on the driver side here: attach the device in"
                    + " the container that hosts the bus's devices");
        }
        Map<String, String> extra = DeviceConfigurations.properties(Arrays.asList(args).subList(2, args.length));
        String pid;
        try {
            pid = configurations().create(args[0], bus, extra,
                    name -> admin.devices().stream().anyMatch(d -> d.name().equals(name)));
        } catch (IOException e) {
            throw new CommandException("ConfigurationAdmin could not store the configuration: " + e.getMessage());
        }
        String name = pid.substring(pid.indexOf('~') + 1);
        long deadline = System.nanoTime() + ATTACH_WAIT_MILLIS * 1_000_000L;
        while (System.nanoTime() - deadline < 0) {
            Optional<DeviceView> d = admin.devices().stream()
                    .filter(v -> v.side().equals("device") && v.name().equals(name)).findFirst();
            if (d.isPresent()) {
                return "attached " + name + " as " + d.get().bus() + "/" + d.get().number() + " (configuration " + pid
                        + ")\n";
            }
            Thread.sleep(20);
        }
        return "created configuration " + pid + "; device " + name + " is not hosted yet after " + ATTACH_WAIT_MILLIS
                + " ms (see vmsg:devices and the log)\n";
    }

    /** vmsg:detach <device> */
    public String detach(String... args) throws InterruptedException {
        if (help("detach", 1, 1, args)) {
            return CommandHelp.of("detach");
        }
        String name = hostedName(args[0]);
        String pid;
        try {
            Configuration c = configurations().find(name).orElseThrow(() -> new CommandException("device " + name
                    + " has no device factory configuration to delete (was it configured another way?)"));
            pid = c.getPid();
            c.delete();
        } catch (IOException e) {
            throw new CommandException("ConfigurationAdmin could not delete the configuration of " + name + ": "
                    + e.getMessage());
        }
        long deadline = System.nanoTime() + ATTACH_WAIT_MILLIS * 1_000_000L;
        while (admin.devices().stream().anyMatch(v -> v.side().equals("device") && v.name().equals(name))) {
            if (System.nanoTime() - deadline > 0) {
                return "deleted configuration " + pid + "; device " + name + " is still hosted after "
                        + ATTACH_WAIT_MILLIS + " ms (see vmsg:devices and the log)\n";
            }
            Thread.sleep(20);
        }
        return "detached " + name + " (deleted configuration " + pid + ")\n";
    }

    /** The name of the device hosted here under {@code ref} (any side of it). */
    private String hostedName(String ref) {
        DeviceView d = device(ref);
        if (d.side().equals("device")) {
            return d.name();
        }
        return admin.devices().stream()
                .filter(v -> v.side().equals("device") && v.bus().equals(d.bus()) && v.number() == d.number())
                .map(DeviceView::name).findFirst()
                .orElseThrow(() -> new CommandException("device " + ref + " is hosted by another container;"
                        + " detach it there"));
    }

    private DeviceConfigurations configurations() {
        DeviceConfigurations c = configurations == null ? null : configurations.get();
        if (c == null) {
            throw new CommandException("no ConfigurationAdmin service: devices cannot be attached or detached");
        }
        return c;
    }

    /** vmsg:reset <device> */
    public String reset(String... args) {
        if (help("reset", 1, 1, args)) {
            return CommandHelp.of("reset");
        }
        device(args[0]);
        DeviceView after;
        try {
            after = admin.reset(args[0]);
        } catch (RuntimeException e) {
            throw new CommandException("reset of " + args[0] + " failed: " + e.getMessage());
        }
        return "reset " + after.bus() + "/" + after.number() + " (" + after.typeName() + "): " + after.state()
                + ", status " + DeviceStatus.describe(after.status()) + "\n";
    }

    /** vmsg:trace <bus> on [capacity] | off | show [n] | save <file> */
    public String trace(String... args) throws IOException {
        if (help("trace", 2, 3, args)) {
            return CommandHelp.of("trace");
        }
        String bus = args[0];
        if (admin.buses().stream().noneMatch(b -> b.name().equals(bus))) {
            throw new CommandException("no bus named '" + bus + "' (see vmsg:buses)");
        }
        switch (args[1]) {
            case "on" -> {
                int capacity = args.length > 2 ? number(args[2], "capacity", 1, 1 << 20) : DEFAULT_TRACE_CAPACITY;
                admin.trace(bus, true, capacity);
                return "tracing " + bus + ": the last " + capacity + " messages are kept (vmsg:trace " + bus
                        + " show)\n";
            }
            case "off" -> {
                noMore(args, 2);
                admin.trace(bus, false, DEFAULT_TRACE_CAPACITY);
                return "tracing " + bus + " off; " + admin.traceRecords(bus, Integer.MAX_VALUE).size()
                        + " messages kept for show and save\n";
            }
            case "show" -> {
                int n = args.length > 2 ? number(args[2], "n", 1, 1 << 20) : 20;
                return show(bus, admin.traceRecords(bus, n));
            }
            case "save" -> {
                if (args.length != 3) {
                    throw new CommandException(CommandHelp.usage("trace"));
                }
                List<TraceRecord> records = admin.traceRecords(bus, Integer.MAX_VALUE);
                String profile = admin.buses().stream().filter(b -> b.name().equals(bus)).map(BusView::profile)
                        .findFirst().orElse("");
                Path file = Path.of(args[2]).toAbsolutePath();
                try (java.io.OutputStream o = new java.io.BufferedOutputStream(Files.newOutputStream(file))) {
                    PcapngWriter.write(o, bus, profile, records);
                } catch (IOException e) {
                    throw new CommandException("cannot write " + file + ": " + e);
                }
                return "saved " + records.size() + " messages of " + bus + " to " + file + " (pcapng, link type "
                        + PcapngWriter.LINKTYPE + " LINKTYPE_USER0, see docs/ADMIN.md)\n";
            }
            default -> throw new CommandException(CommandHelp.usage("trace"));
        }
    }

    private String show(String bus, List<TraceRecord> records) {
        if (records.isEmpty()) {
            return "no messages traced on " + bus + (admin.tracing(bus) ? " yet" : " (vmsg:trace " + bus + " on)")
                    + "\n";
        }
        Table t = new Table("SEQ", "TIME (UTC)", "SIDE", "DIR", "KIND", "MESSAGE", "DEV", "TOKEN", "SIZE",
                "DECODED");
        for (TraceRecord r : records) {
            Header h = r.header();
            t.row(r.sequence(), TIME.format(Instant.ofEpochSecond(0, r.epochNanos())), r.side(),
                    r.outbound() ? "tx" : "rx", h == null ? "?" : kind(h),
                    h == null ? "?" : MessageIds.name(h.isBusMessage(), h.msgId()) + String.format("(0x%02x)", h.msgId()),
                    h == null ? "?" : h.devNum(), h == null ? "?" : h.token(), r.frame().length, r.decoded());
        }
        return t.toString();
    }

    /** {@code bus request}, {@code transport response}, {@code transport event}. */
    static String kind(Header h) {
        return (h.isBusMessage() ? "bus " : "transport ")
                + (h.isResponse() ? "response" : h.isEvent() ? "event" : "request");
    }

    private DeviceView device(String ref) {
        return admin.device(ref).orElseThrow(() -> new CommandException("no device '" + ref
                + "': name it as <bus>/<number>[/driver|/device] or by its name (see vmsg:devices)"));
    }

    /** Whether {@code --help} was asked; otherwise checks the argument count (one-line usage error). */
    private static boolean help(String command, int min, int max, String[] args) {
        List<String> list = args == null ? List.of() : Arrays.asList(args);
        if (CommandHelp.asked(list)) {
            return true;
        }
        if (list.size() < min || list.size() > max) {
            throw new CommandException(CommandHelp.usage(command));
        }
        return false;
    }

    private static void noMore(String[] args, int count) {
        if (args.length > count) {
            throw new CommandException("unexpected argument '" + args[count] + "'");
        }
    }

    private static int number(String text, String what, int min, int max) {
        try {
            int n = Integer.parseInt(text);
            if (n >= min && n <= max) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below, as for a number out of range
        }
        throw new CommandException(what + " must be a number in " + min + ".." + max + ", not '" + text + "'");
    }

    /**
     * vmsg:demo: waits (bounded) until a device runs on the driver side, none is still being set
     * up, and every device hosted on a bus this container also drives is running on the driver
     * side; then shows buses and devices.
     */
    public String demo(long waitMillis) throws InterruptedException {
        long deadline = System.currentTimeMillis() + waitMillis;
        while (!allDriven()) {
            if (System.currentTimeMillis() > deadline) {
                throw new IllegalStateException("not every device reached DRIVER_OK within " + waitMillis + " ms:\n"
                        + devices());
            }
            Thread.sleep(20);
        }
        return "== buses\n" + buses() + "\n== devices (both sides of each bus)\n" + devices();
    }

    private boolean allDriven() {
        List<DeviceView> all = admin.devices();
        if (all.isEmpty()) {
            return false;
        }
        java.util.Set<String> drivenBuses = new java.util.HashSet<>();
        for (BusView b : admin.buses()) {
            if (b.driverSide()) {
                drivenBuses.add(b.name());
            }
        }
        boolean anyRunning = false;
        for (DeviceView d : all) {
            if (d.side().equals("driver")) {
                if (d.state().equals("identifying") || d.state().equals("initialising")) {
                    return false; // a driver-only bus: its devices show up here first
                }
                anyRunning |= d.state().equals("running");
            }
            if (d.side().equals("device") && drivenBuses.contains(d.bus()) && all.stream().noneMatch(
                    o -> o.side().equals("driver") && o.bus().equals(d.bus()) && o.number() == d.number()
                            && o.state().equals("running"))) {
                return false;
            }
        }
        return anyRunning;
    }

    private static String hex(long v) {
        return "0x" + Long.toHexString(v);
    }
}
