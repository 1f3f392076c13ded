package dev.vmsg.admin;

import java.util.List;

/**
 * One device on one side of a bus.
 *
 * @param bus bus name
 * @param number device number on the bus
 * @param side {@code driver} (this container drives it) or {@code device} (this container hosts it)
 * @param name device name (device side: its configured name; driver side: {@code <bus>/<number>})
 * @param deviceId virtio device type
 * @param typeName the device type's name ({@code entropy})
 * @param status virtio status byte
 * @param state readable state ({@code running}, {@code no driver}, {@code broken: ...})
 * @param offeredFeatures features the device offers, by name
 * @param negotiatedFeatures features agreed, by name
 * @param configSize config space size
 * @param configGeneration the config generation last seen or issued
 * @param queues live queues
 */
public record DeviceView(String bus, int number, String side, String name, int deviceId, String typeName,
        int status, String state, String offeredFeatures, String negotiatedFeatures, int configSize,
        int configGeneration, List<QueueView> queues) {
}
