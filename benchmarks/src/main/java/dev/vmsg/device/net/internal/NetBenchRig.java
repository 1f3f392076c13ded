package dev.vmsg.device.net.internal;

import dev.vmsg.bench.BenchTransport;
import dev.vmsg.device.net.NetworkPort;
import java.io.IOException;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Benchmark wiring for B10, the same as {@code NetEndToEndTest}: two {@link NetBackend}s plugged into
 * one {@link L2Switch} and the {@link NetDriver} publishing a {@link NetworkPort} for each, through a
 * {@link BenchTransport} (loopback, or the FIFO bus), all in plain Java (no OSGi). It lives in the
 * bundle's internal package (on the benchmark's plain classpath) because the model's settings are
 * package-private; nothing in the bundle is changed for it.
 */
public final class NetBenchRig implements AutoCloseable {

    public static final long MAC_A = 0x0200_0000_0B01L;
    public static final long MAC_B = 0x0200_0000_0B02L;

    private final BenchTransport transport;
    private final NetBackend deviceA;
    private final NetBackend deviceB;
    private final NetworkPort a;
    private final NetworkPort b;

    /** Two devices over the loopback bus. */
    public NetBenchRig() throws InterruptedException, IOException {
        this("loopback");
    }

    /** Two devices served and driven through {@code busType} ({@link BenchTransport}: loopback or fifo). */
    public NetBenchRig(String busType) throws InterruptedException, IOException {
        BlockingQueue<NetworkPort> published = new LinkedBlockingQueue<>();
        transport = new BenchTransport(busType, 16 << 20);
        try {
            transport.driverCore().addDriver("driver", new NetDriver(port -> {
                published.add(port);
                return () -> { };
            }, new NetDriver.Limits(256, 256, 256, 1024)));
            L2Switch sw = new L2Switch("bench", 64);
            deviceA = new NetBackend(new NetSettings(MAC_A, 1500, 256, 4096), sw::attach);
            deviceB = new NetBackend(new NetSettings(MAC_B, 1500, 256, 4096), sw::attach);
            transport.deviceCore().addBackend("a", deviceA, BenchTransport.BUS, "net0", null);
            transport.deviceCore().addBackend("b", deviceB, BenchTransport.BUS, "net1", null);
            NetworkPort p1 = published.poll(10, TimeUnit.SECONDS);
            NetworkPort p2 = published.poll(10, TimeUnit.SECONDS);
            if (p1 == null || p2 == null) {
                throw new IllegalStateException("the net devices did not come up over " + busType);
            }
            boolean firstIsA = p1.macAddress().equals(VirtioNet.macString(MAC_A));
            a = firstIsA ? p1 : p2;
            b = firstIsA ? p2 : p1;
        } catch (InterruptedException | RuntimeException e) {
            transport.close();
            throw e;
        }
    }

    public NetworkPort a() {
        return a;
    }

    public NetworkPort b() {
        return b;
    }

    /** Frames the devices dropped on the way (backlog full, link, short buffers): 0 in a fair run. */
    public long deviceDrops() {
        long n = 0;
        for (NetBackend d : new NetBackend[] {deviceA, deviceB}) {
            n += d.stat(NetStat.RX_BACKLOG_FULL) + d.stat(NetStat.RX_SHORT_BUFFER) + d.stat(NetStat.RX_LINK_DOWN)
                    + d.stat(NetStat.TX_OVERSIZE) + d.stat(NetStat.TX_BAD_HEADER);
        }
        return n;
    }

    /**
     * Spins until {@code received} reaches {@code target}. Ten seconds without a frame arriving end
     * the wait with an exception naming the device drops and the bus messages, so a frame lost on
     * the way fails the run with its evidence instead of hanging it.
     */
    public void awaitReceived(java.util.function.LongSupplier received, long target) {
        long seen = received.getAsLong();
        long lastProgress = System.nanoTime();
        while (seen < target) {
            Thread.onSpinWait();
            long now = received.getAsLong();
            if (now != seen) {
                seen = now;
                lastProgress = System.nanoTime();
            } else if (System.nanoTime() - lastProgress > 10_000_000_000L) {
                throw new IllegalStateException("no frame arrived for 10 s: " + (target - seen)
                        + " frames short, device drops " + deviceDrops() + ", bus messages " + messages());
            }
        }
    }

    /** Messages carried so far on the bus, by side, direction and name (what {@code vmsg:traffic} shows). */
    public java.util.Map<String, Long> messages() {
        return transport.messages();
    }

    @Override
    public void close() {
        transport.close();
    }
}
