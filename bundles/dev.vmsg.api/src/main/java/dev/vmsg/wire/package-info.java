/**
 * virtio-msg wire format: every transport and bus message as a type, the codec for the wire profiles REV1, RFC3 and RFC2, and the protocol's constants named as the spec names them. Library code: it knows bytes, not buses.
 */
@Export
@Version("1.0.0")
package dev.vmsg.wire;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
