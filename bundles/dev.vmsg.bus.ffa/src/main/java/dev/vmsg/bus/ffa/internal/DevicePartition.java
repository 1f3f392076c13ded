package dev.vmsg.bus.ffa.internal;

import static dev.vmsg.bus.ffa.internal.FfaBusMessages.*;

import dev.vmsg.bus.BusException;
import dev.vmsg.bus.BusInfo;
import dev.vmsg.bus.DeviceEndpoint;
import dev.vmsg.bus.FrameReceiver;
import dev.vmsg.bus.ffa.firmware.FfaConduit;
import dev.vmsg.bus.ffa.firmware.FfaException;
import dev.vmsg.bus.ffa.firmware.FfaFirmware;
import dev.vmsg.bus.ffa.firmware.MemoryMapping;
import dev.vmsg.bus.ffa.firmware.Notifications;
import dev.vmsg.bus.ffa.firmware.PartitionHandler;
import dev.vmsg.bus.ffa.internal.FfaBusSettings.EventMethod;
import dev.vmsg.memory.DmaWindow;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;

/**
 * The device-role partition of the FF-A binding: it answers the FF-A bus messages itself, hands
 * transport messages to the device transport on its own delivery thread, and returns the
 * transport's responses and events the way the driver configured (direct RESP2, MSG_SEND2, the
 * EVENT_POLL queue with or without a notification, or the VFFAFIFO ring).
 *
 * <p>A direct request is a synchronous call into this partition (REQ2 returns with RESP2): bus
 * messages are answered on the caller's thread. A transport request goes to the device receiver:
 * opened polled ({@link #openPolled}), the receiver runs on the REQ2 caller's thread inside the
 * call (the partition's own execution context; its {@code send} of the response completes the
 * call), and {@link #poll} hands over everything else (events, indirect messages). Opened
 * normally, the frame goes to the delivery thread and the REQ2 caller spins, yields, then parks
 * until the response comes back; the delivery thread waits for frames the same way. A normally
 * opened receiver is never called from a {@code send}.
 */
final class DevicePartition extends PartitionEndpoint implements DeviceEndpoint, PartitionHandler {

    static final int AREA_ID = 1;
    static final int DEVICE_NOTIF_ID = 1;
    private static final int EVENT_QUEUE = 1024;
    private static final byte[] STOP = new byte[0];

    private final FfaConduit conduit;
    private static final int INBOUND = 256;
    /** Frames for the device receiver; lock-free, so the spinning delivery thread does not contend with senders. */
    private final ConcurrentLinkedQueue<byte[]> inbound = new ConcurrentLinkedQueue<>();
    private final AtomicInteger inboundSize = new AtomicInteger();
    private final BlockingQueue<byte[]> events = new ArrayBlockingQueue<>(EVENT_QUEUE);
    private final AtomicReference<Pending> pending = new AtomicReference<>();
    private final Object txLock = new Object();
    private final Thread delivery;
    final AtomicLong dropped = new AtomicLong();
    private volatile int driverId;
    private volatile EventMethod method = EventMethod.POLL;
    private volatile int driverNotifId = -1;
    private volatile MemoryMapping area;
    private volatile BusInfo info;
    private volatile MemoryMapping fifoMemory;
    private volatile VffaFifo fifoRx;
    private volatile VffaFifo fifoTx;
    private final ByteBuffer fifoScratch = ByteBuffer.allocate(FfaFrames.MAX_MESSAGE_SIZE).order(ByteOrder.LITTLE_ENDIAN);

    private final Object deliverLock = new Object();
    private volatile boolean deliveryParked;

    /** A direct request waiting for the device transport's response; its REQ2 caller spins, then parks. */
    private static final class Pending {
        final int msgId;
        final int devNum;
        final int token;
        final Thread waiter = Thread.currentThread();
        volatile byte[] response;
        volatile boolean parked;

        Pending(int msgId, int devNum, int token) {
            this.msgId = msgId;
            this.devNum = devNum;
            this.token = token;
        }

