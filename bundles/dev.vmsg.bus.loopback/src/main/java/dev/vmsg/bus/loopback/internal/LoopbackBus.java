package dev.vmsg.bus.loopback.internal;

import dev.vmsg.bus.Bus;
import dev.vmsg.bus.BusInfo;
import dev.vmsg.bus.DeviceEndpoint;
import dev.vmsg.bus.DriverEndpoint;
import dev.vmsg.memory.DmaWindow;
import dev.vmsg.wire.WireProfile;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * A loopback bus: the driver side and the device side in one JVM, one DMA window shared by both
 * (the "reserved memory" of the Linux loopback bus), frames handed over asynchronously.
 */
public final class LoopbackBus implements Bus, AutoCloseable {

    /** Bus address of the window unless configured (the base QEMU's shared-memory buses use). */
    public static final long DEFAULT_WINDOW_BASE = 0x4000_0000L;

    private final BusInfo info;
    private final LoopbackEndpoint.DriverSide driverSide;
    private final LoopbackEndpoint.DeviceSide deviceSide;

    /**
     * @param name bus instance name
     * @param profile wire profile
     * @param maxMessageSize largest message
     * @param windowBase bus address of the window
     * @param windowSize window size in bytes
     * @param ringCapacity frames each direction can hold (a power of two)
     * @param sendTimeoutMillis how long a sender waits for room before failing
     * @param warnings where the bus reports what it survived
     */
    public LoopbackBus(String name, WireProfile profile, int maxMessageSize, long windowBase, int windowSize,
            int ringCapacity, long sendTimeoutMillis, Consumer<String> warnings) {
        DmaWindow window = DmaWindow.allocate(windowBase, windowSize);
        this.info = new BusInfo(name, "loopback", profile, maxMessageSize, window);
        long timeout = TimeUnit.MILLISECONDS.toNanos(sendTimeoutMillis);
        this.driverSide = new LoopbackEndpoint.DriverSide(info, new FrameRing(ringCapacity, maxMessageSize), timeout,
                warnings);
        this.deviceSide = new LoopbackEndpoint.DeviceSide(info, new FrameRing(ringCapacity, maxMessageSize), timeout,
                warnings);
        driverSide.connect(deviceSide);
        deviceSide.connect(driverSide);
    }

    /** A bus with the defaults: 256 frames per direction, 1 s send timeout. */
    public static LoopbackBus create(String name, WireProfile profile, int maxMessageSize, int windowSize,
            Consumer<String> warnings) {
        return new LoopbackBus(name, profile, maxMessageSize, DEFAULT_WINDOW_BASE, windowSize, 256, 1000, warnings);
    }

    @Override
    public BusInfo info() {
        return info;
    }

    @Override
    public Optional<DriverEndpoint> driverEndpoint() {
        return Optional.of(driverSide);
    }

    @Override
    public Optional<DeviceEndpoint> deviceEndpoint() {
        return Optional.of(deviceSide);
    }

    /** Closes both sides: delivery threads stop, later sends fail. */
    @Override
    public void close() {
        driverSide.close();
        deviceSide.close();
    }

    @Override
    public String toString() {
        return "loopback bus " + info.name();
    }
}
