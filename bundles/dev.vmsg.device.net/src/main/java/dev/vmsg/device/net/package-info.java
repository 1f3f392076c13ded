/**
 * virtio-net for consumers: the {@link dev.vmsg.device.net.NetworkPort} service the net driver
 * registers for every network device it drives.
 */
@Export
@Version("1.0.0")
package dev.vmsg.device.net;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
