package dev.vmsg.transport.internal;

import static dev.vmsg.wire.DeviceStatus.ACKNOWLEDGE;
import static dev.vmsg.wire.DeviceStatus.DEVICE_NEEDS_RESET;
import static dev.vmsg.wire.DeviceStatus.DRIVER;
import static dev.vmsg.wire.DeviceStatus.DRIVER_OK;
import static dev.vmsg.wire.DeviceStatus.FAILED;
import static dev.vmsg.wire.DeviceStatus.FEATURES_OK;

import dev.vmsg.admin.DeviceView;
import dev.vmsg.admin.QueueView;
import dev.vmsg.driver.DriverInstance;
import dev.vmsg.driver.QueueListener;
import dev.vmsg.driver.Virtqueue;
import dev.vmsg.driver.VirtioDevice;
import dev.vmsg.driver.VirtioDeviceException;
import dev.vmsg.driver.VirtioDeviceException.Reason;
import dev.vmsg.driver.VirtioDriver;
import dev.vmsg.memory.DmaAllocator;
import dev.vmsg.memory.DmaRegion;
import dev.vmsg.memory.DmaWindow;
import dev.vmsg.virtqueue.DriverVirtqueue;
import dev.vmsg.virtqueue.SplitRing;
import dev.vmsg.virtqueue.VirtqueueAddresses;
import dev.vmsg.wire.DeviceIds;
import dev.vmsg.wire.DeviceStatus;
import dev.vmsg.wire.EventConfig;
import dev.vmsg.wire.FeatureBits;
import dev.vmsg.wire.FeatureSet;
import dev.vmsg.wire.GetConfigRequest;
import dev.vmsg.wire.GetConfigResponse;
import dev.vmsg.wire.GetDeviceFeaturesRequest;
import dev.vmsg.wire.GetDeviceFeaturesResponse;
import dev.vmsg.wire.GetDeviceInfoRequest;
import dev.vmsg.wire.GetDeviceInfoResponse;
import dev.vmsg.wire.GetDeviceStatusRequest;
import dev.vmsg.wire.GetDeviceStatusResponse;
import dev.vmsg.wire.GetVqueueRequest;
import dev.vmsg.wire.GetVqueueResponse;
import dev.vmsg.wire.Message;
import dev.vmsg.wire.SetConfigRequest;
import dev.vmsg.wire.SetConfigResponse;
import dev.vmsg.wire.SetDeviceStatusRequest;
import dev.vmsg.wire.SetDeviceStatusResponse;
import dev.vmsg.wire.SetDriverFeaturesRequest;
import dev.vmsg.wire.SetVqueueRequest;
import dev.vmsg.wire.VqueueFlags;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * The driver side of one device: identifies it, runs the init sequence of spec section 2.2 for
 * the driver bound to it (reset with poll, ACKNOWLEDGE, DRIVER, features, FEATURES_OK, queues,
 * DRIVER_OK), and serves the {@link VirtioDevice} handle the driver uses. A device that stops
 * answering or breaks the protocol is marked broken: its driver is removed, every outstanding
 * chain fails once, and a reset is attempted.
 */
final class DriverDevice implements VirtioDevice {

    /** States of the driver's view of a device. */
    enum State { IDENTIFYING, NO_DRIVER, INITIALISING, RUNNING, BROKEN, REMOVED }

    private static final int CONFIG_GENERATION_RETRIES = 5;
    /** Device-requested resets the driver side follows before it gives the device up as broken. */
    private static final int MAX_RECOVERIES = 3;

    private final DriverTransport transport;
    private final int number;
    private final DeviceExecutor executor;
    private final Map<Integer, DriverQueue> queues = new ConcurrentSkipListMap<>();
    /** Set when the device is removed: its requests end at once with this cause. */
    private volatile VirtioDeviceException removedCause;
    private final List<DmaRegion> allocations = new ArrayList<>();
    private volatile State state = State.IDENTIFYING;
    private volatile String problem;
    private volatile GetDeviceInfoResponse info;
    private volatile FeatureSet offered = FeatureSet.EMPTY;
    private volatile FeatureSet negotiated = FeatureSet.EMPTY;
    private volatile int status;
    private volatile int generation;
    private volatile VirtioDriver driver;
    private volatile DriverInstance instance;
    private boolean probing;
    private int recoveries;

