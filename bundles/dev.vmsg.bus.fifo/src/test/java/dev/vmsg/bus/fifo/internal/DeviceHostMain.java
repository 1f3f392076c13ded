package dev.vmsg.bus.fifo.internal;

import dev.vmsg.device.rng.internal.RngBackend;
import dev.vmsg.transport.internal.TransportCore;
import dev.vmsg.transport.internal.TransportLog;
import dev.vmsg.transport.internal.TransportOptions;
import java.io.IOException;
import java.io.InputStream;
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

    public static void main(String[] args) throws IOException {
        Path dir = Path.of(args[0]);
        long heartbeat = Long.parseLong(args[1]);
        long timeout = Long.parseLong(args[2]);
        FifoBusOptions options = FifoBusOptions.defaults("fifo0", FifoBusOptions.Role.DEVICE, dir)
                .withTimings(heartbeat, timeout, 1000);
        FifoBus bus = new FifoBus(options, w -> line("bus: " + w));
        TransportCore core = new TransportCore(TransportOptions.DEFAULTS, new TransportLog() {
            @Override
            public void info(String message) {
                line("info: " + message);
            }

            @Override
            public void warn(String message) {
                line("warn: " + message);
            }

            @Override
            public void debug(String message) {
            }
        });
        core.addBus("fifo0", bus);
        core.addBackend("rng0", new RngBackend(new SecureRandom(), 4096, 64), "fifo0", "rng0", null);
        line("device host ready, pid " + ProcessHandle.current().pid());
        InputStream in = System.in;
        while (in.read() >= 0) {
            // runs until the test closes our stdin (or kills us)
        }
        core.close();
        bus.close();
        line("device host stopped");
    }

    private static synchronized void line(String s) {
        System.out.println(s);
        System.out.flush();
    }
}
