/**
 * virtio-console for consumers: the {@link dev.vmsg.device.console.ConsolePort} service the
 * console driver registers for every port it opens, and the
 * {@link dev.vmsg.device.console.ConsoleEndpoint} service a console device registers for every
 * port whose host side is {@code endpoint} (the other end of the serial line, inside the container).
 */
@Export
@Version("1.0.0")
package dev.vmsg.device.console;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
