package dev.vmsg.transport.internal;

import dev.vmsg.admin.BusView;
import dev.vmsg.admin.DeviceView;
import dev.vmsg.admin.VmsgAdmin;
import dev.vmsg.bus.Bus;
import dev.vmsg.bus.BusInfo;
import dev.vmsg.device.VirtioDeviceBackend;
import dev.vmsg.driver.VirtioDriver;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Wires buses, device backends and drivers together, whatever order they come and go in: each bus
 * gets a device transport and/or a driver transport for the sides it offers; each backend is
 * hosted on the bus it names as soon as that bus is there (and again when it comes back); each
 * driver is bound to the devices of its type. State is keyed by the caller's key (the service id),
 * so a replacement that binds before the old one unbinds is handled.
 */
public final class TransportCore implements VmsgAdmin {

    private final TransportOptions options;
    private final TransportLog log;
    private final Map<Object, BusBinding> buses = new LinkedHashMap<>();
    private final Map<Object, BackendBinding> backends = new LinkedHashMap<>();
    private final Map<Object, VirtioDriver> drivers = new LinkedHashMap<>();
    private volatile List<VirtioDriver> driverSnapshot = List.of();

    private static final class BusBinding {
        final Bus bus;
        final DriverTransport driverSide;
        final DeviceTransport deviceSide;

        BusBinding(Bus bus, DriverTransport driverSide, DeviceTransport deviceSide) {
            this.bus = bus;
            this.driverSide = driverSide;
            this.deviceSide = deviceSide;
        }

        String name() {
            return bus.info().name();
        }
    }

    private static final class BackendBinding {
        final VirtioDeviceBackend backend;
        final String busName;
        final String name;
        final Integer number;
        DeviceTransport hostedOn;

        BackendBinding(VirtioDeviceBackend backend, String busName, String name, Integer number) {
            this.backend = backend;
            this.busName = busName;
            this.name = name;
            this.number = number;
        }
    }

    public TransportCore(TransportOptions options, TransportLog log) {
        this.options = options;
        this.log = log;
    }

    // ---- buses ----

    public void addBus(Object key, Bus bus) {
        BusInfo info = bus.info();
        List<Runnable> after = new ArrayList<>();
        synchronized (this) {
            for (BusBinding b : buses.values()) {
                if (b.name().equals(info.name())) {
                    log.warn("a second bus named " + info.name() + " is ignored while the first is there");
                    return;
                }
            }
            DeviceTransport deviceSide = bus.deviceEndpoint().map(ep -> new DeviceTransport(ep, log, options.pollNanos())).orElse(null);
            DriverTransport driverSide = bus.driverEndpoint()
                    .map(ep -> new DriverTransport(ep, options, log, this::driverFor)).orElse(null);
            buses.put(key, new BusBinding(bus, driverSide, deviceSide));
            if (deviceSide != null) {
                deviceSide.start();
                for (BackendBinding b : backends.values()) {
                    if (b.hostedOn == null && b.busName.equals(info.name())) {
                        host(b, deviceSide);
                    }
                }
            }
            if (driverSide != null) {
                after.add(driverSide::start);
            }
        }
        after.forEach(Runnable::run);
        log.info("bus " + info.name() + " (" + info.type() + ", " + info.profile() + ") served"
                + (bus.driverEndpoint().isPresent() ? ", driver side" : "")
                + (bus.deviceEndpoint().isPresent() ? ", device side" : ""));
    }

    public void removeBus(Object key) {
        BusBinding b;
        synchronized (this) {
            b = buses.remove(key);
            if (b == null) {
                return;
            }
            for (BackendBinding bb : backends.values()) {
                if (bb.hostedOn == b.deviceSide) {
                    bb.hostedOn = null;
                }
            }
        }
        // Driver side first: drivers see "bus removed" before the devices under them vanish.
        if (b.driverSide != null) {
            b.driverSide.stop("bus " + b.name() + " removed");
        }
        if (b.deviceSide != null) {
            b.deviceSide.stop();
        }
        log.info("bus " + b.name() + " no longer served");
    }

    // ---- device backends ----

    public void addBackend(Object key, VirtioDeviceBackend backend, String busName, String name, Integer number) {
        if (busName == null || busName.isBlank()) {
            log.warn("device " + name + " names no bus (property 'bus'); it is not hosted");
            return;
        }
        synchronized (this) {
            BackendBinding b = new BackendBinding(backend, busName, name, number);
            backends.put(key, b);
            for (BusBinding bus : buses.values()) {
                if (bus.deviceSide != null && bus.name().equals(busName)) {
                    host(b, bus.deviceSide);
                    return;
                }
            }
            log.info("device " + name + " waits for bus " + busName);
        }
    }

