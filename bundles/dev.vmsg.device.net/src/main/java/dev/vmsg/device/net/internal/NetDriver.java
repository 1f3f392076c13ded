package dev.vmsg.device.net.internal;

import dev.vmsg.device.net.NetworkPort;
import dev.vmsg.driver.DriverInstance;
import dev.vmsg.driver.VirtioDevice;
import dev.vmsg.driver.VirtioDeviceException;
import dev.vmsg.driver.VirtioDriver;
import dev.vmsg.memory.DmaAllocator;
import dev.vmsg.memory.DmaRegion;
import dev.vmsg.wire.DeviceIds;
import dev.vmsg.wire.FeatureSet;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The virtio-net driver: reads and checks the config (MAC, link status, MTU), opens the receive
 * and transmit queues, lends them buffers in the bus window and publishes a {@link NetworkPort}
 * once the device runs. Link changes arrive as config changes.
 */
public final class NetDriver implements VirtioDriver {

    /** Publishes and withdraws the ports of running devices (an OSGi registry in production). */
    public interface Publisher {
        /** @return a handle whose {@code run()} withdraws the port */
        Runnable publish(NetworkPort port);
    }

    /** How much of the window the driver takes per device. */
    public record Limits(int queueSize, int rxBuffers, int txSlots, int backlog) {
        /** Queues of 256, 128 receive buffers, 128 transmit slots, 256 frames of polling backlog. */
        public static final Limits DEFAULTS = new Limits(256, 128, 128, 256);

        public Limits {
            if (queueSize < 2 || rxBuffers < 1 || txSlots < 1 || backlog < 1) {
                throw new IllegalArgumentException("bad net driver limits: " + this);
            }
        }
    }

    /** Receive buffer size with MRG_RXBUF: a 64-byte frame takes one, a 1500-byte one takes one. */
    static final int MERGEABLE_BUFFER = 2048;

    private final Publisher publisher;
    private final Limits limits;

    public NetDriver(Publisher publisher) {
        this(publisher, Limits.DEFAULTS);
    }

    public NetDriver(Publisher publisher, Limits limits) {
        this.publisher = publisher;
        this.limits = limits;
    }

    @Override
    public int deviceId() {
        return DeviceIds.NET;
    }

    @Override
    public FeatureSet supportedFeatures() {
        return FeatureSet.of(VirtioNet.F_MAC, VirtioNet.F_STATUS, VirtioNet.F_MTU, VirtioNet.F_MRG_RXBUF);
    }

    /** What the driver takes from config space, range-checked (HARDENING rule 6). */
    record Config(long mac, boolean linkUp, int mtu) {
        static Config read(VirtioDevice device) {
            FeatureSet f = device.negotiatedFeatures();
            int len = Math.min(device.configSize(), VirtioNet.CONFIG_SIZE);
            ByteBuffer c = ByteBuffer.allocate(VirtioNet.CONFIG_SIZE).order(ByteOrder.LITTLE_ENDIAN);
            if (len > 0) {
                c.put(device.readConfig(0, len));
            }
            long mac = VirtioNet.macAt(c.array(), VirtioNet.CFG_MAC);
            if (!f.has(VirtioNet.F_MAC) || len < 6 || VirtioNet.isGroup(mac) || mac == 0) {
                // §5.1.5: without a device MAC the driver picks a random, locally administered one.
                mac = (ThreadLocalRandom.current().nextLong() & 0xFCFF_FFFF_FFFFL) | 0x0200_0000_0000L;
            }
            boolean up = !f.has(VirtioNet.F_STATUS) || len < 8
                    || (c.getShort(VirtioNet.CFG_STATUS) & VirtioNet.S_LINK_UP) != 0;
            int mtu = NetSettings.DEFAULT_MTU;
            if (f.has(VirtioNet.F_MTU) && len >= VirtioNet.CONFIG_SIZE) {
                int m = c.getShort(VirtioNet.CFG_MTU) & 0xFFFF;
                if (m < VirtioNet.MIN_MTU || m > VirtioNet.MAX_MTU) {
                    throw new VirtioDeviceException(VirtioDeviceException.Reason.PROTOCOL, "net device "
                            + device.busName() + "/" + device.deviceNumber() + " reports MTU " + m + " (below 68 or too large)");
                }
                mtu = m;
            }
            return new Config(mac, up, mtu);
        }
    }

    @Override
    public DriverInstance probe(VirtioDevice device) {
        String name = "net device " + device.busName() + "/" + device.deviceNumber();
        Config config = Config.read(device);
        boolean mergeable = device.negotiatedFeatures().has(VirtioNet.F_MRG_RXBUF);
        int maxFrame = VirtioNet.maxFrame(config.mtu(), true);
        int rxBufferSize = mergeable ? MERGEABLE_BUFFER : align(VirtioNet.HDR_SIZE + maxFrame);
        int txSlotSize = align(VirtioNet.HDR_SIZE + maxFrame);
        DmaAllocator allocator = device.allocator();
        List<DmaRegion> owned = new ArrayList<>();
        NetRx rx;
        NetTx tx;
        try {
            DmaRegion rxRegion = allocator.allocate((long) limits.rxBuffers() * rxBufferSize);
            owned.add(rxRegion);
            DmaRegion txRegion = allocator.allocate(NetTx.bytes(limits.txSlots(), txSlotSize));
            owned.add(txRegion);
            rx = new NetRx(device.window(), rxRegion.address(), limits.rxBuffers(), rxBufferSize, mergeable, maxFrame,
                    limits.backlog());
            rx.attach(device.openQueue(VirtioNet.RX_QUEUE, limits.queueSize(), rx));
            tx = new NetTx(name, device.window(), txRegion.address(), limits.txSlots(), txSlotSize);
            tx.attach(device.openQueue(VirtioNet.TX_QUEUE, limits.queueSize(), tx));
        } catch (RuntimeException e) {
            for (DmaRegion r : owned) {
                allocator.free(r);
            }
            throw e;
        }
        VirtioNetworkPort port = new VirtioNetworkPort(device.busName(), device.deviceNumber(), config.mac(),
                config.mtu(), config.linkUp(), tx, rx);
        return new DriverInstance() {
            private Runnable withdraw;

            @Override
            public void ready() {
                rx.start();
                withdraw = publisher.publish(port);
            }

            @Override
            public void configChanged() {
                port.setLinkUp(Config.read(device).linkUp());
            }

            @Override
            public void remove(String reason) {
                // Closed first: whoever sees the service go finds every later call failing with REMOVED.
                tx.close(reason);
                rx.close();
                if (withdraw != null) {
                    withdraw.run();
                    withdraw = null;
                }
                for (DmaRegion r : owned) {
                    allocator.free(r);
                }
            }
        };
    }

    private static int align(int n) {
        return (n + 63) & -64;
    }
}
