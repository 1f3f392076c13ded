package dev.vmsg.device.console.internal;

import dev.vmsg.admin.DeviceView;
import dev.vmsg.admin.VmsgAdmin;
import dev.vmsg.device.console.ConsolePort;
import dev.vmsg.driver.VirtioDeviceException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;

/**
 * Gogo commands for console ports, a plain service with command properties (no shell dependency).
 * Gogo finds no Java method named {@code console-write}; it calls {@link #_main} with the function
 * name first, which dispatches.
 *
 * <pre>
 * vmsg:console-ports                                  every port, both sides, with counters
 * vmsg:console-write &lt;device&gt; &lt;port&gt; &lt;text&gt;          driver side: send a line toward the host side
 * vmsg:console-read &lt;device&gt; &lt;port&gt;                 driver side: what the host side sent
 * vmsg:console-host-write &lt;device&gt; &lt;port&gt; &lt;text&gt;     endpoint ports: send a line toward the driver
 * vmsg:console-host-read &lt;device&gt; &lt;port&gt;            endpoint ports: what the driver sent
 * </pre>
 *
 * {@code <device>} is a device name ({@code console0}) or {@code <bus>/<number>}; {@code <port>} a
 * port name or number.
 */
@Component(service = ConsoleCommands.class, immediate = true, property = {"osgi.command.scope=vmsg",
    "osgi.command.function=console-ports", "osgi.command.function=console-write",
    "osgi.command.function=console-read", "osgi.command.function=console-host-write",
    "osgi.command.function=console-host-read"})
public final class ConsoleCommands {

    private static final Duration WAIT = Duration.ofMillis(500);

    private final List<ConsolePort> ports = new CopyOnWriteArrayList<>();
    private final List<ConsoleDeviceComponent> devices = new CopyOnWriteArrayList<>();
    private final List<VmsgAdmin> admins = new CopyOnWriteArrayList<>();

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void bindPort(ConsolePort port) {
        ports.add(port);
    }

