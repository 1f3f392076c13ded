/**
 * virtio-i2c for consumers: the {@link dev.vmsg.examples.i2c.I2cAdapter} service the driver
 * registers for every I2C adapter device it drives.
 */
@Export
@Version("1.0.0")
package dev.vmsg.examples.i2c;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
