package dev.vmsg.bus.fifo.internal;

import dev.vmsg.bus.Bus;
import dev.vmsg.bus.BusInfo;
import dev.vmsg.bus.DeviceEndpoint;
import dev.vmsg.bus.DriverEndpoint;
import dev.vmsg.memory.DmaWindow;
import java.io.IOException;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * A shared-memory FIFO bus: the side of a virtio-msg link this process plays, the other side being
 * another process that maps the same two files (the vmamp_shmem queue file and the DMA window
 * file). Bus addresses are window base + file offset, so virtqueues live in the window and are read
 * and written in place by both sides.
 */
public final class FifoBus implements Bus, AutoCloseable {

    private final FifoBusOptions options;
    private final BusInfo info;
    private final FifoEndpoint endpoint;

    /**
     * Maps (creating if needed) the window file and, on the device side, creates the layout.
     *
     * @throws IOException when a file cannot be created or mapped, or has the wrong size
     */
    public FifoBus(FifoBusOptions options, Consumer<String> warnings) throws IOException {
        this.options = options;
        SharedFile window = SharedFile.openOrCreate(options.windowFile(), options.windowSize());
        int maxMessage = Math.min(options.elementSize(), 0xFFFF);
        this.info = new BusInfo(options.name(), "fifo", options.profile(), maxMessage,
                DmaWindow.wrap(options.windowBase(), window.memory()));
        this.endpoint = options.role() == FifoBusOptions.Role.DEVICE
                ? new FifoEndpoint.DeviceSide(options, info, window, warnings)
                : new FifoEndpoint.DriverSide(options, info, window, warnings);
    }

    public FifoBusOptions options() {
        return options;
    }

    @Override
    public BusInfo info() {
        return info;
    }

    @Override
    public Optional<DriverEndpoint> driverEndpoint() {
        return endpoint instanceof FifoEndpoint.DriverSide d ? Optional.of(d) : Optional.empty();
    }

    @Override
    public Optional<DeviceEndpoint> deviceEndpoint() {
        return endpoint instanceof FifoEndpoint.DeviceSide d ? Optional.of(d) : Optional.empty();
    }

    /** The hosted side, for state and counters. */
    FifoEndpoint endpoint() {
        return endpoint;
    }

    /** Whether the link to the peer is up (handshake completed in this epoch). */
    public boolean linkUp() {
        return endpoint.linkUp();
    }

    /** Closes the hosted side: SHUTDOWN is published, threads stop, later sends fail. */
    @Override
    public void close() {
        endpoint.close();
    }

    @Override
    public String toString() {
        return endpoint.toString();
    }
}
