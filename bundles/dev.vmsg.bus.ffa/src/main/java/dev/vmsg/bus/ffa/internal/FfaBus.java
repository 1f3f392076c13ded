package dev.vmsg.bus.ffa.internal;

import dev.vmsg.bus.Bus;
import dev.vmsg.bus.BusInfo;
import dev.vmsg.bus.DeviceEndpoint;
import dev.vmsg.bus.DriverEndpoint;
import dev.vmsg.bus.ffa.firmware.FfaFirmware;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * One FF-A bus: a driver partition and a device partition on an emulated FF-A firmware, joined by
 * the virtio-msg FF-A binding. The constructor runs discovery and setup, so a bus that exists is
 * ready: area 1 is shared and is the bus's DMA window (bus address = 1 << 48 | offset).
 */
public final class FfaBus implements Bus, AutoCloseable {

    private final FfaBusSettings settings;
    private final FfaFirmware firmware;
    private final boolean ownsFirmware;
    private final DevicePartition device;
    private final DriverPartition driver;

    /**
     * A bus with direct messaging and POLL events on its own firmware, for benchmarks on the plain
     * classpath (B6): endpoint ids 0x0001 / 0x8001, a 1 MiB area, REV1.
     *
     * @param callDelayNanos busy-wait the firmware adds to every FF-A call
     */
    public static FfaBus directMessaging(String name, long callDelayNanos, Consumer<String> warnings) {
        return new FfaBus(FfaBusSettings.of(name, FfaBusSettings.Messaging.DIRECT, FfaBusSettings.EventMethod.POLL)
                .withCallDelayNanos(callDelayNanos), warnings);
    }

    /** A bus on its own firmware (the usual case: both partitions live in this JVM). */
    FfaBus(FfaBusSettings settings, Consumer<String> warnings) {
        this(settings, new FfaFirmware(settings.callDelayNanos(), warnings), true, warnings);
    }

    FfaBus(FfaBusSettings settings, FfaFirmware firmware, boolean ownsFirmware, Consumer<String> warnings) {
        this.settings = settings;
        this.firmware = firmware;
        this.ownsFirmware = ownsFirmware;
        DevicePartition dev = null;
        DriverPartition drv = null;
        try {
            dev = new DevicePartition(settings, firmware, warnings);
            drv = new DriverPartition(settings, firmware, warnings);
            drv.start();
        } catch (RuntimeException e) {
            if (drv != null) {
                drv.close();
            }
            if (dev != null) {
                dev.close();
            }
            firmware.removePartition(settings.driverId());
            firmware.removePartition(settings.deviceId());
            if (ownsFirmware) {
                firmware.close();
            }
            throw e;
        }
        this.device = dev;
        this.driver = drv;
    }

    @Override
    public BusInfo info() {
        return driver.info();
    }

    @Override
    public Optional<DriverEndpoint> driverEndpoint() {
        return Optional.of(driver);
    }

    @Override
    public Optional<DeviceEndpoint> deviceEndpoint() {
        return Optional.of(device);
    }

    DevicePartition devicePartition() {
        return device;
    }

    DriverPartition driverPartition() {
        return driver;
    }

    FfaFirmware firmware() {
        return firmware;
    }

    /** Driver side first (areas unshared and reclaimed), then the device side, then the partitions. */
    @Override
    public void close() {
        driver.close();
        device.close();
        firmware.removePartition(settings.driverId());
        firmware.removePartition(settings.deviceId());
        if (ownsFirmware) {
            firmware.close();
        }
    }

    @Override
    public String toString() {
        return "FF-A bus " + info().name();
    }
}