    DriverDevice(DriverTransport transport, int number) {
        this.transport = transport;
        this.number = number;
        this.executor = new DeviceExecutor("vmsg-drv-" + transport.busName() + "-" + number, 1024);
    }

    DeviceExecutor executor() {
        return executor;
    }

    State state() {
        return state;
    }

    VirtioDriver driver() {
        return driver;
    }

    String describe() {
        GetDeviceInfoResponse i = info;
        return (i == null ? "device" : DeviceIds.name(i.deviceId())) + " " + transport.busName() + "/" + number;
    }

    // ---- device thread: identification and binding ----

    /** GET_DEVICE_INFO, then bind a driver if one is there. */
    void identify() {
        GetDeviceInfoResponse i;
        try {
            i = (GetDeviceInfoResponse) request(new GetDeviceInfoRequest(), "GET_DEVICE_INFO");
        } catch (VirtioDeviceException e) {
            broken("identification failed: " + e.getMessage());
            return;
        }
        if (i.deviceId() == 0) {
            state = State.REMOVED;
            problem = "device id 0 (no device)";
            transport.log().info("bus " + transport.busName() + ": device number " + number + " reports no device");
            return;
        }
        long adminEnd = Integer.toUnsignedLong(i.adminVqStart()) + Integer.toUnsignedLong(i.adminVqCount());
        if (i.adminVqCount() != 0 && adminEnd > Integer.toUnsignedLong(i.maxVirtqueues())) {
            broken("GET_DEVICE_INFO: admin queues beyond max_virtqueues");
            return;
        }
        if (i.numFeatureBlocks() < 1 || i.numFeatureBlocks() > 32) {
            broken("GET_DEVICE_INFO: num_feature_blocks " + i.numFeatureBlocks() + " outside 1..32");
            return;
        }
        info = i;
        state = State.NO_DRIVER;
        VirtioDriver d = transport.driverFor(i.deviceId());
        if (d != null) {
            bind(d);
        } else {
            transport.log().info("bus " + transport.busName() + ": " + describe() + " found; no driver for it yet");
        }
    }

    /** Runs the init sequence for {@code d}. Device thread. */
    void bind(VirtioDriver d) {
        if (state != State.NO_DRIVER || info == null) {
            return;
        }
        state = State.INITIALISING;
        driver = d;
        problem = null;
        try {
            resetAndWait();
            setStatus(ACKNOWLEDGE);
            setStatus(ACKNOWLEDGE | DRIVER);
            negotiate(d);
            int s = setStatus(ACKNOWLEDGE | DRIVER | FEATURES_OK);
            if ((s & FEATURES_OK) == 0) {
                throw new VirtioDeviceException(Reason.REJECTED, "the device refused the features " + negotiated);
            }
            probing = true;
            DriverInstance inst;
            try {
                inst = d.probe(this);
            } finally {
                probing = false;
            }
            if (inst == null) {
                throw new VirtioDeviceException(Reason.REJECTED, "the driver returned no instance");
            }
            instance = inst;
            s = setStatus(ACKNOWLEDGE | DRIVER | FEATURES_OK | DRIVER_OK);
            if ((s & DRIVER_OK) == 0) {
                throw new VirtioDeviceException(Reason.REJECTED, "the device refused DRIVER_OK (status "
                        + DeviceStatus.describe(s) + ")");
            }
            state = State.RUNNING;
            for (DriverQueue q : queues.values()) {
                q.goLive();
            }
            transport.log().info("bus " + transport.busName() + ": " + describe() + " is running, features "
                    + negotiated);
            inst.ready();
        } catch (RuntimeException e) {
            String why = "initialisation failed: " + e.getMessage();
            if (state != State.REMOVED) {
                transport.log().warn("bus " + transport.busName() + ": " + describe() + ": " + why);
                bestEffortStatus(FAILED | ACKNOWLEDGE | DRIVER);
                detachDriver(why, Reason.BROKEN);
                state = State.BROKEN;
                problem = why;
            }
        }
    }

