package dev.vmsg.virtqueue;

/**
 * The three bus addresses of a split virtqueue, as carried by SET_VQUEUE.
 *
 * @param descriptorAddr the descriptor table (16-byte aligned)
 * @param driverAddr     the driver area, i.e. the avail ring (2-byte aligned)
 * @param deviceAddr     the device area, i.e. the used ring (4-byte aligned)
 */
public record VirtqueueAddresses(long descriptorAddr, long driverAddr, long deviceAddr) {
}
