package dev.vmsg.device.rng.internal;

import dev.vmsg.device.ForwardingDeviceBackend;
import dev.vmsg.device.VirtioDeviceBackend;
import java.security.SecureRandom;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.metatype.annotations.Designate;

/**
 * DS shell of one virtio-rng device: one per factory configuration; its service properties
 * (from the configuration: {@code bus}, {@code name}) tell the transport where to host it.
 */
@Component(configurationPid = "dev.vmsg.device.rng", configurationPolicy = ConfigurationPolicy.REQUIRE,
        service = VirtioDeviceBackend.class, property = "vmsg.device.type:Integer=4")
@Designate(ocd = RngDeviceConfig.class, factory = true)
public final class RngDeviceComponent extends ForwardingDeviceBackend {

    private final RngBackend backend;

    @Activate
    public RngDeviceComponent(RngDeviceConfig config) {
        int size = Integer.highestOneBit(Math.max(1, Math.min(config.queue_size(), 32768)));
        this.backend = new RngBackend(new SecureRandom(), config.max_bytes_per_request(), size);
    }

    @Override
    protected VirtioDeviceBackend delegate() {
        return backend;
    }
}
