package dev.vmsg.bus.ffa.internal;

import dev.vmsg.bus.Bus;
import dev.vmsg.bus.BusProperties;
import dev.vmsg.wire.WireProfile;
import java.util.Hashtable;
import java.util.Map;
import java.util.Locale;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.log.Logger;
import org.osgi.service.log.LoggerFactory;
import org.osgi.service.metatype.annotations.Designate;

/**
 * DS shell of one FF-A bus: reads the configuration, builds the firmware and both partitions, and
 * registers one {@link Bus} service offering the driver and the device endpoint.
 */
@Component(configurationPid = "dev.vmsg.bus.ffa", configurationPolicy = ConfigurationPolicy.REQUIRE, service = {})
@Designate(ocd = FfaBusConfig.class, factory = true)
public final class FfaBusComponent {

    private final FfaBus bus;
    private final ServiceRegistration<Bus> registration;
    private final Logger log;

    @Activate
    public FfaBusComponent(BundleContext context, FfaBusConfig config, Map<String, Object> properties,
            @Reference(service = LoggerFactory.class) Logger log) {
        this.log = log;
        FfaBusSettings settings = new FfaBusSettings(config.name(), config.driver_id(), config.device_id(),
                FfaBusSettings.Messaging.valueOf(config.messaging().trim().toUpperCase(Locale.ROOT)),
                FfaBusSettings.EventMethod.valueOf(config.event_method().trim().toUpperCase(Locale.ROOT)),
                config.area_size(), WireProfile.valueOf(config.profile().trim().toUpperCase(Locale.ROOT)),
                config.call_delay_ns(), config.poll_interval_ms(), config.busy_retries(), 1000, 32);
        this.bus = new FfaBus(settings, log::warn);
        Hashtable<String, Object> props = BusProperties.of(config.name(), "ffa", properties);
        this.registration = context.registerService(Bus.class, bus, props);
        log.info("FF-A bus {} up: driver partition 0x{}, device partition 0x{}, {} messaging, {} events, area 1 of {} bytes",
                config.name(), Integer.toHexString(settings.driverId()), Integer.toHexString(settings.deviceId()),
                settings.messaging(), settings.events(), settings.areaSize());
    }

    @Deactivate
    void deactivate() {
        try {
            registration.unregister();
        } catch (IllegalStateException alreadyGone) {
            log.debug("FF-A bus {} was already unregistered", bus.info().name());
        }
        bus.close();
        log.info("FF-A bus {} closed", bus.info().name());
    }
}
