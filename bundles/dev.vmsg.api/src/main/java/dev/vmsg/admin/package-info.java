/**
 * Read-only administration view of the transport core: the buses it serves and the devices on
 * both sides, as plain data records for shells, tests and monitoring bundles.
 */
@Export
@Version("1.0.0")
package dev.vmsg.admin;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
