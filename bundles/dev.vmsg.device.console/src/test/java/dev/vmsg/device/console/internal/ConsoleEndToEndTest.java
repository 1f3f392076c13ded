package dev.vmsg.device.console.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vmsg.device.console.ConsolePort;
import dev.vmsg.device.console.ConsolePortListener;
import dev.vmsg.driver.VirtioDeviceException;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** virtio-console device model and driver, end to end through the transport over a loopback bus. */
class ConsoleEndToEndTest {

    private ConsoleRig rig;
    private final EndpointPortHost console = new EndpointPortHost();
    private final EndpointPortHost log = new EndpointPortHost();
    private final EndpointPortHost app = new EndpointPortHost();

    private Map<String, ConsolePort> start(int pipeCapacity) throws InterruptedException {
        rig = new ConsoleRig(List.of(new ConsoleBackend.PortDefinition("console", console),
                new ConsoleBackend.PortDefinition("log", log), new ConsoleBackend.PortDefinition("app", app)),
                pipeCapacity);
        return rig.awaitPorts(3);
    }

    @AfterEach
    void tearDown() {
        if (rig != null) {
            rig.close();
        }
    }

    private static PortEndpoint endpoint(EndpointPortHost h, String name) {
        return new PortEndpoint("conbus", "console0", -1, name, h.pipes(), () -> true);
    }

    private static String readString(ConsolePort p, int n) {
        ByteBuffer b = ByteBuffer.allocate(n);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (b.hasRemaining() && System.nanoTime() < deadline) {
            p.read(b, Duration.ofMillis(200));
        }
        return new String(b.array(), 0, b.position(), StandardCharsets.UTF_8);
    }

    private static String readString(PortEndpoint e, int n) {
        ByteBuffer b = ByteBuffer.allocate(n);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (b.hasRemaining() && System.nanoTime() < deadline) {
            e.read(b, Duration.ofMillis(200));
        }
        return new String(b.array(), 0, b.position(), StandardCharsets.UTF_8);
    }