    private void resetAndWait() {
        long deadline = System.nanoTime() + transport.options().resetTimeoutMillis() * 1_000_000L;
        int s = setStatus(0);
        while (s != 0) {
            if (System.nanoTime() - deadline > 0) {
                throw new VirtioDeviceException(Reason.TIMEOUT, "the device did not reset within "
                        + transport.options().resetTimeoutMillis() + " ms");
            }
            sleep(transport.options().resetPollMillis());
            s = ((GetDeviceStatusResponse) request(new GetDeviceStatusRequest(), "GET_DEVICE_STATUS")).status();
        }
        status = 0;
    }

    private void negotiate(VirtioDriver d) {
        int blocks = info.numFeatureBlocks();
        GetDeviceFeaturesResponse r = (GetDeviceFeaturesResponse) request(new GetDeviceFeaturesRequest(0, blocks),
                "GET_DEVICE_FEATURES");
        if (r.blockIndex() != 0 || r.numBlocks() != blocks || r.features().length != blocks) {
            throw new VirtioDeviceException(Reason.PROTOCOL, "GET_DEVICE_FEATURES answered blocks " + r.blockIndex()
                    + "+" + r.numBlocks() + " for 0+" + blocks);
        }
        offered = FeatureSet.fromBlocks(r.features());
        if (!offered.has(FeatureBits.VIRTIO_F_VERSION_1)) {
            throw new VirtioDeviceException(Reason.REJECTED, "the device does not offer VIRTIO_F_VERSION_1");
        }
        FeatureSet wanted = offered.and(d.supportedFeatures().or(DriverTransport.TRANSPORT_FEATURES));
        negotiated = wanted;
        request(new SetDriverFeaturesRequest(0, blocks, wanted.toBlocks(blocks)), "SET_DRIVER_FEATURES");
    }

    private int setStatus(int value) {
        int s = ((SetDeviceStatusResponse) request(new SetDeviceStatusRequest(value),
                "SET_DEVICE_STATUS " + DeviceStatus.describe(value))).status();
        status = s;
        return s;
    }

    private void bestEffortStatus(int value) {
        try {
            setStatus(value);
        } catch (VirtioDeviceException e) {
            transport.log().debug(describe() + ": could not set status " + DeviceStatus.describe(value) + ": "
                    + e.getMessage());
        }
    }

    private Message request(Message m, String what) {
        Message response;
        try {
            response = transport.engine().call(number, m, transport.options().requestTimeoutMillis(),
                    describe() + ": " + what, () -> removedCause);
        } catch (VirtioDeviceException e) {
            if (e.reason() == Reason.TIMEOUT && state == State.RUNNING) {
                // As Linux does: a running device that stops answering is given up, never waited on again.
                broken("no response to " + what + " within " + transport.options().requestTimeoutMillis() + " ms");
            }
            throw e;
        }
        if (response == null || response.msgId() != m.msgId()) {
            throw new VirtioDeviceException(Reason.PROTOCOL, describe() + ": " + what + ": wrong response " + response);
        }
        return response;
    }

    // ---- events (device thread) ----

    void onUsed(int vqIndex) {
        DriverQueue q = queues.get(vqIndex);
        if (q == null) {
            transport.counters().dropped("EVENT_USED for a queue not open");
            return;
        }
        q.harvest();
    }

    void onConfig(EventConfig e) {
        generation = e.generation();
        if ((e.deviceStatus() & DEVICE_NEEDS_RESET) != 0) {
            status = e.deviceStatus();
            if (state == State.RUNNING || state == State.INITIALISING) {
                if (++recoveries > MAX_RECOVERIES) {
                    broken("the device asked for a reset more than " + MAX_RECOVERIES + " times");
                    return;
                }
                VirtioDriver d = driver;
                transport.log().warn("bus " + transport.busName() + ": " + describe()
                        + " needs reset; re-initialising it");
                detachDriver("device needs reset", Reason.BROKEN);
                state = State.NO_DRIVER;
                if (d != null && transport.driverFor(info.deviceId()) == d) {
                    bind(d);
                }
            }
            return;
        }
        DriverInstance inst = instance;
        if (state == State.RUNNING && inst != null) {
            try {
                inst.configChanged();
            } catch (RuntimeException ex) {
                transport.log().warn(describe() + ": driver failed on a config change: " + ex);
            }
        }
    }

