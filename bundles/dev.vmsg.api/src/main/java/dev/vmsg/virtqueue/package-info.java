/**
 * The virtio 1.x split virtqueue, byte-exact in a DMA window: the driver half (add chains, kick decision, harvest used) and the device half (pop validated chains, push used, notify decision). It knows nothing of devices or buses.
 */
@Export
@Version("1.1.0")
package dev.vmsg.virtqueue;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