        boolean matches(byte[] f) {
            return (f[1] & 0xFF) == msgId && ((f[2] & 0xFF) | (f[3] & 0xFF) << 8) == devNum
                    && ((f[4] & 0xFF) | (f[5] & 0xFF) << 8) == token;
        }

        void complete(byte[] f) {
            response = f;
            if (parked) {
                LockSupport.unpark(waiter);
            }
        }

        /** The response, or null after {@code timeoutNanos} or when the waiter is interrupted. */
        byte[] await(long timeoutNanos) {
            long deadline = System.nanoTime() + timeoutNanos;
            int idle = 0;
            byte[] r;
            while ((r = response) == null) {
                idle++;
                if (idle < SPIN_ROUNDS) {
                    Thread.onSpinWait();
                    continue;
                }
                long left = deadline - System.nanoTime();
                if (left <= 0 || Thread.currentThread().isInterrupted()) {
                    return null;
                }
                if (idle < SPIN_ROUNDS + YIELD_ROUNDS) {
                    Thread.yield();
                } else {
                    parked = true;
                    if (response == null) {
                        LockSupport.parkNanos(this, Math.min(left, MAX_PARK_NANOS));
                    }
                    parked = false;
                }
            }
            return r;
        }
    }

    DevicePartition(FfaBusSettings settings, FfaFirmware firmware, Consumer<String> warnings) {
        super(settings, warnings);
        this.conduit = firmware.addPartition(settings.deviceId(), FfaFrames.DEVICE_UUID, true, true, 0, this);
        conduit.rxTxMap(1);
        this.delivery = new Thread(this::deliver, "vmsg-ffa-" + settings.name() + "-device");
        delivery.setDaemon(true);
        delivery.start();
    }

    @Override
    public BusInfo info() {
        BusInfo i = info;
        if (i == null) {
            throw new IllegalStateException("FF-A bus " + settings.name() + ": the driver has not shared area "
                    + AREA_ID + " with the device partition yet");
        }
        return i;
    }

    EventMethod eventMethod() {
        return method;
    }

    // ---- frames in from the driver partition ----

    @Override
    public byte[] onDirectRequest(int sender, byte[] registers) {
        ByteBuffer f = FfaFrames.fromRegisters(registers);
        if (f == null) {
            return FfaFrames.toRegisters(error(0, registers[1] & 0xFF));
        }
        return FfaFrames.toRegisters(onMessage(sender, f, true));
    }

    /**
     * One message from the driver partition.
     *
     * @return the reply to send back (direct RESP2), or null when none goes back now
     */
    private ByteBuffer onMessage(int sender, ByteBuffer f, boolean direct) {
        if (isFfaBusMessage(f)) {
            return onBusMessage(sender, f);
        }
        byte[] frame = new byte[f.remaining()];
        f.get(f.position(), frame);
        int type = frame[0] & 0xFF;
        int msgId = frame[1] & 0xFF;
        boolean event = (type & 1) == 0 && (msgId & 0x40) != 0;
        if ((type & 1) != 0) {
            dropped.incrementAndGet();
            return direct ? error(token(f), msgId) : null;
        }
        if (!direct || event) {
            if (!offerInbound(frame)) {
                dropped.incrementAndGet();
                return direct ? ByteBuffer.allocate(0) : null;
            }
            wakeDelivery();
            // An event gets a header-only acknowledgement: the direct ABI always answers.
            return direct ? frame(type | 1, msgId, token(f), 0) : null;
        }
        Pending p = new Pending(msgId, (frame[2] & 0xFF) | (frame[3] & 0xFF) << 8, token(f));
        if (!pending.compareAndSet(null, p)) {
            return ByteBuffer.allocate(0);
        }
        if (polled) {
            hand(frame);
        } else if (offerInbound(frame)) {
            wakeDelivery();
        } else {
            pending.compareAndSet(p, null);
            return ByteBuffer.allocate(0);
        }
        byte[] r = p.await(TimeUnit.MILLISECONDS.toNanos(settings.responseWaitMillis()));
        if (r == null) {
            pending.compareAndSet(p, null);
            if (!Thread.currentThread().isInterrupted()) {
                warnings.accept("FF-A bus " + settings.name() + ": the device transport did not answer message 0x"
                        + Integer.toHexString(msgId) + " within " + settings.responseWaitMillis()
                        + " ms; ERROR returned");
            }
            return error(token(f), msgId);
        }
        return ByteBuffer.wrap(r).order(ByteOrder.LITTLE_ENDIAN);
    }

