package dev.vmsg.transport.internal;

import static dev.vmsg.wire.DeviceStatus.DEVICE_NEEDS_RESET;
import static dev.vmsg.wire.DeviceStatus.DRIVER;
import static dev.vmsg.wire.DeviceStatus.DRIVER_OK;
import static dev.vmsg.wire.DeviceStatus.FAILED;
import static dev.vmsg.wire.DeviceStatus.FEATURES_OK;

import dev.vmsg.admin.DeviceView;
import dev.vmsg.admin.QueueView;
import dev.vmsg.device.DeviceContext;
import dev.vmsg.device.VirtioDeviceBackend;
import dev.vmsg.memory.DmaWindow;
import dev.vmsg.virtqueue.DeviceVirtqueue;
import dev.vmsg.virtqueue.SplitRing;
import dev.vmsg.virtqueue.VirtqueueAddresses;
import dev.vmsg.virtqueue.VirtqueueException;
import dev.vmsg.wire.DeviceIds;
import dev.vmsg.wire.DeviceStatus;
import dev.vmsg.wire.EventAvail;
import dev.vmsg.wire.EventConfig;
import dev.vmsg.wire.EventUsed;
import dev.vmsg.wire.FeatureBits;
import dev.vmsg.wire.FeatureSet;
import dev.vmsg.wire.GetConfigRequest;
import dev.vmsg.wire.GetConfigResponse;
import dev.vmsg.wire.GetDeviceFeaturesRequest;
import dev.vmsg.wire.GetDeviceFeaturesResponse;
import dev.vmsg.wire.GetDeviceInfoResponse;
import dev.vmsg.wire.GetDeviceStatusResponse;
import dev.vmsg.wire.GetShmRequest;
import dev.vmsg.wire.GetShmResponse;
import dev.vmsg.wire.GetVqueueRequest;
import dev.vmsg.wire.GetVqueueResponse;
import dev.vmsg.wire.Message;
import dev.vmsg.wire.ResetVqueueRequest;
import dev.vmsg.wire.ResetVqueueResponse;
import dev.vmsg.wire.SetConfigRequest;
import dev.vmsg.wire.SetConfigResponse;
import dev.vmsg.wire.SetDeviceStatusRequest;
import dev.vmsg.wire.SetDeviceStatusResponse;
import dev.vmsg.wire.SetDriverFeaturesRequest;
import dev.vmsg.wire.SetDriverFeaturesResponse;
import dev.vmsg.wire.SetVqueueRequest;
import dev.vmsg.wire.SetVqueueResponse;
import dev.vmsg.wire.VqueueFlags;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One device hosted on one bus: the device half of the protocol for one backend. Holds the status
 * machine, the negotiated features, the config generation and each queue's state, answers the
 * driver's requests, and dispatches EVENT_AVAIL to the backend. Every method that touches state
 * runs on the device's own thread.
 */
final class HostedDevice implements DeviceContext {

    /** Transport-level features the transport implements for every device. */
    static final FeatureSet TRANSPORT_FEATURES = FeatureSet.of(FeatureBits.VIRTIO_F_VERSION_1,
            FeatureBits.VIRTIO_F_ACCESS_PLATFORM, FeatureBits.VIRTIO_F_EVENT_IDX, FeatureBits.VIRTIO_F_RING_RESET);

    /** Cap on bytes one chain may carry; bigger chains are rejected (HARDENING rule 3). */
    static final long MAX_CHAIN_BYTES = 16L * 1024 * 1024;

    private final DeviceTransport transport;
    private final VirtioDeviceBackend backend;
    private final String name;
    private final int number;
    private final DeviceExecutor executor;
    private final FeatureSet offered;
    private final int numFeatureBlocks;
    private final HostedQueue[] queues;
    private final AtomicBoolean[] notifyPending;
    private final TransportLog log;

    private volatile int status;
    private volatile FeatureSet driverFeatures = FeatureSet.EMPTY;
    private volatile FeatureSet negotiated = FeatureSet.EMPTY;
    private volatile int generation;
    private volatile String problem;
    private boolean started;
    private ByteBuffer txBuffer;

