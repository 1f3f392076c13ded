/**
 * virtio-console implementation: the device model with its port host sides (TCP, files, endpoint),
 * the driver with its ports, and their DS shells and shell commands.
 */
package dev.vmsg.device.console.internal;