    /** The bound driver went away: release the device (reset) and wait for another. Device thread. */
    void unbind(String reason) {
        if (driver == null) {
            return;
        }
        detachDriver(reason, Reason.REMOVED);
        bestEffortStatus(0);
        state = info == null ? State.BROKEN : State.NO_DRIVER;
    }

    /** Marks the device broken; its driver is removed and a reset attempted. Any thread. */
    void broken(String why) {
        Runnable task = () -> {
            if (state == State.REMOVED || state == State.BROKEN) {
                return;
            }
            transport.log().warn("bus " + transport.busName() + ": " + describe() + " is broken: " + why);
            state = State.BROKEN;
            problem = why;
            transport.engine().fail(number, new VirtioDeviceException(Reason.BROKEN, describe() + ": " + why));
            detachDriver(why, Reason.BROKEN);
            bestEffortStatus(0);
        };
        if (executor.inExecutor()) {
            task.run();
        } else if (!executor.offer(task)) {
            transport.log().warn(describe() + ": could not schedule the broken-device handling: " + why);
        }
    }

    /** The device left the bus (EVENT_DEVICE REMOVED, bus gone): stop everything, bounded. */
    void remove(String why, long boundMillis) {
        VirtioDeviceException cause = new VirtioDeviceException(Reason.REMOVED, describe() + ": " + why);
        removedCause = cause; // before fail(): a request made from now on ends at once (RequestEngine.call)
        transport.engine().fail(number, cause);
        executor.offer(() -> {
            detachDriver(why, Reason.REMOVED);
            state = State.REMOVED;
            problem = why;
        });
        if (!executor.shutdown(boundMillis)) {
            transport.log().warn(describe() + ": driver thread did not stop within " + boundMillis + " ms");
            state = State.REMOVED;
        }
    }

    private void detachDriver(String why, Reason reason) {
        DriverInstance inst = instance;
        instance = null;
        driver = null;
        if (inst != null) {
            try {
                inst.remove(why);
            } catch (RuntimeException e) {
                transport.log().warn(describe() + ": driver failed while being removed: " + e);
            }
        }
        VirtioDeviceException cause = new VirtioDeviceException(reason, describe() + ": " + why);
        for (DriverQueue q : queues.values()) {
            q.close(cause);
        }
        queues.clear();
        DmaAllocator allocator = transport.allocator();
        synchronized (allocations) {
            for (DmaRegion r : allocations) {
                allocator.free(r);
            }
            allocations.clear();
        }
        negotiated = FeatureSet.EMPTY;
    }

    void sendEvent(Message event, java.nio.ByteBuffer buffer) {
        transport.sendEvent(number, event, buffer);
    }

    java.nio.ByteBuffer newFrameBuffer() {
        return transport.newFrameBuffer();
    }

    void listenerFailed(int queue, RuntimeException e) {
        transport.log().warn(describe() + ": queue " + queue + " listener threw " + e);
    }

    // ---- VirtioDevice ----

    @Override
    public String busName() {
        return transport.busName();
    }

    @Override
    public int deviceNumber() {
        return number;
    }

    @Override
    public int deviceId() {
        return info.deviceId();
    }

    @Override
    public int vendorId() {
        return info.vendorId();
    }

    @Override
    public UUID deviceUuid() {
        return info.deviceUuid();
    }

    @Override
    public FeatureSet offeredFeatures() {
        return offered;
    }

    @Override
    public FeatureSet negotiatedFeatures() {
        return negotiated;
    }

    @Override
    public int configSize() {
        return info.configSize();
    }

    @Override
    public int maxVirtqueues() {
        return info.maxVirtqueues();
    }

    @Override
    public int status() {
        return status;
    }

    @Override
    public DmaWindow window() {
        return transport.window();
    }

    @Override
    public DmaAllocator allocator() {
        return transport.allocator();
    }