    HostedDevice(DeviceTransport transport, VirtioDeviceBackend backend, String name, int number, TransportLog log) {
        this.transport = transport;
        this.backend = backend;
        this.name = name;
        this.number = number;
        this.log = log;
        this.executor = new DeviceExecutor("vmsg-dev-" + transport.busName() + "-" + number, 4096);
        this.offered = backend.features().or(TRANSPORT_FEATURES);
        this.numFeatureBlocks = Math.max(2, (offered.highestBit() / 32) + 1);
        int numQueues = backend.numQueues();
        if (numQueues < 1 || numQueues > 65536) {
            throw new IllegalArgumentException("device " + name + ": numQueues " + numQueues + " outside 1..65536");
        }
        this.queues = new HostedQueue[numQueues];
        this.notifyPending = new AtomicBoolean[numQueues];
        for (int i = 0; i < numQueues; i++) {
            int max = backend.queueMaxSize(i);
            if (!SplitRing.isValidSize(max)) {
                throw new IllegalArgumentException("device " + name + ": queue " + i + " max size " + max
                        + " is not a power of two in 1.." + SplitRing.MAX_SIZE);
            }
            queues[i] = new HostedQueue(i, max);
            notifyPending[i] = new AtomicBoolean();
        }
    }

    String name() {
        return name;
    }

    /** The device thread's send buffer. */
    ByteBuffer txBuffer(int size) {
        if (txBuffer == null) {
            txBuffer = ByteBuffer.allocate(size);
        }
        return txBuffer;
    }

    VirtioDeviceBackend backend() {
        return backend;
    }

    // ---- delivery thread: hand work to the device thread ----

    /** Queues a request for the device thread; false when the device's queue is full. */
    boolean submitRequest(int token, Message request) {
        return executor.offer(() -> respond(token, request));
    }

    /** Queues an EVENT_AVAIL; repeated kicks for a queue already pending collapse into one. */
    boolean submitAvail(EventAvail event) {
        int index = event.vqIndex();
        if (index < 0 || index >= queues.length) {
            transport.counters().dropped("EVENT_AVAIL for a queue the device lacks");
            return true;
        }
        if (!notifyPending[index].compareAndSet(false, true)) {
            return true;
        }
        return executor.offer(() -> {
            notifyPending[index].set(false);
            processAvail(index);
        });
    }

    // ---- device thread ----

    private void respond(int token, Message request) {
        Message response;
        try {
            response = handle(request);
        } catch (RuntimeException e) {
            fail("request " + request.getClass().getSimpleName() + " failed in the device: " + e);
            return;
        }
        if (response != null) {
            transport.send(this, number, token, response);
        }
    }

    private Message handle(Message request) {
        if (request instanceof dev.vmsg.wire.GetDeviceInfoRequest) {
            return deviceInfo();
        } else if (request instanceof GetDeviceFeaturesRequest r) {
            return deviceFeatures(r);
        } else if (request instanceof SetDriverFeaturesRequest r) {
            return setDriverFeatures(r);
        } else if (request instanceof GetConfigRequest r) {
            return getConfig(r);
        } else if (request instanceof SetConfigRequest r) {
            return setConfig(r);
        } else if (request instanceof dev.vmsg.wire.GetDeviceStatusRequest) {
            return new GetDeviceStatusResponse(status);
        } else if (request instanceof SetDeviceStatusRequest r) {
            return new SetDeviceStatusResponse(setStatus(r.status()));
        } else if (request instanceof GetVqueueRequest r) {
            return getVqueue(r.index());
        } else if (request instanceof SetVqueueRequest r) {
            setVqueue(r);
            return new SetVqueueResponse();
        } else if (request instanceof ResetVqueueRequest r) {
            resetVqueue(r.index());
            return new ResetVqueueResponse();
        } else if (request instanceof GetShmRequest r) {
            return new GetShmResponse(r.shmId(), 0, 0);
        }
        transport.counters().dropped("not a request a device answers");
        return null;
    }

    GetDeviceInfoResponse deviceInfo() {
        return new GetDeviceInfoResponse(backend.deviceId(), backend.vendorId(), new UUID(0, 0), numFeatureBlocks,
                backend.configSize(), queues.length, 0, 0);
    }

    private Message deviceFeatures(GetDeviceFeaturesRequest r) {
        int fit = (transport.maxPayload() - 8) / 4;
        int n = (int) Math.min(Integer.toUnsignedLong(r.numBlocks()), fit);
        int[] blocks = new int[n];
        long first = Integer.toUnsignedLong(r.blockIndex());
        int[] all = offered.toBlocks(numFeatureBlocks);
        for (int i = 0; i < n; i++) {
            long block = first + i;
            blocks[i] = block < all.length ? all[(int) block] : 0;
        }
        return new GetDeviceFeaturesResponse(r.blockIndex(), n, blocks);
    }

