package dev.vmsg.device.net.internal;

import dev.vmsg.device.net.NetworkPort;
import dev.vmsg.device.net.PortCounters;
import dev.vmsg.driver.VirtioDeviceException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;

/**
 * Gogo commands for virtio-net, a plain service with command properties (no shell dependency):
 * Gogo finds no Java method named {@code net-ports} and calls {@link #_main} with the function
 * name first, which dispatches.
 *
 * <pre>
 * vmsg:net-ports                      every net device (device side) and NetworkPort (driver side), with counters
 * vmsg:switch [&lt;name&gt;]               the switches: ports, their counters, the MAC table
 * vmsg:net-link &lt;device&gt; up|down      set a device's link state (the driver hears it through EVENT_CONFIG)
 * vmsg:net-arp &lt;port&gt; &lt;port&gt;         ARP request from the first port (as 10.0.0.1) for 10.0.0.2, answered by the second
 * </pre>
 *
 * {@code <device>} is a device name ({@code net0}) or {@code <bus>/<name>}; {@code <port>} is
 * {@code <bus>/<number>} or a MAC address.
 */
@Component(service = NetCommands.class, immediate = true, property = {"osgi.command.scope=vmsg",
    "osgi.command.function=net-ports", "osgi.command.function=switch", "osgi.command.function=net-link",
    "osgi.command.function=net-arp"})
public final class NetCommands {

    static final int IP_A = 0x0A00_0001;
    static final int IP_B = 0x0A00_0002;
    private static final Duration WAIT = Duration.ofSeconds(5);

    private final List<NetworkPort> ports = new CopyOnWriteArrayList<>();
    private final List<NetDeviceComponent> devices = new CopyOnWriteArrayList<>();
    private final NetSwitches switches;