    void unbindPort(ConsolePort port) {
        ports.remove(port);
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void bindDevice(ConsoleDeviceComponent device) {
        devices.add(device);
    }

    void unbindDevice(ConsoleDeviceComponent device) {
        devices.remove(device);
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void bindAdmin(VmsgAdmin admin) {
        admins.add(admin);
    }

    void unbindAdmin(VmsgAdmin admin) {
        admins.remove(admin);
    }

    public String _main(Object function) {
        return dispatch(String.valueOf(function), new Object[0]);
    }

    public String _main(Object function, Object device, Object port) {
        return dispatch(String.valueOf(function), new Object[] {device, port});
    }

    public String _main(Object function, Object device, Object port, Object text) {
        return dispatch(String.valueOf(function), new Object[] {device, port, text});
    }

    String dispatch(String function, Object[] a) {
        try {
            return switch (function + "/" + a.length) {
                case "console-ports/0" -> ports();
                case "console-write/3" -> write(str(a[0]), str(a[1]), str(a[2]));
                case "console-read/2" -> read(str(a[0]), str(a[1]));
                case "console-host-write/3" -> hostWrite(str(a[0]), str(a[1]), str(a[2]));
                case "console-host-read/2" -> hostRead(str(a[0]), str(a[1]));
                default -> usage(function);
            };
        } catch (VirtioDeviceException | IllegalArgumentException e) {
            return function + ": " + e.getMessage();
        }
    }

    private static String str(Object o) {
        return String.valueOf(o);
    }

    private static String usage(String function) {
        return switch (function) {
            case "console-write" -> "usage: vmsg:console-write <device> <port> <text>";
            case "console-read" -> "usage: vmsg:console-read <device> <port>";
            case "console-host-write" -> "usage: vmsg:console-host-write <device> <port> <text>";
            case "console-host-read" -> "usage: vmsg:console-host-read <device> <port>";
            default -> "usage: vmsg:console-ports";
        };
    }

    String ports() {
        StringBuilder out = new StringBuilder();
        out.append("device side (host ends of the ports):\n");
        if (devices.isEmpty()) {
            out.append("  no console device is configured (factory PID dev.vmsg.device.console)\n");
        }
        for (ConsoleDeviceComponent d : devices) {
            out.append("  ").append(d.name()).append(" on ").append(d.bus()).append('\n');
            for (ConsoleBackend.PortStatus s : d.backend().status()) {
                out.append(String.format("    %d %-10s %-34s host %-12s driver %s%n", s.id(), s.name(), s.host(),
                        s.hostConnected() ? "connected" : "away", s.driverOpen() ? "open" : s.driverReady() ? "ready"
                                : "absent"));
                out.append("      to driver:   ").append(s.toDriver()).append('\n');
                out.append("      from driver: ").append(s.fromDriver())
                        .append(s.lostOnDisconnect() > 0 ? ", " + s.lostOnDisconnect() + " lost when a host left" : "")
                        .append('\n');
            }
            out.append("    ").append(d.backend().counters()).append('\n');
        }
        out.append("driver side (ConsolePort services):\n");
        if (ports.isEmpty()) {
            out.append("  none\n");
        }
        for (ConsolePort p : ports) {
            out.append(String.format("  %s/%d port %d %-10s %s host %s, %dx%d%n", p.busName(), p.deviceNumber(), p.id(),
                    p.name(), p.isConsole() ? "console" : "       ", p.isHostConnected() ? "connected" : "away",
                    p.columns(), p.rows()));
        }
        return out.toString();
    }

    String write(String device, String port, String text) {
        ConsolePort p = driverPort(device, port);
        ByteBuffer b = ByteBuffer.wrap((text + "\n").getBytes(StandardCharsets.UTF_8));
        int n = p.write(b, Duration.ofSeconds(2));
        return b.hasRemaining() ? "wrote " + n + " of " + b.limit() + " bytes to " + p
                + "; the rest did not fit within 2 s (its host side is not reading)"
                : "wrote " + n + " bytes to " + p;
    }

    String read(String device, String port) {
        ConsolePort p = driverPort(device, port);
        return drain(p::read, p.toString());
    }

    String hostWrite(String device, String port, String text) {
        PortEndpoint e = endpoint(device, port);
        ByteBuffer b = ByteBuffer.wrap((text + "\n").getBytes(StandardCharsets.UTF_8));
        int n = e.write(b, Duration.ofSeconds(2));
        return n < 0 ? e + " is closed" : "wrote " + n + " bytes to the driver through " + e;
    }

    String hostRead(String device, String port) {
        PortEndpoint e = endpoint(device, port);
        return drain(e::read, e.toString());
    }

    private static String drain(TimedStreams.Reader reader, String what) {
        ByteBuffer b = ByteBuffer.allocate(64 * 1024);
        int n = reader.read(b, WAIT);
        while (n > 0 && b.hasRemaining()) {
            n = reader.read(b, Duration.ofMillis(50));
        }
        b.flip();
        if (b.remaining() == 0) {
            return what + ": nothing received" + (n < 0 ? " (closed)" : "");
        }
        return StandardCharsets.UTF_8.decode(b).toString();
    }

    /** The open port, waiting up to 5 s for it to appear (a script may run while the device starts). */
    private ConsolePort driverPort(String device, String port) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (true) {
            try {
                String[] busNumber = locate(device);
                for (ConsolePort p : ports) {
                    if (p.busName().equals(busNumber[0]) && Integer.toString(p.deviceNumber()).equals(busNumber[1])
                            && (p.name().equals(port) || Integer.toString(p.id()).equals(port))) {
                        return p;
                    }
                }
            } catch (IllegalArgumentException notYet) {
                if (System.nanoTime() - deadline > 0) {
                    throw notYet;
                }
            }
            if (System.nanoTime() - deadline > 0) {
                break;
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        throw new IllegalArgumentException("no open port '" + port + "' on console device " + device
                + " (see vmsg:console-ports)");
    }

    /** {bus, number} of a device given by name or as bus/number. */
    private String[] locate(String device) {
        for (VmsgAdmin a : admins) {
            Optional<DeviceView> v = a.device(device);
            if (v.isPresent()) {
                return new String[] {v.get().bus(), Integer.toString(v.get().number())};
            }
        }
        int slash = device.lastIndexOf('/');
        if (slash > 0) {
            return new String[] {device.substring(0, slash), device.substring(slash + 1)};
        }
        throw new IllegalArgumentException("no device '" + device + "' (see vmsg:devices)");
    }

    private PortEndpoint endpoint(String device, String port) {
        String name = device;
        for (VmsgAdmin a : admins) {
            Optional<DeviceView> v = a.device(device + (device.indexOf('/') > 0 ? "/device" : ""));
            if (v.isPresent() && "device".equals(v.get().side())) {
                name = v.get().name();
            }
        }
        for (ConsoleDeviceComponent d : devices) {
            if (d.name().equals(name)) {
                int id = d.backend().portId(port);
                if (id < 0) {
                    throw new IllegalArgumentException("console device " + name + " has no port '" + port + "'");
                }
                PortEndpoint e = d.endpoint(id);
                if (e == null) {
                    throw new IllegalArgumentException("port '" + port + "' of " + name
                            + " is not an endpoint port; its host side is " + d.backend().status().get(id).host());
                }
                return e;
            }
        }
        throw new IllegalArgumentException("no console device '" + device + "' is configured here");
    }
}
