/**
 * Driver API: the driver-side device handle the transport offers, and the VirtioDriver SPI a device type's driver implements.
 */
@Export
@Version("1.1.0")
package dev.vmsg.driver;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
