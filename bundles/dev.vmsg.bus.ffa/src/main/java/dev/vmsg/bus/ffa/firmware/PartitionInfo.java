package dev.vmsg.bus.ffa.firmware;

import java.util.UUID;

/**
 * One entry of FFA_PARTITION_INFO_GET.
 *
 * @param id the 16-bit endpoint id
 * @param uuid the partition's UUID
 * @param receivesDirect whether the partition accepts FFA_MSG_SEND_DIRECT_REQ2
 * @param receivesIndirect whether the partition accepts FFA_MSG_SEND2
 */
public record PartitionInfo(int id, UUID uuid, boolean receivesDirect, boolean receivesIndirect) {
}
