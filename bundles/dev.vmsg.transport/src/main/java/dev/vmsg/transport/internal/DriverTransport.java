package dev.vmsg.transport.internal;

import dev.vmsg.admin.DeviceView;
import dev.vmsg.bus.BusException;
import dev.vmsg.bus.DriverEndpoint;
import dev.vmsg.driver.VirtioDeviceException;
import dev.vmsg.driver.VirtioDriver;
import dev.vmsg.memory.DmaAllocator;
import dev.vmsg.wire.DeviceBusState;
import dev.vmsg.wire.EventConfig;
import dev.vmsg.wire.EventDevice;
import dev.vmsg.wire.EventUsed;
import dev.vmsg.wire.FeatureBits;
import dev.vmsg.wire.FeatureSet;
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
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.function.IntFunction;

/**
 * The driver side of one bus: finds devices (GET_DEVICES windows at start, EVENT_DEVICE for
 * hot-plug), gives each its own thread and {@link DriverDevice}, binds drivers by device id, and
 * routes responses and events. Frames that are malformed or match nothing are dropped and
 * counted.
 */
public final class DriverTransport extends TransportSide {

    /** Transport-level features the driver transport handles itself. */
    static final FeatureSet TRANSPORT_FEATURES = FeatureSet.of(FeatureBits.VIRTIO_F_VERSION_1,
            FeatureBits.VIRTIO_F_ACCESS_PLATFORM, FeatureBits.VIRTIO_F_EVENT_IDX, FeatureBits.VIRTIO_F_RING_RESET);

    /** Windows of GET_DEVICES the discovery walks at most (Linux FF-A: 8192). */
    private static final int MAX_DISCOVERY_WINDOWS = 8192;

    private final DriverEndpoint driverEndpoint;
    private final TransportOptions options;
    private final IntFunction<VirtioDriver> drivers;
    private final RequestEngine engine;
    private final DmaAllocator allocator;
    private final DeviceExecutor control;
    private final Map<Integer, DriverDevice> devices = new ConcurrentSkipListMap<>();
    private volatile boolean stopped;

    /**
     * @param drivers finds the driver for a device id (null when none is bound)
     */
    public DriverTransport(DriverEndpoint endpoint, TransportOptions options, TransportLog log,
            IntFunction<VirtioDriver> drivers) {
        super(endpoint, log);
        this.driverEndpoint = endpoint;
        this.options = options;
        this.drivers = drivers;
        this.engine = new RequestEngine(this);
        this.allocator = new DmaAllocator(endpoint.info().window());
        this.control = new DeviceExecutor("vmsg-drv-" + busName(), 4096);
    }

    /** Attaches to the bus and starts discovery on the bus's control thread. */
    public void start() {
        driverEndpoint.open(this);
        control.offer(this::discover);
    }

    DmaAllocator allocator() {
        return allocator;
    }

    TransportOptions options() {
        return options;
    }

    RequestEngine engine() {
        return engine;
    }

    VirtioDriver driverFor(int deviceId) {
        return drivers.apply(deviceId);
    }

    // ---- discovery and hot-plug (control thread) ----

    private void discover() {
        int offset = 0;
        int count = Math.min(256, ((maxPayload() - 6) * 8) & ~7);
        for (int window = 0; window < MAX_DISCOVERY_WINDOWS && !stopped; window++) {
            GetDevicesResponse r;
            try {
                r = (GetDevicesResponse) engine.callBus(new GetDevicesRequest(offset, count),
                        options.requestTimeoutMillis(), "bus " + busName() + ": GET_DEVICES " + offset);
            } catch (VirtioDeviceException e) {
                log.warn("bus " + busName() + ": discovery stopped: " + e.getMessage()
                        + "; devices will still be found through EVENT_DEVICE");
                return;
            }
            if (r.offset() != offset || r.count() <= 0 || r.bitmap().length * 8 < r.count()) {
                log.warn("bus " + busName() + ": GET_DEVICES answer for window " + offset + " is inconsistent; stopping"
                        + " discovery");
                return;
            }
            for (int i = 0; i < r.count(); i++) {
                if (r.isPresent(offset + i)) {
                    deviceAdded(offset + i);
                }
            }
            int next = r.nextOffset();
            if (next == 0) {
                return;
            }
            if (next <= offset) {
                log.warn("bus " + busName() + ": GET_DEVICES next_offset " + next + " does not advance; stopping");
                return;
            }
            offset = next;
        }
    }

