package dev.vmsg.bus.fifo.internal;

import dev.vmsg.bus.Bus;
import dev.vmsg.bus.BusProperties;
import dev.vmsg.wire.WireProfile;
import java.io.IOException;
import java.nio.file.Path;
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
 * DS shell of one FIFO bus side: reads the configuration, creates the bus, registers it as a
 * {@link Bus} service named by {@value BusProperties#NAME} with type {@code fifo}, closes it on
 * deactivation.
 */
@Component(configurationPid = "dev.vmsg.bus.fifo", configurationPolicy = ConfigurationPolicy.REQUIRE, service = {})
@Designate(ocd = FifoBusConfig.class, factory = true)
public final class FifoBusComponent {

    private final FifoBus bus;
    private final ServiceRegistration<Bus> registration;
    private final Logger log;

    @Activate
    public FifoBusComponent(BundleContext context, FifoBusConfig config, Map<String, Object> properties,
            @Reference(service = LoggerFactory.class) Logger log) throws IOException {
        this.log = log;
        FifoBusOptions options = options(config);
        try {
            this.bus = new FifoBus(options, log::warn);
        } catch (IOException e) {
            log.error("fifo bus {} ({} side) cannot start: {}", config.name(), config.role(), e.getMessage());
            throw e;
        }
        Hashtable<String, Object> props = BusProperties.of(config.name(), "fifo", properties);
        props.put("vmsg.bus.fifo.role", options.role().name().toLowerCase(Locale.ROOT));
        this.registration = context.registerService(Bus.class, bus, props);
        log.info("fifo bus {} up as the {} side: queue file {}, window {} ({} bytes at 0x{}), {} x {}-byte elements, {}",
                config.name(), options.role().name().toLowerCase(Locale.ROOT), options.queueFile(),
                options.windowFile(), options.windowSize(), Long.toHexString(options.windowBase()),
                options.elementCount(), options.elementSize(), options.mode());
    }

    static FifoBusOptions options(FifoBusConfig c) {
        Path dir = SharedFile.defaultDirectory();
        Path queue = c.queue_file().isBlank() ? dir.resolve("vmsg-" + c.name() + ".queue") : Path.of(c.queue_file());
        Path window = c.window_file().isBlank() ? dir.resolve("vmsg-" + c.name() + ".window") : Path.of(c.window_file());
        return new FifoBusOptions(c.name(), FifoBusOptions.Role.parse(c.role()), queue, window, c.window_base(),
                c.window_size(), c.element_size(), c.element_count(), NotificationMode.parse(c.notification()),
                c.heartbeat_ms(), c.peer_timeout_ms(), c.send_timeout_ms(),
                WireProfile.valueOf(c.profile().trim().toUpperCase(Locale.ROOT)));
    }

    @Deactivate
    void deactivate() {
        try {
            registration.unregister();
        } catch (IllegalStateException alreadyGone) {
            log.debug("fifo bus {} was already unregistered", bus.info().name());
        }
        bus.close();
        log.info("fifo bus {} closed", bus.info().name());
    }
}