    @Override
    public byte[] readConfig(int offset, int length) {
        checkConfigRange(offset, length);
        int chunk = transport.maxPayload() - 12;
        for (int attempt = 0; attempt < CONFIG_GENERATION_RETRIES; attempt++) {
            byte[] out = new byte[length];
            int firstGeneration = 0;
            boolean consistent = true;
            int done = 0;
            do {
                int n = Math.min(chunk, length - done);
                GetConfigResponse r = (GetConfigResponse) request(new GetConfigRequest(offset + done, n),
                        "GET_CONFIG " + (offset + done) + "+" + n);
                if (r.offset() != offset + done || r.length() != n || r.data().length < n) {
                    throw new VirtioDeviceException(Reason.PROTOCOL, describe() + ": GET_CONFIG answered "
                            + r.offset() + "+" + r.length() + " for " + (offset + done) + "+" + n);
                }
                if (done == 0) {
                    firstGeneration = r.generation();
                } else if (r.generation() != firstGeneration) {
                    consistent = false;
                }
                System.arraycopy(r.data(), 0, out, done, n);
                done += n;
            } while (done < length);
            generation = firstGeneration;
            if (consistent) {
                return out;
            }
        }
        throw new VirtioDeviceException(Reason.BROKEN, describe() + ": config kept changing during "
                + CONFIG_GENERATION_RETRIES + " reads");
    }

    @Override
    public void writeConfig(int offset, byte[] data) {
        checkConfigRange(offset, data.length);
        int chunk = transport.maxPayload() - 12;
        int done = 0;
        while (done < data.length) {
            int n = Math.min(chunk, data.length - done);
            SetConfigResponse r = (SetConfigResponse) request(new SetConfigRequest(0, offset + done, n,
                    Arrays.copyOfRange(data, done, done + n)), "SET_CONFIG " + (offset + done) + "+" + n);
            if (r.length() == 0) {
                throw new VirtioDeviceException(Reason.REJECTED, describe() + ": the device rejected a config write at "
                        + (offset + done));
            }
            if (r.length() != n) {
                throw new VirtioDeviceException(Reason.PROTOCOL, describe() + ": SET_CONFIG echoed length " + r.length()
                        + " for " + n);
            }
            generation = r.generation();
            done += n;
        }
    }

    private void checkConfigRange(int offset, int length) {
        long size = Integer.toUnsignedLong(info.configSize());
        if (offset < 0 || length < 0 || length > size || offset > size - length) {
            throw new IllegalArgumentException(describe() + ": config range " + offset + "+" + length
                    + " outside the " + size + "-byte config space");
        }
    }

    @Override
    public Virtqueue openQueue(int index, int size, QueueListener listener) {
        if (!probing || !executor.inExecutor()) {
            throw new IllegalStateException(describe() + ": queues are opened only during probe");
        }
        if (index < 0 || Integer.toUnsignedLong(index) >= Integer.toUnsignedLong(info.maxVirtqueues())) {
            throw new IllegalArgumentException(describe() + ": queue " + index + " beyond max_virtqueues "
                    + info.maxVirtqueues());
        }
        if (queues.containsKey(index)) {
            throw new IllegalStateException(describe() + ": queue " + index + " is already open");
        }
        GetVqueueResponse before = (GetVqueueResponse) request(new GetVqueueRequest(index), "GET_VQUEUE " + index);
        if (before.maxSize() == 0) {
            throw new VirtioDeviceException(Reason.REJECTED, describe() + ": queue " + index + " does not exist");
        }
        if (before.size() != 0 || (before.flags() & VqueueFlags.ENABLED) != 0) {
            throw new VirtioDeviceException(Reason.PROTOCOL, describe() + ": queue " + index
                    + " is not inactive after reset");
        }
        int n = Integer.highestOneBit(Math.max(1, Math.min(Math.min(size, before.maxSize()), SplitRing.MAX_SIZE)));
        long descBytes = SplitRing.descriptorTableBytes(n);
        long availOffset = descBytes;
        long usedOffset = align(availOffset + SplitRing.availRingBytes(n), SplitRing.USED_ALIGN);
        long total = usedOffset + SplitRing.usedRingBytes(n);
        DmaRegion region = transport.allocator().allocate(total);
        synchronized (allocations) {
            allocations.add(region);
        }
        VirtqueueAddresses addrs = new VirtqueueAddresses(region.address(), region.address() + availOffset,
                region.address() + usedOffset);
        DriverVirtqueue ring = new DriverVirtqueue(transport.window(), index, n, addrs,
                negotiated.has(FeatureBits.VIRTIO_F_EVENT_IDX));
        request(new SetVqueueRequest(index, VqueueFlags.ENABLE, n, addrs.descriptorAddr(), addrs.driverAddr(),
                addrs.deviceAddr()), "SET_VQUEUE " + index);
        GetVqueueResponse after = (GetVqueueResponse) request(new GetVqueueRequest(index), "GET_VQUEUE " + index);
        if (after.size() != n || (after.flags() & VqueueFlags.ENABLED) == 0
                || after.descriptorAddr() != addrs.descriptorAddr() || after.driverAddr() != addrs.driverAddr()
                || after.deviceAddr() != addrs.deviceAddr()) {
            throw new VirtioDeviceException(Reason.REJECTED, describe() + ": the device did not take queue " + index
                    + " (size " + after.size() + ", flags " + after.flags() + ")");
        }
        DriverQueue q = new DriverQueue(this, ring, region, listener, transport.options().pollNanos());
        queues.put(index, q);
        return q;
    }