    private void deviceAdded(int number) {
        if (stopped) {
            return;
        }
        DriverDevice existing = devices.get(number);
        if (existing != null && existing.state() != DriverDevice.State.REMOVED) {
            return;
        }
        DriverDevice device = new DriverDevice(this, number);
        devices.put(number, device);
        if (!device.executor().offer(device::identify)) {
            log.warn("bus " + busName() + ": could not start device " + number);
        }
    }

    private void deviceRemoved(int number, String why) {
        DriverDevice device = devices.remove(number);
        if (device != null) {
            device.remove(why, options.removeBoundMillis());
            log.info("bus " + busName() + ": device " + number + " removed (" + why + ")");
        }
    }

    /**
     * A driver arrived: bind it to every device of its type that has none or whose driver it
     * outranks (that one is unbound first, on the device's thread).
     */
    public void driverAdded(VirtioDriver driver) {
        for (DriverDevice d : devices.values()) {
            d.executor().offer(() -> {
                if (driverFor(d.deviceId()) != driver || d.driver() == driver) {
                    return;
                }
                if (d.driver() != null) {
                    d.unbind("replaced by a driver of higher rank");
                }
                if (d.state() == DriverDevice.State.NO_DRIVER) {
                    d.bind(driver);
                }
            });
        }
    }

