package dev.vmsg.transport.internal;

import dev.vmsg.admin.DeviceView;
import dev.vmsg.bus.BusException;
import dev.vmsg.bus.DeviceEndpoint;
import dev.vmsg.device.VirtioDeviceBackend;
import dev.vmsg.wire.DeviceBusState;
import dev.vmsg.wire.EventAvail;
import dev.vmsg.wire.EventDevice;
import dev.vmsg.wire.GetDevicesRequest;
import dev.vmsg.wire.GetDevicesResponse;
import dev.vmsg.wire.Header;
import dev.vmsg.wire.Message;
import dev.vmsg.wire.MessageKind;
import dev.vmsg.wire.PingRequest;
import dev.vmsg.wire.PingResponse;
import dev.vmsg.wire.WireException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * The device side of one bus: hosts device backends under device numbers, answers the bus
 * messages (GET_DEVICES, PING), announces hot-plug with EVENT_DEVICE, and routes each transport
 * message to its device's thread. Malformed frames and frames for unknown devices are dropped
 * and counted, never answered (spec section 2.7).
 */
public final class DeviceTransport extends TransportSide {

    private static final long REMOVE_BOUND_MILLIS = 5000;

    private final Map<Integer, HostedDevice> devices = new ConcurrentSkipListMap<>();
    private final ByteBuffer busTx;
    private final long pollNanos;
    private volatile boolean stopped;

    /** A device side with the default polling budget ({@link TransportOptions#DEFAULTS}). */
    public DeviceTransport(DeviceEndpoint endpoint, TransportLog log) {
        this(endpoint, log, TransportOptions.DEFAULTS.pollNanos());
    }

    /** @param pollNanos how long a device thread polls its queue after serving it (0: never) */
    public DeviceTransport(DeviceEndpoint endpoint, TransportLog log, long pollNanos) {
        super(endpoint, log);
        this.busTx = ByteBuffer.allocate(codec.maxMessageSize());
        this.pollNanos = pollNanos;
    }

    long pollNanos() {
        return pollNanos;
    }

    public void start() {
        endpoint.open(this);
    }

    /**
     * Hosts {@code backend} on this bus and announces it with EVENT_DEVICE ADDED.
     *
     * @param requestedNumber a fixed device number, or null for the lowest free one
     * @return the device number
     * @throws IllegalArgumentException when the number is taken or the backend is invalid
     */
    public synchronized int attach(VirtioDeviceBackend backend, String name, Integer requestedNumber) {
        if (stopped) {
            throw new IllegalStateException("bus " + busName() + " is stopped");
        }
        int number;
        if (requestedNumber != null) {
            number = requestedNumber;
            if (number < 0 || number > 0xFFFF) {
                throw new IllegalArgumentException("device " + name + ": number " + number + " outside 0..65535");
            }
            if (devices.containsKey(number)) {
                throw new IllegalArgumentException("device " + name + ": number " + number + " on bus " + busName()
                        + " is taken by " + devices.get(number).name());
            }
        } else {
            number = 0;
            while (devices.containsKey(number)) {
                number++;
            }
            if (number > 0xFFFF) {
                throw new IllegalArgumentException("bus " + busName() + " has no free device number");
            }
        }
        HostedDevice device = new HostedDevice(this, backend, name, number, log);
        devices.put(number, device);
        log.info("bus " + busName() + ": device " + name + " (" + dev.vmsg.wire.DeviceIds.name(backend.deviceId())
                + ") attached as number " + number);
        sendBus(new EventDevice(number, DeviceBusState.ADDED));
        return number;
    }

    /** Removes the device hosting {@code backend}: announces EVENT_DEVICE REMOVED, stops its thread. */
    public void detach(VirtioDeviceBackend backend) {
        HostedDevice device;
        synchronized (this) {
            device = null;
            for (HostedDevice d : devices.values()) {
                if (d.backend() == backend) {
                    device = d;
                    break;
                }
            }
            if (device == null) {
                return;
            }
            devices.remove(device.deviceNumber());
        }
        sendBus(new EventDevice(device.deviceNumber(), DeviceBusState.REMOVED));
        device.remove(REMOVE_BOUND_MILLIS);
        log.info("bus " + busName() + ": device " + device.name() + " removed");
    }

