/** virtio-blk implementation: the device model and its stores, the driver, their DS shells, the shell commands. */
package dev.vmsg.device.blk.internal;