    /** A driver is leaving: unbind it everywhere (waits, bounded), then rebind to another driver if one is there. */
    public void driverRemoved(VirtioDriver driver) {
        List<java.util.concurrent.CompletableFuture<Void>> waits = new ArrayList<>();
        for (DriverDevice d : devices.values()) {
            java.util.concurrent.CompletableFuture<Void> done = new java.util.concurrent.CompletableFuture<>();
            boolean queued = d.executor().offer(() -> {
                try {
                    if (d.driver() == driver) {
                        d.unbind("driver unbound");
                        VirtioDriver other = driverFor(d.deviceId());
                        if (other != null && other != driver) {
                            d.bind(other);
                        }
                    }
                } finally {
                    done.complete(null);
                }
            });
            if (queued) {
                waits.add(done);
            }
        }
        for (var w : waits) {
            try {
                w.get(options.removeBoundMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
            } catch (Exception e) {
                log.warn("bus " + busName() + ": unbinding a driver did not finish in time: " + e);
            }
        }
    }

    /** Removes every device (their drivers see "bus removed") and detaches from the bus. */
    public void stop(String why) {
        stopped = true;
        engine.close("bus " + busName() + ": " + why);
        // The control thread may be adding a device this moment (discovery, EVENT_DEVICE): let it
        // finish, bounded, before the sweep, or a device added after the sweep keeps its thread
        // (found by LifecycleLoopIT: vmsg-drv-BUS-N threads left after the bus bundle cycled).
        control.shutdown(options.removeBoundMillis());
        for (Integer n : new ArrayList<>(devices.keySet())) {
            deviceRemoved(n, why);
        }
        driverEndpoint.detach(this);
    }

    // ---- link state (bus thread) ----

    /**
     * The peer is gone: every request in flight fails once with REMOVED, and every device is
     * removed (its driver sees "peer lost"). The bus may come back with {@link #onLinkUp()}.
     */
    @Override
    public void onLinkDown(String reason) {
        if (stopped) {
            return;
        }
        log.warn("bus " + busName() + ": link down (" + reason + "); removing its devices");
        engine.failOutstanding("bus " + busName() + ": peer lost: " + reason);
        control.offer(() -> {
            for (Integer n : new ArrayList<>(devices.keySet())) {
                deviceRemoved(n, "peer lost: " + reason);
            }
        });
    }

    /** The peer is back (a new epoch): discover its devices again. */
    @Override
    public void onLinkUp() {
        if (stopped) {
            return;
        }
        log.info("bus " + busName() + ": link up; discovering devices");
        control.offer(this::discover);
    }

    // ---- receive path (bus delivery thread) ----

    @Override
    void onMessage(Header header, Message message) {
        if (message.kind() == MessageKind.RESPONSE) {
            engine.complete(header, message);
        } else if (message instanceof EventUsed used) {
            DriverDevice d = devices.get(header.devNum());
            if (d == null || !d.executor().offer(() -> d.onUsed(used.vqIndex()))) {
                counters.dropped("EVENT_USED for an unknown device");
            }
        } else if (message instanceof EventConfig config) {
            DriverDevice d = devices.get(header.devNum());
            if (d == null || !d.executor().offer(() -> d.onConfig(config))) {
                counters.dropped("EVENT_CONFIG for an unknown device");
            }
        } else if (message instanceof EventDevice event) {
            onEventDevice(event);
        } else if (message instanceof PingRequest ping) {
            sendBus(new PingResponse(ping.data()), header.token());
        } else {
            counters.dropped("message the driver side does not take");
        }
    }

    private void onEventDevice(EventDevice event) {
        int n = event.deviceNumber();
        boolean queued = switch (event.state()) {
            case DeviceBusState.ADDED -> control.offer(() -> deviceAdded(n));
            case DeviceBusState.REMOVED -> control.offer(() -> deviceRemoved(n, "device removed from the bus"));
            default -> {
                counters.dropped("EVENT_DEVICE with unknown state");
                yield true;
            }
        };
        if (!queued) {
            counters.dropped("control thread queue full");
        }
    }

    /** Sends a PING and returns the round trip in nanoseconds. */
    public long ping(int data) {
        long start = System.nanoTime();
        PingResponse r = (PingResponse) engine.callBus(new PingRequest(data), options.requestTimeoutMillis(),
                "bus " + busName() + ": PING");
        long rtt = System.nanoTime() - start;
        if (r.data() != data) {
            throw new VirtioDeviceException(VirtioDeviceException.Reason.PROTOCOL, "bus " + busName()
                    + ": PING echoed " + r.data() + " for " + data);
        }
        return rtt;
    }

    /**
     * Reads the whole config space of device {@code number} (caller's thread, as a driver reads it).
     *
     * @throws IllegalArgumentException when there is no such device on this bus
     * @throws IllegalStateException when it is not identified yet or is gone
     */
    public byte[] readConfig(int number) {
        DriverDevice d = devices.get(number);
        if (d == null) {
            throw new IllegalArgumentException("no device " + number + " on the driver side of bus " + busName());
        }
        return d.readWholeConfig();
    }

    /**
     * Resets device {@code number} and re-initialises it on its own thread; waits at most
     * {@code waitMillis} for that to finish.
     *
     * @throws IllegalArgumentException when there is no such device on this bus
     * @throws IllegalStateException when it cannot be reset or the reset does not finish in time
     */
    public DeviceView reset(int number, long waitMillis) {
        DriverDevice d = devices.get(number);
        if (d == null) {
            throw new IllegalArgumentException("no device " + number + " on the driver side of bus " + busName());
        }
        java.util.concurrent.CompletableFuture<DeviceView> done = new java.util.concurrent.CompletableFuture<>();
        boolean queued = d.executor().offer(() -> {
            try {
                d.resetByAdministrator();
                done.complete(d.view());
            } catch (RuntimeException e) {
                done.completeExceptionally(e);
            }
        });
        if (!queued) {
            throw new IllegalStateException("device " + number + " on bus " + busName() + " takes no work (removed?)");
        }
        try {
            return done.get(waitMillis, java.util.concurrent.TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException(e.getCause().getMessage(), e.getCause());
        } catch (java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("the reset of device " + number + " on bus " + busName()
                    + " did not finish within " + waitMillis + " ms (still running; see vmsg:devices)");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while resetting device " + number);
        }
    }

    // ---- send path ----

    /** A buffer that holds any message of this bus, for a sender that sends from one place. */
    ByteBuffer newFrameBuffer() {
        return ByteBuffer.allocate(codec.maxMessageSize());
    }

    /** Sends an event (EVENT_AVAIL) for device {@code number}, encoded in the caller's buffer. */
    void sendEvent(int number, Message event, ByteBuffer buffer) {
        try {
            encodeAndSend(buffer, number, 0, event);
        } catch (BusException e) {
            counters.dropped("send failed: " + e.reason());
            throw new VirtioDeviceException(VirtioDeviceException.Reason.REMOVED, "bus " + busName()
                    + ": could not notify device " + number + ": " + e.getMessage(), e);
        }
    }

    private synchronized void sendBus(Message message, int token) {
        try {
            encodeAndSend(ByteBuffer.allocate(codec.maxMessageSize()), 0, token, message);
        } catch (BusException | WireException e) {
            counters.dropped("send failed");
        }
    }

    // ---- views ----

    public List<DeviceView> views() {
        List<DeviceView> out = new ArrayList<>();
        for (DriverDevice d : devices.values()) {
            out.add(d.view());
        }
        return out;
    }
}
