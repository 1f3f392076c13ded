package dev.vmsg.device.net.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.vmsg.bus.loopback.internal.LoopbackBus;
import dev.vmsg.device.net.NetworkPort;
import dev.vmsg.transport.internal.TransportCore;
import dev.vmsg.transport.internal.TransportLog;
import dev.vmsg.transport.internal.TransportOptions;
import dev.vmsg.wire.WireProfile;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Frames that leave through the UDP tunnel, checked by a plain DatagramSocket outside the vmsg code, and back. */
class UdpTunnelTest {

    static final long MAC = 0x0200_0000_0077L;
    static final long PEER = 0x0200_0000_0088L;

    @Test
    void everyFrameIsOneDatagramByteIdenticalBothWays() throws Exception {
        InetAddress lo = InetAddress.getLoopbackAddress();
        try (DatagramSocket outside = new DatagramSocket(new InetSocketAddress(lo, 0))) {
            outside.setSoTimeout(10_000);
            LoopbackBus bus = LoopbackBus.create("udpbus", WireProfile.REV1, 264, 4 << 20, w -> { });
            TransportCore core = new TransportCore(TransportOptions.DEFAULTS, TransportLog.SILENT);
            UdpTunnel[] tunnel = new UdpTunnel[1];
            try {
                BlockingQueue<NetworkPort> published = new LinkedBlockingQueue<>();
                core.addBus("bus", bus);
                core.addDriver("driver", new NetDriver(p -> {
                    published.add(p);
                    return () -> { };
                }));
                NetBackend dev = new NetBackend(new NetSettings(MAC, 1500, 256, 256), r -> {
                    try {
                        tunnel[0] = UdpTunnel.open(new InetSocketAddress(lo, 0),
                                (InetSocketAddress) outside.getLocalSocketAddress(), r, VirtioNet.maxFrame(1500, true));
                        return tunnel[0];
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                });
                core.addBackend("net", dev, "udpbus", "net0", null);
                NetworkPort port = published.poll(10, TimeUnit.SECONDS);
                assertNotNull(port);
                // out: each frame one datagram, exactly the frame's bytes
                for (int size : new int[] {14, 60, 64, 1000, 1514}) {
                    byte[] frame = Frames.udp(PEER, MAC, 0x0A00_0001, 0x0A00_0002, 5000, 6000, new byte[Math.max(0, size - 42)]);
                    frame = size < 42 ? Arrays.copyOf(Frames.sized(PEER, MAC, size, 1), size) : frame;
                    port.send(ByteBuffer.wrap(frame), Duration.ofSeconds(10));
                    DatagramPacket p = new DatagramPacket(new byte[2048], 2048);
                    outside.receive(p);
                    assertArrayEquals(frame, Arrays.copyOf(p.getData(), p.getLength()), size + "-byte frame");
                    assertEquals(tunnel[0].localAddress().getPort(), p.getPort(), "sent from the bound local port");
                }
                // in: a datagram is one frame for the driver; a runt and an oversized one are dropped and counted
                BlockingQueue<byte[]> in = new LinkedBlockingQueue<>();
                port.setReceiver(f -> {
                    byte[] c = new byte[f.remaining()];
                    f.get(c);
                    in.add(c);
                });
                InetSocketAddress to = tunnel[0].localAddress();
                outside.send(new DatagramPacket(new byte[10], 10, to));
                outside.send(new DatagramPacket(new byte[1600], 1600, to));
                byte[] frame = Frames.udp(MAC, PEER, 0x0A00_0002, 0x0A00_0001, 6000, 5000, "hello".getBytes());
                outside.send(new DatagramPacket(frame, frame.length, to));
                assertArrayEquals(frame, in.poll(10, TimeUnit.SECONDS));
                assertEquals(2, tunnel[0].receivedDropped.get());
                assertEquals(1, tunnel[0].received.get());
                assertEquals(5, tunnel[0].sent.get());
                assertEquals("udp:" + to.getHostString() + ":" + to.getPort() + "->" + lo.getHostAddress() + ":"
                        + outside.getLocalPort(), tunnel[0].describe());
            } finally {
                core.close();
            }
            // the tunnel closed with its device: its thread is gone and its port is free
            if (tunnel[0] != null) {
                tunnel[0].close();
                try (DatagramSocket again = new DatagramSocket(tunnel[0].localAddress())) {
                    assertEquals(tunnel[0].localAddress().getPort(), again.getLocalPort());
                }
            }
        }
    }

    @Test
    void backendSpecsParseOrSayWhatIsWrong() {
        assertEquals("sw0", NetBackendSpec.parse("switch:sw0").switchName());
        NetBackendSpec udp = NetBackendSpec.parse("udp:127.0.0.1:5000:127.0.0.1:5001");
        assertEquals(5000, udp.local().getPort());
        assertEquals(5001, udp.remote().getPort());
        assertThrows(IllegalArgumentException.class, () -> NetBackendSpec.parse("udp:127.0.0.1:5000"));
        assertThrows(IllegalArgumentException.class, () -> NetBackendSpec.parse("udp:127.0.0.1:x:127.0.0.1:1"));
        assertThrows(IllegalArgumentException.class, () -> NetBackendSpec.parse("switch:"));
        assertThrows(IllegalArgumentException.class, () -> NetBackendSpec.parse("tap:tap0"));
        assertEquals(0x0200_0000_0001L, VirtioNet.parseMac("02:00:00:00:00:01"));
        assertThrows(IllegalArgumentException.class, () -> VirtioNet.parseMac("01:00:5e:00:00:01"));
        assertThrows(IllegalArgumentException.class, () -> VirtioNet.parseMac("02:00:00:00:01"));
        long derived = NetDeviceComponent.derivedMac("loopback0", "net0");
        assertEquals(derived, NetDeviceComponent.derivedMac("loopback0", "net0"), "stable");
        assertEquals(0x02, (derived >>> 40) & 0x03, "locally administered, unicast");
    }
}