    private Message setDriverFeatures(SetDriverFeaturesRequest r) {
        int s = status;
        if ((s & DRIVER) == 0 || (s & FEATURES_OK) != 0) {
            transport.counters().dropped("SET_DRIVER_FEATURES outside DRIVER..FEATURES_OK");
            return new SetDriverFeaturesResponse();
        }
        long first = Integer.toUnsignedLong(r.blockIndex());
        int[] features = r.features();
        int[] merged = driverFeatures.toBlocks(Math.max(numFeatureBlocks, 1));
        for (int i = 0; i < features.length; i++) {
            long block = first + i;
            if (block < merged.length) {
                merged[(int) block] = features[i];
            } else if (features[i] != 0) {
                // Bits beyond what the device offers: remember them so FEATURES_OK is refused.
                merged = java.util.Arrays.copyOf(merged, (int) Math.min(block + 1, 1024));
                if (block < merged.length) {
                    merged[(int) block] = features[i];
                }
            }
        }
        driverFeatures = FeatureSet.fromBlocks(merged);
        return new SetDriverFeaturesResponse();
    }

    private Message getConfig(GetConfigRequest r) {
        long offset = Integer.toUnsignedLong(r.offset());
        long length = Integer.toUnsignedLong(r.length());
        if (!configRangeValid(offset, length) || length > transport.maxPayload() - 12) {
            transport.counters().dropped("GET_CONFIG out of range");
            return new GetConfigResponse(generation, r.offset(), 0, new byte[0]);
        }
        byte[] data = new byte[(int) length];
        backend.readConfig((int) offset, ByteBuffer.wrap(data));
        return new GetConfigResponse(generation, r.offset(), (int) length, data);
    }

    private Message setConfig(SetConfigRequest r) {
        long offset = Integer.toUnsignedLong(r.offset());
        long length = Integer.toUnsignedLong(r.length());
        boolean applied = length > 0 && configRangeValid(offset, length) && length <= r.data().length
                && backend.writeConfig((int) offset, ByteBuffer.wrap(r.data(), 0, (int) length).asReadOnlyBuffer());
        if (!applied) {
            transport.counters().dropped("SET_CONFIG rejected");
        }
        return new SetConfigResponse(generation, r.offset(), applied ? (int) length : 0, new byte[0]);
    }

    private boolean configRangeValid(long offset, long length) {
        long size = backend.configSize();
        return length <= size && offset <= size - length;
    }

    private int setStatus(int requested) {
        int current = status;
        if (requested == 0) {
            reset();
            return 0;
        }
        String refusal = DeviceStatusRules.refusal(current, requested);
        if (refusal != null) {
            transport.counters().dropped("status write refused");
            log.debug("device " + describe() + ": status write refused: " + refusal);
            return current;
        }
        int added = requested & ~current;
        if ((added & FEATURES_OK) != 0 && !featuresAcceptable()) {
            return current;
        }
        if ((added & FEATURES_OK) != 0) {
            negotiated = driverFeatures;
        }
        status = requested | (current & DEVICE_NEEDS_RESET);
        if ((added & DRIVER_OK) != 0) {
            started = true;
            backend.driverOk(this);
        }
        if ((added & FAILED) != 0) {
            log.info("device " + describe() + ": the driver set FAILED");
        }
        return status;
    }

    private boolean featuresAcceptable() {
        FeatureSet wanted = driverFeatures;
        if (!wanted.isSubsetOf(offered)) {
            log.debug("device " + describe() + ": driver asked for features not offered: " + wanted);
            return false;
        }
        if (!wanted.has(FeatureBits.VIRTIO_F_VERSION_1)) {
            log.debug("device " + describe() + ": driver did not accept VIRTIO_F_VERSION_1 (legacy is not supported)");
            return false;
        }
        return backend.acceptFeatures(wanted.and(backend.features()));
    }

    /** Status 0: every queue and the negotiation are forgotten; the generation is kept. */
    private void reset() {
        if (started || status != 0) {
            backend.reset();
        }
        started = false;
        for (HostedQueue q : queues) {
            q.clear();
        }
        driverFeatures = FeatureSet.EMPTY;
        negotiated = FeatureSet.EMPTY;
        problem = null;
        status = 0;
    }

    private GetVqueueResponse getVqueue(int index) {
        if (index < 0 || index >= queues.length) {
            return new GetVqueueResponse(index, 0, 0, 0, 0, 0, 0);
        }
        HostedQueue q = queues[index];
        return new GetVqueueResponse(index, q.maxSize, q.size, q.enabled() ? VqueueFlags.ENABLED : 0,
                q.descriptorAddr, q.driverAddr, q.deviceAddr);
    }

