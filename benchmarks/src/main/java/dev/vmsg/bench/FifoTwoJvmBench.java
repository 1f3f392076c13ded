package dev.vmsg.bench;

import dev.vmsg.bus.BusEndpoint;
import dev.vmsg.bus.FrameReceiver;
import dev.vmsg.bus.fifo.internal.FifoBus;
import dev.vmsg.bus.fifo.internal.FifoBusOptions;
import dev.vmsg.bus.fifo.internal.NotificationMode;
import dev.vmsg.wire.WireProfile;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.OneToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;

/**
 * B3, B4 and B5 between two JVMs (JMH cannot fork the peer): this process is the driver side and
 * spawns the peer JVM (this class with a peer role) for every measurement, interleaving vmsg and
 * its anchor in every round:
 *
 * <ul>
 * <li>B3: 40-byte request/response over the FIFO bus, both sides busy-polling, caller-polled
 *     delivery on the driver side, vs two Agrona {@link OneToOneRingBuffer}s over a mapped file;</li>
 * <li>B4: the same over the FIFO bus with doorbell waits on both sides (the caller parks until its
 *     delivery thread hands the reply over) vs a blocking UNIX-socket one-byte ping-pong (the
 *     eventfd-style anchor available to Java);</li>
 * <li>B5: 16-byte one-way events, as fast as the sender can, over the FIFO bus vs Agrona one-to-one.</li>
 * </ul>
 *
 * Usage: {@code java <flags> -cp benchmarks.jar dev.vmsg.bench.FifoTwoJvmBench [rounds] [roundTrips] [events]}.
 */
public final class FifoTwoJvmBench {

    private static final int RT_SIZE = 40;
    private static final int EVENT_SIZE = 16;
    private static final int AGRONA_CAPACITY = 64 * 1024;
    private static final int AGRONA_RING = AGRONA_CAPACITY + RingBufferDescriptor.TRAILER_LENGTH;