    private ByteBuffer onBusMessage(int sender, ByteBuffer f) {
        int token = token(f);
        int id = msgId(f);
        try {
            switch (id) {
                case VERSION -> {
                    VersionRequest.decode(f);
                    driverId = sender;
                    return new VersionResponse(BUS_VERSION_1_0, TRANSPORT_REVISION, FfaConduit.FFA_VERSION_1_2, 0,
                            FEATURE_DIRECT_RX | FEATURE_INDIRECT_RX | FEATURE_INDIRECT_TX | FEATURE_NOTIF_TX
                                    | FEATURE_NOTIF_RX | FEATURE_FIFO, 1).encode(token);
                }
                case AREA_SHARE -> {
                    return areaShare(AreaShare.decode(f), token);
                }
                case AREA_UNSHARE -> {
                    int areaId = u16(f, 0);
                    MemoryMapping m = area;
                    if (areaId != AREA_ID || m == null) {
                        return areaResult(AREA_UNSHARE, token, areaId, RESULT_ERROR);
                    }
                    area = null;
                    conduit.memRelinquish(m.handle());
                    return areaResult(AREA_UNSHARE, token, areaId, RESULT_SUCCESS);
                }
                case RESET -> {
                    reset();
                    return result(RESET, token, RESULT_SUCCESS);
                }
                case EVENT_POLL -> {
                    byte[] e = events.poll();
                    return e != null ? ByteBuffer.wrap(e).order(ByteOrder.LITTLE_ENDIAN)
                            : frame(TYPE_BUS_RESPONSE, EVENT_POLL, token, 0);
                }
                case EVENT_CONFIGURE -> {
                    EventConfigure c = EventConfigure.decode(f);
                    EventMethod m = EventMethod.fromWire(c.method());
                    if (m == null || (m == EventMethod.NOTIF && c.notifId() > 63)) {
                        return result(EVENT_CONFIGURE, token, RESULT_ERROR);
                    }
                    driverId = sender;
                    driverNotifId = c.notifId();
                    method = m;
                    return result(EVENT_CONFIGURE, token, RESULT_SUCCESS);
                }
                case FIFO_CONFIGURE -> {
                    return fifoConfigure(sender, FifoConfigure.decode(f), token);
                }
                default -> {
                    return error(token, id);
                }
            }
        } catch (IllegalArgumentException | FfaException e) {
            warnings.accept("FF-A bus " + settings.name() + ": bus message 0x" + Integer.toHexString(id)
                    + " refused: " + e.getMessage());
            return error(token, id);
        }
    }

    private ByteBuffer areaShare(AreaShare s, int token) {
        if (s.areaId() != AREA_ID || area != null) {
            return areaResult(AREA_SHARE, token, s.areaId(), RESULT_ERROR);
        }
        MemoryMapping m = conduit.memRetrieve(s.memHandle());
        if ((long) s.pageCount() * FfaConduit.PAGE_SIZE != m.size()) {
            conduit.memRelinquish(m.handle());
            return areaResult(AREA_SHARE, token, s.areaId(), RESULT_ERROR);
        }
        area = m;
        DmaWindow window = DmaWindow.wrap((long) AREA_ID << AREA_SHIFT, m.slice(0, m.size()));
        info = new BusInfo(settings.name(), "ffa", settings.profile(), FfaFrames.MAX_MESSAGE_SIZE, window);
        return areaResult(AREA_SHARE, token, s.areaId(), RESULT_SUCCESS);
    }