    private void setVqueue(SetVqueueRequest r) {
        int index = r.index();
        if (index < 0 || index >= queues.length) {
            refuseQueue(index, "no such queue");
            return;
        }
        HostedQueue q = queues[index];
        int s = status;
        if ((s & FEATURES_OK) == 0 || (s & (FAILED | DEVICE_NEEDS_RESET)) != 0) {
            refuseQueue(index, "status " + DeviceStatus.describe(s) + " does not allow queue setup");
            return;
        }
        boolean ringReset = negotiated.has(FeatureBits.VIRTIO_F_RING_RESET);
        if ((s & DRIVER_OK) != 0 && !(ringReset && !q.enabled())) {
            refuseQueue(index, "SET_VQUEUE after DRIVER_OK");
            return;
        }
        int flags = r.flags();
        int op = flags & VqueueFlags.STATE_MASK;
        if ((flags & ~VqueueFlags.SET_VALID_MASK) != 0 || op == 3) {
            refuseQueue(index, "reserved flags 0x" + Integer.toHexString(flags));
            return;
        }
        int size = (flags & VqueueFlags.SIZE_IGNORE) != 0 ? q.size : r.size();
        long desc = (flags & VqueueFlags.DESC_ADDR_IGNORE) != 0 ? q.descriptorAddr : r.descriptorAddr();
        long driver = (flags & VqueueFlags.DRIVER_ADDR_IGNORE) != 0 ? q.driverAddr : r.driverAddr();
        long device = (flags & VqueueFlags.DEVICE_ADDR_IGNORE) != 0 ? q.deviceAddr : r.deviceAddr();
        if (q.enabled()) {
            refuseQueue(index, "queue is enabled; reset it first");
            return;
        }
        if (op == VqueueFlags.ENABLE) {
            if (!SplitRing.isValidSize(size) || size > q.maxSize) {
                refuseQueue(index, "size " + size + " is not a power of two up to " + q.maxSize);
                return;
            }
            DeviceVirtqueue ring;
            try {
                ring = new DeviceVirtqueue(window(), index, size, new VirtqueueAddresses(desc, driver, device),
                        negotiated.has(FeatureBits.VIRTIO_F_EVENT_IDX), false, MAX_CHAIN_BYTES);
            } catch (VirtqueueException e) {
                refuseQueue(index, e.getMessage());
                return;
            }
            q.ring = ring;
        }
        q.size = size;
        q.descriptorAddr = desc;
        q.driverAddr = driver;
        q.deviceAddr = device;
    }

    private void refuseQueue(int index, String why) {
        transport.counters().dropped("SET_VQUEUE refused");
        log.debug("device " + describe() + ": SET_VQUEUE " + index + " refused: " + why);
    }

    private void resetVqueue(int index) {
        if (index < 0 || index >= queues.length || !negotiated.has(FeatureBits.VIRTIO_F_RING_RESET)) {
            transport.counters().dropped("RESET_VQUEUE refused");
            return;
        }
        HostedQueue q = queues[index];
        if (q.enabled() && started) {
            backend.queueReset(index);
        }
        q.clear();
    }

    private void processAvail(int index) {
        HostedQueue q = queues[index];
        q.notifications++;
        int s = status;
        if ((s & DRIVER_OK) == 0 || (s & (DEVICE_NEEDS_RESET | FAILED)) != 0 || q.ring == null) {
            transport.counters().dropped("EVENT_AVAIL for a queue that is not live");
            return;
        }
        DeviceVirtqueue ring = q.ring;
        try {
            backend.queueNotified(this, ring);
            notifyUsed(ring);
            pollAvail(ring);
        } catch (VirtqueueException e) {
            q.rejected++;
            if (ring.isBroken()) {
                needsReset("queue " + index + " is broken: " + e.getMessage());
            } else {
                transport.counters().dropped("chain rejected");
                transport.rateLimitedWarn("device " + describe() + ": queue " + index + " rejected a chain: "
                        + e.getMessage());
                notifyUsed(ring);
                // More chains may wait behind the rejected one.
                submitAvail(new EventAvail(index, 0));
            }
        } catch (RuntimeException e) {
            fail("backend failed on queue " + index + ": " + e);
        }
    }

