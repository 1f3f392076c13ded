package dev.vmsg.bus.fifo.linuxuser;

import dev.vmsg.bus.Bus;
import dev.vmsg.bus.BusInfo;
import dev.vmsg.bus.DeviceEndpoint;
import dev.vmsg.bus.DriverEndpoint;
import dev.vmsg.bus.fifo.internal.FifoBusOptions;
import dev.vmsg.bus.fifo.internal.SharedFile;
import dev.vmsg.memory.DmaWindow;
import java.io.IOException;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * One side of QEMU's {@code virtio-msg-bus-linux-user}: the other side is QEMU (or another vmsg
 * host) using the same two queue files, doorbell socket and RAM file. Bus addresses are RAM base +
 * file offset, so virtqueues live in the RAM file and both sides read and write them in place.
 */
public final class LinuxUserBus implements Bus, AutoCloseable {

    /** The {@code vmsg.bus.type} of this bus. */
    public static final String TYPE = "qemu-linux-user";

    private final LinuxUserBusOptions options;
    private final BusInfo info;
    private final LinuxUserEndpoint endpoint;

    /**
     * Maps (creating if needed) the RAM file; the device side also creates the queue files and
     * listens on the socket.
     *
     * @throws IOException when a file cannot be created or mapped, or has the wrong size
     */
    public LinuxUserBus(LinuxUserBusOptions options, Consumer<String> warnings) throws IOException {
        this.options = options;
        SharedFile ram = SharedFile.openOrCreatePrefix(options.ramFile(), options.ramSize());
        this.info = new BusInfo(options.name(), TYPE, options.profile(), options.maxMessageSize(),
                DmaWindow.wrap(options.ramBase(), ram.memory()));
        this.endpoint = options.role() == FifoBusOptions.Role.DEVICE
                ? new LinuxUserEndpoint.DeviceSide(options, info, ram, warnings)
                : new LinuxUserEndpoint.DriverSide(options, info, ram, warnings);
    }

    public LinuxUserBusOptions options() {
        return options;
    }

    @Override
    public BusInfo info() {
        return info;
    }

    @Override
    public Optional<DriverEndpoint> driverEndpoint() {
        return endpoint instanceof LinuxUserEndpoint.DriverSide d ? Optional.of(d) : Optional.empty();
    }

    @Override
    public Optional<DeviceEndpoint> deviceEndpoint() {
        return endpoint instanceof LinuxUserEndpoint.DeviceSide d ? Optional.of(d) : Optional.empty();
    }

    /** The hosted side, for state and counters. */
    LinuxUserEndpoint endpoint() {
        return endpoint;
    }

    /** Whether a peer is connected on the doorbell socket and the queue files are mapped. */
    public boolean linkUp() {
        return endpoint.linkUp();
    }

    @Override
    public void close() {
        endpoint.close();
    }

    @Override
    public String toString() {
        return endpoint.toString();
    }
}
