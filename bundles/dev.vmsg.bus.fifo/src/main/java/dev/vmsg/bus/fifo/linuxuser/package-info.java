/**
 * The QEMU linux-user mode of the FIFO bus: QEMU's {@code virtio-msg-bus-linux-user} format (spec
 * 6.1/6.2, docs/QEMU-LINUX-USER.md): two spsc_queue files, a UNIX socket doorbell carrying one 0xED
 * per message, guest RAM as a shared file, 48-byte RFC3 framing, and tolerance of QEMU's quirks.
 * It reuses the FIFO bus's {@link dev.vmsg.bus.fifo.internal.SharedFile} and
 * {@link dev.vmsg.bus.fifo.internal.Doorbell}. Nothing here is exported;
 * {@link dev.vmsg.bus.fifo.linuxuser.LinuxUserBusComponent} is the thin DS shell.
 */
package dev.vmsg.bus.fifo.linuxuser;