    @Test
    void multiportPublishesEveryPortWithItsNameAndTheConsoleFlag() throws Exception {
        Map<String, ConsolePort> ports = start(4096);
        assertEquals(3, ports.size(), ports.keySet().toString());
        assertTrue(ports.get("console").isConsole(), "port 0 is the console port");
        assertFalse(ports.get("log").isConsole());
        assertEquals(0, ports.get("console").id());
        assertEquals(1, ports.get("log").id());
        assertEquals(2, ports.get("app").id());
        assertEquals(80, ports.get("app").columns(), "VIRTIO_CONSOLE_F_SIZE cols");
        assertEquals(25, ports.get("app").rows());
        // PORT_OPEN for the host side may follow the port's publication: wait for it, bounded.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!ports.get("app").isHostConnected() && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertTrue(ports.get("app").isHostConnected(), "PORT_OPEN 1 for a connected host side");
        while (!rig.backend.status().stream().allMatch(ConsoleBackend.PortStatus::driverOpen)
                && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertTrue(rig.backend.status().stream().allMatch(ConsoleBackend.PortStatus::driverOpen),
                "the driver sent PORT_OPEN 1 for every port: " + rig.backend.status());
    }

    @Test
    void bytesFlowBothWaysAndPortsDoNotMix() throws Exception {
        Map<String, ConsolePort> ports = start(4096);
        for (String name : List.of("console", "log", "app")) {
            ports.get(name).write(ByteBuffer.wrap(("to " + name + "\n").getBytes(StandardCharsets.UTF_8)),
                    Duration.ofSeconds(5));
        }
        assertEquals("to console\n", readString(endpoint(console, "console"), 11));
        assertEquals("to log\n", readString(endpoint(log, "log"), 7));
        assertEquals("to app\n", readString(endpoint(app, "app"), 7));
        endpoint(app, "app").write(ByteBuffer.wrap("from app\n".getBytes(StandardCharsets.UTF_8)), Duration.ofSeconds(5));
        endpoint(log, "log").write(ByteBuffer.wrap("from log\n".getBytes(StandardCharsets.UTF_8)), Duration.ofSeconds(5));
        assertEquals("from app\n", readString(ports.get("app"), 9));
        assertEquals("from log\n", readString(ports.get("log"), 9));
        assertEquals(0, ports.get("console").read(ByteBuffer.allocate(8), Duration.ofMillis(100)),
                "nothing was sent to the console port");
    }

    /** A host side that writes far more than every buffer holds, into a driver-side reader that dawdles. */
    @Test
    void slowDriverReaderLosesNothingAndTheHostSideWaits() throws Exception {
        Map<String, ConsolePort> ports = start(8192);
        byte[] data = new byte[1 << 20];
        new SplittableRandom(7).nextBytes(data);
        PortEndpoint host = endpoint(app, "app");
        AtomicLong sent = new AtomicLong();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread writer = new Thread(() -> {
            try {
                for (int off = 0; off < data.length; off += 1000) {
                    int n = Math.min(1000, data.length - off);
                    ByteBuffer b = ByteBuffer.wrap(data, off, n);
                    while (b.hasRemaining()) {
                        host.write(b, Duration.ofSeconds(30));
                    }
                    sent.addAndGet(n);
                }
            } catch (Throwable t) {
                failure.set(t);
            }
        }, "test-host-writer");
        writer.start();
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        ByteBuffer b = ByteBuffer.allocate(3000);
        long maxInFlight = 0;
        // pipe (8 KiB) + driver receive buffer (64 KiB) + receive slots (4 x 2 KiB) + one 1000-byte write
        long bound = 8192 + ConsoleDriver.RECEIVED_CAPACITY + ConsoleDriver.RX_SLOTS * ConsoleDriver.SLOT_SIZE + 1000;
        int rounds = 0;
        while (got.size() < data.length) {
            b.clear();
            int n = ports.get("app").read(b, Duration.ofSeconds(10));
            assertTrue(n > 0, "no bytes for 10 s after " + got.size());
            got.write(b.array(), 0, n);
            maxInFlight = Math.max(maxInFlight, sent.get() - got.size());
            if (++rounds % 50 == 0) {
                Thread.sleep(5); // the slow reader
            }
        }
        writer.join(10_000);
        assertEquals(null, failure.get());
        assertArrayEquals(data, got.toByteArray(), "every byte arrived, in order");
        assertTrue(maxInFlight <= bound, "bytes between the two ends stayed bounded: " + maxInFlight + " > " + bound);
        assertTrue(app.pipes().toDriver.counters()[2] > 0, "the host side had to wait for room (back-pressure)");
    }

    /** The driver writes far more than every buffer holds to a host side that dawdles. */
    @Test
    void slowHostReaderLosesNothingAndTheDriverWriterWaits() throws Exception {
        Map<String, ConsolePort> ports = start(8192);
        byte[] data = new byte[1 << 20];
        new SplittableRandom(11).nextBytes(data);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread writer = new Thread(() -> {
            try (OutputStream out = ports.get("log").outputStream(Duration.ofSeconds(30))) {
                for (int off = 0; off < data.length; off += 5000) {
                    out.write(data, off, Math.min(5000, data.length - off));
                }
            } catch (Throwable t) {
                failure.set(t);
            }
        }, "test-driver-writer");
        writer.start();
        PortEndpoint host = endpoint(log, "log");
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        ByteBuffer b = ByteBuffer.allocate(1500);
        int rounds = 0;
        while (got.size() < data.length) {
            b.clear();
            int n = host.read(b, Duration.ofSeconds(10));
            assertTrue(n > 0, "no bytes for 10 s after " + got.size());
            got.write(b.array(), 0, n);
            assertTrue(log.pipes().fromDriver.available() <= 8192, "the pipe stays within its capacity");
            if (++rounds % 50 == 0) {
                Thread.sleep(5);
            }
        }
        writer.join(10_000);
        assertEquals(null, failure.get());
        assertArrayEquals(data, got.toByteArray(), "every byte arrived, in order");
        assertTrue(rig.backend.transmitStalls() > 0, "the device stopped taking transmit chains while the pipe was full");
    }

    @Test
    void removalEndsWaitingWritersAndReadersOnce() throws Exception {
        Map<String, ConsolePort> ports = start(4096);
        ConsolePort p = ports.get("app");
        BlockingQueue<String> events = new LinkedBlockingQueue<>();
        p.addListener(new ConsolePortListener() {
            @Override
            public void removed(ConsolePort port, String reason) {
                events.add("removed");
            }
        });
        // Nobody reads the host side: the pipe, then every transmit slot, fill up.
        AtomicReference<Throwable> writerEnd = new AtomicReference<>();
        Thread writer = new Thread(() -> {
            try {
                while (true) {
                    p.write(ByteBuffer.allocate(4096), Duration.ofSeconds(30));
                }
            } catch (Throwable t) {
                writerEnd.set(t);
            }
        }, "test-blocked-writer");
        writer.start();
        InputStream in = p.inputStream();
        AtomicReference<Integer> readerEnd = new AtomicReference<>();
        Thread reader = new Thread(() -> {
            try {
                readerEnd.set(in.read());
            } catch (Exception e) {
                readerEnd.set(-2);
            }
        }, "test-blocked-reader");
        reader.start();
        Thread.sleep(300);
        assertTrue(writer.isAlive(), "the writer waits for the slow host side");
        rig.core.removeBackend("console");
        writer.join(5000);
        reader.join(5000);
        assertFalse(writer.isAlive());
        assertFalse(reader.isAlive());
        assertTrue(writerEnd.get() instanceof VirtioDeviceException, String.valueOf(writerEnd.get()));
        assertEquals(VirtioDeviceException.Reason.REMOVED, ((VirtioDeviceException) writerEnd.get()).reason());
        assertEquals(-1, readerEnd.get(), "end of stream for the reader");
        assertEquals("removed", events.poll(5, TimeUnit.SECONDS));
        assertEquals(null, events.poll(200, TimeUnit.MILLISECONDS), "removed exactly once");
        int withdrawn = 0;
        while (rig.withdrawn.poll(1, TimeUnit.SECONDS) != null) {
            withdrawn++;
        }
        assertEquals(3, withdrawn, "every ConsolePort withdrawn once");
        assertEquals(-1, p.read(ByteBuffer.allocate(4), Duration.ofMillis(100)));
    }

    @Test
    void tcpClientConnectAndDisconnectReachTheDriverAsPortOpen() throws Exception {
        TcpPortHost tcp = new TcpPortHost("test tcp", "vmsg-test-tcp", 0, ConsoleLog.SILENT);
        rig = new ConsoleRig(List.of(new ConsoleBackend.PortDefinition("console", tcp)), 4096);
        ConsolePort p = rig.awaitPorts(1).get("console");
        assertFalse(p.isHostConnected(), "no client yet");
        BlockingQueue<String> events = new LinkedBlockingQueue<>();
        p.addListener(new ConsolePortListener() {
            @Override
            public void hostConnected(ConsolePort port) {
                events.add("connected");
            }

            @Override
            public void hostDisconnected(ConsolePort port) {
                events.add("disconnected");
            }
        });
        p.write(ByteBuffer.wrap("early\n".getBytes(StandardCharsets.UTF_8)), Duration.ofSeconds(2));
        try (Socket s = new Socket("127.0.0.1", tcp.port())) {
            assertEquals("connected", events.poll(5, TimeUnit.SECONDS));
            byte[] early = s.getInputStream().readNBytes(6);
            assertEquals("early\n", new String(early, StandardCharsets.UTF_8),
                    "bytes written while no client was there wait for the next one");
            s.getOutputStream().write("hi\n".getBytes(StandardCharsets.UTF_8));
            assertEquals("hi\n", readString(p, 3));
        }
        assertEquals("disconnected", events.poll(5, TimeUnit.SECONDS));
        assertFalse(p.isHostConnected());
    }

    @Test
    void endpointDataWaitsUntilTheDriverOpensThePortThenArrives() throws Exception {
        Map<String, ConsolePort> ports = start(4096);
        assertNotNull(ports.get("app"));
        // Everything written by the host side ends up at the driver, including what came before any read.
        endpoint(app, "app").write(ByteBuffer.wrap("a".repeat(3000).getBytes(StandardCharsets.UTF_8)),
                Duration.ofSeconds(5));
        assertEquals("a".repeat(3000), readString(ports.get("app"), 3000));
    }
}
