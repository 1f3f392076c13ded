/**
 * virtio-msg wire format: every transport and bus message as a type, the codec for the wire profiles REV1, RFC3 and
 * RFC2, and the protocol's constants named as the spec names them. Library code: it knows bytes, not buses.
 *
 * <p>Messages are records ({@link dev.vmsg.wire.TransportMessage} and {@link dev.vmsg.wire.BusMessage}) holding
 * unsigned wire values in {@code int} and {@code long}; the header's dev_num and token travel beside them. A
 * {@link dev.vmsg.wire.MessageCodec} per bus instance fixes the {@link dev.vmsg.wire.WireProfile} and the bus's maximum
 * message size, encodes into and decodes from {@link java.nio.ByteBuffer}s (little-endian whatever the buffer's order),
 * and reports every malformed frame as a {@link dev.vmsg.wire.WireException} with a
 * {@link dev.vmsg.wire.WireException.Reason}: the spec has no error message on the wire, so receivers drop and count.
 *
 * <p>Where the 2025 profiles lack a 2026 field, the codec normalises as spec decision 11.6 describes (see
 * {@link dev.vmsg.wire.MessageCodec}). Bus-specific message ids (0x80..0xFF) are not decoded here: a bus reads the
 * {@link dev.vmsg.wire.Header} first and handles them itself.
 */
@Export
@Version("1.1.0")
package dev.vmsg.wire;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
