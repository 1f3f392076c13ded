package dev.vmsg.bus.fifo.linuxuser;

import dev.vmsg.bus.Bus;
import dev.vmsg.bus.BusProperties;
import dev.vmsg.bus.fifo.internal.FifoBusOptions;
import dev.vmsg.bus.fifo.internal.SharedFile;
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
 * DS shell of one side of a QEMU linux-user bus: reads the configuration, creates the bus,
 * registers it as a {@link Bus} service named by {@value BusProperties#NAME} with type
 * {@value LinuxUserBus#TYPE}, closes it on deactivation.
 */
@Component(configurationPid = "dev.vmsg.bus.qemu", configurationPolicy = ConfigurationPolicy.REQUIRE, service = {})
@Designate(ocd = LinuxUserBusConfig.class, factory = true)
public final class LinuxUserBusComponent {

    private final LinuxUserBus bus;
    private final ServiceRegistration<Bus> registration;
    private final Logger log;

    @Activate
    public LinuxUserBusComponent(BundleContext context, LinuxUserBusConfig config, Map<String, Object> properties,
            @Reference(service = LoggerFactory.class) Logger log) throws IOException {
        this.log = log;
        LinuxUserBusOptions options = options(config);
        try {
            this.bus = new LinuxUserBus(options, log::warn);
        } catch (IOException e) {
            log.error("qemu bus {} ({} side) cannot start: {}", config.name(), config.role(), e.getMessage());
            throw e;
        }
        String role = options.role().name().toLowerCase(Locale.ROOT);
        Hashtable<String, Object> props = BusProperties.of(config.name(), LinuxUserBus.TYPE, properties);
        props.put("vmsg.bus.qemu.role", role);
        this.registration = context.registerService(Bus.class, bus, props);
        log.info("qemu bus {} up as the {} side: queues {} and {}, socket {}, RAM {} ({} bytes at 0x{}), {} x {} bytes",
                config.name(), role, options.driverQueue(), options.deviceQueue(), options.socket(),
                options.ramFile(), options.ramSize(), Long.toHexString(options.ramBase()), options.profile(),
                options.maxMessageSize());
    }

    static LinuxUserBusOptions options(LinuxUserBusConfig c) {
        Path dir = c.directory().isBlank() ? SharedFile.defaultDirectory() : Path.of(c.directory());
        Path socket = c.socket().isBlank() ? dir.resolve(c.queue_name() + ".socket") : Path.of(c.socket());
        Path ram = c.ram_file().isBlank() ? dir.resolve("qemu-ram") : Path.of(c.ram_file());
        return new LinuxUserBusOptions(c.name(), FifoBusOptions.Role.parse(c.role()), dir, c.queue_name(), socket, ram,
                c.ram_base(), c.ram_size(), WireProfile.valueOf(c.profile().trim().toUpperCase(Locale.ROOT)),
                c.max_message_size(), c.send_timeout_ms());
    }

    @Deactivate
    void deactivate() {
        try {
            registration.unregister();
        } catch (IllegalStateException alreadyGone) {
            log.debug("qemu bus {} was already unregistered", bus.info().name());
        }
        bus.close();
        log.info("qemu bus {} closed", bus.info().name());
    }
}
