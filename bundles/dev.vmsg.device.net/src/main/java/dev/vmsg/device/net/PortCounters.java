package dev.vmsg.device.net;

/**
 * What a {@link NetworkPort} counted since it was published.
 *
 * @param txFrames   frames handed to the transmit queue
 * @param txBytes    their bytes (Ethernet frame, no header)
 * @param rxFrames   frames received and handed to the consumer
 * @param rxBytes    their bytes
 * @param rxErrors   receive completions the driver discarded (a bad num_buffers, a frame shorter
 *                   than an Ethernet header or longer than the MTU allows)
 * @param rxDropped  frames received in polling mode while the receive backlog was full
 */
public record PortCounters(long txFrames, long txBytes, long rxFrames, long rxBytes, long rxErrors, long rxDropped) {
}
