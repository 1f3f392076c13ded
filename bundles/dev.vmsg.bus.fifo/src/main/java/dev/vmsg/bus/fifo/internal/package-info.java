/**
 * The shared-memory FIFO bus: the vmamp_shmem v1 layout (spec 6.3) in a shared file, one SPSC
 * queue per direction, queue-head handshake with vmsg's epochs and heartbeats, a second shared
 * file as DMA window, and doorbells over a UNIX domain socket. This package is the only place that
 * knows the layout. Nothing here is exported; {@link dev.vmsg.bus.fifo.internal.FifoBusComponent}
 * is the thin DS shell.
 */
package dev.vmsg.bus.fifo.internal;
