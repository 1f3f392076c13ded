/**
 * virtio-rng for consumers: the {@link dev.vmsg.device.rng.EntropySource} service the rng driver
 * registers for every entropy device it drives.
 */
@Export
@Version("1.0.0")
package dev.vmsg.device.rng;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
