package dev.vmsg.bus.ffa.internal;

import dev.vmsg.wire.WireProfile;
import java.util.Objects;

/**
 * What one FF-A bus instance is made of.
 *
 * @param name bus instance name
 * @param driverId endpoint id of the driver partition (1..0xffff)
 * @param deviceId endpoint id of the device partition (1..0xffff, not the driver's)
 * @param messaging how driver requests travel: DIRECT (REQ2) or INDIRECT (MSG_SEND2)
 * @param events how device events reach the driver: POLL, NOTIF, INDIRECT or FIFO
 * @param areaSize bytes of the shared area (area 1), a multiple of 4096
 * @param profile wire profile (an 8-byte-header profile: REV1 or RFC3)
 * @param callDelayNanos busy-wait the firmware adds to every FF-A call
 * @param pollIntervalMillis EVENT_POLL period of the POLL method
 * @param busyRetries retries after a BUSY answer before a request fails (Linux: 3)
 * @param responseWaitMillis how long the device partition waits for the device transport's response
 * @param fifoDepth slots per VFFAFIFO ring
 */
record FfaBusSettings(String name, int driverId, int deviceId, Messaging messaging, EventMethod events, int areaSize,
        WireProfile profile, long callDelayNanos, long pollIntervalMillis, int busyRetries, long responseWaitMillis,
        int fifoDepth) {

    /** Message transport for driver requests (spec section 4.2). */
    enum Messaging { DIRECT, INDIRECT }

    /** EVENT_CONFIGURE event_method values (spec section 4.3). */
    enum EventMethod {
        POLL(0), NOTIF(1), INDIRECT(2), FIFO(3);

        final int wire;

        EventMethod(int wire) {
            this.wire = wire;
        }

        static EventMethod fromWire(int v) {
            for (EventMethod m : values()) {
                if (m.wire == v) {
                    return m;
                }
            }
            return null;
        }
    }

    FfaBusSettings {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(messaging, "messaging");
        Objects.requireNonNull(events, "events");
        Objects.requireNonNull(profile, "profile");
        if (driverId <= 0 || driverId > 0xFFFF || deviceId <= 0 || deviceId > 0xFFFF || driverId == deviceId) {
            throw new IllegalArgumentException("FF-A bus " + name + ": endpoint ids driver 0x"
                    + Integer.toHexString(driverId) + " and device 0x" + Integer.toHexString(deviceId)
                    + " must be distinct and in 0x0001..0xffff");
        }
        if (areaSize < 4096 || areaSize % 4096 != 0) {
            throw new IllegalArgumentException("FF-A bus " + name + ": area size " + areaSize
                    + " must be a positive multiple of 4096 (FF-A pages)");
        }
        if (profile.headerSize() != FfaBusMessages.HEADER) {
            throw new IllegalArgumentException("FF-A bus " + name + ": profile " + profile
                    + " has a " + profile.headerSize() + "-byte header; the FF-A binding needs an 8-byte one (REV1, RFC3)");
        }
        if (messaging == Messaging.INDIRECT && (events == EventMethod.POLL || events == EventMethod.NOTIF)) {
            throw new IllegalArgumentException("FF-A bus " + name + ": event method " + events
                    + " polls with synchronous EVENT_POLL and needs DIRECT messaging; use INDIRECT or FIFO events");
        }
        if (callDelayNanos < 0 || pollIntervalMillis <= 0 || busyRetries < 0 || responseWaitMillis <= 0
                || fifoDepth < 2 || fifoDepth > 1024) {
            throw new IllegalArgumentException("FF-A bus " + name + ": bad timing or FIFO depth");
        }
    }

    /** Defaults for tests and benchmarks: ids 0x0001 / 0x8001, 1 MiB area, REV1. */
    static FfaBusSettings of(String name, Messaging messaging, EventMethod events) {
        return new FfaBusSettings(name, 0x0001, 0x8001, messaging, events, 1 << 20, WireProfile.REV1, 0, 5, 3, 1000,
                32);
    }

    FfaBusSettings withCallDelayNanos(long nanos) {
        return new FfaBusSettings(name, driverId, deviceId, messaging, events, areaSize, profile, nanos,
                pollIntervalMillis, busyRetries, responseWaitMillis, fifoDepth);
    }
}
