/**
 * The virtio-msg transport core: the device transport (status machine, features, config,
 * queues, dispatch to device backends), the driver transport (discovery, hot-plug, the init
 * sequence, the request engine, virtqueues) and the core that wires buses, backends and drivers
 * together. Plain classes; {@link dev.vmsg.transport.internal.TransportComponent} is the DS shell.
 * Nothing here is exported.
 */
package dev.vmsg.transport.internal;
