package dev.vmsg.bus.fifo.internal;

import dev.vmsg.device.rng.internal.RngBackend;
import dev.vmsg.transport.internal.TransportCore;
import dev.vmsg.transport.internal.TransportOptions;
import java.nio.file.Path;
import java.security.SecureRandom;

/**
 * A device host for the two-process tests: the device side of FIFO bus "fifo0" with files in the
 * directory given as the first argument, a transport core and one virtio-rng device "rng0". It
 * prints what happens, one line each, and exits when its standard input closes.
 *
 * <p>Arguments: {@code <dir> <heartbeat ms> <peer timeout ms>}.
 */
public final class DeviceHostMain {

    private DeviceHostMain() {
    }

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        long heartbeat = Long.parseLong(args[1]);
        long timeout = Long.parseLong(args[2]);
        FifoBusOptions options = FifoBusOptions.defaults("fifo0", FifoBusOptions.Role.DEVICE, dir)
                .withTimings(heartbeat, timeout, 1000);
        FifoBus bus = new FifoBus(options, w -> line("bus: " + w));
        TransportCore core = new TransportCore(TransportOptions.DEFAULTS, HostProcess.printingLog());
        core.addBus("fifo0", bus);
        core.addBackend("rng0", new RngBackend(new SecureRandom(), 4096, 64), "fifo0", "rng0", null);
        HostProcess.serveUntilStdinClosed(core::close, bus);
    }

    private static void line(String s) {
        HostProcess.line(s);
    }
}
