package dev.vmsg.bus;

import dev.vmsg.memory.DmaWindow;
import dev.vmsg.wire.WireProfile;
import java.util.Objects;

/**
 * What a bus tells the transport before the first message (spec section 2.1): its name, the wire
 * profile it speaks, the largest message it carries (the same in both directions) and the DMA
 * window both sides reach.
 *
 * @param name the bus instance name, unique in the container (for example {@code loopback0})
 * @param type the kind of bus ({@code loopback}, {@code fifo}, {@code ffa})
 * @param profile the wire profile every message on this bus uses
 * @param maxMessageSize the largest {@code msg_size}, header included
 * @param window the DMA window: the only memory a device on this bus can reach
 */
public record BusInfo(String name, String type, WireProfile profile, int maxMessageSize, DmaWindow window) {
    public BusInfo {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(profile, "profile");
        Objects.requireNonNull(window, "window");
        if (name.isBlank()) {
            throw new IllegalArgumentException("bus name must not be blank");
        }
        if (maxMessageSize < profile.minimumBusMessageSize() || maxMessageSize > 65535) {
            throw new IllegalArgumentException("bus " + name + ": max message size " + maxMessageSize
                    + " outside " + profile.minimumBusMessageSize() + "..65535 for profile " + profile);
        }
    }
}
