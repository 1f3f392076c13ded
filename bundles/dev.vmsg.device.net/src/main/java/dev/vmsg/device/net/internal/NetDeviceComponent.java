package dev.vmsg.device.net.internal;

import dev.vmsg.device.ForwardingDeviceBackend;
import dev.vmsg.device.VirtioDeviceBackend;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.log.Logger;
import org.osgi.service.log.LoggerFactory;
import org.osgi.service.metatype.annotations.Designate;

/**
 * DS shell of one virtio-net device: one per factory configuration; its service properties (from
 * the configuration: {@code bus}, {@code name}) tell the transport where to host it. Plugs the
 * device into its backend on activation and out on deactivation.
 */
@Component(configurationPid = "dev.vmsg.device.net", configurationPolicy = ConfigurationPolicy.REQUIRE,
        service = {VirtioDeviceBackend.class, NetDeviceComponent.class}, property = "vmsg.device.type:Integer=1")
@Designate(ocd = NetDeviceConfig.class, factory = true)
public final class NetDeviceComponent extends ForwardingDeviceBackend {

    private final NetBackend backend;
    private final String bus;
    private final String name;

    @Activate
    public NetDeviceComponent(NetDeviceConfig config, @Reference NetSwitches switches,
            @Reference(service = LoggerFactory.class) Logger log) {
        this.bus = config.bus();
        this.name = config.name();
        long mac = config.mac().isBlank() ? derivedMac(config.bus(), config.name()) : VirtioNet.parseMac(config.mac());
        int size = Integer.highestOneBit(Math.max(2, Math.min(config.queue_size(), 32768)));
        NetSettings settings = new NetSettings(mac, config.mtu(), size, Math.max(1, Math.min(config.backlog(), 65536)));
        NetBackendSpec spec = NetBackendSpec.parse(config.backend());
        this.backend = new NetBackend(settings, receiver -> {
            if (spec.switchName() != null) {
                return switches.get(spec.switchName()).attach(receiver);
            }
            try {
                return UdpTunnel.open(spec.local(), spec.remote(), receiver, settings.maxFrame());
            } catch (IOException e) {
                throw new UncheckedIOException("virtio-net " + config.name() + ": cannot bind UDP " + spec.local(), e);
            }
        });
        log.info("virtio-net " + name + " on " + bus + ": " + VirtioNet.macString(mac) + ", mtu " + config.mtu() + ", "
                + backend.linkDescription());
    }

    /** A locally administered unicast address from bus and name: stable across restarts. */
    static long derivedMac(String bus, String name) {
        try {
            byte[] h = MessageDigest.getInstance("SHA-256").digest((bus + "/" + name).getBytes(StandardCharsets.UTF_8));
            long v = VirtioNet.macAt(h, 0);
            return (v & 0xFCFF_FFFF_FFFFL) | 0x0200_0000_0000L;
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
        }
    }

    String bus() {
        return bus;
    }

    String name() {
        return name;
    }

    NetBackend model() {
        return backend;
    }

    @Deactivate
    void deactivate() {
        backend.close();
    }

    @Override
    protected VirtioDeviceBackend delegate() {
        return backend;
    }
}