    private FifoTwoJvmBench() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].startsWith("peer-")) {
            peer(args[0], Path.of(args[1]));
            return;
        }
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        int roundTrips = args.length > 1 ? Integer.parseInt(args[1]) : 200_000;
        int events = args.length > 2 ? Integer.parseInt(args[2]) : 5_000_000;
        probe("before");
        List<double[]> b3 = new ArrayList<>();
        List<double[]> b3a = new ArrayList<>();
        List<double[]> b4 = new ArrayList<>();
        List<double[]> b4a = new ArrayList<>();
        List<Double> b5 = new ArrayList<>();
        List<Double> b5a = new ArrayList<>();
        for (int r = 0; r < rounds; r++) {
            b3.add(fifoRoundTrips(NotificationMode.BUSY_POLL, roundTrips));
            b3a.add(agronaRoundTrips(roundTrips));
            b4.add(fifoRoundTrips(NotificationMode.DOORBELL, Math.max(1000, roundTrips / 50)));
            b4a.add(socketRoundTrips(Math.max(1000, roundTrips / 50)));
            b5.add(fifoEvents(events));
            b5a.add(agronaEvents(events));
            System.out.printf(Locale.ROOT, "round %d: B3 fifo p50 %.0f ns, agrona p50 %.0f ns; B4 fifo p50 %.0f ns,"
                    + " socket p50 %.0f ns; B5 fifo %.1f Mmsg/s, agrona %.1f Mmsg/s%n", r, b3.get(r)[0], b3a.get(r)[0],
                    b4.get(r)[0], b4a.get(r)[0], b5.get(r), b5a.get(r));
        }
        probe("after");
        report("B3 RT busy-poll (ns)", b3, "Agrona mapped file", b3a, true);
        report("B4 RT blocking (ns)", b4, "UNIX socket ping-pong", b4a, true);
        double m5 = median(b5.stream().mapToDouble(Double::doubleValue).toArray());
        double m5a = median(b5a.stream().mapToDouble(Double::doubleValue).toArray());
        System.out.printf(Locale.ROOT, "B5 one-way 16 B: fifo median %.2f Mmsg/s, Agrona %.2f Mmsg/s, ratio %.2f"
                + " (gate >= 0.5)%n", m5, m5a, m5 / m5a);
    }

    /** Runs the placement probe in its own JVM (it exits with 3 when the regime is "far"). */
    private static void probe(String label) throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), PlacementProbe.class.getName(), label)
                .inheritIO().start().waitFor();
    }

    /** Prints medians over rounds of p50/p99/p99.9/max and the ratio of the p50 medians. */
    private static void report(String what, List<double[]> vmsg, String anchorName, List<double[]> anchor,
            boolean lowerIsBetter) {
        String[] names = {"p50", "p99", "p99.9", "max"};
        StringBuilder sb = new StringBuilder(what).append(": ");
        for (int i = 0; i < names.length; i++) {
            int k = i;
            double v = median(vmsg.stream().mapToDouble(a -> a[k]).toArray());
            double a = median(anchor.stream().mapToDouble(x -> x[k]).toArray());
            sb.append(String.format(Locale.ROOT, "%s %.0f vs %.0f; ", names[i], v, a));
        }
        double ratio = median(vmsg.stream().mapToDouble(a -> a[0]).toArray())
                / median(anchor.stream().mapToDouble(a -> a[0]).toArray());
        sb.append(String.format(Locale.ROOT, "ratio p50 %.2f (vs %s)", ratio, anchorName));
        System.out.println(sb);
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }

    private static double[] percentiles(long[] samples) {
        long[] s = samples.clone();
        Arrays.sort(s);
        return new double[] {s[s.length / 2], s[(int) (s.length * 0.99)], s[(int) (s.length * 0.999)], s[s.length - 1]};
    }

    private static Process spawn(String role, Path dir) throws IOException {
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> cmd = new ArrayList<>(List.of(java, "-Xms256m", "-Xmx256m", "-XX:+AlwaysPreTouch",
                "--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                FifoTwoJvmBench.class.getName(), role, dir.toString()));
        return new ProcessBuilder(cmd).inheritIO().start();
    }

    private static void stop(Process p) throws InterruptedException {
        p.destroy();
        if (!p.waitFor(10, TimeUnit.SECONDS)) {
            p.destroyForcibly();
        }
    }

    static ByteBuffer frame(int size) {
        ByteBuffer f = ByteBuffer.allocateDirect(size).order(ByteOrder.LITTLE_ENDIAN);
        f.put(0, (byte) 0).put(1, (byte) 0x41).putShort(6, (short) size);
        return f;
    }

    static FifoBusOptions fifoOptions(Path dir, FifoBusOptions.Role role, NotificationMode mode) {
        return new FifoBusOptions("bench", role, dir.resolve("q"), dir.resolve("w"), FifoBusOptions.DEFAULT_WINDOW_BASE,
                1 << 20, 64, 1024, mode, 100, 5000, 5000, WireProfile.REV1);
    }

    // ---- FIFO bus ----

    /** Counts replies; the polled or parked caller waits on it. */
    private static final class Replies implements FrameReceiver {
        volatile long count;
        volatile Thread waiter;

        @Override
        public void onFrame(ByteBuffer frame) {
            count++;
            Thread w = waiter;
            if (w != null) {
                LockSupport.unpark(w);
            }
        }
    }

    private static double[] fifoRoundTrips(NotificationMode mode, int n) throws Exception {
        Path dir = Files.createTempDirectory(Path.of("/dev/shm"), "vmsg-bench");
        try (FifoBus bus = new FifoBus(fifoOptions(dir, FifoBusOptions.Role.DRIVER, mode), w -> { })) {
            Process peer = spawn(mode == NotificationMode.BUSY_POLL ? "peer-fifo-echo-poll" : "peer-fifo-echo-bell", dir);
            try {
                BusEndpoint ep = bus.driverEndpoint().orElseThrow();
                Replies replies = new Replies();
                boolean polled = mode == NotificationMode.BUSY_POLL;
                if (polled) {
                    ep.openPolled(replies);
                } else {
                    replies.waiter = Thread.currentThread();
                    ep.open(replies);
                }
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                while (!bus.linkUp()) {
                    if (System.nanoTime() > deadline) {
                        throw new IllegalStateException("FIFO peer did not come up within 60 s");
                    }
                    Thread.sleep(10);
                }
                ByteBuffer f = frame(RT_SIZE);
                long[] samples = new long[n];
                for (int i = -n / 4; i < n; i++) {
                    long expect = replies.count + 1;
                    long t0 = System.nanoTime();
                    ep.send(f);
                    while (replies.count < expect) {
                        if (polled) {
                            ep.poll(1);
                        } else {
                            LockSupport.parkNanos(1_000_000);
                        }
                    }
                    if (i >= 0) {
                        samples[i] = System.nanoTime() - t0;
                    }
                }
                return percentiles(samples);
            } finally {
                stop(peer);
            }
        } finally {
            deleteTree(dir);
        }
    }

    private static double fifoEvents(int n) throws Exception {
        Path dir = Files.createTempDirectory(Path.of("/dev/shm"), "vmsg-bench");
        try (FifoBus bus = new FifoBus(fifoOptions(dir, FifoBusOptions.Role.DRIVER, NotificationMode.BUSY_POLL), w -> { })) {
            Process peer = spawn("peer-fifo-sink", dir);
            try {
                BusEndpoint ep = bus.driverEndpoint().orElseThrow();
                Replies done = new Replies();
                ep.openPolled(done);
                while (!bus.linkUp()) {
                    Thread.sleep(10);
                }
                ByteBuffer f = frame(EVENT_SIZE);
                ByteBuffer end = frame(EVENT_SIZE);
                end.put(1, (byte) 0x42);
                for (int i = 0; i < n / 10; i++) { // warm-up
                    ep.send(f);
                }
                long t0 = System.nanoTime();
                for (int i = 0; i < n; i++) {
                    ep.send(f);
                }
                ep.send(end);
                while (done.count == 0) {
                    ep.poll(1);
                }
                return n / ((System.nanoTime() - t0) / 1e3);
            } finally {
                stop(peer);
            }
        } finally {
            deleteTree(dir);
        }
    }

    // ---- Agrona over a mapped file ----

    private static MappedByteBuffer mapAgrona(Path dir) throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(dir.resolve("agrona").toFile(), "rw")) {
            f.setLength(2L * AGRONA_RING);
            return f.getChannel().map(FileChannel.MapMode.READ_WRITE, 0, 2L * AGRONA_RING);
        }
    }

    private static OneToOneRingBuffer ring(MappedByteBuffer m, int index) {
        return new OneToOneRingBuffer(new UnsafeBuffer(m, index * AGRONA_RING, AGRONA_RING));
    }

    private static double[] agronaRoundTrips(int n) throws Exception {
        Path dir = Files.createTempDirectory(Path.of("/dev/shm"), "vmsg-bench");
        MappedByteBuffer m = mapAgrona(dir);
        OneToOneRingBuffer requests = ring(m, 0);
        OneToOneRingBuffer replies = ring(m, 1);
        Process peer = spawn("peer-agrona-echo", dir);
        try {
            UnsafeBuffer msg = new UnsafeBuffer(ByteBuffer.allocateDirect(RT_SIZE));
            long[] got = new long[1];
            org.agrona.concurrent.MessageHandler handler = (type, buffer, index, length) -> got[0]++;
            long[] samples = new long[n];
            for (int i = -n / 4; i < n; i++) {
                long expect = got[0] + 1;
                long t0 = System.nanoTime();
                while (!requests.write(1, msg, 0, RT_SIZE)) {
                    Thread.onSpinWait();
                }
                while (got[0] < expect) {
                    if (replies.read(handler, 1) == 0) {
                        Thread.onSpinWait();
                    }
                }
                if (i >= 0) {
                    samples[i] = System.nanoTime() - t0;
                }
            }
            return percentiles(samples);
        } finally {
            stop(peer);
            deleteTree(dir);
        }
    }

    private static double agronaEvents(int n) throws Exception {
        Path dir = Files.createTempDirectory(Path.of("/dev/shm"), "vmsg-bench");
        MappedByteBuffer m = mapAgrona(dir);
        OneToOneRingBuffer events = ring(m, 0);
        OneToOneRingBuffer done = ring(m, 1);
        Process peer = spawn("peer-agrona-sink", dir);
        try {
            UnsafeBuffer msg = new UnsafeBuffer(ByteBuffer.allocateDirect(EVENT_SIZE));
            long[] got = new long[1];
            org.agrona.concurrent.MessageHandler handler = (type, buffer, index, length) -> got[0]++;
            for (int i = 0; i < n / 10; i++) {
                while (!events.write(1, msg, 0, EVENT_SIZE)) {
                    Thread.onSpinWait();
                }
            }
            long t0 = System.nanoTime();
            for (int i = 0; i < n; i++) {
                while (!events.write(1, msg, 0, EVENT_SIZE)) {
                    Thread.onSpinWait();
                }
            }
            while (!events.write(2, msg, 0, EVENT_SIZE)) {
                Thread.onSpinWait();
            }
            while (got[0] == 0) {
                if (done.read(handler, 1) == 0) {
                    Thread.onSpinWait();
                }
            }
            return n / ((System.nanoTime() - t0) / 1e3);
        } finally {
            stop(peer);
            deleteTree(dir);
        }
    }

    // ---- blocking socket ping-pong (B4 anchor) ----

    private static double[] socketRoundTrips(int n) throws Exception {
        Path dir = Files.createTempDirectory(Path.of("/dev/shm"), "vmsg-bench");
        Process peer = spawn("peer-socket-echo", dir);
        Path sock = dir.resolve("s");
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!Files.exists(sock)) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("socket peer did not come up");
                }
                Thread.sleep(10);
            }
            try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
                ch.connect(UnixDomainSocketAddress.of(sock));
                ByteBuffer b = ByteBuffer.allocateDirect(1);
                long[] samples = new long[n];
                for (int i = -n / 4; i < n; i++) {
                    long t0 = System.nanoTime();
                    b.clear();
                    ch.write(b);
                    b.clear();
                    ch.read(b);
                    if (i >= 0) {
                        samples[i] = System.nanoTime() - t0;
                    }
                }
                return percentiles(samples);
            }
        } finally {
            stop(peer);
            deleteTree(dir);
        }
    }

    // ---- peers ----

    private static void peer(String role, Path dir) throws Exception {
        switch (role) {
            case "peer-fifo-echo-poll", "peer-fifo-echo-bell", "peer-fifo-sink" -> fifoPeer(role, dir);
            case "peer-agrona-echo", "peer-agrona-sink" -> agronaPeer(role, dir);
            case "peer-socket-echo" -> socketPeer(dir);
            default -> throw new IllegalArgumentException(role);
        }
    }

    private static void fifoPeer(String role, Path dir) throws Exception {
        NotificationMode mode = role.endsWith("bell") ? NotificationMode.DOORBELL : NotificationMode.BUSY_POLL;
        FifoBus bus = new FifoBus(fifoOptions(dir, FifoBusOptions.Role.DEVICE, mode), w -> { });
        BusEndpoint ep = bus.deviceEndpoint().orElseThrow();
        boolean sink = role.endsWith("sink");
        ByteBuffer reply = frame(RT_SIZE);
        FrameReceiver receiver = frame -> {
            if (!sink || frame.get(frame.position() + 1) == 0x42) {
                ep.send(sink ? reply.duplicate().limit(EVENT_SIZE) : frame);
            }
        };
        if (mode == NotificationMode.BUSY_POLL) {
            ep.openPolled(receiver);
            while (true) {
                if (ep.poll(64) == 0) {
                    Thread.onSpinWait();
                }
            }
        }
        ep.open(receiver);
        Thread.sleep(Long.MAX_VALUE);
    }

    private static void agronaPeer(String role, Path dir) throws Exception {
        MappedByteBuffer m;
        try (RandomAccessFile f = new RandomAccessFile(dir.resolve("agrona").toFile(), "rw")) {
            m = f.getChannel().map(FileChannel.MapMode.READ_WRITE, 0, 2L * AGRONA_RING);
        }
        OneToOneRingBuffer in = ring(m, 0);
        OneToOneRingBuffer out = ring(m, 1);
        boolean sink = role.endsWith("sink");
        UnsafeBuffer reply = new UnsafeBuffer(ByteBuffer.allocateDirect(RT_SIZE));
        org.agrona.concurrent.MessageHandler handler = (type, buffer, index, length) -> {
            if (!sink || type == 2) {
                while (!out.write(1, sink ? reply : buffer, sink ? 0 : index, sink ? EVENT_SIZE : length)) {
                    Thread.onSpinWait();
                }
            }
        };
        while (true) {
            if (in.read(handler, 64) == 0) {
                Thread.onSpinWait();
            }
        }
    }

    private static void socketPeer(Path dir) throws Exception {
        Path sock = dir.resolve("s");
        Path tmp = dir.resolve("s.tmp");
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(tmp));
            Files.move(tmp, sock); // appears only once bound
            try (SocketChannel ch = server.accept()) {
                ByteBuffer b = ByteBuffer.allocateDirect(1);
                while (true) {
                    b.clear();
                    if (ch.read(b) < 0) {
                        return;
                    }
                    b.flip();
                    ch.write(b);
                }
            }
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        try (var s = Files.walk(dir)) {
            for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
