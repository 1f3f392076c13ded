/**
 * The DMA window: the only memory a device can reach. Bus address space, bounds-checked typed access with overflow-free checks, and the page-granular allocator for driver-side rings and buffers.
 */
@Export
@Version("1.0.0")
package dev.vmsg.memory;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
