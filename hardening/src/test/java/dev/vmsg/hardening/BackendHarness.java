package dev.vmsg.hardening;

import dev.vmsg.device.DeviceContext;
import dev.vmsg.device.VirtioDeviceBackend;
import dev.vmsg.memory.DmaWindow;
import dev.vmsg.memory.GuardedWindow;
import dev.vmsg.virtqueue.DeviceVirtqueue;
import dev.vmsg.virtqueue.SplitRing;
import dev.vmsg.virtqueue.VirtqueueAddresses;
import dev.vmsg.virtqueue.VirtqueueException;
import dev.vmsg.wire.FeatureBits;
import dev.vmsg.wire.FeatureSet;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import java.util.function.IntSupplier;

/**
 * Hosts one device model (HARDENING row 12) the way the device transport does, on real split
 * rings in a {@link GuardedWindow}, and drives it from a fuzz input: hostile driver writes on
 * each queue ({@link HostileRing}), EVENT_AVAIL, config reads and writes, host-side steps of the
 * model (a callback), queue and device resets. Backend calls and the tasks a backend queues on its
 * executor run on the calling thread, one at a time, as on the device thread.
 *
 * <p>The oracle, checked by {@link #run}: only {@link VirtqueueException}s escape the model, and
 * never NOT_IN_FLIGHT (that would be a double completion by the model); the guard zones stay
 * intact; at the end, after the host side drains, every popped head was returned
 * ({@code inFlight() == 0}) on every queue that is not allowed to hold buffers, unless the queue
 * broke or the model asked for a reset; used.idx counts exactly the completed and rejected chains.
 * Bounded: at most {@value #MAX_STEPS} operations, {@value #MAX_TASKS} executor tasks per step,
 * {@value #MAX_DRAIN_ROUNDS} drain rounds.
 *
 * <p>To add a device model (net, ...): write a target that builds the backend, calls
 * {@link #run} with the queues that may keep buffers (receive queues) and a host-side step.
 */
public final class BackendHarness implements DeviceContext {
    public static final int MAX_STEPS = 200;
    public static final int MAX_TASKS = 10_000;
    public static final int MAX_DRAIN_ROUNDS = 5_000;
    private static final long BASE = 0x4_0000_0000L;
    private static final int WINDOW = 256 * 1024;
    private static final int DATA_PER_QUEUE = 16 * 1024;

    private final VirtioDeviceBackend backend;
    private final FeatureSet negotiated;
    private final GuardedWindow guarded;
    private final HostileRing[] rings;
    private final DeviceVirtqueue[] queues;
    private final boolean eventIdx;
    private final long maxChainBytes;
    private final ArrayDeque<Runnable> tasks = new ArrayDeque<>();
    private final List<String> resetRequests = new ArrayList<>();

    /**
     * @param queueSize every queue's size (a power of two, at most the model's maximum)
     */
    public BackendHarness(VirtioDeviceBackend backend, FeatureSet negotiated, int queueSize, long maxChainBytes) {
        this.backend = backend;
        this.negotiated = negotiated;
        this.eventIdx = negotiated.has(FeatureBits.VIRTIO_F_EVENT_IDX);
        this.maxChainBytes = maxChainBytes;
        int n = backend.numQueues();
        long ringStride = (SplitRing.contiguousBytes(queueSize) + 4095) & -4096L;
        if (n * (ringStride + DATA_PER_QUEUE) > WINDOW) {
            throw new IllegalArgumentException(n + " queues of " + queueSize + " do not fit the harness window");
        }
        this.guarded = new GuardedWindow(BASE, WINDOW);
        this.rings = new HostileRing[n];
        this.queues = new DeviceVirtqueue[n];
        for (int q = 0; q < n; q++) {
            VirtqueueAddresses a = SplitRing.contiguousLayout(BASE + q * ringStride, queueSize);
            long data = BASE + n * ringStride + (long) q * DATA_PER_QUEUE;
            rings[q] = new HostileRing(guarded.window(), queueSize, a, data, DATA_PER_QUEUE);
        }
        newQueues();
    }

    private void newQueues() {
        for (int q = 0; q < rings.length; q++) {
            HostileRing r = rings[q];
            queues[q] = new DeviceVirtqueue(guarded.window(), q, r.size(), r.addresses(), eventIdx, false,
                    maxChainBytes);
        }
    }

    public HostileRing ring(int q) {
        return rings[q];
    }

