/** virtio-rng implementation: the device model, the driver, and their DS shells. */
package dev.vmsg.device.rng.internal;
