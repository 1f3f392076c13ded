/** virtio-i2c implementation: the device model with its simulated peripheral, the driver, their DS shells. */
package dev.vmsg.examples.i2c.internal;