    private void host(BackendBinding b, DeviceTransport on) {
        try {
            on.attach(b.backend, b.name, b.number);
            b.hostedOn = on;
        } catch (RuntimeException e) {
            log.warn("device " + b.name + " cannot be hosted on bus " + b.busName + ": " + e.getMessage());
        }
    }

    public void removeBackend(Object key) {
        BackendBinding b;
        synchronized (this) {
            b = backends.remove(key);
        }
        if (b != null && b.hostedOn != null) {
            b.hostedOn.detach(b.backend);
        }
    }

    // ---- drivers ----

    public void addDriver(Object key, VirtioDriver driver) {
        List<DriverTransport> sides;
        synchronized (this) {
            drivers.put(key, driver);
            driverSnapshot = List.copyOf(drivers.values());
            sides = driverSides();
        }
        for (DriverTransport t : sides) {
            t.driverAdded(driver);
        }
    }

    public void removeDriver(Object key) {
        VirtioDriver driver;
        List<DriverTransport> sides;
        synchronized (this) {
            driver = drivers.remove(key);
            driverSnapshot = List.copyOf(drivers.values());
            sides = driverSides();
        }
        if (driver != null) {
            for (DriverTransport t : sides) {
                t.driverRemoved(driver);
            }
        }
    }

    private VirtioDriver driverFor(int deviceId) {
        for (VirtioDriver d : driverSnapshot) {
            if (d.deviceId() == deviceId) {
                return d;
            }
        }
        return null;
    }

    private List<DriverTransport> driverSides() {
        List<DriverTransport> out = new ArrayList<>();
        for (BusBinding b : buses.values()) {
            if (b.driverSide != null) {
                out.add(b.driverSide);
            }
        }
        return out;
    }

    /** Stops every bus's transports (framework shutdown or core bundle stop). */
    public void close() {
        List<Object> keys;
        synchronized (this) {
            keys = new ArrayList<>(buses.keySet());
        }
        for (Object k : keys) {
            removeBus(k);
        }
    }

    /** The driver transport of bus {@code name}, for PING and tests. */
    public synchronized Optional<DriverTransport> driverSide(String name) {
        return buses.values().stream().filter(b -> b.name().equals(name) && b.driverSide != null)
                .map(b -> b.driverSide).findFirst();
    }

    /** The device transport of bus {@code name} (tests that silence a device side). */
    synchronized DeviceTransport deviceSideForTest(String name) {
        return buses.values().stream().filter(b -> b.name().equals(name)).map(b -> b.deviceSide).findFirst()
                .orElseThrow();
    }

    // ---- VmsgAdmin ----

    @Override
    public synchronized List<BusView> buses() {
        List<BusView> out = new ArrayList<>();
        for (BusBinding b : buses.values()) {
            BusInfo i = b.bus.info();
            Map<String, Long> messages = new TreeMap<>();
            if (b.driverSide != null) {
                MessageCounters.merge(messages, prefixed("driver ", b.driverSide.messageCounts()));
            }
            if (b.deviceSide != null) {
                MessageCounters.merge(messages, prefixed("device ", b.deviceSide.messageCounts()));
            }
            out.add(new BusView(i.name(), i.type(), i.profile().name(), i.maxMessageSize(), i.window().base(),
                    i.window().size(), b.driverSide != null, b.deviceSide != null, messages));
        }
        out.sort(Comparator.comparing(BusView::name));
        return out;
    }

    private static Map<String, Long> prefixed(String prefix, Map<String, Long> in) {
        Map<String, Long> out = new TreeMap<>();
        in.forEach((k, v) -> out.put(prefix + k, v));
        return out;
    }

    @Override
    public synchronized List<DeviceView> devices() {
        List<DeviceView> out = new ArrayList<>();
        for (BusBinding b : buses.values()) {
            if (b.deviceSide != null) {
                out.addAll(b.deviceSide.views());
            }
            if (b.driverSide != null) {
                out.addAll(b.driverSide.views());
            }
        }
        out.sort(Comparator.comparing(DeviceView::bus).thenComparing(DeviceView::number)
                .thenComparing(DeviceView::side));
        return out;
    }

    @Override
    public Optional<DeviceView> device(String ref) {
        String[] parts = ref.split("/");
        for (DeviceView v : devices()) {
            if (parts.length == 1 && v.name().equals(ref) && v.side().equals("device")) {
                return Optional.of(v);
            }
            if (parts.length >= 2 && v.bus().equals(parts[0]) && String.valueOf(v.number()).equals(parts[1])
                    && (parts.length == 2 || v.side().equals(parts[2]))) {
                return Optional.of(v);
            }
        }
        return Optional.empty();
    }
}
