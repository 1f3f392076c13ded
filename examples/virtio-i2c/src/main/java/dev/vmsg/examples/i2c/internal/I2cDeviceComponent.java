package dev.vmsg.examples.i2c.internal;

import dev.vmsg.device.ForwardingDeviceBackend;
import dev.vmsg.device.VirtioDeviceBackend;
import java.util.Map;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.metatype.annotations.Designate;

/**
 * DS shell of one virtio-i2c device: one per factory configuration; its service properties (from
 * the configuration: {@code bus}, {@code name}) tell vmsg where to host it.
 */
@Component(configurationPid = "dev.vmsg.examples.i2c", configurationPolicy = ConfigurationPolicy.REQUIRE,
        service = VirtioDeviceBackend.class, property = "vmsg.device.type:Integer=34")
@Designate(ocd = I2cDeviceConfig.class, factory = true)
public final class I2cDeviceComponent extends ForwardingDeviceBackend {

    private final I2cBackend backend;

    @Activate
    public I2cDeviceComponent(I2cDeviceConfig config) {
        int size = Integer.highestOneBit(config.queue_size());
        this.backend = new I2cBackend(Map.of(config.eeprom_address(), new Eeprom(config.eeprom_size())), size);
    }

    @Override
    protected VirtioDeviceBackend delegate() {
        return backend;
    }
}
