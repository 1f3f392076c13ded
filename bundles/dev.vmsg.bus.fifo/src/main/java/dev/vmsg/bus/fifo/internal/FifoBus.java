package dev.vmsg.bus.fifo.internal;

import dev.vmsg.bus.BusInfo;
import dev.vmsg.memory.DmaWindow;
import java.io.IOException;
import java.util.function.Consumer;

/**
 * A shared-memory FIFO bus: the side of a virtio-msg link this process plays, the other side being
 * another process that maps the same two files (the vmamp_shmem queue file and the DMA window
 * file). Bus addresses are window base + file offset, so virtqueues live in the window and are read
 * and written in place by both sides.
 */
public final class FifoBus extends SingleSideBus {

    private final FifoBusOptions options;

    /**
     * Maps (creating if needed) the window file and, on the device side, creates the layout.
     *
     * @throws IOException when a file cannot be created or mapped, or has the wrong size
     */
    public FifoBus(FifoBusOptions options, Consumer<String> warnings) throws IOException {
        this(options, SharedFile.openOrCreate(options.windowFile(), options.windowSize()), warnings);
    }

    private FifoBus(FifoBusOptions options, SharedFile window, Consumer<String> warnings) throws IOException {
        super(new BusInfo(options.name(), "fifo", options.profile(), Math.min(options.elementSize(), 0xFFFF),
                DmaWindow.wrap(options.windowBase(), window.memory())),
                info -> options.role() == FifoBusOptions.Role.DEVICE
                        ? new FifoEndpoint.DeviceSide(options, info, window, warnings)
                        : new FifoEndpoint.DriverSide(options, info, window, warnings));
        this.options = options;
    }

    public FifoBusOptions options() {
        return options;
    }

    /** The hosted side, for state and counters. */
    FifoEndpoint endpoint() {
        return (FifoEndpoint) side();
    }

    /** Whether the link to the peer is up (handshake completed in this epoch). */
    public boolean linkUp() {
        return endpoint().linkUp();
    }
}
