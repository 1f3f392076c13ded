package dev.vmsg.admin;

import java.util.Map;

/**
 * One bus as the core serves it.
 *
 * @param name bus instance name
 * @param type {@code loopback}, {@code fifo}, {@code ffa}
 * @param profile wire profile name
 * @param maxMessageSize largest message, header included
 * @param windowBase bus address of the DMA window
 * @param windowSize size of the DMA window in bytes
 * @param driverSide whether this container drives devices on the bus
 * @param deviceSide whether this container hosts devices on the bus
 * @param messages messages seen on the bus by this container, keyed {@code "tx GET_DEVICE_INFO"}
 *     / {@code "rx EVENT_USED"}, and drops keyed {@code "drop <reason>"}
 */
public record BusView(String name, String type, String profile, int maxMessageSize, long windowBase,
        long windowSize, boolean driverSide, boolean deviceSide, Map<String, Long> messages) {
}
