package dev.vmsg.admin;

import java.util.List;
import java.util.Optional;
import org.osgi.annotation.versioning.ProviderType;

/** The transport core's view of its buses and devices. Registered by the core as a service. */
@ProviderType
public interface VmsgAdmin {

    List<BusView> buses();

    /** Every device the core knows, on both sides, ordered by bus, side and number. */
    List<DeviceView> devices();

    /**
     * The device named {@code <bus>/<number>} or {@code <bus>/<number>/<side>} (side
     * {@code driver} or {@code device}), or by its device name ({@code rng0}).
     */
    Optional<DeviceView> device(String ref);

    /**
     * Sends a bus PING from the driver side of {@code bus} and waits for the echo.
     *
     * @return the round trip in nanoseconds
     * @throws IllegalArgumentException when this container drives no bus of that name
     * @throws dev.vmsg.driver.VirtioDeviceException when the PING times out or the bus goes away
     * @since 1.1
     */
    long ping(String bus);

    /**
     * Reads the whole config space of a device from the driver side (GET_CONFIG, generation
     * checked), as a driver would.
     *
     * @param device as in {@link #device(String)}; the driver side of that bus and number is read
     * @throws IllegalArgumentException when no driven device has that reference
     * @throws dev.vmsg.driver.VirtioDeviceException when the device does not answer
     * @since 1.1
     */
    byte[] readConfig(String device);

    /**
     * Resets a device from the driver side (status 0, then the whole init sequence again with the
     * driver of its type), also out of a broken state; waits (bounded) for it to finish.
     *
     * @param device as in {@link #device(String)}; the driver side of that bus and number is reset
     * @return the device after the reset
     * @throws IllegalArgumentException when no driven device has that reference
     * @since 1.1
     */
    DeviceView reset(String device);

    /**
     * Switches the message trace of {@code bus} on (a new, empty ring of the last {@code capacity}
     * messages of both sides) or off (the ring is kept for reading). Off by default.
     *
     * @throws IllegalArgumentException when there is no bus of that name, or capacity is not 1..1048576
     * @since 1.1
     */
    void trace(String bus, boolean on, int capacity);

    /** Whether the trace of {@code bus} is on. @since 1.1 */
    boolean tracing(String bus);

    /**
     * The last {@code max} messages of the trace ring of {@code bus}, oldest first (empty when it
     * was never switched on).
     *
     * @throws IllegalArgumentException when there is no bus of that name
     * @since 1.1
     */
    List<TraceRecord> traceRecords(String bus, int max);
}
