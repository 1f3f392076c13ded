package dev.vmsg.bus.ffa.internal;

import static dev.vmsg.bus.ffa.internal.FfaBusMessages.*;

import dev.vmsg.bus.BusException;
import dev.vmsg.bus.BusInfo;
import dev.vmsg.bus.DriverEndpoint;
import dev.vmsg.bus.FrameReceiver;
import dev.vmsg.bus.ffa.firmware.FfaConduit;
import dev.vmsg.bus.ffa.firmware.FfaError;
import dev.vmsg.bus.ffa.firmware.FfaException;
import dev.vmsg.bus.ffa.firmware.FfaFirmware;
import dev.vmsg.bus.ffa.firmware.MemoryRegionDescriptor;
import dev.vmsg.bus.ffa.firmware.Notifications;
import dev.vmsg.bus.ffa.firmware.PartitionHandler;
import dev.vmsg.bus.ffa.firmware.PartitionInfo;
import dev.vmsg.bus.ffa.internal.FfaBusSettings.EventMethod;
import dev.vmsg.bus.ffa.internal.FfaBusSettings.Messaging;
import dev.vmsg.memory.DmaWindow;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * The driver-role partition of the FF-A binding: finds the device partition by the virtio-msg
 * UUID, negotiates VERSION, shares area 1 (the bus's DMA window) and configures event delivery;
 * then carries the driver transport's frames to the device partition on its own thread (REQ2 with
 * bounded BUSY retries, or MSG_SEND2) and hands responses and events back to the transport.
 *
 * <p>Opened polled ({@link #openPolled}), {@link #send} makes the FF-A call on the caller's thread
 * (a direct request is a synchronous call into the device partition, answered by RESP2) and the
 * response, like every incoming frame, waits in the bus until the owner calls {@link #poll}: the
 * receiver is never called from {@code send}. The partition makes one direct request at a time
 * (one vCPU): the caller's requests and the worker's EVENT_POLLs take turns on {@code callLock}.
 */
final class DriverPartition extends PartitionEndpoint implements DriverEndpoint, PartitionHandler {

    static final int DRIVER_NOTIF_ID = 0;
    private static final int DRAIN_BUDGET = 64;
    private static final byte[] WAKE = new byte[0];

    private final FfaConduit conduit;
    private final BlockingQueue<byte[]> outbound = new LinkedBlockingQueue<>(1024);
    private final BlockingQueue<ByteBuffer> busResponses = new LinkedBlockingQueue<>();
    private final AtomicBoolean notified = new AtomicBoolean();
    private final Object txLock = new Object();
    private final Object deliverLock = new Object();
    private final Object callLock = new Object();
    private final ConcurrentLinkedQueue<ByteBuffer> polledInbox = new ConcurrentLinkedQueue<>();
    private final ByteBuffer fifoScratch = ByteBuffer.allocate(FfaFrames.MAX_MESSAGE_SIZE).order(ByteOrder.LITTLE_ENDIAN);
    final AtomicLong busyAnswers = new AtomicLong();
    final AtomicLong failedSends = new AtomicLong();
    private int nextToken = 1;
    private int deviceId;
    private int deviceNotifId = -1;
    private long areaHandle;
    private long fifoHandle;
    private VffaFifo fifoTx;
    private VffaFifo fifoRx;
    private BusInfo info;
    private Thread worker;

    DriverPartition(FfaBusSettings settings, FfaFirmware firmware, Consumer<String> warnings) {
        super(settings, warnings);
        this.conduit = firmware.addPartition(settings.driverId(), FfaFrames.DRIVER_UUID, false, true,
                settings.areaSize() + fifoPages() * FfaConduit.PAGE_SIZE, this);
        conduit.rxTxMap(1);
    }

    private int fifoPages() {
        if (settings.events() != EventMethod.FIFO) {
            return 0;
        }
        int bytes = 2 * VffaFifo.ringSize(FfaFrames.MAX_MESSAGE_SIZE, settings.fifoDepth());
        return (bytes + FfaConduit.PAGE_SIZE - 1) / FfaConduit.PAGE_SIZE;
    }

    /**
     * Discovery and setup (spec section 4.1 order): PARTITION_INFO_GET by UUID, VERSION,
     * AREA_SHARE, EVENT_CONFIGURE, FIFO_CONFIGURE; then starts the worker thread.
     *
     * @throws FfaException or IllegalStateException naming the step that failed
     */
    void start() {
        List<PartitionInfo> found = conduit.partitionInfoGet(FfaFrames.DEVICE_UUID);
        PartitionInfo device = found.stream().filter(p -> p.id() == settings.deviceId()).findFirst()
                .orElseThrow(() -> new IllegalStateException("FF-A bus " + settings.name()
                        + ": no virtio-msg device partition with id 0x" + Integer.toHexString(settings.deviceId())
                        + " (found " + found + ")"));
        if (settings.messaging() == Messaging.DIRECT && !device.receivesDirect()) {
            throw new IllegalStateException("FF-A bus " + settings.name() + ": device partition 0x"
                    + Integer.toHexString(device.id()) + " does not accept direct requests");
        }
        deviceId = device.id();

        VersionResponse v = VersionResponse.decode(expect(transact(new VersionRequest(BUS_VERSION_1_0,
                TRANSPORT_REVISION, conduit.version()).encode(token()).array()), VERSION));
        if (v.busVersion() >>> 16 != 1 || v.transportRevision() != TRANSPORT_REVISION || v.maxAreas() < 1) {
            throw new IllegalStateException("FF-A bus " + settings.name() + ": device speaks bus version 0x"
                    + Integer.toHexString(v.busVersion()) + ", transport revision " + v.transportRevision()
                    + ", " + v.maxAreas() + " areas; need 1.x, 1, >= 1");
        }

        int pages = settings.areaSize() / FfaConduit.PAGE_SIZE;
        areaHandle = share(0, pages);
        ByteBuffer r = expect(transact(new AreaShare(DevicePartition.AREA_ID, areaHandle, 0, pages,
                SHARING_ATTRS_DEFAULT).encode(token()).array()), AREA_SHARE);
        if (u16(r, 2) != RESULT_SUCCESS) {
            conduit.memReclaim(areaHandle);
            throw new IllegalStateException("FF-A bus " + settings.name() + ": device refused AREA_SHARE (result "
                    + u16(r, 2) + ")");
        }
        ByteBuffer memory = conduit.memory();
        DmaWindow window = DmaWindow.wrap((long) DevicePartition.AREA_ID << AREA_SHIFT,
                memory.slice(0, settings.areaSize()));
        info = new BusInfo(settings.name(), "ffa", settings.profile(), FfaFrames.MAX_MESSAGE_SIZE, window);

        EventMethod m = settings.events();
        if (m == EventMethod.NOTIF || m == EventMethod.FIFO) {
            conduit.notificationBind(deviceId, 1L << DRIVER_NOTIF_ID);
        }
        configure(new EventConfigure(m.wire, DRIVER_NOTIF_ID).encode(token()).array(), EVENT_CONFIGURE);
        if (m == EventMethod.FIFO) {
            int ringSize = VffaFifo.ringSize(FfaFrames.MAX_MESSAGE_SIZE, settings.fifoDepth());
            ByteBuffer region = memory.slice(settings.areaSize(), fifoPages() * FfaConduit.PAGE_SIZE);
            fifoTx = VffaFifo.format(region, 0, FfaFrames.MAX_MESSAGE_SIZE, settings.fifoDepth(), ringSize);
            fifoRx = VffaFifo.format(region, ringSize, FfaFrames.MAX_MESSAGE_SIZE, settings.fifoDepth(), 0);
            fifoHandle = share(settings.areaSize(), fifoPages());
            ByteBuffer fr = expect(transact(new FifoConfigure(fifoHandle, fifoPages(), DRIVER_NOTIF_ID)
                    .encode(token()).array()), FIFO_CONFIGURE);
            if (u16(fr, 0) != RESULT_SUCCESS) {
                throw new IllegalStateException("FF-A bus " + settings.name() + ": device refused FIFO_CONFIGURE");
            }
            deviceNotifId = u16(fr, 2);
        }
        worker = new Thread(this::work, "vmsg-ffa-" + settings.name() + "-driver");
        worker.setDaemon(true);
        worker.start();
    }

    private void configure(byte[] request, int msgId) {
        ByteBuffer r = expect(transact(request), msgId);
        if (u16(r, 0) != RESULT_SUCCESS) {
            throw new IllegalStateException("FF-A bus " + settings.name() + ": device refused bus message 0x"
                    + Integer.toHexString(msgId) + " (result " + u16(r, 0) + ")");
        }
    }

    private long share(long address, int pages) {
        MemoryRegionDescriptor d = new MemoryRegionDescriptor(conduit.id(), deviceId,
                MemoryRegionDescriptor.NORMAL_WB_INNER_SHAREABLE, MemoryRegionDescriptor.ACCESS_RW, 0, address, pages);
        synchronized (txLock) {
            return conduit.memShare(d.writeTo(conduit.txBuffer()));
        }
    }

    private synchronized int token() {
        int t = nextToken;
        nextToken = nextToken == 0xFFFF ? 1 : nextToken + 1;
        return t;
    }

    private ByteBuffer expect(ByteBuffer r, int msgId) {
        if (r == null || msgId(r) != msgId || (type(r) & 3) != TYPE_BUS_RESPONSE) {
            throw new IllegalStateException("FF-A bus " + settings.name() + ": bus message 0x"
                    + Integer.toHexString(msgId) + " got "
                    + (r == null ? "no answer" : "message 0x" + Integer.toHexString(msgId(r))
                            + (msgId(r) == ERROR ? " (ERROR)" : "")));
        }
        return r;
    }

    /**
     * Sends one message to the device partition and returns the reply: the RESP2 of a direct
     * request (retried while the answer is BUSY, up to the bound), or for indirect messaging the
     * FF-A bus response that arrives in the RX buffer (null for transport messages).
     *
     * @throws FfaException BUSY when the device stayed busy past the retry bound
     */
    ByteBuffer transact(byte[] message) {
        if (settings.messaging() == Messaging.INDIRECT) {
            synchronized (txLock) {
                FfaFrames.sendIndirect(conduit, deviceId, message, 1000, settings.name());
            }
            if ((message[0] & 2) == 0 || (message[1] & 0xFF) < 0x80) {
                return null;
            }
            try {
                return busResponses.poll(settings.responseWaitMillis() + 1000, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return null;
            }
        }
        synchronized (callLock) {
            return transactDirect(message);
        }
    }

    private ByteBuffer transactDirect(byte[] message) {
        byte[] regs = FfaFrames.toRegisters(message);
        int busy = 0;
        while (true) {
            byte[] resp;
            try {
                resp = conduit.msgSendDirectReq2(deviceId, regs);
            } catch (FfaException e) {
                if (e.error() != FfaError.BUSY) {
                    throw e;
                }
                resp = null;
            }
            if (resp != null && !FfaFrames.isBusySentinel(resp)) {
                ByteBuffer r = FfaFrames.fromRegisters(resp);
                if (r == null) {
                    throw new FfaException(FfaError.ABORTED, "FF-A bus " + settings.name()
                            + ": device partition answered with a malformed message");
                }
                return r;
            }
            busyAnswers.incrementAndGet();
            if (++busy > settings.busyRetries()) {
                throw new FfaException(FfaError.BUSY, "FF-A bus " + settings.name() + ": device partition 0x"
                        + Integer.toHexString(deviceId) + " answered BUSY " + busy + " times in a row to message 0x"
                        + Integer.toHexString(message[1] & 0xFF) + " (retry bound " + settings.busyRetries()
                        + "); the message is dropped");
            }
            Thread.onSpinWait();
        }
    }

    // ---- the worker: frames out, EVENT_POLL ----

    private void work() {
        long pollNanos = TimeUnit.MILLISECONDS.toNanos(settings.pollIntervalMillis());
        long nextPoll = System.nanoTime() + pollNanos;
        while (!closed) {
            byte[] f;
            try {
                long wait = settings.events() == EventMethod.POLL ? Math.max(0, nextPoll - System.nanoTime())
                        : TimeUnit.MILLISECONDS.toNanos(100);
                f = outbound.poll(wait, TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                return;
            }
            if (closed) {
                return;
            }
            if (f != null && f != WAKE) {
                transmit(f);
            }
            boolean poll = switch (settings.events()) {
                case POLL -> System.nanoTime() - nextPoll >= 0;
                case NOTIF -> notified.getAndSet(false);
                default -> false;
            };
            if (poll) {
                drainEvents();
                nextPoll = System.nanoTime() + pollNanos;
            }
        }
    }

    private void transmit(byte[] f) {
        try {
            boolean event = (f[0] & 1) == 0 && (f[1] & 0x40) != 0;
            if (event && fifoTx != null) {
                offerFifo(f);
                return;
            }
            ByteBuffer reply = transact(f);
            if (reply == null) {
                return;
            }
            if (event && FfaFrames.msgSize(reply) == HEADER) {
                return;
            }
            if (isFfaBusMessage(reply)) {
                if (msgId(reply) == ERROR) {
                    failedSends.incrementAndGet();
                    warnings.accept("FF-A bus " + settings.name() + ": device partition answered ERROR to message 0x"
                            + Integer.toHexString(f[1] & 0xFF));
                }
                return;
            }
            deliver(reply);
        } catch (FfaException | BusException e) {
            failedSends.incrementAndGet();
            warnings.accept("FF-A bus " + settings.name() + ": message 0x" + Integer.toHexString(f[1] & 0xFF)
                    + " not delivered: " + e.getMessage());
        }
    }

    private void offerFifo(byte[] f) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
        while (!fifoTx.offer(ByteBuffer.wrap(f))) {
            conduit.notificationSet(deviceId, deviceNotifId);
            if (System.nanoTime() - deadline > 0) {
                throw new BusException(BusException.Reason.SEND_TIMEOUT, "FF-A bus " + settings.name()
                        + ": the device has not drained the driver FIFO ring for 1 s");
            }
            Thread.onSpinWait();
        }
        conduit.notificationSet(deviceId, deviceNotifId);
    }

    private void drainEvents() {
        for (int i = 0; i < DRAIN_BUDGET && !closed; i++) {
            ByteBuffer r;
            try {
                r = transact(frame(TYPE_BUS_REQUEST, EVENT_POLL, token(), 0).array());
            } catch (FfaException e) {
                warnings.accept("FF-A bus " + settings.name() + ": EVENT_POLL failed: " + e.getMessage());
                return;
            }
            if (r == null || (msgId(r) == EVENT_POLL && FfaFrames.msgSize(r) == HEADER)) {
                return;
            }
            incoming(r);
        }
        notified.set(true);
    }

    private void incoming(ByteBuffer f) {
        if (isFfaBusMessage(f)) {
            if (msgId(f) == AREA_RELEASE) {
                warnings.accept("FF-A bus " + settings.name() + ": device released area " + u16(f, 0));
            } else if ((type(f) & 1) != 0) {
                busResponses.offer(f);
            }
            return;
        }
        deliver(f);
    }

    private void deliver(ByteBuffer f) {
        if (polled) {
            byte[] copy = new byte[f.remaining()];
            f.get(f.position(), copy);
            polledInbox.offer(ByteBuffer.wrap(copy).order(ByteOrder.LITTLE_ENDIAN));
            return;
        }
        synchronized (deliverLock) {
            FrameReceiver r = receiver;
            if (r == null) {
                return;
            }
            try {
                r.onFrame(f);
            } catch (RuntimeException e) {
                warnings.accept("FF-A bus " + settings.name() + ": driver receiver failed on a frame: " + e);
            }
        }
    }

    @Override
    int drainPolled(int maxFrames) {
        int n = 0;
        ByteBuffer f;
        while (n < maxFrames && (f = polledInbox.poll()) != null) {
            n++;
            FrameReceiver r = receiver;
            if (r == null) {
                continue;
            }
            try {
                r.onFrame(f);
            } catch (RuntimeException e) {
                warnings.accept("FF-A bus " + settings.name() + ": driver receiver failed on a frame: " + e);
            }
        }
        return n;
    }

    @Override
    String side() {
        return "driver";
    }

    @Override
    public byte[] onDirectRequest(int sender, byte[] registers) {
        return new byte[FfaConduit.DIRECT_PAYLOAD_SIZE];
    }

    @Override
    public void onNotificationInterrupt() {
        Notifications n = conduit.notificationGet();
        if (n.rxBufferFull()) {
            byte[] message = FfaFrames.readIndirect(conduit);
            conduit.rxRelease();
            ByteBuffer f = ByteBuffer.wrap(message).order(ByteOrder.LITTLE_ENDIAN);
            if (message.length >= HEADER && FfaFrames.msgSize(f) <= message.length
                    && FfaFrames.msgSize(f) >= HEADER) {
                incoming(f.limit(FfaFrames.msgSize(f)));
            }
        }
        if ((n.partitionBitmap() & (1L << DRIVER_NOTIF_ID)) != 0) {
            if (fifoRx != null) {
                synchronized (fifoScratch) {
                    int len;
                    while ((len = fifoRx.poll(fifoScratch)) >= 0) {
                        if (len > 0) {
                            incoming(fifoScratch.duplicate().order(ByteOrder.LITTLE_ENDIAN));
                        }
                    }
                }
            } else {
                notified.set(true);
                outbound.offer(WAKE);
            }
        }
    }

    // ---- DriverEndpoint ----

    @Override
    public BusInfo info() {
        return info;
    }

    @Override
    public void send(ByteBuffer frame) {
        if (closed) {
            throw closedError();
        }
        byte[] f = FfaFrames.copyFrame(frame, settings.name());
        if (polled) {
            transmit(f);
            return;
        }
        try {
            if (!outbound.offer(f, 1, TimeUnit.SECONDS)) {
                throw new BusException(BusException.Reason.SEND_TIMEOUT, "FF-A bus " + settings.name()
                        + ": 1024 frames wait for the driver partition; frame not sent");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BusException(BusException.Reason.SEND_TIMEOUT, "FF-A bus " + settings.name() + ": interrupted");
        }
    }

    /**
     * Stops the worker, then tears the areas down the binding's way: AREA_UNSHARE, RESET (the
     * device lets go of the FIFO memory), then FFA_MEM_RECLAIM of each handle.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        Thread w = worker;
        if (w != null) {
            outbound.offer(WAKE);
            try {
                w.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (info != null) {
            try {
                ByteBuffer r = expect(transact(areaUnshare(token(), DevicePartition.AREA_ID).array()), AREA_UNSHARE);
                if (u16(r, 2) != RESULT_SUCCESS) {
                    warnings.accept("FF-A bus " + settings.name() + ": device refused AREA_UNSHARE");
                }
                expect(transact(frame(TYPE_BUS_REQUEST, RESET, token(), 0).array()), RESET);
                conduit.memReclaim(areaHandle);
                if (fifoHandle != 0) {
                    conduit.memReclaim(fifoHandle);
                }
            } catch (RuntimeException e) {
                warnings.accept("FF-A bus " + settings.name() + ": area teardown incomplete: " + e.getMessage());
            }
        }
        linkDown();
    }
}
