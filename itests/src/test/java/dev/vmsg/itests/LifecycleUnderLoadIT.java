package dev.vmsg.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerMethod;
import org.osgi.framework.Bundle;
import org.osgi.framework.ServiceReference;

/**
 * HARDENING row 23: every bus bundle (loopback, FIFO, FF-A) and every device bundle (rng, blk,
 * console, net) is cycled {@code vmsg.lifecycle.loadCycles} times (10 in CI, 50 in
 * scripts/fuzz-long.sh), alternately stop/start and uninstall/refresh/reinstall/start, while one
 * client thread per device keeps submitting I/O through the device's plain Java service: rng and
 * blk on each of the three buses, a console endpoint port and a pair of net ports on loopback.
 *
 * <p>Oracles: every request ends exactly once, OK with checked data (rng: the requested length,
 * not all zero; blk: a block reads back what was last written to it, also across restarts; console:
 * the endpoint receives the line the port wrote; net: a received frame is one that was sent, once)
 * or with {@code VirtioDeviceException(REMOVED)}, within a bound (see {@link RequestLedger}); after
 * each cycle every device hosted by or driven by the cycled bundle serves a request on its new
 * service; each affected client lost its service at least once per cycle and no other client lost
 * its service at all; vmsg threads back to the baseline after each bundle and at the end; no vmsg
 * ERROR logged.
 *
 * <p>Like {@link BundleLifecycleIT}, the device services are called reflectively so the probe never
 * wires to a device bundle's package.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerMethod.class)
public class LifecycleUnderLoadIT extends RngTestSupport {

    /** 10 in CI; scripts/fuzz-long.sh runs 50. Even cycles stop/start, odd ones reinstall. */
    static final int CYCLES = Integer.getInteger("vmsg.lifecycle.loadCycles", 10);
    static final List<String> CYCLED = List.of("dev.vmsg.device.rng", "dev.vmsg.device.console", "dev.vmsg.device.blk",
            "dev.vmsg.device.net", "dev.vmsg.bus.loopback", "dev.vmsg.bus.ffa", "dev.vmsg.bus.fifo");
    /** Timeout of each blocking call: generous for a loaded 2-core machine; a TIMEOUT fails the test. */
    static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(20);
    /** A request that takes longer than this to end, blocking or async, is a hang. */
    static final Duration REQUEST_BOUND = Duration.ofSeconds(30);
    /** How long a device may take to serve again after its bundle came back. */
    static final Duration BACK_TIMEOUT = Duration.ofSeconds(60);

    static final String LOOPBACK = "dev.vmsg.bus.loopback";
    static final String FIFO = "dev.vmsg.bus.fifo";
    static final String FFA = "dev.vmsg.bus.ffa";
    static final String RNG = "dev.vmsg.device.rng";
    static final String BLK = "dev.vmsg.device.blk";
    static final String CONSOLE = "dev.vmsg.device.console";
    static final String NET = "dev.vmsg.device.net";
    static final String BLOCK_DEVICE = "dev.vmsg.device.blk.BlockDevice";
    static final String CONSOLE_PORT = "dev.vmsg.device.console.ConsolePort";
    static final String CONSOLE_ENDPOINT = "dev.vmsg.device.console.ConsoleEndpoint";
    static final String NETWORK_PORT = "dev.vmsg.device.net.NetworkPort";
    static final String FRAME_HANDLER = "dev.vmsg.device.net.FrameHandler";
    /** Async reads per rng round: more than the driver's buffer slots. */
    static final int RNG_ASYNC = 12;
    /** Async reads per blk round: more than a queue of 8 descriptors holds. */
    static final int BLK_ASYNC = 10;
    static final int BLOCK = 4096;
    static final int BLOCKS = 64;
    static final int FRAME = 64;

    private final AtomicBoolean stopping = new AtomicBoolean();

    @Test
    public void everyRequestEndsOnceWhileEachBusAndDeviceBundleComesAndGoes() throws Exception {
        for (String bsn : List.of(BLK, NET, FIFO)) {
            if (findBundle(bsn) == null) {
                context.installBundle(bundleFile(bsn).toURI().toString()).start();
            }
        }
        Path dir = Files.createTempDirectory("vmsg-load-it");
        List<Workload> workloads = new ArrayList<>();
        try {
            workloads.addAll(configureDevices(dir));

            long start = System.nanoTime();
            for (Workload w : workloads) {
                w.client = new Thread(() -> runClient(w), "it-load-" + w.name);
                w.client.start();
            }
            for (Workload w : workloads) {
                awaitServedSince(w, start, "at the start");
            }
            int baselineThreads = countVmsgThreads();

            Map<String, Long> millis = new LinkedHashMap<>();
            for (String bsn : CYCLED) {
                millis.put(bsn, cycleUnderLoad(bsn, workloads, baselineThreads));
            }

            stopping.set(true);
            for (Workload w : workloads) {
                w.client.join(BACK_TIMEOUT.toMillis());
                assertFalse("client " + w.name + " still running: " + Arrays.toString(w.client.getStackTrace()),
                        w.client.isAlive());
            }
            awaitCondition(() -> workloads.stream().allMatch(w -> w.ledger.open().isEmpty()), REQUEST_BOUND,
                    () -> "requests that never ended: " + workloads.stream().flatMap(w -> w.ledger.open().stream())
                            .collect(Collectors.toList()));
            assertEquals("unexpected outcomes", List.of(), unexpected(workloads));
            awaitCondition(() -> countVmsgThreads() == baselineThreads, BACK_TIMEOUT,
                    () -> "vmsg threads " + vmsgThreadNames() + " not back to the baseline of " + baselineThreads);
            System.out.println("lifecycle under load: " + CYCLES + " cycles per bundle, ms per bundle " + millis
                    + ", requests ok/removed/services lost " + workloads.stream().map(w -> w.name + "="
                            + w.ledger.okCount() + "/" + w.ledger.removedCount() + "/" + w.lost.get())
                    .collect(Collectors.toList()));
            assertNoVmsgErrors();
        } finally {
            stopping.set(true);
            for (Workload w : workloads) {
                if (w.client != null) {
                    w.client.join(BACK_TIMEOUT.toMillis());
                }
            }
            // Devices and buses go before their files do (the @After deletes again and waits for them).
            List<String> pids = new ArrayList<>(createdPids);
            java.util.Collections.reverse(pids);
            for (String pid : pids) {
                deleteConfiguration(pid);
            }
            try (Stream<Path> files = Files.walk(dir)) {
                for (Path p : files.sorted(Comparator.reverseOrder()).collect(Collectors.toList())) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    /**
     * Buses lu-loop and lu-net (loopback), lu-fdev/lu-fdrv (FIFO, both ends in this container) and
     * lu-ffa (FF-A); rng and blk on each of the three kinds, a console and two net ports on
     * loopback. Returns a workload per device.
     */
    private List<Workload> configureDevices(Path dir) throws Exception {
        List<Workload> workloads = new ArrayList<>();
        createBus("lu-loop");
        createBus("lu-net");
        createFifo("lu-fdev", "device", dir);
        createFifo("lu-fdrv", "driver", dir);
        createFfaBus("lu-ffa", "DIRECT", "NOTIF");
        // Device-side bus name, driver-side bus name, bus bundle.
        for (String[] bus : List.of(new String[] {"lu-loop", "lu-loop", LOOPBACK},
                new String[] {"lu-fdev", "lu-fdrv", FIFO}, new String[] {"lu-ffa", "lu-ffa", FFA})) {
            createRng(bus[0], "rng0");
            workloads.add(new RngLoad(bus[1], bus[2]));
            createdPids.add(createFactoryConfiguration(BLK, bus[0] + "-blk0", Map.of("bus", bus[0], "name", "blk0",
                    "file", dir.resolve(bus[0] + ".img").toString(), "size", 1024L * 1024, "queues", 1, "queue.size", 8)));
            workloads.add(new BlkLoad(bus[1], bus[2]));
        }
        createConsole("lu-loop", "console0");
        workloads.add(new ConsoleLoad("lu-loop"));
        for (int n = 1; n <= 2; n++) {
            createdPids.add(createFactoryConfiguration(NET, "lu-net-net" + n, Map.of("bus", "lu-net", "name",
                    "net" + n, "mac", "02:00:00:00:0b:0" + n, "backend", "switch:lu-sw", "queue.size", 64)));
        }
        workloads.add(new NetLoad("lu-net"));
        return workloads;
    }

    /**
     * Cycles bundle {@code bsn} CYCLES times under the running clients; checks that each affected
     * device serves again after each cycle, that only affected clients lost their service, and
     * that the vmsg threads are back to the baseline. Returns the milliseconds it took.
     */
    private long cycleUnderLoad(String bsn, List<Workload> workloads, int baselineThreads) throws Exception {
        Map<Workload, Long> lostBefore = workloads.stream().collect(Collectors.toMap(w -> w, w -> w.lost.get()));
        long bundleStart = System.nanoTime();
        for (int cycle = 0; cycle < CYCLES; cycle++) {
            // A session opened after this moment is on a service the cycle brought (the
            // client only opens one after losing the one it had); it may come up before
            // start() returns.
            long cycleBegan = System.nanoTime();
            if (cycle % 2 == 0) {
                Bundle b = findBundle(bsn);
                b.stop();
                b.start();
            } else {
                reinstallBundleBySymbolicName(bsn);
            }
            for (Workload w : workloads) {
                if (w.affectedBy(bsn)) {
                    awaitServedSince(w, cycleBegan, "after cycle " + cycle + " of " + bsn);
                }
            }
        }
        long ms = (System.nanoTime() - bundleStart) / 1_000_000;
        for (Workload w : workloads) {
            long lost = w.lost.get() - lostBefore.get(w);
            if (w.affectedBy(bsn)) {
                assertTrue(w.name + " lost its service " + lost + " times in " + CYCLES + " cycles of " + bsn,
                        lost >= CYCLES);
            } else {
                assertEquals(w.name + " lost its service while " + bsn + " (not its bus or device bundle)"
                        + " was cycled", 0, lost);
            }
        }
        assertEquals("unexpected outcomes by the end of cycling " + bsn, List.of(), unexpected(workloads));
        awaitCondition(() -> countVmsgThreads() <= baselineThreads, BACK_TIMEOUT,
                () -> "after cycling " + bsn + ": vmsg threads " + vmsgThreadNames() + " above the baseline of "
                        + baselineThreads);
        return ms;
    }

    private static List<String> unexpected(List<Workload> workloads) {
        return workloads.stream().flatMap(w -> w.ledger.unexpected().stream()).collect(Collectors.toList());
    }

    private void awaitServedSince(Workload w, long since, String when) throws InterruptedException {
        awaitCondition(() -> w.servedBy.get() > since, BACK_TIMEOUT,
                () -> w.name + " served no request on a new service " + when + " within " + BACK_TIMEOUT + " (ok "
                        + w.ledger.okCount() + ", removed " + w.ledger.removedCount() + ", unexpected "
                        + w.ledger.unexpected() + ", open " + w.ledger.open() + ", services "
                        + allServiceReferences(w.filter) + ")");
    }

    /**
     * One client: takes the device's current service, submits rounds of requests until the device
     * is removed, then takes the next service (never one it already used).
     */
    private void runClient(Workload w) {
        while (!stopping.get()) {
            ServiceReference<?> ref = fresh(w.filter, w.retired);
            Bundle provider = ref == null ? null : ref.getBundle();
            Object service = provider == null ? null : context.getService(ref);
            if (service == null) {
                pause();
                continue;
            }
            try {
                Session session = w.open(service, ref, provider, System.nanoTime());
                if (session == null) {
                    pause();
                    continue;
                }
                boolean alive = true;
                while (alive && !stopping.get()) {
                    alive = session.round();
                }
                if (!alive) {
                    w.lost.incrementAndGet();
                    w.retired.add(serviceId(ref));
                }
                session.close();
            } catch (Exception | AssertionError e) {
                w.ledger.note("client failed outside a request: " + RequestLedger.unwrap(e));
                w.retired.add(serviceId(ref));
            } finally {
                context.ungetService(ref);
            }
        }
    }

    /** The first service matching the filter that is not retired, or null. */
    private ServiceReference<?> fresh(String filter, Set<Long> retired) {
        return allServiceReferences(filter).stream().filter(r -> !retired.contains(serviceId(r))).findFirst()
                .orElse(null);
    }

    /** Polling for a service that is coming back (not a synchronisation of any oracle). */
    private static void pause() {
        try {
            Thread.sleep(5);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("client interrupted", e);
        }
    }

    private static Object call(Method method, Object target, Object... args) throws InvocationTargetException {
        try {
            return method.invoke(target, args);
        } catch (IllegalAccessException e) {
            throw new IllegalStateException(e);
        }
    }

    // ---------------------------------------------------------------- workloads

    /** A device's client load: what service it uses, what bundles it depends on, what it saw. */
    abstract class Workload {
        final String name;
        final String filter;
        final String deviceBundle;
        final String busBundle;
        final RequestLedger ledger;
        final Set<Long> retired = ConcurrentHashMap.newKeySet();
        /** Services the client lost to REMOVED. */
        final AtomicLong lost = new AtomicLong();
        /** Open time (System.nanoTime) of the newest session that got a request served. */
        final AtomicLong servedBy = new AtomicLong(Long.MIN_VALUE);
        Thread client;

        Workload(String name, String filter, String deviceBundle, String busBundle) {
            this.name = name;
            this.filter = filter;
            this.deviceBundle = deviceBundle;
            this.busBundle = busBundle;
            this.ledger = new RequestLedger(name, REQUEST_BOUND);
        }

        boolean affectedBy(String bsn) {
            return bsn.equals(deviceBundle) || bsn.equals(busBundle);
        }

        /** Prepares calls on this service, or null when it cannot be used yet (try again). */
        abstract Session open(Object service, ServiceReference<?> ref, Bundle provider, long opened) throws Exception;
    }

    /** Requests on one service object, round after round. */
    abstract class Session {
        final Workload workload;
        final long opened;
        private final AtomicBoolean gone = new AtomicBoolean();
        private final List<CompletableFuture<?>> pending = new ArrayList<>();

        Session(Workload workload, long opened) {
            this.workload = workload;
            this.opened = opened;
        }

        /** One round of requests; false once the device was removed. */
        abstract boolean round() throws Exception;

        void close() {
        }

        /** Request {@code id} completed with the right data: the device serves this session. */
        void completed(long id) {
            workload.ledger.ok(id);
            workload.servedBy.accumulateAndGet(opened, Math::max);
        }

        void failed(long id, Throwable t) {
            if (workload.ledger.failed(id, t)) {
                gone.set(true);
            }
        }

        /** Tracks async request {@code id}: its end is checked by {@code check} (null: right data). */
        <T> void async(long id, Object future, Function<T, String> check) {
            @SuppressWarnings("unchecked")
            CompletableFuture<T> f = (CompletableFuture<T>) future;
            pending.add(f.handle((value, t) -> {
                if (t != null) {
                    failed(id, t);
                } else {
                    String wrong = check.apply(value);
                    if (wrong == null) {
                        completed(id);
                    } else {
                        workload.ledger.wrongData(id, wrong);
                    }
                }
                return null;
            }));
        }

        /** Waits (bounded) for this round's async requests; returns whether the device is still there. */
        boolean finish() throws Exception {
            try {
                CompletableFuture.allOf(pending.toArray(new CompletableFuture<?>[0]))
                        .get(REQUEST_BOUND.toMillis(), TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                workload.ledger.note("async requests of a round not ended within " + REQUEST_BOUND + ": "
                        + workload.ledger.open());
            }
            pending.clear();
            return !gone.get();
        }

        boolean isGone() {
            return gone.get();
        }
    }

    /**
     * A blocking read of 256 bytes and {@link #RNG_ASYNC} async reads of 32..384 bytes per round:
     * more than the driver's 8 buffer slots, so some wait for a slot when the device goes.
     */
    final class RngLoad extends Workload {
        RngLoad(String driverBus, String busBundle) {
            super("rng@" + driverBus, entropyFilter(driverBus), RNG, busBundle);
        }

        @Override
        Session open(Object source, ServiceReference<?> ref, Bundle provider, long opened)
                throws Exception {
            Class<?> api = provider.loadClass(ENTROPY_SOURCE);
            Method read = api.getMethod("read", byte[].class, Duration.class);
            Method readAsync = api.getMethod("readAsync", int.class);
            return new Session(this, opened) {
                @Override
                boolean round() throws Exception {
                    long id = ledger.begin();
                    byte[] b = new byte[256];
                    try {
                        call(read, source, b, REQUEST_TIMEOUT);
                        if (allZero(b)) {
                            ledger.wrongData(id, "256 zero bytes");
                        } else {
                            completed(id);
                        }
                    } catch (InvocationTargetException e) {
                        failed(id, e);
                    }
                    for (int k = 1; k <= RNG_ASYNC && !isGone(); k++) {
                        int length = 32 * k;
                        long rid = ledger.begin();
                        try {
                            this.<byte[]>async(rid, call(readAsync, source, length), v -> v.length != length
                                    ? v.length + " bytes for " + length : allZero(v) ? length + " zero bytes" : null);
                        } catch (InvocationTargetException e) {
                            failed(rid, e);
                        }
                    }
                    return finish();
                }
            };
        }
    }

    /**
     * A blocking write of a numbered 4 KiB pattern to the next of 64 blocks, a blocking read back,
     * and {@link #BLK_ASYNC} async reads of blocks written earlier (in this or an earlier life of the
     * device: the image outlives every cycle) per round; the queue has 8 descriptors, so some of
     * them wait for room in order when the device goes.
     */
    final class BlkLoad extends Workload {
        /** Block to what was last written to it, for blocks whose content is known. */
        final Map<Integer, byte[]> known = new ConcurrentHashMap<>();
        final AtomicLong seq = new AtomicLong();

        BlkLoad(String driverBus, String busBundle) {
            super("blk@" + driverBus, "(&(objectClass=" + BLOCK_DEVICE + ")(vmsg.bus.name=" + driverBus + "))", BLK,
                    busBundle);
        }

        @Override
        Session open(Object device, ServiceReference<?> ref, Bundle provider, long opened)
                throws Exception {
            Class<?> api = provider.loadClass(BLOCK_DEVICE);
            Method write = api.getMethod("write", long.class, ByteBuffer.class, Duration.class);
            Method read = api.getMethod("read", long.class, ByteBuffer.class, Duration.class);
            Method readAsync = api.getMethod("readAsync", long.class, ByteBuffer.class);
            return new Session(this, opened) {
                @Override
                boolean round() throws Exception {
                    long n = seq.incrementAndGet();
                    int block = (int) (n % BLOCKS);
                    byte[] data = new byte[BLOCK];
                    ByteBuffer.wrap(data).putLong(n).putLong(~n);
                    Arrays.fill(data, 16, BLOCK, (byte) n);
                    known.remove(block); // a write that ends with REMOVED may or may not have landed
                    long id = ledger.begin();
                    try {
                        call(write, device, (long) block * BLOCK, ByteBuffer.wrap(data), REQUEST_TIMEOUT);
                        completed(id);
                        known.put(block, data);
                    } catch (InvocationTargetException e) {
                        failed(id, e);
                        return finish();
                    }
                    id = ledger.begin();
                    ByteBuffer back = ByteBuffer.allocate(BLOCK);
                    try {
                        call(read, device, (long) block * BLOCK, back, REQUEST_TIMEOUT);
                        if (Arrays.equals(data, back.array())) {
                            completed(id);
                        } else {
                            ledger.wrongData(id, "block " + block + " did not read back write " + n);
                        }
                    } catch (InvocationTargetException e) {
                        failed(id, e);
                    }
                    List<Integer> blocks = new ArrayList<>(known.keySet());
                    for (int k = 0; k < BLK_ASYNC && !isGone() && !blocks.isEmpty(); k++) {
                        int other = blocks.get((int) ((n * 7 + k * 13) % blocks.size()));
                        byte[] expected = known.get(other);
                        ByteBuffer dst = ByteBuffer.allocate(BLOCK);
                        long rid = ledger.begin();
                        try {
                            this.<Void>async(rid, call(readAsync, device, (long) other * BLOCK, dst),
                                    v -> Arrays.equals(expected, dst.array()) ? null
                                            : "block " + other + " read back other bytes than its last write");
                        } catch (InvocationTargetException e) {
                            failed(rid, e);
                        }
                    }
                    return finish();
                }
            };
        }
    }

    /**
     * A numbered line written through the driver-side port, then read on the device side's
     * endpoint until it arrived (bytes left over from a write cut short by a removal may come
     * first).
     */
    final class ConsoleLoad extends Workload {
        final String endpointFilter;
        final Set<Long> retiredEndpoints = ConcurrentHashMap.newKeySet();
        final AtomicLong seq = new AtomicLong();

        ConsoleLoad(String bus) {
            super("console@" + bus, "(&(objectClass=" + CONSOLE_PORT + ")(vmsg.bus.name=" + bus + "))", CONSOLE,
                    LOOPBACK);
            endpointFilter = "(&(objectClass=" + CONSOLE_ENDPOINT + ")(vmsg.bus.name=" + bus
                    + ")(vmsg.console.port.name=app))";
        }

        @Override
        Session open(Object port, ServiceReference<?> ref, Bundle provider, long opened)
                throws Exception {
            String portRegistered = "(service.id=" + serviceId(ref) + ")";
            Method write = provider.loadClass(CONSOLE_PORT).getMethod("write", ByteBuffer.class, Duration.class);
            return new Session(this, opened) {
                ServiceReference<?> endpointRef;
                Object endpoint;
                Method endpointRead;
                final StringBuilder tail = new StringBuilder();

                @Override
                boolean round() throws Exception {
                    if (endpoint == null && !takeEndpoint()) {
                        pause();
                        return true;
                    }
                    String line = "line " + seq.incrementAndGet() + "\n";
                    byte[] bytes = line.getBytes(StandardCharsets.US_ASCII);
                    long id = ledger.begin();
                    int n;
                    try {
                        n = (Integer) call(write, port, ByteBuffer.wrap(bytes), REQUEST_TIMEOUT);
                    } catch (InvocationTargetException e) {
                        failed(id, e);
                        return finish();
                    }
                    if (n != bytes.length) {
                        ledger.wrongData(id, "write handed over " + n + " of " + bytes.length + " bytes");
                        return true;
                    }
                    long deadline = System.nanoTime() + REQUEST_TIMEOUT.toNanos();
                    ByteBuffer buf = ByteBuffer.allocate(256);
                    while (tail.indexOf(line) < 0) {
                        if (allServiceReferences(portRegistered).isEmpty()) {
                            // The port went away with the line in its transmit queue: the line
                            // was handed over (write's contract) but never delivered.
                            ledger.removed(id);
                            return true;
                        }
                        if (System.nanoTime() - deadline > 0) {
                            ledger.wrongData(id, "the endpoint did not receive '" + line.trim() + "', got '" + tail + "'");
                            return true;
                        }
                        buf.clear();
                        int got;
                        try {
                            got = (Integer) call(endpointRead, endpoint, buf, Duration.ofSeconds(1));
                        } catch (InvocationTargetException e) {
                            failed(id, e);
                            dropEndpoint();
                            return finish();
                        }
                        if (got < 0) {
                            ledger.removed(id); // the device side went away under the line
                            dropEndpoint();
                            return true;
                        }
                        tail.append(new String(buf.array(), 0, got, StandardCharsets.US_ASCII));
                    }
                    tail.delete(0, tail.indexOf(line) + line.length());
                    completed(id);
                    return true;
                }

                private boolean takeEndpoint() throws Exception {
                    endpointRef = fresh(endpointFilter, retiredEndpoints);
                    Bundle epProvider = endpointRef == null ? null : endpointRef.getBundle();
                    endpoint = epProvider == null ? null : context.getService(endpointRef);
                    if (endpoint == null) {
                        return false;
                    }
                    endpointRead = epProvider.loadClass(CONSOLE_ENDPOINT).getMethod("read", ByteBuffer.class,
                            Duration.class);
                    tail.setLength(0);
                    return true;
                }

                private void dropEndpoint() {
                    retiredEndpoints.add(serviceId(endpointRef));
                    context.ungetService(endpointRef);
                    endpoint = null;
                }

                @Override
                void close() {
                    if (endpoint != null) {
                        context.ungetService(endpointRef);
                    }
                }
            };
        }
    }

    /**
     * Numbered 64-byte frames sent from port net1 to port net2 on one switch. A send ends OK when
     * the port took the frame; the device serves again when a frame sent on the new ports arrives.
     * Every frame that arrives must be one that was sent, and arrive once.
     */
    final class NetLoad extends Workload {
        final String receiverFilter;
        final Set<Long> retiredReceivers = ConcurrentHashMap.newKeySet();
        /** Frame number to the open time of the session that sent it, until it arrives. */
        final Map<Long, Long> inFlight = new ConcurrentHashMap<>();
        final AtomicLong seq = new AtomicLong();

        NetLoad(String bus) {
            super("net@" + bus, "(&(objectClass=" + NETWORK_PORT + ")(vmsg.bus.name=" + bus
                    + ")(vmsg.net.mac=02:00:00:00:0b:01))", NET, LOOPBACK);
            receiverFilter = "(&(objectClass=" + NETWORK_PORT + ")(vmsg.bus.name=" + bus
                    + ")(vmsg.net.mac=02:00:00:00:0b:02))";
        }

        @Override
        Session open(Object sender, ServiceReference<?> ref, Bundle provider, long opened)
                throws Exception {
            ServiceReference<?> receiverRef = fresh(receiverFilter, retiredReceivers);
            if (receiverRef != null && receiverRef.getBundle() != provider) {
                retiredReceivers.add(serviceId(receiverRef)); // left over from an earlier revision of the bundle
                return null;
            }
            Object receiver = receiverRef == null ? null : context.getService(receiverRef);
            if (receiver == null) {
                return null;
            }
            Class<?> api = provider.loadClass(NETWORK_PORT);
            Class<?> handlerType = provider.loadClass(FRAME_HANDLER);
            Method send = api.getMethod("send", ByteBuffer.class, Duration.class);
            try {
                call(api.getMethod("setReceiver", handlerType), receiver, Proxy.newProxyInstance(
                        handlerType.getClassLoader(), new Class<?>[] {handlerType}, (proxy, method, args) -> {
                            if (method.getName().equals("frame")) {
                                arrived((ByteBuffer) args[0]);
                                return null;
                            }
                            return method.getName().equals("hashCode") ? System.identityHashCode(proxy)
                                    : method.getName().equals("equals") ? proxy == args[0] : "load frame handler";
                        }));
            } catch (InvocationTargetException e) {
                // The receiver went away before its handler was set: take the next pair.
                retiredReceivers.add(serviceId(receiverRef));
                context.ungetService(receiverRef);
                if (!RequestLedger.isRemoved(e)) {
                    ledger.note("setReceiver failed with " + RequestLedger.unwrap(e));
                }
                return null;
            }
            return new Session(this, opened) {
                @Override
                boolean round() throws Exception {
                    long n = seq.incrementAndGet();
                    ByteBuffer frame = ByteBuffer.allocate(FRAME);
                    frame.put(new byte[] {2, 0, 0, 0, 0x0b, 2}).put(new byte[] {2, 0, 0, 0, 0x0b, 1})
                            .putShort((short) 0x88B5).putLong(n);
                    while (frame.hasRemaining()) {
                        frame.put((byte) n);
                    }
                    frame.flip();
                    inFlight.put(n, opened);
                    long id = ledger.begin();
                    try {
                        call(send, sender, frame, REQUEST_TIMEOUT);
                        ledger.ok(id);
                    } catch (InvocationTargetException e) {
                        failed(id, e);
                    }
                    return finish();
                }

                @Override
                void close() {
                    retiredReceivers.add(serviceId(receiverRef));
                    context.ungetService(receiverRef);
                }
            };
        }

        private void arrived(ByteBuffer f) {
            int p = f.position();
            long n = f.remaining() == FRAME ? f.getLong(p + 14) : -1;
            boolean intact = n > 0 && f.getShort(p + 12) == (short) 0x88B5;
            for (int i = p + 22; intact && i < p + FRAME; i++) {
                intact = f.get(i) == (byte) n;
            }
            Long sessionOpened = intact ? inFlight.remove(n) : null;
            if (sessionOpened == null) {
                ledger.note("a frame arrived that was not sent, or arrived twice: " + f.remaining() + " bytes, number " + n);
            } else {
                servedBy.accumulateAndGet(sessionOpened, Math::max);
            }
        }
    }
}
