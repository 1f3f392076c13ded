package dev.vmsg.device.net.internal;

import dev.vmsg.bus.loopback.internal.LoopbackBus;
import dev.vmsg.device.net.NetworkPort;
import dev.vmsg.transport.internal.TransportCore;
import dev.vmsg.transport.internal.TransportLog;
import dev.vmsg.transport.internal.TransportOptions;
import dev.vmsg.wire.WireProfile;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Benchmark wiring for B10, the same as {@code NetEndToEndTest}: a {@link TransportCore} with a
 * {@link LoopbackBus}, two {@link NetBackend}s plugged into one {@link L2Switch}, and the
 * {@link NetDriver} publishing a {@link NetworkPort} for each, all in plain Java (no OSGi). It lives
 * in the bundle's internal package (on the benchmark's plain classpath) because the model's
 * settings are package-private; nothing in the bundle is changed for it.
 */
public final class NetBenchRig implements AutoCloseable {

    public static final long MAC_A = 0x0200_0000_0B01L;
    public static final long MAC_B = 0x0200_0000_0B02L;

    private final TransportCore core;
    private final NetBackend deviceA;
    private final NetBackend deviceB;
    private final NetworkPort a;
    private final NetworkPort b;

    public NetBenchRig() throws InterruptedException {
        BlockingQueue<NetworkPort> published = new LinkedBlockingQueue<>();
        LoopbackBus bus = LoopbackBus.create("benchnet", WireProfile.REV1, 264, 16 << 20, w -> { });
        core = new TransportCore(TransportOptions.DEFAULTS, TransportLog.SILENT);
        core.addBus("bus", bus);
        core.addDriver("driver", new NetDriver(port -> {
            published.add(port);
            return () -> { };
        }, new NetDriver.Limits(256, 256, 256, 1024)));
        L2Switch sw = new L2Switch("bench", 64);
        deviceA = new NetBackend(new NetSettings(MAC_A, 1500, 256, 4096), sw::attach);
        deviceB = new NetBackend(new NetSettings(MAC_B, 1500, 256, 4096), sw::attach);
        core.addBackend("a", deviceA, "benchnet", "net0", null);
        core.addBackend("b", deviceB, "benchnet", "net1", null);
        NetworkPort p1 = published.poll(10, TimeUnit.SECONDS);
        NetworkPort p2 = published.poll(10, TimeUnit.SECONDS);
        if (p1 == null || p2 == null) {
            core.close();
            throw new IllegalStateException("the net devices did not come up");
        }
        boolean firstIsA = p1.macAddress().equals(VirtioNet.macString(MAC_A));
        a = firstIsA ? p1 : p2;
        b = firstIsA ? p2 : p1;
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

    /** Messages carried so far on the bus, by side, direction and name (what {@code vmsg:traffic} shows). */
    public java.util.Map<String, Long> messages() {
        return core.buses().get(0).messages();
    }

    @Override
    public void close() {
        core.close();
    }
}
