package dev.vmsg.bench;

import dev.vmsg.wire.GetVqueueRequest;
import dev.vmsg.wire.GetVqueueResponse;
import dev.vmsg.wire.Message;
import dev.vmsg.wire.SetVqueueRequest;
import dev.vmsg.wire.SetVqueueResponse;
import dev.vmsg.wire.VqueueFlags;

/**
 * The "handle" step of B1/B2: a minimal device model that answers the virtqueue-setup requests a driver sends
 * (GET_VQUEUE, SET_VQUEUE) from per-queue state, the way a device's transport-side dispatcher would. Dispatch is an
 * instanceof chain over the sealed {@link Message} hierarchy; GET_VQUEUE gets a fresh response record, SET_VQUEUE's
 * field-less response is one shared value (as the codec itself decodes field-less messages).
 */
final class VqueueDevice {
    static final int QUEUES = 8;
    static final int MAX_SIZE = 256;

    private final int[] size = new int[QUEUES];
    private final int[] flags = new int[QUEUES];
    private final long[] desc = new long[QUEUES];
    private final long[] driver = new long[QUEUES];
    private final long[] device = new long[QUEUES];

    VqueueDevice() {
        for (int q = 0; q < QUEUES; q++) {
            size[q] = MAX_SIZE;
            flags[q] = VqueueFlags.ENABLED;
            desc[q] = 0x4000_0000L + q * 0x3000L;
            driver[q] = desc[q] + 0x1000;
            device[q] = desc[q] + 0x2000;
        }
    }

    /** SET_VQUEUE's response has no fields: one value serves every answer. */
    static final SetVqueueResponse SET_VQUEUE_DONE = new SetVqueueResponse();

    /** Returns the response to {@code request}, or null for a request this model does not serve. */
    Message handle(Message request) {
        if (request instanceof GetVqueueRequest g) {
            return getVqueue(g);
        } else if (request instanceof SetVqueueRequest s) {
            return setVqueue(s);
        }
        return null;
    }

    GetVqueueResponse getVqueue(GetVqueueRequest g) {
        int q = g.index();
        if (q >= QUEUES) {
            return new GetVqueueResponse(q, 0, 0, 0, 0, 0, 0);
        }
        return new GetVqueueResponse(q, MAX_SIZE, size[q], flags[q], desc[q], driver[q], device[q]);
    }

    SetVqueueResponse setVqueue(SetVqueueRequest s) {
        int q = s.index();
        if (q < QUEUES && s.size() <= MAX_SIZE) {
            size[q] = s.size();
            flags[q] = VqueueFlags.ENABLED;
            desc[q] = s.descriptorAddr();
            driver[q] = s.driverAddr();
            device[q] = s.deviceAddr();
        }
        return SET_VQUEUE_DONE;
    }
}
