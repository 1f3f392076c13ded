package dev.vmsg.admin;

import dev.vmsg.wire.Header;

/**
 * One message captured by the trace of a bus ({@link VmsgAdmin#trace(String, boolean)}).
 *
 * @param sequence capture order on the bus, from 0 when the trace was switched on
 * @param epochNanos wall-clock time of capture, nanoseconds since 1970-01-01 UTC
 * @param side the side of the bus that saw it: {@code driver} or {@code device}
 * @param outbound true when that side sent it, false when it received it
 * @param profile the bus's wire profile ({@code REV1}, {@code RFC3}, {@code RFC2})
 * @param header the decoded header, or null when not even the header could be read
 * @param decoded the decoded message ({@code GetDeviceInfoResponse[deviceId=4, ...]}), or what was
 *     wrong with the frame ({@code dropped: ...})
 * @param frame the frame as it travelled on the bus, header included (do not modify)
 * @since 1.1
 */
public record TraceRecord(long sequence, long epochNanos, String side, boolean outbound, String profile,
        Header header, String decoded, byte[] frame) {
}
