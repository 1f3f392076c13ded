package dev.vmsg.transport.internal;

import dev.vmsg.admin.BusView;
import dev.vmsg.admin.DeviceView;
import dev.vmsg.admin.LatencyStats;
import dev.vmsg.admin.Metrics;
import dev.vmsg.admin.TraceRecord;
import dev.vmsg.admin.TrafficStats;
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
public final class TransportCore implements VmsgAdmin, Metrics {

    private final TransportOptions options;
    private final TransportLog log;
    /**
     * Serialises every change of wiring (a bus, backend or driver coming or going) including the
     * bounded stops and starts it causes, so a swap is never observed half done. {@code this} only
     * guards the maps for the administration views.
     */
    private final Object wiring = new Object();
    private long arrivals;
    /** Every bus service, served or on standby behind a higher-ranked bus of the same name. */
    private final Map<Object, Ranked<Bus>> busCandidates = new LinkedHashMap<>();
    /** The served buses, at most one per name. */
    private final Map<Object, BusBinding> buses = new LinkedHashMap<>();
    private final Map<Object, BackendBinding> backends = new LinkedHashMap<>();
    private final Map<Object, Ranked<VirtioDriver>> drivers = new LinkedHashMap<>();
    /** The drivers, best-ranked first: {@link #driverFor} takes the first of a device type. */
    private volatile List<VirtioDriver> driverSnapshot = List.of();

    private static final class BusBinding {
        final Bus bus;
        final DriverTransport driverSide;
        final DeviceTransport deviceSide;
        /** The last trace ring of the bus (kept after the trace is switched off, for reading). */
        MessageTrace trace;
        boolean tracing;

        BusBinding(Bus bus, DriverTransport driverSide, DeviceTransport deviceSide) {
            this.bus = bus;
            this.driverSide = driverSide;
            this.deviceSide = deviceSide;
        }

        String name() {
            return bus.info().name();
        }

        List<TransportSide> sides() {
            List<TransportSide> out = new ArrayList<>(2);
            if (driverSide != null) {
                out.add(driverSide);
            }
            if (deviceSide != null) {
                out.add(deviceSide);
            }
            return out;
        }
    }

    private static final class BackendBinding {
        final Ranked<VirtioDeviceBackend> backend;
        final String busName;
        final String name;
        final Integer number;
        DeviceTransport hostedOn;

        BackendBinding(Ranked<VirtioDeviceBackend> backend, String busName, String name, Integer number) {
            this.backend = backend;
            this.busName = busName;
            this.name = name;
            this.number = number;
        }

        /** Whether this backend and {@code other} claim the same fixed device number on the same bus. */
        boolean clashesWith(BackendBinding other) {
            return number != null && number.equals(other.number) && busName.equals(other.busName);
        }
    }

    public TransportCore(TransportOptions options, TransportLog log) {
        this.options = options;
        this.log = log;
    }

    private <T> Ranked<T> ranked(T service, int ranking) {
        return new Ranked<>(service, ranking, ++arrivals);
    }

    // ---- buses ----

    /** Serves {@code bus} (ranking 0). */
    public void addBus(Object key, Bus bus) {
        addBus(key, bus, 0);
    }

    /**
     * Offers {@code bus}: it is served unless a bus of the same name with a higher ranking (or the
     * same ranking, there first) is; a served bus of the same name and lower rank is replaced (its
     * devices are removed, in-flight requests end with "removed") and waits on standby.
     */
    public void addBus(Object key, Bus bus, int ranking) {
        synchronized (wiring) {
            Ranked<Bus> candidate = ranked(bus, ranking);
            busCandidates.put(key, candidate);
            reconcileBus(bus.info().name());
        }
    }

    /** Withdraws a bus; if it was served, the best one on standby with the same name takes over. */
    public void removeBus(Object key) {
        synchronized (wiring) {
            Ranked<Bus> candidate = busCandidates.remove(key);
            if (candidate != null) {
                reconcileBus(candidate.service().info().name());
            }
        }
    }

