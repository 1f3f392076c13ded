/**
 * The loopback bus: both sides of virtio-msg in one JVM. Frames are handed over asynchronously
 * through a bounded ring per direction, each drained by its own delivery thread; one DMA window
 * per bus instance. Nothing here is exported.
 */
package dev.vmsg.bus.loopback.internal;
