package dev.vmsg.bus.fifo.linuxuser;

import dev.vmsg.bus.BusException;
import dev.vmsg.bus.BusInfo;
import dev.vmsg.wire.DeviceBusState;
import dev.vmsg.wire.EventDevice;
import dev.vmsg.wire.Frame;
import dev.vmsg.wire.GetDevicesResponse;
import dev.vmsg.wire.GetVqueueResponse;
import dev.vmsg.wire.MessageCodec;
import dev.vmsg.wire.MessageIds;
import dev.vmsg.wire.MessageType;
import dev.vmsg.wire.WireException;
import dev.vmsg.wire.WireProfile;
import java.nio.ByteBuffer;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What the driver side of this mode does, and only this mode, so that QEMU's device side (the
 * October 2025 series, spec 6.2.1) is never mis-parsed and never crashed:
 *
 * <ol>
 *   <li><b>Quirk "GET_DEVICES token not echoed"</b>: QEMU answers the bus GET_DEVICES with token 0.
 *       A GET_DEVICES response with token 0 is given the token of the last GET_DEVICES request sent
 *       (discovery has one outstanding at a time), so the transport's strict token match holds.
 *   <li><b>Quirk "GET_DEVICES msg_size larger than its bitmap"</b>: QEMU claims msg_size 46 for a
 *       response carrying a 4-byte bitmap. Within the framing the extra bytes are padding, which
 *       the codec ignores; a claim beyond the framing (bytes that were never in the slot) is cut to
 *       the framing, and the bitmap length still comes from {@code count}.
 *   <li><b>Quirk "undiscovered device numbers are not handled safely"</b>: QEMU's device side does
 *       not answer sanely (or aborts) for a device number with nothing behind it. This side keeps
 *       the set of device numbers discovered by GET_DEVICES and EVENT_DEVICE and refuses, with a
 *       typed {@link BusException}, to send a transport message to any other number.
 *   <li><b>Quirk "GET_VQUEUE reports a default size for a queue never set up"</b>: QEMU answers
 *       GET_VQUEUE for an untouched queue with its default size (8) as cur_size and all three
 *       addresses 0. RFC3 has no enabled flag, so a non-zero size would read as "configured" and a
 *       careful driver would refuse the queue. In RFC3 only, a GET_VQUEUE response with a non-zero
 *       cur_size but no address at all is handed over with cur_size 0: a queue without rings is not
 *       configured (the 2026 rule: size != 0 implies all three addresses != 0).
 * </ol>
 *
 * The remaining QEMU quirk, stale indices in old queue files, is the queue's and the endpoint's
 * business: see {@link SpscQueue} and {@link LinuxUserEndpoint}.
 */
final class DriverQuirks {

    /** Payload offset of cur_size in a GET_VQUEUE response (every profile with a token; spec 1.3). */
    private static final int GET_VQUEUE_CUR_SIZE = 8;

    private final BusInfo info;
    private final MessageCodec codec;
    private final Set<Integer> discovered = ConcurrentHashMap.newKeySet();
    private final AtomicLong tokensRestored = new AtomicLong();
    private final AtomicLong sizesCut = new AtomicLong();
    private final AtomicLong queueSizesCleared = new AtomicLong();
    private volatile int getDevicesToken = -1;

    DriverQuirks(BusInfo info) {
        this.info = info;
        this.codec = new MessageCodec(info.profile(), info.maxMessageSize());
    }

    /**
     * Send path, after the framing check: remembers the token of a GET_DEVICES request, refuses a
     * transport message to a device number not discovered.
     *
     * @throws BusException BAD_FRAME for an undiscovered device number (nothing is sent)
     */
    void beforeSend(ByteBuffer frame) {
        int type = Frames.type(frame);
        if ((type & MessageType.BUS_BIT) == 0) {
            int dev = Frames.devNum(frame);
            if (!discovered.contains(dev)) {
                throw new BusException(BusException.Reason.BAD_FRAME, "qemu bus " + info.name() + ": device number "
                        + dev + " was not discovered (GET_DEVICES / EVENT_DEVICE); QEMU does not handle requests to"
                        + " absent devices safely, so nothing was sent");
            }
        } else if (type == MessageType.BUS_REQUEST && Frames.msgId(frame) == MessageIds.BUS_GET_DEVICES) {
            getDevicesToken = Frames.token(frame);
        }
    }

    /**
     * Receive path, on this side's private copy of a frame (position 0, limit = the framing):
     * patches QEMU's GET_DEVICES response and records discovered and removed device numbers.
     */
    void afterReceive(ByteBuffer frame) {
        int type = Frames.type(frame);
        int id = Frames.msgId(frame);
        if (type == MessageType.BUS_RESPONSE && id == MessageIds.BUS_GET_DEVICES) {
            if (Frames.msgSize(frame) > frame.remaining()) {
                // Quirk "GET_DEVICES msg_size larger than its bitmap", beyond the framing.
                Frames.setMsgSize(frame, frame.remaining());
                sizesCut.incrementAndGet();
            }
            int token = getDevicesToken;
            if (Frames.token(frame) == 0 && token > 0) {
                // Quirk "GET_DEVICES token not echoed".
                Frames.setToken(frame, token);
                tokensRestored.incrementAndGet();
            }
            if (decode(frame) instanceof GetDevicesResponse r) {
                for (int i = 0; i < r.count(); i++) {
                    if (r.isPresent(r.offset() + i)) {
                        discovered.add(r.offset() + i);
                    } else {
                        discovered.remove(r.offset() + i);
                    }
                }
            }
        } else if (type == MessageType.TRANSPORT_RESPONSE && id == MessageIds.GET_VQUEUE
                && info.profile() == WireProfile.RFC3 && decode(frame) instanceof GetVqueueResponse r
                && r.size() != 0 && r.descriptorAddr() == 0 && r.driverAddr() == 0 && r.deviceAddr() == 0) {
            // Quirk "GET_VQUEUE reports a default size for a queue never set up".
            Frames.setU32(frame, Frames.HEADER + GET_VQUEUE_CUR_SIZE, 0);
            queueSizesCleared.incrementAndGet();
        } else if (type == MessageType.BUS_REQUEST && id == MessageIds.BUS_EVENT_DEVICE
                && decode(frame) instanceof EventDevice e) {
            if (e.state() == DeviceBusState.ADDED) {
                discovered.add(e.deviceNumber());
            } else if (e.state() == DeviceBusState.REMOVED) {
                discovered.remove(e.deviceNumber());
            }
        }
    }

    /** The decoded message, or null when it is malformed (the transport drops and counts it). */
    private Object decode(ByteBuffer frame) {
        try {
            Frame f = codec.decode(frame.duplicate());
            return f.message();
        } catch (WireException malformed) {
            return null;
        }
    }

    /** The link is gone: nothing discovered holds any more. */
    void forget() {
        discovered.clear();
        getDevicesToken = -1;
    }

    boolean isDiscovered(int deviceNumber) {
        return discovered.contains(deviceNumber);
    }

    long tokensRestored() {
        return tokensRestored.get();
    }

    long sizesCut() {
        return sizesCut.get();
    }

    long queueSizesCleared() {
        return queueSizesCleared.get();
    }
}
