package dev.vmsg.shell.internal;

import dev.vmsg.admin.VmsgAdmin;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * DS shell of the {@code vmsg} Gogo commands: a service whose {@code osgi.command.*} properties
 * make Gogo find it; no Gogo API is imported.
 */
@Component(service = VmsgCommandsComponent.class, immediate = true, property = {
    "osgi.command.scope=vmsg",
    "osgi.command.function=buses",
    "osgi.command.function=devices",
    "osgi.command.function=info",
    "osgi.command.function=traffic",
    "osgi.command.function=demo"})
public final class VmsgCommandsComponent {

    private final VmsgCommands commands;

    @Activate
    public VmsgCommandsComponent(@Reference VmsgAdmin admin) {
        this.commands = new VmsgCommands(admin);
    }

    /** Lists the buses: name, type, wire profile, window, sides served, messages carried. */
    public String buses() {
        return commands.buses();
    }

    /** Lists every device on both sides: bus, number, side, type, status, state, features, queues. */
    public String devices() {
        return commands.devices();
    }

    /** Shows one device: status, features, config and every queue. */
    public String info(String device) {
        return commands.info(device);
    }

    /** Shows the messages every bus carried. */
    public String traffic() {
        return commands.traffic(null);
    }

    /** Shows the messages one bus carried. */
    public String traffic(String bus) {
        return commands.traffic(bus);
    }

    /** Waits for the devices to run, then shows buses and devices. */
    public String demo() throws InterruptedException {
        return commands.demo(15_000);
    }
}