    /** Makes the best-ranked bus named {@code name} the served one. Holds {@link #wiring}. */
    private void reconcileBus(String name) {
        Object bestKey = null;
        Ranked<Bus> best = null;
        for (Map.Entry<Object, Ranked<Bus>> e : busCandidates.entrySet()) {
            if (e.getValue().service().info().name().equals(name) && e.getValue().outranks(best)) {
                bestKey = e.getKey();
                best = e.getValue();
            }
        }
        Object servedKey = null;
        for (Map.Entry<Object, BusBinding> e : buses.entrySet()) {
            if (e.getValue().name().equals(name)) {
                servedKey = e.getKey();
            }
        }
        if (servedKey != null && servedKey.equals(bestKey)) {
            return;
        }
        if (servedKey != null) {
            unserve(servedKey, best == null ? "removed" : "replaced by a bus of higher rank (ranking "
                    + best.ranking() + ")");
        }
        if (best != null) {
            serve(bestKey, best);
        }
        for (Ranked<Bus> c : busCandidates.values()) {
            if (c != best && c.service().info().name().equals(name)) {
                log.info("bus " + name + " (ranking " + c.ranking() + ") waits on standby behind the served one");
            }
        }
    }

    private void serve(Object key, Ranked<Bus> candidate) {
        Bus bus = candidate.service();
        BusInfo info = bus.info();
        DeviceTransport deviceSide = bus.deviceEndpoint().map(ep -> new DeviceTransport(ep, log, options.pollNanos()))
                .orElse(null);
        DriverTransport driverSide = bus.driverEndpoint()
                .map(ep -> new DriverTransport(ep, options, log, this::driverFor)).orElse(null);
        synchronized (this) {
            buses.put(key, new BusBinding(bus, driverSide, deviceSide));
        }
        if (deviceSide != null) {
            deviceSide.start();
            placeBackends(info.name());
        }
        if (driverSide != null) {
            driverSide.start();
        }
        log.info("bus " + info.name() + " (" + info.type() + ", " + info.profile() + ") served"
                + (driverSide != null ? ", driver side" : "") + (deviceSide != null ? ", device side" : ""));
    }

    private void unserve(Object key, String why) {
        BusBinding b;
        synchronized (this) {
            b = buses.remove(key);
        }
        for (BackendBinding bb : backends.values()) {
            if (bb.hostedOn != null && bb.hostedOn == b.deviceSide) {
                bb.hostedOn = null;
            }
        }
        // Driver side first: drivers see "bus removed" before the devices under them vanish.
        if (b.driverSide != null) {
            b.driverSide.stop("bus " + b.name() + " " + why);
        }
        if (b.deviceSide != null) {
            b.deviceSide.stop();
        }
        log.info("bus " + b.name() + " no longer served (" + why + ")");
    }

    // ---- device backends ----

    /** Hosts {@code backend} (ranking 0) on the bus it names. */
    public void addBackend(Object key, VirtioDeviceBackend backend, String busName, String name, Integer number) {
        addBackend(key, backend, busName, name, number, 0);
    }

    /**
     * Hosts {@code backend} on the bus named {@code busName} as soon as that bus is served. A fixed
     * {@code number} held by a backend of lower rank is taken over (that one waits); held by one of
     * higher rank, this one waits until it goes.
     */
    public void addBackend(Object key, VirtioDeviceBackend backend, String busName, String name, Integer number,
            int ranking) {
        if (busName == null || busName.isBlank()) {
            log.warn("device " + name + " names no bus (property 'bus'); it is not hosted");
            return;
        }
        synchronized (wiring) {
            backends.put(key, new BackendBinding(ranked(backend, ranking), busName, name, number));
            placeBackends(busName);
        }
    }

    public void removeBackend(Object key) {
        synchronized (wiring) {
            BackendBinding b = backends.remove(key);
            if (b == null) {
                return;
            }
            if (b.hostedOn != null) {
                b.hostedOn.detach(b.backend.service());
                b.hostedOn = null;
            }
            placeBackends(b.busName);
        }
    }

