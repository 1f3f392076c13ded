package dev.vmsg.admin;

/**
 * One virtqueue.
 *
 * @param index queue index
 * @param size number of descriptors
 * @param descriptorAddr bus address of the descriptor table
 * @param driverAddr bus address of the avail ring
 * @param deviceAddr bus address of the used ring
 * @param notifications EVENT_AVAIL (device side) or EVENT_USED (driver side) received
 * @param chains chains completed on this queue
 * @param errors chains rejected or failed
 */
public record QueueView(int index, int size, long descriptorAddr, long driverAddr, long deviceAddr,
        long notifications, long chains, long errors) {
}