    @org.osgi.service.component.annotations.Activate
    public NetCommands(@Reference NetSwitches switches) {
        this.switches = switches;
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void bindPort(NetworkPort port) {
        ports.add(port);
    }

    void unbindPort(NetworkPort port) {
        ports.remove(port);
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void bindDevice(NetDeviceComponent device) {
        devices.add(device);
    }

    void unbindDevice(NetDeviceComponent device) {
        devices.remove(device);
    }

    public String _main(Object function) {
        return dispatch(String.valueOf(function), new Object[0]);
    }

    public String _main(Object function, Object a) {
        return dispatch(String.valueOf(function), new Object[] {a});
    }

    public String _main(Object function, Object a, Object b) {
        return dispatch(String.valueOf(function), new Object[] {a, b});
    }

    String dispatch(String function, Object[] a) {
        try {
            return switch (function + "/" + a.length) {
                case "net-ports/0" -> ports();
                case "switch/0" -> switches(null);
                case "switch/1" -> switches(String.valueOf(a[0]));
                case "net-link/2" -> link(String.valueOf(a[0]), String.valueOf(a[1]));
                case "net-arp/2" -> arp(String.valueOf(a[0]), String.valueOf(a[1]));
                default -> usage(function);
            };
        } catch (VirtioDeviceException | IllegalArgumentException e) {
            return function + ": " + e.getMessage();
        }
    }

    private static String usage(String function) {
        return switch (function) {
            case "switch" -> "usage: vmsg:switch [<name>]";
            case "net-link" -> "usage: vmsg:net-link <device> up|down";
            case "net-arp" -> "usage: vmsg:net-arp <bus/number> <bus/number>";
            default -> "usage: vmsg:net-ports";
        };
    }

    String ports() {
        StringBuilder out = new StringBuilder("device side (factory PID dev.vmsg.device.net):\n");
        if (devices.isEmpty()) {
            out.append("  no net device is configured\n");
        }
        for (NetDeviceComponent d : devices) {
            NetBackend m = d.model();
            out.append(String.format("  %s/%s  %s  mtu %d  link %s  %s%n", d.bus(), d.name(), VirtioNet.macString(m.mac()),
                    m.mtu(), m.linkUp() ? "up" : "down", m.linkDescription()));
            StringBuilder counters = new StringBuilder();
            for (NetStat s : NetStat.values()) {
                long v = m.stat(s);
                if (v != 0) {
                    counters.append(' ').append(s.name().toLowerCase()).append('=').append(v);
                }
            }
            out.append("   ").append(counters.length() == 0 ? " no traffic yet" : counters).append('\n');
        }
        out.append("driver side (NetworkPort services):\n");
        if (ports.isEmpty()) {
            out.append("  no NetworkPort is published\n");
        }
        for (NetworkPort p : ports) {
            PortCounters c = p.counters();
            out.append(String.format("  %s  %s  mtu %d  link %s  tx %d frames/%d bytes  rx %d frames/%d bytes"
                    + "  rx errors %d  rx dropped %d%n", name(p), p.macAddress(), p.mtu(), p.linkUp() ? "up" : "down",
                    c.txFrames(), c.txBytes(), c.rxFrames(), c.rxBytes(), c.rxErrors(), c.rxDropped()));
        }
        return out.toString();
    }

    String switches(String only) {
        StringBuilder out = new StringBuilder();
        for (L2Switch sw : switches.all()) {
            if (only != null && !only.equals(sw.name())) {
                continue;
            }
            out.append("switch ").append(sw.name()).append(": ").append(sw.ports().length).append(" ports, ")
                    .append(sw.table().size()).append(" MAC addresses learned\n");
            for (SwitchPort p : sw.ports()) {
                out.append(String.format("  port %d %-16s in %d frames/%d bytes (flooded %d, filtered %d)"
                        + "  out %d frames/%d bytes  out dropped %d%n", p.number(), deviceOf(p), p.fromDevice.get(),
                        p.fromDeviceBytes.get(), p.flooded.get(), p.filtered.get(), p.toDevice.get(),
                        p.toDeviceBytes.get(), p.toDeviceDropped.get()));
            }
            sw.table().forEach((port, mac) -> out.append("  ").append(VirtioNet.macString(mac)).append(" -> port ")
                    .append(port.number()).append('\n'));
        }
        if (out.length() == 0) {
            return only == null ? "switch: no switch exists yet (a net device with backend switch:<name> makes one)"
                    : "switch: no switch '" + only + "'";
        }
        return out.toString();
    }

    private String deviceOf(SwitchPort p) {
        for (NetDeviceComponent d : devices) {
            if (d.model() == p.receiver()) {
                return "(" + d.bus() + "/" + d.name() + ")";
            }
        }
        return "";
    }

    String link(String device, String state) {
        if (!state.equals("up") && !state.equals("down")) {
            return usage("net-link");
        }
        for (NetDeviceComponent d : devices) {
            if (d.name().equals(device) || (d.bus() + "/" + d.name()).equals(device)) {
                d.model().setLinkUp(state.equals("up"));
                return "net-link: " + d.bus() + "/" + d.name() + " link " + state;
            }
        }
        return "net-link: no net device '" + device + "'";
    }

    /** An ARP exchange between two ports, both sides driven here: the frames travel through the devices and their backend. */
    String arp(String from, String to) {
        NetworkPort a = find(from);
        NetworkPort b = find(to);
        if (a == null || b == null) {
            return "net-arp: no NetworkPort '" + (a == null ? from : to) + "'; known: " + known();
        }
        if (a == b) {
            return "net-arp: give two different ports";
        }
        StringBuilder out = new StringBuilder();
        while (a.receive(f -> { }, Integer.MAX_VALUE) > 0 || b.receive(f -> { }, Integer.MAX_VALUE) > 0) {
            // Older frames are not part of this exchange.
        }
        long macA = VirtioNet.macOf(a.mac());
        ArpFrame request = ArpFrame.request(macA, IP_A, IP_B);
        a.send(request.toFrame(), WAIT);
        out.append(name(a)).append(" sent:     ").append(request).append('\n');
        ArpFrame got = await(b, ArpFrame.REQUEST);
        if (got == null) {
            return out.append(name(b)).append(" received no ARP request within ").append(WAIT.toSeconds()).append(" s")
                    .toString();
        }
        out.append(name(b)).append(" received: ").append(got).append('\n');
        ArpFrame reply = got.reply(VirtioNet.macOf(b.mac()));
        a.receive(f -> { }, Integer.MAX_VALUE);
        b.send(reply.toFrame(), WAIT);
        out.append(name(b)).append(" sent:     ").append(reply).append('\n');
        ByteBuffer[] raw = new ByteBuffer[1];
        ArpFrame back = await(a, ArpFrame.REPLY, raw);
        if (back == null) {
            return out.append(name(a)).append(" received no ARP reply within ").append(WAIT.toSeconds()).append(" s")
                    .toString();
        }
        out.append(name(a)).append(" received: ").append(back).append('\n');
        out.append("the reply as it arrived (").append(raw[0].remaining()).append(" bytes): ")
                .append(HexFormat.of().formatHex(raw[0].array(), 0, raw[0].remaining())).append('\n');
        return out.toString();
    }

    private static ArpFrame await(NetworkPort port, int operation) {
        return await(port, operation, new ByteBuffer[1]);
    }

    private static ArpFrame await(NetworkPort port, int operation, ByteBuffer[] raw) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        ArpFrame[] found = new ArpFrame[1];
        while (found[0] == null && System.nanoTime() < deadline) {
            if (port.receive(f -> {
                ArpFrame arp = ArpFrame.parse(f);
                if (found[0] == null && arp != null && arp.operation() == operation) {
                    found[0] = arp;
                    ByteBuffer copy = ByteBuffer.allocate(f.remaining());
                    copy.put(f.duplicate()).flip();
                    raw[0] = copy;
                }
            }, 16) == 0) {
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
            }
        }
        return found[0];
    }

    private NetworkPort find(String name) {
        for (NetworkPort p : ports) {
            if (name(p).equals(name) || p.macAddress().equalsIgnoreCase(name)) {
                return p;
            }
        }
        return null;
    }

    private String known() {
        StringBuilder s = new StringBuilder();
        for (NetworkPort p : ports) {
            s.append(s.length() == 0 ? "" : ", ").append(name(p));
        }
        return s.length() == 0 ? "(none)" : s.toString();
    }

    private static String name(NetworkPort p) {
        return p.busName() + "/" + p.deviceNumber();
    }
}