    /**
     * Hosts every backend naming bus {@code busName} that may be hosted there: for each fixed device
     * number only the best-ranked claimant, which displaces a lower-ranked one already hosted. Holds
     * {@link #wiring}.
     */
    private void placeBackends(String busName) {
        DeviceTransport on = null;
        for (BusBinding b : buses.values()) {
            if (b.deviceSide != null && b.name().equals(busName)) {
                on = b.deviceSide;
            }
        }
        if (on == null) {
            for (BackendBinding b : backends.values()) {
                if (b.busName.equals(busName) && b.hostedOn == null) {
                    log.info("device " + b.name + " waits for bus " + busName);
                }
            }
            return;
        }
        List<BackendBinding> mine = new ArrayList<>();
        for (BackendBinding b : backends.values()) {
            if (b.busName.equals(busName)) {
                mine.add(b);
            }
        }
        mine.sort((x, y) -> Ranked.BEST_FIRST.compare(x.backend, y.backend));
        for (BackendBinding b : mine) {
            BackendBinding better = null;
            for (BackendBinding other : mine) {
                if (other != b && b.clashesWith(other) && other.backend.outranks(b.backend)) {
                    better = other;
                    break;
                }
            }
            if (better != null && b.hostedOn != null) {
                b.hostedOn.detach(b.backend.service());
                b.hostedOn = null;
                log.info("device " + b.name + " waits: " + better.name + " (ranking " + better.backend.ranking()
                        + ") takes number " + b.number + " on bus " + busName);
            }
        }
        for (BackendBinding b : mine) {
            if (b.hostedOn != null) {
                continue;
            }
            boolean outranked = false;
            for (BackendBinding other : mine) {
                outranked |= other != b && b.clashesWith(other) && other.backend.outranks(b.backend);
            }
            if (!outranked) {
                host(b, on);
            }
        }
    }

    private void host(BackendBinding b, DeviceTransport on) {
        try {
            on.attach(b.backend.service(), b.name, b.number);
            b.hostedOn = on;
        } catch (RuntimeException e) {
            log.warn("device " + b.name + " cannot be hosted on bus " + b.busName + " yet: " + e.getMessage());
        }
    }

    // ---- drivers ----

    /** Binds {@code driver} (ranking 0) to the devices of its type. */
    public void addDriver(Object key, VirtioDriver driver) {
        addDriver(key, driver, 0);
    }

    /**
     * Offers {@code driver}: it drives every device of its type that has no driver or one of lower
     * rank (which is unbound first: its in-flight requests end with "removed").
     */
    public void addDriver(Object key, VirtioDriver driver, int ranking) {
        synchronized (wiring) {
            drivers.put(key, ranked(driver, ranking));
            snapshotDrivers();
            for (DriverTransport t : driverSides()) {
                t.driverAdded(driver);
            }
        }
    }

    public void removeDriver(Object key) {
        synchronized (wiring) {
            Ranked<VirtioDriver> driver = drivers.remove(key);
            snapshotDrivers();
            if (driver != null) {
                for (DriverTransport t : driverSides()) {
                    t.driverRemoved(driver.service());
                }
            }
        }
    }

