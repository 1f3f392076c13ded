package dev.vmsg.bus.loopback.internal;

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
 * DS shell of one loopback bus: reads the configuration, creates the bus, registers it as a
 * {@link Bus} service named by {@value BusProperties#NAME}, and closes it on deactivation.
 */
@Component(configurationPid = "dev.vmsg.bus.loopback", configurationPolicy = ConfigurationPolicy.REQUIRE,
        service = {})
@Designate(ocd = LoopbackBusConfig.class, factory = true)
public final class LoopbackBusComponent {

    private final LoopbackBus bus;
    private final ServiceRegistration<Bus> registration;
    private final Logger log;

    @Activate
    public LoopbackBusComponent(BundleContext context, LoopbackBusConfig config, Map<String, Object> properties,
            @Reference(service = LoggerFactory.class) Logger log) {
        this.log = log;
        WireProfile profile = WireProfile.valueOf(config.profile().trim().toUpperCase(Locale.ROOT));
        this.bus = new LoopbackBus(config.name(), profile, config.max_message_size(), config.window_base(),
                config.window_size(), config.ring_capacity(), config.send_timeout_ms(), log::warn);
        Hashtable<String, Object> props = BusProperties.of(config.name(), "loopback", properties);
        this.registration = context.registerService(Bus.class, bus, props);
        log.info("loopback bus {} up: profile {}, window {} bytes at 0x{}, max message {} bytes", config.name(),
                profile, config.window_size(), Long.toHexString(config.window_base()), config.max_message_size());
    }

    @Deactivate
    void deactivate() {
        try {
            registration.unregister();
        } catch (IllegalStateException alreadyGone) {
            log.debug("loopback bus {} was already unregistered", bus.info().name());
        }
        bus.close();
        log.info("loopback bus {} closed", bus.info().name());
    }
}
