package dev.vmsg.bus.ffa.internal;

import dev.vmsg.bus.BusException;
import dev.vmsg.bus.ffa.firmware.FfaConduit;
import dev.vmsg.bus.ffa.firmware.FfaError;
import dev.vmsg.bus.ffa.firmware.FfaException;
import dev.vmsg.bus.ffa.firmware.PartitionMessage;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/** How a virtio-msg message rides in FF-A registers and RX/TX buffers (spec section 4.2). */
final class FfaFrames {

    /** Largest virtio-msg message on the FF-A bus ({@code FFA_BUS_MAX_MSG_SIZE}). */
    static final int MAX_MESSAGE_SIZE = 104;

    /** The device-role partition UUID (virtio-msg FF-A device). */
    static final UUID DEVICE_UUID = UUID.fromString("c66028b5-2498-4aa1-9de7-77da6122abf0");

    /** The driver-role partition UUID (2026 binding). */
    static final UUID DRIVER_UUID = UUID.fromString("bd7fd089-6795-472b-b47f-db0c5d9a719d");

    private FfaFrames() {
    }

    /** msg_size of the frame at {@code f}'s position (8-byte header: le16 at offset 6). */
    static int msgSize(ByteBuffer f) {
        return f.getShort(f.position() + 6) & 0xFFFF;
    }

    /** Copies the frame's bytes (position..limit) out; checks the FF-A size limit. */
    static byte[] copyFrame(ByteBuffer frame, String bus) {
        int n = frame.remaining();
        if (n < FfaBusMessages.HEADER || n > MAX_MESSAGE_SIZE) {
            throw new BusException(BusException.Reason.BAD_FRAME, "FF-A bus " + bus + ": frame of " + n
                    + " bytes outside " + FfaBusMessages.HEADER + ".." + MAX_MESSAGE_SIZE);
        }
        byte[] out = new byte[n];
        frame.get(frame.position(), out);
        return out;
    }

    /** The message raw in x4..x17, zero-padded to 112 bytes. */
    static byte[] toRegisters(byte[] message) {
        byte[] regs = new byte[FfaConduit.DIRECT_PAYLOAD_SIZE];
        System.arraycopy(message, 0, regs, 0, message.length);
        return regs;
    }

    static byte[] toRegisters(ByteBuffer message) {
        byte[] regs = new byte[FfaConduit.DIRECT_PAYLOAD_SIZE];
        message.get(message.position(), regs, 0, message.remaining());
        return regs;
    }

    /** Whether a RESP2 payload is the all-zero BUSY sentinel. */
    static boolean isBusySentinel(byte[] regs) {
        for (byte b : regs) {
            if (b != 0) {
                return false;
            }
        }
        return true;
    }

    /**
     * The message carried in registers, cut to its msg_size.
     *
     * @return null when msg_size is below a header or above the FF-A bus limit
     */
    static ByteBuffer fromRegisters(byte[] regs) {
        ByteBuffer b = ByteBuffer.wrap(regs).order(ByteOrder.LITTLE_ENDIAN);
        int size = msgSize(b);
        if (size < FfaBusMessages.HEADER || size > MAX_MESSAGE_SIZE) {
            return null;
        }
        return b.limit(size);
    }

    /**
     * Writes a partition message into the TX buffer and sends it with FFA_MSG_SEND2, retrying while
     * the receiver's RX buffer is full, up to {@code timeoutMillis}. Callers serialise on the TX buffer.
     */
    static void sendIndirect(FfaConduit conduit, int receiver, byte[] message, long timeoutMillis, String bus) {
        ByteBuffer tx = conduit.txBuffer();
        tx.putInt(PartitionMessage.FLAGS, 0);
        tx.putInt(4, 0);
        tx.putInt(PartitionMessage.OFFSET, PartitionMessage.PAYLOAD_OFFSET);
        tx.putInt(PartitionMessage.SEND_RECV_ID, PartitionMessage.sendRecvId(conduit.id(), receiver));
        tx.putInt(PartitionMessage.SIZE, message.length);
        tx.put(PartitionMessage.PAYLOAD_OFFSET, message);
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        int attempts = 0;
        while (true) {
            try {
                conduit.msgSend2();
                return;
            } catch (FfaException e) {
                attempts++;
                if (e.error() != FfaError.BUSY) {
                    throw e;
                }
                if (System.nanoTime() - deadline > 0) {
                    throw new FfaException(FfaError.BUSY, "FF-A bus " + bus + ": the RX buffer of partition 0x"
                            + Integer.toHexString(receiver) + " stayed full for " + timeoutMillis + " ms ("
                            + attempts + " FFA_MSG_SEND2 attempts); message dropped");
                }
                if (attempts < 64) {
                    Thread.onSpinWait();
                } else {
                    LockSupport.parkNanos(20_000);
                }
            }
        }
    }

    /** Copies the message out of the RX buffer (after an RX-full notification). */
    static byte[] readIndirect(FfaConduit conduit) {
        ByteBuffer rx = conduit.rxBuffer();
        int offset = rx.getInt(PartitionMessage.OFFSET);
        int size = rx.getInt(PartitionMessage.SIZE);
        if (offset < PartitionMessage.HEADER_SIZE || size < 0 || size > rx.capacity() - offset) {
            return new byte[0];
        }
        byte[] out = new byte[size];
        rx.get(offset, out);
        return out;
    }

    /** Sender endpoint id of the message in the RX buffer. */
    static int indirectSender(FfaConduit conduit) {
        return conduit.rxBuffer().getInt(PartitionMessage.SEND_RECV_ID) >>> 16;
    }
}