    private static long align(long value, int alignment) {
        return (value + alignment - 1) & -alignment;
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new VirtioDeviceException(Reason.REMOVED, "interrupted");
        }
    }

    /** The device-type bit names of the bound driver, or of the driver of its type. */
    private java.util.Map<Integer, String> featureNames(int id) {
        VirtioDriver d = driver;
        if (d == null && id != 0) {
            d = transport.driverFor(id);
        }
        try {
            return d == null ? java.util.Map.of() : d.featureNames();
        } catch (RuntimeException e) {
            return java.util.Map.of();
        }
    }

    /** Bytes of config space an administrator's read shows at most. */
    static final int ADMIN_CONFIG_LIMIT = 4096;

    /** The config space, its first {@value #ADMIN_CONFIG_LIMIT} bytes at most (administration); any thread. */
    byte[] readWholeConfig() {
        GetDeviceInfoResponse i = info;
        State st = state;
        if (i == null || st == State.REMOVED || st == State.BROKEN || st == State.IDENTIFYING) {
            throw new IllegalStateException(describe() + " is " + st.name().toLowerCase(java.util.Locale.ROOT)
                    + ", its config cannot be read");
        }
        long size = Math.min(Integer.toUnsignedLong(i.configSize()), ADMIN_CONFIG_LIMIT);
        return size == 0 ? new byte[0] : readConfig(0, (int) size);
    }

    /**
     * The administrator's reset: releases the driver, then runs the whole init sequence again
     * (status 0 first) with the driver of its type, also for a broken device. Device thread.
     */
    void resetByAdministrator() {
        GetDeviceInfoResponse i = info;
        if (i == null || state == State.REMOVED) {
            throw new IllegalStateException(describe() + " is " + state.name().toLowerCase(java.util.Locale.ROOT)
                    + ", it cannot be reset");
        }
        transport.log().info("bus " + transport.busName() + ": " + describe() + " reset by the administrator");
        detachDriver("reset by the administrator", Reason.REMOVED);
        recoveries = 0;
        problem = null;
        state = State.NO_DRIVER;
        VirtioDriver d = transport.driverFor(i.deviceId());
        if (d != null) {
            bind(d);
        } else {
            bestEffortStatus(0);
        }
    }

    DeviceView view() {
        GetDeviceInfoResponse i = info;
        List<QueueView> qs = new ArrayList<>();
        for (DriverQueue q : queues.values()) {
            qs.add(q.view());
        }
        State st = state;
        String stateText = switch (st) {
            case RUNNING -> "running";
            case NO_DRIVER -> "no driver";
            case IDENTIFYING -> "identifying";
            case INITIALISING -> "initialising";
            case BROKEN -> "broken: " + problem;
            case REMOVED -> "removed: " + problem;
        };
        int id = i == null ? 0 : i.deviceId();
        java.util.Map<Integer, String> names = featureNames(id);
        return new DeviceView(transport.busName(), number, "driver", transport.busName() + "/" + number, id,
                DeviceIds.name(id), status, stateText, offered.describe(names), negotiated.describe(names),
                i == null ? 0 : i.configSize(), generation, qs);
    }
}
