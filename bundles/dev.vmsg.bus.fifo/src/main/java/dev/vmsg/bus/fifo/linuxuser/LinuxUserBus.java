package dev.vmsg.bus.fifo.linuxuser;

import dev.vmsg.bus.BusInfo;
import dev.vmsg.bus.fifo.internal.FifoBusOptions;
import dev.vmsg.bus.fifo.internal.SharedFile;
import dev.vmsg.bus.fifo.internal.SingleSideBus;
import dev.vmsg.memory.DmaWindow;
import java.io.IOException;
import java.util.function.Consumer;

/**
 * One side of QEMU's {@code virtio-msg-bus-linux-user}: the other side is QEMU (or another vmsg
 * host) using the same two queue files, doorbell socket and RAM file. Bus addresses are RAM base +
 * file offset, so virtqueues live in the RAM file and both sides read and write them in place.
 */
public final class LinuxUserBus extends SingleSideBus {

    /** The {@code vmsg.bus.type} of this bus. */
    public static final String TYPE = "qemu-linux-user";

    private final LinuxUserBusOptions options;

    /**
     * Maps (creating if needed) the RAM file; the device side also creates the queue files and
     * listens on the socket.
     *
     * @throws IOException when a file cannot be created or mapped, or has the wrong size
     */
    public LinuxUserBus(LinuxUserBusOptions options, Consumer<String> warnings) throws IOException {
        this(options, SharedFile.openOrCreatePrefix(options.ramFile(), options.ramSize()), warnings);
    }

    private LinuxUserBus(LinuxUserBusOptions options, SharedFile ram, Consumer<String> warnings) throws IOException {
        super(new BusInfo(options.name(), TYPE, options.profile(), options.maxMessageSize(),
                DmaWindow.wrap(options.ramBase(), ram.memory())),
                info -> options.role() == FifoBusOptions.Role.DEVICE
                        ? new LinuxUserEndpoint.DeviceSide(options, info, ram, warnings)
                        : new LinuxUserEndpoint.DriverSide(options, info, ram, warnings));
        this.options = options;
    }

    public LinuxUserBusOptions options() {
        return options;
    }

    /** The hosted side, for state and counters. */
    LinuxUserEndpoint endpoint() {
        return (LinuxUserEndpoint) side();
    }

    /** Whether a peer is connected on the doorbell socket and the queue files are mapped. */
    public boolean linkUp() {
        return endpoint().linkUp();
    }
}