    /**
     * Runs the operation sequence in {@code in} and checks the oracle.
     *
     * @param holders queues the model may legitimately keep buffers in (posted receive buffers)
     * @param hostStep one host-side step of the model, taking what it needs from the input
     * @param drain    lets the host side consume what the model produced; returns the bytes taken
     */
    public void run(FuzzInput in, Set<Integer> holders, Consumer<FuzzInput> hostStep, IntSupplier drain) {
        guard(() -> backend.driverOk(this));
        for (int step = 0; step < MAX_STEPS && in.hasMore(); step++) {
            int op = in.u8() % 8;
            int q = in.u8() % rings.length;
            switch (op) {
                case 0, 1, 2 -> rings[q].apply(in);
                case 3, 4 -> notifyQueue(q);
                case 5 -> hostStep.accept(in);
                case 6 -> config(in);
                default -> {
                    if (in.bool()) {
                        guard(() -> backend.queueReset(q));
                        rings[q].clear();
                        queues[q] = new DeviceVirtqueue(guarded.window(), q, rings[q].size(), rings[q].addresses(),
                                eventIdx, false, maxChainBytes);
                    } else {
                        guard(backend::reset);
                        resetRequests.clear();
                        for (HostileRing r : rings) {
                            r.clear();
                        }
                        newQueues();
                        guard(() -> backend.driverOk(this));
                    }
                }
            }
            runTasks();
        }
        // The host side drains until nothing moves any more (a held transmit chain goes out one
        // pipe-full per round), bounded.
        long last = -1;
        for (int round = 0, still = 0; round < MAX_DRAIN_ROUNDS && still < 3; round++) {
            int taken = drain.getAsInt();
            for (int q = 0; q < queues.length; q++) {
                notifyQueue(q);
            }
            runTasks();
            long positions = 0;
            for (int q = 0; q < queues.length; q++) {
                positions = positions * 31 + rings[q].usedIdx() * 65537L + queues[q].inFlight();
            }
            still = taken == 0 && positions == last ? still + 1 : 0;
            last = positions;
        }
        for (int q = 0; q < queues.length; q++) {
            DeviceVirtqueue dq = queues[q];
            if (dq.isBroken() || !resetRequests.isEmpty()) {
                continue;
            }
            if (!holders.contains(q) && dq.inFlight() != 0) {
                throw new AssertionError("queue " + q + " still holds " + dq.inFlight() + " popped heads: " + dq);
            }
            int expected = (int) ((dq.completedChains() + dq.rejectedChains()) & 0xFFFF);
            if (rings[q].usedIdx() != expected) {
                throw new AssertionError("queue " + q + ": used.idx " + rings[q].usedIdx() + " but " + expected
                        + " chains were completed or rejected");
            }
        }
        guard(backend::reset);
        runTasks();
        guarded.assertIntact();
    }

    private void notifyQueue(int q) {
        if (!resetRequests.isEmpty()) {
            return; // DEVICE_NEEDS_RESET: the transport stops delivering EVENT_AVAIL
        }
        DeviceVirtqueue dq = queues[q];
        for (int i = 0; i < 4 && !dq.isBroken(); i++) {
            if (guard(() -> backend.queueNotified(this, dq))) {
                return;
            }
        }
    }

    private void config(FuzzInput in) {
        int size = backend.configSize();
        if (size == 0) {
            return;
        }
        int offset = in.u16() % size;
        int length = Math.min(1 + in.u8() % 8, size - offset);
        if (in.bool()) {
            ByteBuffer dst = ByteBuffer.allocate(length);
            guard(() -> backend.readConfig(offset, dst));
            if (dst.hasRemaining()) {
                throw new AssertionError("readConfig left " + dst.remaining() + " of " + length + " bytes unfilled");
            }
        } else {
            byte[] b = new byte[length];
            for (int i = 0; i < length; i++) {
                b[i] = (byte) in.u8();
            }
            guard(() -> backend.writeConfig(offset, ByteBuffer.wrap(b)));
        }
    }

    /** Runs a backend call; true when it returned normally. Typed virtqueue faults are expected. */
    private static boolean guard(Runnable call) {
        try {
            call.run();
            return true;
        } catch (VirtqueueException e) {
            if (e.reason() == VirtqueueException.Reason.NOT_IN_FLIGHT) {
                throw new AssertionError("the model completed a head it does not hold: " + e.getMessage(), e);
            }
            return false;
        }
    }

    private void runTasks() {
        Runnable r;
        int n = 0;
        while (n++ < MAX_TASKS && (r = tasks.poll()) != null) {
            Runnable task = r;
            guard(task);
        }
    }

    // ---- DeviceContext ----

    @Override
    public String busName() {
        return "fuzz";
    }

    @Override
    public int deviceNumber() {
        return 0;
    }

    @Override
    public DmaWindow window() {
        return guarded.window();
    }

    @Override
    public FeatureSet negotiatedFeatures() {
        return negotiated;
    }

    @Override
    public DeviceVirtqueue queue(int index) {
        return index >= 0 && index < queues.length ? queues[index] : null;
    }

    @Override
    public void notifyUsed(DeviceVirtqueue queue) {
        queue.needsNotification();
    }

    @Override
    public void configChanged() {
    }

    @Override
    public void needsReset(String reason) {
        resetRequests.add(reason);
    }

    @Override
    public Executor executor() {
        return tasks::add;
    }
}
