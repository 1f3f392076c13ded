/**
 * virtio-blk for consumers: the {@link dev.vmsg.device.blk.BlockDevice} service the blk driver
 * registers for every block device it drives.
 */
@Export
@Version("1.0.0")
package dev.vmsg.device.blk;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