    private void snapshotDrivers() {
        List<Ranked<VirtioDriver>> all = new ArrayList<>(drivers.values());
        all.sort(Ranked.BEST_FIRST);
        List<VirtioDriver> out = new ArrayList<>(all.size());
        all.forEach(r -> out.add(r.service()));
        driverSnapshot = List.copyOf(out);
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
        synchronized (wiring) {
            busCandidates.clear();
            for (Object key : new ArrayList<>(buses.keySet())) {
                unserve(key, "removed");
            }
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

    private synchronized BusBinding busNamed(String name) {
        for (BusBinding b : buses.values()) {
            if (b.name().equals(name)) {
                return b;
            }
        }
        throw new IllegalArgumentException("no bus named '" + name + "' (see vmsg:buses)");
    }

    @Override
    public long ping(String bus) {
        BusBinding b = busNamed(bus);
        if (b.driverSide == null) {
            throw new IllegalArgumentException("bus " + bus + " is served only on the device side here; PING is sent"
                    + " from the driver side");
        }
        return b.driverSide.ping(java.util.concurrent.ThreadLocalRandom.current().nextInt());
    }

    @Override
    public DeviceView reset(String device) {
        DeviceView v = driven(device, "reset");
        return driverSideOf(v).reset(v.number(), options.resetTimeoutMillis() + 10 * options.requestTimeoutMillis());
    }

    @Override
    public byte[] readConfig(String device) {
        DeviceView v = driven(device, "read its config");
        return driverSideOf(v).readConfig(v.number());
    }

    /** The device {@code ref} names, checked to be driven by this container. */
    private DeviceView driven(String ref, String what) {
        DeviceView v = device(ref).orElseThrow(() -> new IllegalArgumentException("no device '" + ref
                + "': name it as <bus>/<number> or by its name (see vmsg:devices)"));
        if (busNamed(v.bus()).driverSide == null) {
            throw new IllegalArgumentException("device " + ref + " is hosted here but driven by another container;"
                    + " " + what + " there");
        }
        return v;
    }

    private DriverTransport driverSideOf(DeviceView v) {
        return busNamed(v.bus()).driverSide;
    }

    @Override
    public synchronized void trace(String bus, boolean on, int capacity) {
        BusBinding b = busNamed(bus);
        MessageTrace t = null;
        if (on) {
            t = new MessageTrace(capacity, b.bus.info().profile().name());
            b.trace = t;
        }
        b.tracing = on;
        for (TransportSide side : b.sides()) {
            side.trace(t);
        }
    }

    @Override
    public synchronized boolean tracing(String bus) {
        return busNamed(bus).tracing;
    }

    @Override
    public synchronized List<TraceRecord> traceRecords(String bus, int max) {
        MessageTrace t = busNamed(bus).trace;
        return t == null ? List.of() : t.last(max);
    }

    // ---- Metrics ----

    @Override
    public synchronized List<TrafficStats> busStats() {
        List<TrafficStats> out = new ArrayList<>();
        for (BusBinding b : buses.values()) {
            out.add(busStats(b));
        }
        out.sort(Comparator.comparing(TrafficStats::name));
        return out;
    }

    private static TrafficStats busStats(BusBinding b) {
        Map<String, Long> messages = new TreeMap<>();
        Map<String, Long> drops = new TreeMap<>();
        Map<String, Long> errors = new TreeMap<>();
        long sent = 0;
        long received = 0;
        LatencyStats latency = LatencyStats.EMPTY;
        for (TransportSide side : b.sides()) {
            String prefix = side.side() + " ";
            side.messageCounts().forEach((k, v) -> {
                if (k.startsWith("drop ")) {
                    drops.merge(prefix + k.substring(5), v, Long::sum);
                } else {
                    messages.put(prefix + k, v);
                }
            });
            TrafficMeter total = side.metrics().total();
            sent += total.bytesSent();
            received += total.bytesReceived();
            total.errors().forEach((k, v) -> errors.merge(prefix + k, v, Long::sum));
            if (side == b.driverSide) {
                latency = total.latency().snapshot();
            }
        }
        return new TrafficStats(b.name(), messages, sent, received, drops, errors, latency);
    }

    @Override
    public synchronized List<TrafficStats> deviceStats() {
        List<TrafficStats> out = new ArrayList<>();
        for (BusBinding b : buses.values()) {
            for (TransportSide side : b.sides()) {
                out.addAll(side.metrics().deviceSnapshots(b.name() + "/", "/" + side.side()));
            }
        }
        out.sort(Comparator.comparing(TrafficStats::name));
        return out;
    }

    @Override
    public Optional<TrafficStats> stats(String ref) {
        synchronized (this) {
            for (BusBinding b : buses.values()) {
                if (b.name().equals(ref)) {
                    return Optional.of(busStats(b));
                }
            }
        }
        Optional<DeviceView> found = device(ref);
        if (found.isEmpty()) {
            return Optional.empty();
        }
        DeviceView v = found.get();
        boolean sideGiven = ref.split("/").length >= 3;
        synchronized (this) {
            BusBinding b = busNamed(v.bus());
            TransportSide side = sideGiven ? (v.side().equals("driver") ? b.driverSide : b.deviceSide)
                    : (b.driverSide != null ? b.driverSide : b.deviceSide);
            String name = v.bus() + "/" + v.number() + "/" + side.side();
            TrafficStats s = side.metrics().deviceSnapshot(v.number(), name);
            return Optional.of(s != null ? s : new TrafficStats(name, Map.of(), 0, 0, Map.of(), Map.of(),
                    LatencyStats.EMPTY));
        }
    }
}