    private ByteBuffer fifoConfigure(int sender, FifoConfigure c, int token) {
        if (fifoMemory != null || c.driverNotifId() > 63) {
            return fifoConfigureResult(token, RESULT_ERROR, 0);
        }
        MemoryMapping m = conduit.memRetrieve(c.memHandle());
        try {
            if ((long) c.pageCount() * FfaConduit.PAGE_SIZE != m.size()) {
                throw new IllegalArgumentException("FIFO page count " + c.pageCount() + " != mapped " + m.size());
            }
            ByteBuffer region = m.slice(0, m.size());
            VffaFifo ring0 = VffaFifo.attach(region, 0);
            int next = ring0.nextOffset();
            if (next < VffaFifo.ringSize(ring0.messageSize(), ring0.depth())) {
                throw new IllegalArgumentException("ring 1 at " + next + " overlaps ring 0");
            }
            VffaFifo ring1 = VffaFifo.attach(region, next);
            if (ring1.nextOffset() != 0) {
                throw new IllegalArgumentException("ring 1 next_offset must be 0");
            }
            conduit.notificationBind(sender, 1L << DEVICE_NOTIF_ID);
            driverId = sender;
            driverNotifId = c.driverNotifId();
            fifoRx = ring0;
            fifoTx = ring1;
            fifoMemory = m;
        } catch (RuntimeException e) {
            conduit.memRelinquish(m.handle());
            throw e;
        }
        byte[] queued;
        while ((queued = events.poll()) != null) {
            routeEvent(queued);
        }
        return fifoConfigureResult(token, RESULT_SUCCESS, DEVICE_NOTIF_ID);
    }

    private void reset() {
        events.clear();
        MemoryMapping fifo = fifoMemory;
        if (fifo != null) {
            fifoMemory = null;
            fifoRx = null;
            fifoTx = null;
            conduit.notificationUnbind(driverId, 1L << DEVICE_NOTIF_ID);
            conduit.memRelinquish(fifo.handle());
        }
        method = EventMethod.POLL;
        driverNotifId = -1;
    }

    @Override
    public void onNotificationInterrupt() {
        Notifications n = conduit.notificationGet();
        if (n.rxBufferFull()) {
            int sender = FfaFrames.indirectSender(conduit);
            byte[] message = FfaFrames.readIndirect(conduit);
            conduit.rxRelease();
            ByteBuffer f = ByteBuffer.wrap(message).order(ByteOrder.LITTLE_ENDIAN);
            if (message.length >= HEADER && FfaFrames.msgSize(f) <= message.length) {
                f.limit(FfaFrames.msgSize(f));
                ByteBuffer reply = onMessage(sender, f, false);
                if (reply != null) {
                    sendIndirect(toBytes(reply));
                }
            } else {
                dropped.incrementAndGet();
            }
        }
        if ((n.partitionBitmap() & (1L << DEVICE_NOTIF_ID)) != 0) {
            drainFifo();
        }
    }

    private void drainFifo() {
        VffaFifo rx = fifoRx;
        if (rx == null) {
            return;
        }
        synchronized (fifoScratch) {
            int n;
            while ((n = rx.poll(fifoScratch)) >= 0) {
                if (n == 0) {
                    dropped.incrementAndGet();
                    continue;
                }
                byte[] frame = new byte[n];
                fifoScratch.get(0, frame);
                if (!offerInbound(frame)) {
                    dropped.incrementAndGet();
                }
            }
        }
        wakeDelivery();
    }

    private boolean offerInbound(byte[] frame) {
        if (inboundSize.incrementAndGet() > INBOUND) {
            inboundSize.decrementAndGet();
            return false;
        }
        inbound.offer(frame);
        return true;
    }

    private byte[] pollInbound() {
        byte[] f = inbound.poll();
        if (f != null) {
            inboundSize.decrementAndGet();
        }
        return f;
    }

    private void wakeDelivery() {
        if (deliveryParked) {
            LockSupport.unpark(delivery);
        }
    }

    /** The delivery thread: spins, then yields, then parks while no frame waits (idle when polled). */
    private void deliver() {
        int idle = 0;
        while (!closed) {
            byte[] frame = polled ? null : pollInbound();
            if (frame == STOP) {
                return;
            }
            if (frame != null) {
                idle = 0;
                hand(frame);
                continue;
            }
            idle++;
            if (idle < SPIN_ROUNDS) {
                Thread.onSpinWait();
            } else if (idle < SPIN_ROUNDS + YIELD_ROUNDS) {
                Thread.yield();
            } else {
                deliveryParked = true;
                if ((polled || inbound.isEmpty()) && !closed) {
                    LockSupport.parkNanos(this, MAX_PARK_NANOS);
                }
                deliveryParked = false;
            }
        }
    }

