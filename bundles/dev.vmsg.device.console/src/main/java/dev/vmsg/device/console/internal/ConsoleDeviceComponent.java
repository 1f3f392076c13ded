package dev.vmsg.device.console.internal;

import dev.vmsg.device.DeviceContext;
import dev.vmsg.device.VirtioDeviceBackend;
import dev.vmsg.device.console.ConsoleEndpoint;
import dev.vmsg.virtqueue.DeviceVirtqueue;
import dev.vmsg.wire.FeatureSet;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Hashtable;
import java.util.List;
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
 * DS shell of one virtio-console device: one per factory configuration. Its service properties
 * ({@code bus}, {@code name}) tell the transport where to host it; it starts the ports' host sides
 * and registers a {@link ConsoleEndpoint} for every endpoint port. Also offered under its own
 * class so the console commands of this bundle can show the ports.
 */
@Component(configurationPid = "dev.vmsg.device.console", configurationPolicy = ConfigurationPolicy.REQUIRE,
        service = {VirtioDeviceBackend.class, ConsoleDeviceComponent.class}, property = "vmsg.device.type:Integer=3")
@Designate(ocd = ConsoleDeviceConfig.class, factory = true)
public final class ConsoleDeviceComponent implements VirtioDeviceBackend {

    private final String bus;
    private final String name;
    private final ConsoleBackend backend;
    private final java.util.Map<Integer, PortEndpoint> endpoints = new java.util.HashMap<>();
    private final List<ServiceRegistration<ConsoleEndpoint>> registrations = new ArrayList<>();

    @Activate
    public ConsoleDeviceComponent(ConsoleDeviceConfig config, BundleContext context,
            @Reference(service = LoggerFactory.class) Logger logger) {
        this.bus = config.bus();
        this.name = config.name();
        ConsoleLog log = new OsgiConsoleLog(logger);
        List<PortSpec> specs = PortSpec.parseAll(config.ports());
        List<ConsoleBackend.PortDefinition> defs = new ArrayList<>();
        for (int i = 0; i < specs.size(); i++) {
            PortSpec s = specs.get(i);
            String what = "console " + name + " port " + s.name();
            String threads = "vmsg-console-" + name + "-" + s.name();
            PortHost host = switch (s.kind()) {
                case TCP -> new TcpPortHost(what, threads, s.tcpPort(), log);
                case FILE -> new FilePortHost(what, threads, s.inPath(), s.outPath(), log);
                case ENDPOINT -> new EndpointPortHost();
            };
            defs.add(new ConsoleBackend.PortDefinition(s.name(), host));
        }
        int size = Integer.highestOneBit(Math.max(1, Math.min(config.queue_size(), 32768)));
        this.backend = new ConsoleBackend(name, defs, size, Math.max(64, config.pipe_capacity()), config.columns(),
                config.rows(), log);
        try {
            backend.start();
        } catch (RuntimeException e) {
            backend.close();
            throw e;
        }
        for (int i = 0; i < defs.size(); i++) {
            if (defs.get(i).host() instanceof EndpointPortHost e) {
                int id = i;
                PortEndpoint endpoint = new PortEndpoint(bus, name, id, defs.get(i).name(), e.pipes(),
                        () -> backend.status().get(id).driverOpen());
                Hashtable<String, Object> props = new Hashtable<>();
                props.put("vmsg.bus.name", bus);
                props.put("vmsg.device.name", name);
                props.put("vmsg.console.port.id", id);
                props.put("vmsg.console.port.name", defs.get(i).name());
                registrations.add(context.registerService(ConsoleEndpoint.class, endpoint, props));
                endpoints.put(id, endpoint);
            }
        }
    }

    @Deactivate
    void deactivate() {
        for (ServiceRegistration<ConsoleEndpoint> r : registrations) {
            try {
                r.unregister();
            } catch (IllegalStateException alreadyGone) {
                // the framework unregistered it already (bundle stopping)
            }
        }
        registrations.clear();
        backend.close();
    }

    String bus() {
        return bus;
    }

    String name() {
        return name;
    }

    /** The endpoint of port {@code id}, or null when that port has another host side. */
    PortEndpoint endpoint(int id) {
        return endpoints.get(id);
    }

    ConsoleBackend backend() {
        return backend;
    }

    @Override
    public int deviceId() {
        return backend.deviceId();
    }

    @Override
    public FeatureSet features() {
        return backend.features();
    }

    @Override
    public int numQueues() {
        return backend.numQueues();
    }

    @Override
    public int queueMaxSize(int index) {
        return backend.queueMaxSize(index);
    }

    @Override
    public int configSize() {
        return backend.configSize();
    }

    @Override
    public void readConfig(int offset, ByteBuffer dst) {
        backend.readConfig(offset, dst);
    }

    @Override
    public boolean writeConfig(int offset, ByteBuffer src) {
        return backend.writeConfig(offset, src);
    }

    @Override
    public void driverOk(DeviceContext context) {
        backend.driverOk(context);
    }

    @Override
    public void queueNotified(DeviceContext context, DeviceVirtqueue queue) {
        backend.queueNotified(context, queue);
    }

    @Override
    public void queueReset(int index) {
        backend.queueReset(index);
    }

    @Override
    public void reset() {
        backend.reset();
    }
}
