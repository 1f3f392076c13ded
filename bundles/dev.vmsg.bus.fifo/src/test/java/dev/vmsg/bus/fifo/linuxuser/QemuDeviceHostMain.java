package dev.vmsg.bus.fifo.linuxuser;

import dev.vmsg.bus.fifo.internal.FifoBusOptions;
import dev.vmsg.bus.fifo.internal.HostProcess;
import dev.vmsg.device.blk.internal.BlkForBusTests;
import dev.vmsg.device.rng.internal.RngBackend;
import dev.vmsg.transport.internal.TransportCore;
import dev.vmsg.transport.internal.TransportOptions;
import java.nio.file.Path;
import java.security.SecureRandom;

/**
 * A device host for the QEMU linux-user two-process test: the device side of bus "qemu0" (queue
 * name "linux-user") with files in the directory given as the first argument, a transport core, a
 * virtio-rng device "rng0" and a 1 MiB virtio-blk device "blk0" in memory. It prints what happens,
 * one line each, and exits when its standard input closes.
 *
 * <p>Arguments: {@code <dir> <ram size>}.
 */
public final class QemuDeviceHostMain {

    static final int BLK_BYTES = 1 << 20;

    private QemuDeviceHostMain() {
    }

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        int ramSize = Integer.parseInt(args[1]);
        LinuxUserBus bus = new LinuxUserBus(LinuxUserBusOptions.defaults("qemu0", FifoBusOptions.Role.DEVICE, dir,
                "linux-user", ramSize), w -> line("bus: " + w));
        TransportCore core = new TransportCore(TransportOptions.DEFAULTS, HostProcess.printingLog());
        core.addBus("qemu0", bus);
        core.addBackend("rng0", new RngBackend(new SecureRandom(), 4096, 64), "qemu0", "rng0", null);
        core.addBackend("blk0", BlkForBusTests.memoryBackend(BLK_BYTES, w -> line("blk: " + w)), "qemu0", "blk0", null);
        HostProcess.serveUntilStdinClosed(core::close, bus);
    }

    private static void line(String s) {
        HostProcess.line(s);
    }
}