    @Override
    int drainPolled(int maxFrames) {
        int n = 0;
        byte[] frame;
        while (n < maxFrames && (frame = pollInbound()) != null && frame != STOP) {
            n++;
            hand(frame);
        }
        return n;
    }

    @Override
    String side() {
        return "device";
    }

    /** One frame to the receiver; one at a time (the polling thread and a REQ2 caller may both hand). */
    private void hand(byte[] frame) {
        synchronized (deliverLock) {
            FrameReceiver r = receiver;
            if (r == null) {
                dropped.incrementAndGet();
                return;
            }
            try {
                r.onFrame(ByteBuffer.wrap(frame).order(ByteOrder.LITTLE_ENDIAN));
            } catch (RuntimeException e) {
                warnings.accept("FF-A bus " + settings.name() + ": device receiver failed on a frame: " + e);
            }
        }
    }

    // ---- frames out from the device transport ----

    @Override
    public void send(ByteBuffer frame) {
        if (closed) {
            throw closedError();
        }
        byte[] f = FfaFrames.copyFrame(frame, settings.name());
        if ((f[0] & 1) != 0) {
            Pending p = pending.get();
            if (p != null && p.matches(f) && pending.compareAndSet(p, null)) {
                p.complete(f);
            } else if (settings.messaging() == FfaBusSettings.Messaging.INDIRECT) {
                sendIndirect(f);
            } else {
                dropped.incrementAndGet();
            }
            return;
        }
        routeEvent(f);
    }

    private void routeEvent(byte[] f) {
        try {
            switch (method) {
                case POLL -> queueEvent(f);
                case NOTIF -> {
                    queueEvent(f);
                    conduit.notificationSet(driverId, driverNotifId);
                }
                case INDIRECT -> sendIndirect(f);
                case FIFO -> {
                    VffaFifo tx = fifoTx;
                    if (tx == null) {
                        queueEvent(f);
                        return;
                    }
                    offerFifo(tx, f);
                    conduit.notificationSet(driverId, driverNotifId);
                }
            }
        } catch (FfaException e) {
            dropped.incrementAndGet();
            throw new BusException(BusException.Reason.PEER_LOST, "FF-A bus " + settings.name()
                    + ": event not delivered: " + e.getMessage());
        }
    }

    private void offerFifo(VffaFifo tx, byte[] f) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
        synchronized (tx) {
            while (!tx.offer(ByteBuffer.wrap(f))) {
                conduit.notificationSet(driverId, driverNotifId);
                if (System.nanoTime() - deadline > 0) {
                    throw new BusException(BusException.Reason.SEND_TIMEOUT, "FF-A bus " + settings.name()
                            + ": the driver has not drained the device FIFO ring for 1 s");
                }
                Thread.onSpinWait();
            }
        }
    }

    private void queueEvent(byte[] f) {
        if (!events.offer(f)) {
            dropped.incrementAndGet();
            throw new BusException(BusException.Reason.SEND_TIMEOUT, "FF-A bus " + settings.name()
                    + ": " + EVENT_QUEUE + " events wait for EVENT_POLL; the driver is not polling");
        }
    }

    private void sendIndirect(byte[] f) {
        synchronized (txLock) {
            FfaFrames.sendIndirect(conduit, driverId, f, 1000, settings.name());
        }
    }

    private static byte[] toBytes(ByteBuffer b) {
        byte[] out = new byte[b.remaining()];
        b.get(b.position(), out);
        return out;
    }

    /** Tells the driver the device released the area (AREA_RELEASE event). */
    void releaseArea() {
        routeEvent(toBytes(areaRelease(AREA_ID)));
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        inbound.clear();
        inbound.offer(STOP);
        LockSupport.unpark(delivery);
        try {
            delivery.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        linkDown();
    }
}
