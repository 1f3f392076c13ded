package dev.vmsg.transport.internal;

import dev.vmsg.admin.BusView;
import dev.vmsg.admin.DeviceView;
import dev.vmsg.admin.Metrics;
import dev.vmsg.admin.TraceRecord;
import dev.vmsg.admin.TrafficStats;
import dev.vmsg.admin.VmsgAdmin;
import dev.vmsg.bus.Bus;
import dev.vmsg.device.DeviceProperties;
import dev.vmsg.device.VirtioDeviceBackend;
import dev.vmsg.driver.VirtioDriver;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.osgi.framework.Constants;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.log.Logger;
import org.osgi.service.log.LoggerFactory;
import org.osgi.service.metatype.annotations.Designate;

/**
 * DS shell of the transport core: binds every {@link Bus}, {@link VirtioDeviceBackend} and
 * {@link VirtioDriver} service as it comes and goes (dynamic, multiple, greedy; keyed by service
 * id, with its {@code service.ranking}) and hands them to the plain {@link TransportCore}, which
 * serves the best-ranked of competing ones; offers the core's {@link VmsgAdmin}
 * view and its {@link Metrics} as services.
 */
@Component(configurationPid = "dev.vmsg.transport", immediate = true, service = {VmsgAdmin.class, Metrics.class})
@Designate(ocd = TransportConfig.class)
public final class TransportComponent implements VmsgAdmin, Metrics {

    private final TransportCore core;

    @Activate
    public TransportComponent(TransportConfig config, @Reference(service = LoggerFactory.class) Logger log) {
        TransportOptions options = new TransportOptions(config.request_timeout_ms(), config.reset_timeout_ms(),
                config.reset_poll_ms(), config.remove_bound_ms(), config.poll_us());
        this.core = new TransportCore(options, new TransportLog() {
            @Override
            public void info(String message) {
                log.info(message);
            }

            @Override
            public void warn(String message) {
                log.warn(message);
            }

            @Override
            public void debug(String message) {
                log.debug(message);
            }
        });
    }

    @Deactivate
    void deactivate() {
        core.close();
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void bindBus(Bus bus, Map<String, Object> props) {
        core.addBus(props.get(Constants.SERVICE_ID), bus, ranking(props));
    }

    void unbindBus(Bus bus, Map<String, Object> props) {
        core.removeBus(props.get(Constants.SERVICE_ID));
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void bindBackend(VirtioDeviceBackend backend, Map<String, Object> props) {
        core.addBackend(props.get(Constants.SERVICE_ID), backend, text(props.get(DeviceProperties.BUS)),
                deviceName(props), number(props.get(DeviceProperties.NUMBER)), ranking(props));
    }

    void unbindBackend(VirtioDeviceBackend backend, Map<String, Object> props) {
        core.removeBackend(props.get(Constants.SERVICE_ID));
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void bindDriver(VirtioDriver driver, Map<String, Object> props) {
        core.addDriver(props.get(Constants.SERVICE_ID), driver, ranking(props));
    }

    void unbindDriver(VirtioDriver driver, Map<String, Object> props) {
        core.removeDriver(props.get(Constants.SERVICE_ID));
    }

    /** {@code service.ranking}: an Integer, anything else counts as 0 (OSGi core, 5.2.5). */
    private static int ranking(Map<String, Object> props) {
        return props.get(Constants.SERVICE_RANKING) instanceof Integer r ? r : 0;
    }

    private static String deviceName(Map<String, Object> props) {
        String name = text(props.get(DeviceProperties.NAME));
        if (name == null || name.isBlank()) {
            Object pid = props.get(Constants.SERVICE_PID);
            name = pid != null ? String.valueOf(pid) : "device-" + props.get(Constants.SERVICE_ID);
        }
        return name;
    }

    private static String text(Object value) {
        return value == null ? null : String.valueOf(value).trim();
    }

    private static Integer number(Object value) {
        if (value == null || String.valueOf(value).isBlank()) {
            return null;
        }
        if (value instanceof Number n) {
            return n.intValue();
        }
        try {
            return Integer.decode(String.valueOf(value).trim());
        } catch (NumberFormatException e) {
            return null;
        }
    }

    @Override
    public List<BusView> buses() {
        return core.buses();
    }

    @Override
    public List<DeviceView> devices() {
        return core.devices();
    }

    @Override
    public Optional<DeviceView> device(String ref) {
        return core.device(ref);
    }

    @Override
    public long ping(String bus) {
        return core.ping(bus);
    }

    @Override
    public byte[] readConfig(String device) {
        return core.readConfig(device);
    }

    @Override
    public DeviceView reset(String device) {
        return core.reset(device);
    }

    @Override
    public void trace(String bus, boolean on, int capacity) {
        core.trace(bus, on, capacity);
    }

    @Override
    public boolean tracing(String bus) {
        return core.tracing(bus);
    }

    @Override
    public List<TraceRecord> traceRecords(String bus, int max) {
        return core.traceRecords(bus, max);
    }

    @Override
    public List<TrafficStats> busStats() {
        return core.busStats();
    }

    @Override
    public List<TrafficStats> deviceStats() {
        return core.deviceStats();
    }

    @Override
    public Optional<TrafficStats> stats(String ref) {
        return core.stats(ref);
    }
}
