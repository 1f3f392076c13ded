package dev.vmsg.bench;

import dev.vmsg.bus.Bus;
import dev.vmsg.bus.fifo.internal.FifoBus;
import dev.vmsg.bus.fifo.internal.FifoBusOptions;
import dev.vmsg.bus.loopback.internal.LoopbackBus;
import dev.vmsg.transport.internal.TransportCore;
import dev.vmsg.transport.internal.TransportLog;
import dev.vmsg.transport.internal.TransportOptions;
import dev.vmsg.wire.WireProfile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * The buses a device benchmark runs over, with their transport cores: {@code loopback} (one bus, one
 * core serving both sides), or {@code fifo} (the shared-memory FIFO bus: a device-side and a
 * driver-side bus instance with their own mappings of the same queue and window files in a fresh
 * temporary directory, each with its own core, as two hosts have; the data path is the one two
 * processes share). Backends go on {@link #deviceCore()}, drivers on {@link #driverCore()}, both
 * under the bus name {@link #BUS}.
 */
public final class BenchTransport implements AutoCloseable {

    /** The bus name devices are hosted on. */
    public static final String BUS = "bench";

    private final List<AutoCloseable> closing = new ArrayList<>();
    private final TransportCore deviceCore;
    private final TransportCore driverCore;
    private Bus driverBus;

    /** @param busType {@code loopback} or {@code fifo} */
    public BenchTransport(String busType, int windowBytes) throws IOException {
        TransportOptions options = options();
        try {
            switch (busType) {
                case "loopback" -> {
                    LoopbackBus bus = LoopbackBus.create(BUS, WireProfile.REV1, 264, windowBytes, System.err::println);
                    closing.add(bus::close);
                    deviceCore = core(options, bus);
                    driverCore = deviceCore;
                }
                case "fifo" -> {
                    Path dir = Files.createTempDirectory("vmsg-bench");
                    closing.add(() -> deleteTree(dir));
                    FifoBusOptions deviceSide = FifoBusOptions.defaults(BUS, FifoBusOptions.Role.DEVICE, dir)
                            .withWindowSize(windowBytes);
                    FifoBus deviceBus = new FifoBus(deviceSide, System.err::println);
                    closing.add(0, deviceBus::close);
                    deviceCore = core(options, deviceBus);
                    FifoBus driverBus = new FifoBus(deviceSide.withRole(FifoBusOptions.Role.DRIVER), System.err::println);
                    closing.add(0, driverBus::close);
                    driverCore = core(options, driverBus);
                }
                default -> throw new IllegalArgumentException("bus " + busType + " is not loopback or fifo");
            }
        } catch (IOException | RuntimeException e) {
            close();
            throw e;
        }
    }

    /** The default options; {@code -Dvmsg.bench.pollMicros=0} measures the event-only data path. */
    private static TransportOptions options() {
        TransportOptions o = TransportOptions.DEFAULTS;
        return new TransportOptions(o.requestTimeoutMillis(), o.resetTimeoutMillis(), o.resetPollMillis(),
                o.removeBoundMillis(), Long.getLong("vmsg.bench.pollMicros", o.pollMicros()));
    }

    /** The bus the driver side uses (its window is the one both sides share). */
    public Bus driverBus() {
        return driverBus;
    }

    private TransportCore core(TransportOptions options, Bus bus) {
        driverBus = bus;
        TransportCore core = new TransportCore(options, TransportLog.SILENT);
        closing.add(0, core::close);
        core.addBus(bus.info().name() + "-" + closing.size(), bus);
        return core;
    }

    public TransportCore deviceCore() {
        return deviceCore;
    }

    public TransportCore driverCore() {
        return driverCore;
    }

    /** Messages the driver side carried so far, by direction and name (what {@code vmsg:traffic} shows). */
    public Map<String, Long> messages() {
        return driverCore.buses().get(0).messages();
    }

    private static void deleteTree(Path dir) throws IOException {
        try (var files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    /** Closes the transport cores, then the buses, then removes the FIFO files. */
    @Override
    public void close() {
        for (AutoCloseable c : closing) {
            try {
                c.close();
            } catch (Exception e) {
                System.err.println("bench transport: closing failed: " + e);
            }
        }
        closing.clear();
    }
}
