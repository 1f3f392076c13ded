/**
 * The virtio-msg FF-A binding (spec section 4): the driver and device partitions, the FF-A bus
 * messages, areas and bus addresses, the VFFAFIFO rings, and the DS component that registers one
 * FF-A bus. Nothing here is exported.
 */
package dev.vmsg.bus.ffa.internal;
