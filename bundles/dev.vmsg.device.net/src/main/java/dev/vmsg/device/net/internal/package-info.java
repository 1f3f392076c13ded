/** virtio-net implementation: the device model, its backends (L2 switch, UDP tunnel), the driver, their DS shells, the shell commands. */
package dev.vmsg.device.net.internal;
