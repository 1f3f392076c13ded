package dev.vmsg.shell.internal;

import dev.vmsg.admin.Metrics;
import dev.vmsg.admin.VmsgAdmin;
import java.io.IOException;
import java.util.HashSet;
import java.util.Set;
import org.apache.felix.service.command.Descriptor;
import org.osgi.framework.BundleContext;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.component.runtime.ServiceComponentRuntime;
import org.osgi.service.component.runtime.dto.ComponentDescriptionDTO;
import org.osgi.service.metatype.MetaTypeService;

/**
 * DS shell of the {@code vmsg} Gogo commands: a service whose {@code osgi.command.*} properties
 * make Gogo find it. Each command takes its arguments as strings (so {@code --help} and wrong
 * counts get a usage line instead of Gogo's "cannot coerce") and forwards to {@link VmsgCommands}.
 * The {@code @Descriptor} texts are what Gogo's {@code help <command>} shows; the Gogo package is
 * imported optionally (annotations only).
 */
@Component(service = VmsgCommandsComponent.class, immediate = true, property = {
    "osgi.command.scope=vmsg",
    "osgi.command.function=buses",
    "osgi.command.function=devices",
    "osgi.command.function=info",
    "osgi.command.function=stats",
    "osgi.command.function=traffic",
    "osgi.command.function=ping",
    "osgi.command.function=attach",
    "osgi.command.function=detach",
    "osgi.command.function=reset",
    "osgi.command.function=trace",
    "osgi.command.function=demo"})
public final class VmsgCommandsComponent {

    private static final String BACKEND = "dev.vmsg.device.VirtioDeviceBackend";

    private final VmsgCommands commands;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile ConfigurationAdmin configurationAdmin;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile ServiceComponentRuntime scr;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile MetaTypeService metaType;

    private final BundleContext context;

    @Activate
    public VmsgCommandsComponent(BundleContext context, @Reference VmsgAdmin admin, @Reference Metrics metrics) {
        this.context = context;
        this.commands = new VmsgCommands(admin, metrics, this::configurations);
    }

    private DeviceConfigurations configurations() {
        ConfigurationAdmin cm = configurationAdmin;
        MetaTypeService mts = metaType;
        return cm == null ? null : new DeviceConfigurations(cm, deviceFactoryPids(),
                mts == null ? ConfigurationCheck.NONE : new MetaTypeCheck(mts, context::getBundles));
    }

    /** Configuration PIDs of the installed device type components (null when SCR cannot be asked). */
    private Set<String> deviceFactoryPids() {
        ServiceComponentRuntime runtime = scr;
        if (runtime == null) {
            return null;
        }
        Set<String> pids = new HashSet<>();
        for (ComponentDescriptionDTO c : runtime.getComponentDescriptionDTOs()) {
            if (c.serviceInterfaces != null && java.util.Arrays.asList(c.serviceInterfaces).contains(BACKEND)
                    && c.configurationPid != null) {
                pids.addAll(java.util.Arrays.asList(c.configurationPid));
            }
        }
        return pids;
    }

    @Descriptor(CommandHelp.BUSES)
    public String buses(@Descriptor("--help") String... args) {
        return commands.buses(args);
    }

    @Descriptor(CommandHelp.DEVICES)
    public String devices(@Descriptor("--help") String... args) {
        return commands.devices(args);
    }

    @Descriptor(CommandHelp.INFO)
    public String info(@Descriptor(CommandHelp.DEVICE_REF) String... args) {
        return commands.info(args);
    }

    @Descriptor(CommandHelp.STATS)
    public String stats(@Descriptor("[" + CommandHelp.BUS_REF + " | " + CommandHelp.DEVICE_REF + "]") String... args) {
        return commands.stats(args);
    }

    @Descriptor(CommandHelp.TRAFFIC)
    public String traffic(@Descriptor("[" + CommandHelp.BUS_REF + "]") String... args) {
        return commands.traffic(args);
    }

    @Descriptor(CommandHelp.PING)
    public String ping(@Descriptor(CommandHelp.BUS_REF + " [count]") String... args) {
        return commands.ping(args);
    }

    @Descriptor(CommandHelp.ATTACH)
    public String attach(@Descriptor("<type> <bus> [key=value ...]") String... args) throws InterruptedException {
        return commands.attach(args);
    }

    @Descriptor(CommandHelp.DETACH)
    public String detach(@Descriptor(CommandHelp.DEVICE_REF) String... args) throws InterruptedException {
        return commands.detach(args);
    }

    @Descriptor(CommandHelp.RESET)
    public String reset(@Descriptor(CommandHelp.DEVICE_REF) String... args) {
        return commands.reset(args);
    }

    @Descriptor(CommandHelp.TRACE)
    public String trace(@Descriptor("<bus> on [capacity] | off | show [n] | save <file>") String... args)
            throws IOException {
        return commands.trace(args);
    }

    @Descriptor(CommandHelp.DEMO)
    public String demo(@Descriptor("--help") String... args) throws InterruptedException {
        if (args.length > 0) {
            return CommandHelp.of("demo");
        }
        return commands.demo(15_000);
    }
}
