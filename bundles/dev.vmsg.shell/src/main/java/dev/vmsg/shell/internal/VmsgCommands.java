package dev.vmsg.shell.internal;

import dev.vmsg.admin.BusView;
import dev.vmsg.admin.DeviceView;
import dev.vmsg.admin.QueueView;
import dev.vmsg.admin.VmsgAdmin;
import dev.vmsg.wire.DeviceStatus;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The {@code vmsg} commands, as plain methods over {@link VmsgAdmin}: each returns the text to
 * print, and errors are one readable line, never a stack trace.
 */
public final class VmsgCommands {

    private final VmsgAdmin admin;

    public VmsgCommands(VmsgAdmin admin) {
        this.admin = admin;
    }

    /** vmsg:buses */
    public String buses() {
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
    public String devices() {
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
    public String info(String ref) {
        Optional<DeviceView> found = admin.device(ref);
        if (found.isEmpty()) {
            return "no device '" + ref + "': name it as <bus>/<number>[/driver|/device] or by its name"
                    + " (see vmsg:devices)\n";
        }
        DeviceView d = found.get();
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
        Table t = new Table("QUEUE", "SIZE", "DESC", "DRIVER", "DEVICE", "NOTIFIED", "CHAINS", "ERRORS");
        for (QueueView q : d.queues()) {
            t.row(q.index(), q.size(), hex(q.descriptorAddr()), hex(q.driverAddr()), hex(q.deviceAddr()),
                    q.notifications(), q.chains(), q.errors());
        }
        out.append(t.isEmpty() ? "queues    none\n" : t.toString());
        return out.toString();
    }

    /** vmsg:traffic [bus]: the messages each bus carried, by side, direction and name. */
    public String traffic(String bus) {
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
        return out.length() == 0 ? "no bus named '" + bus + "' (see vmsg:buses)\n" : out.toString();
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