    /**
     * Adaptive polling (QEMU's poll-max-ns idea): with EVENT_AVAIL suppressed, keeps watching the
     * driver's avail.idx and serves new chains as they come, until the budget passes with nothing
     * new, other work waits for this thread, or the device stops; then asks for EVENT_AVAIL again
     * and serves what arrived in between. A driver that keeps the ring busy is served without a
     * single event message or thread hand-off.
     */
    private void pollAvail(DeviceVirtqueue ring) {
        long budget = transport.pollNanos();
        // A backend that turned notifications off itself (virtio-net's receive queue while no
        // frame waits for buffers) manages the queue on its own terms: leave it alone.
        if (budget <= 0 || ring.isBroken() || !ring.notificationsEnabled()) {
            return;
        }
        // Runs on the device thread, as every reset and status change does: the ring stays live meanwhile.
        int seen = ring.availIndex();
        ring.disableNotifications();
        try {
            long deadline = System.nanoTime() + budget;
            while (!executor.hasQueuedTasks() && !executor.isStopped() && !ring.isBroken()) {
                int now = ring.availIndex();
                if (now != seen) {
                    seen = now;
                    backend.queueNotified(this, ring);
                    notifyUsed(ring);
                    deadline = System.nanoTime() + budget;
                } else if (System.nanoTime() - deadline > 0) {
                    break;
                } else {
                    Thread.onSpinWait();
                }
            }
        } finally {
            ring.enableNotifications();
        }
        // Chains added after the last look but before notifications came back raised no EVENT_AVAIL.
        int now = ring.availIndex();
        if (now != -1 && now != seen) {
            submitAvail(new EventAvail(ring.index(), 0));
        }
    }

    private void fail(String why) {
        transport.rateLimitedWarn("device " + describe() + ": " + why);
        needsReset(why);
    }

    /** The driver went away with the link: reset on the device thread, as a status-0 write would. */
    void resetForLostDriver() {
        runOnDevice(() -> {
            if (status != 0) {
                reset();
            }
        });
    }

    // ---- DeviceContext ----

    @Override
    public String busName() {
        return transport.busName();
    }

    @Override
    public int deviceNumber() {
        return number;
    }

    @Override
    public DmaWindow window() {
        return transport.window();
    }

    @Override
    public FeatureSet negotiatedFeatures() {
        return negotiated;
    }

    @Override
    public DeviceVirtqueue queue(int index) {
        return index >= 0 && index < queues.length ? queues[index].ring : null;
    }

    @Override
    public void notifyUsed(DeviceVirtqueue queue) {
        if (queue.needsNotification()) {
            transport.send(this, number, 0, new EventUsed(queue.index()));
        }
    }

    @Override
    public void configChanged() {
        runOnDevice(() -> {
            generation++;
            transport.send(this, number, 0, new EventConfig(status, generation, 0, 0, new byte[0]));
        });
    }

    @Override
    public void needsReset(String reason) {
        runOnDevice(() -> {
            if ((status & DEVICE_NEEDS_RESET) != 0) {
                return;
            }
            problem = reason;
            status |= DEVICE_NEEDS_RESET;
            log.warn("device " + describe() + " needs reset: " + reason);
            transport.send(this, number, 0, new EventConfig(status, generation, 0, 0, new byte[0]));
        });
    }

    @Override
    public Executor executor() {
        return executor;
    }

    private void runOnDevice(Runnable task) {
        if (executor.inExecutor()) {
            task.run();
        } else if (!executor.offer(task)) {
            transport.counters().dropped("device thread queue full");
        }
    }

    // ---- lifecycle and views ----

    /** Stops the device: the backend is reset on the device thread, then the thread ends. */
    void remove(long boundMillis) {
        executor.offer(() -> {
            if (started || status != 0) {
                try {
                    backend.reset();
                } catch (RuntimeException e) {
                    log.warn("device " + describe() + ": backend reset failed during removal: " + e);
                }
            }
            started = false;
        });
        if (!executor.shutdown(boundMillis)) {
            log.warn("device " + describe() + ": device thread did not stop within " + boundMillis + " ms");
        }
    }

    String describe() {
        return name + " (" + transport.busName() + "/" + number + ")";
    }

    private java.util.Map<Integer, String> names() {
        try {
            return backend.featureNames();
        } catch (RuntimeException e) {
            return java.util.Map.of();
        }
    }

    DeviceView view() {
        List<QueueView> qs = new ArrayList<>();
        for (HostedQueue q : queues) {
            if (q.size != 0) {
                DeviceVirtqueue ring = q.ring;
                qs.add(new QueueView(q.index, q.size, q.descriptorAddr, q.driverAddr, q.deviceAddr, q.notifications,
                        ring == null ? 0 : ring.completedChains(),
                        q.rejected + (ring == null ? 0 : ring.rejectedChains())));
            }
        }
        int s = status;
        String state = problem != null ? "needs reset: " + problem
                : (s & DRIVER_OK) != 0 ? "running" : s == 0 ? "waiting for driver" : "initialising";
        return new DeviceView(transport.busName(), number, "device", name, backend.deviceId(),
                DeviceIds.name(backend.deviceId()), s, state, offered.describe(names()), negotiated.describe(names()),
                backend.configSize(), generation, qs);
    }
}
