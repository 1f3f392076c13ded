package dev.vmsg.bus.fifo.linuxuser;

import dev.vmsg.bus.BusException;
import dev.vmsg.bus.BusInfo;
import java.nio.ByteBuffer;

/**
 * The guarantee of this mode that no message larger than the bus maximum (48 bytes against QEMU)
 * is ever produced: every frame is checked in the send path, before it can reach a slot. QEMU
 * copies exactly {@code sizeof(VirtIOMSG)} = 48 bytes out of a slot; a longer message would be cut
 * and mis-parsed there, so a violation is a typed {@link BusException} ({@code BAD_FRAME}) and
 * nothing is written.
 */
final class FramingGuard {

    private FramingGuard() {
    }

    /**
     * @throws BusException BAD_FRAME when the frame is shorter than a header, longer than
     *     {@code info.maxMessageSize()}, or its msg_size field disagrees with its length
     */
    static void check(BusInfo info, ByteBuffer frame) {
        int length = frame.remaining();
        int max = info.maxMessageSize();
        if (length < Frames.HEADER || length > max) {
            throw new BusException(BusException.Reason.BAD_FRAME, "qemu bus " + info.name() + ": a frame of " + length
                    + " bytes is outside " + Frames.HEADER + ".." + max + "; this bus carries whole messages of at most "
                    + max + " bytes (QEMU's framing) and nothing was sent");
        }
        int msgSize = Frames.msgSize(frame);
        if (msgSize != length) {
            throw new BusException(BusException.Reason.BAD_FRAME, "qemu bus " + info.name() + ": msg_size " + msgSize
                    + " disagrees with the frame's " + length + " bytes; nothing was sent");
        }
    }
}
