/**
 * Device SPI: what a device model (a virtio device backend) implements, and the context the device transport gives it.
 */
@Export
@Version("1.1.0")
package dev.vmsg.device;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
