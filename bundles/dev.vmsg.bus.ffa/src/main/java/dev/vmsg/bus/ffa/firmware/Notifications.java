package dev.vmsg.bus.ffa.firmware;

/**
 * What FFA_NOTIFICATION_GET returned (and cleared).
 *
 * @param partitionBitmap pending partition notifications, bit n = notification id n
 * @param rxBufferFull the framework notification "RX buffer full" (a message waits in the RX buffer)
 */
public record Notifications(long partitionBitmap, boolean rxBufferFull) {
}