    /** Removes every device and stops taking frames. The bus itself stays up. */
    public void stop() {
        List<HostedDevice> all;
        synchronized (this) {
            stopped = true;
            all = new ArrayList<>(devices.values());
        }
        for (HostedDevice d : all) {
            detach(d.backend());
        }
        endpoint.detach(this);
    }

    // ---- link state (bus thread) ----

    /**
     * The driver side is gone: every device is reset as if the driver had written status 0, so a
     * returning driver finds them fresh. The devices stay hosted.
     */
    @Override
    public void onLinkDown(String reason) {
        if (stopped) {
            return;
        }
        rateLimitedWarn("bus " + busName() + ": link down (" + reason + "); resetting its devices");
        for (HostedDevice d : devices.values()) {
            d.resetForLostDriver();
        }
    }

    /** The driver side is (back) up: announce every device, in case it missed them. */
    @Override
    public void onLinkUp() {
        if (stopped) {
            return;
        }
        for (Integer n : devices.keySet()) {
            sendBus(new EventDevice(n, DeviceBusState.ADDED));
        }
    }

    // ---- receive path (bus delivery thread) ----

    @Override
    void onMessage(Header header, Message message) {
        if (header.isBusMessage()) {
            onBusMessage(header, message);
            return;
        }
        if (message.kind() == MessageKind.RESPONSE) {
            counters.dropped("response sent to the device side");
            return;
        }
        HostedDevice device = devices.get(header.devNum());
        if (device == null) {
            counters.dropped("unknown device number");
            return;
        }
        boolean queued = message instanceof EventAvail avail ? device.submitAvail(avail)
                : message.kind() == MessageKind.REQUEST && device.submitRequest(header.token(), message);
        if (!queued) {
            counters.dropped("device thread queue full or not a request");
        }
    }

    private void onBusMessage(Header header, Message message) {
        if (message instanceof GetDevicesRequest r) {
            sendBus(devicesWindow(r), header.token());
        } else if (message instanceof PingRequest p) {
            sendBus(new PingResponse(p.data()), header.token());
        } else {
            counters.dropped("bus message the device side does not take");
        }
    }

    private GetDevicesResponse devicesWindow(GetDevicesRequest r) {
        int offset = r.offset() & ~7;
        int fit = (maxPayload() - 6) * 8;
        int count = Math.min(Math.max(r.count() & ~7, 8), fit & ~7);
        BitSet present = new BitSet();
        int highest = -1;
        for (int n : devices.keySet()) {
            highest = Math.max(highest, n);
            if (n >= offset && n < offset + count) {
                present.set(n - offset);
            }
        }
        int next = highest >= offset + count && offset + count <= 0xFFFF ? offset + count : 0;
        return GetDevicesResponse.of(offset, count, next, present);
    }

    // ---- send path ----

    /** Sends a transport message for {@code device}; on its device thread only. */
    void send(HostedDevice device, int devNum, int token, Message message) {
        ByteBuffer buffer = device.txBuffer(codec.maxMessageSize());
        sendWith(buffer, devNum, token, message);
    }

    private synchronized void sendBus(Message message) {
        sendBus(message, 0);
    }

    private synchronized void sendBus(Message message, int token) {
        sendWith(busTx, 0, token, message);
    }

    private void sendWith(ByteBuffer buffer, int devNum, int token, Message message) {
        try {
            encodeAndSend(buffer, devNum, token, message);
        } catch (BusException e) {
            counters.dropped("send failed: " + e.reason());
            rateLimitedWarn("bus " + busName() + ": could not send " + message.getClass().getSimpleName() + ": "
                    + e.getMessage());
        } catch (WireException e) {
            counters.dropped("unencodable: " + e.reason());
            rateLimitedWarn("bus " + busName() + ": could not encode " + message + ": " + e.getMessage());
        }
    }

    // ---- views ----

    public List<DeviceView> views() {
        List<DeviceView> out = new ArrayList<>();
        for (HostedDevice d : devices.values()) {
            out.add(d.view());
        }
        return out;
    }
}
