/**
 * Bus SPI: what a virtio-msg bus provides to the transport (a driver endpoint and a device endpoint, with their BusInfo).
 */
@Export
@Version("1.1.0")
package dev.vmsg.bus;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
