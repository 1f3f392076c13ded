package dev.vmsg.device.net.internal;

import static dev.vmsg.device.net.internal.VirtioNet.HDR_SIZE;

import dev.vmsg.device.DeviceContext;
import dev.vmsg.device.VirtioDeviceBackend;
import dev.vmsg.virtqueue.DescriptorChain;
import dev.vmsg.virtqueue.DeviceVirtqueue;
import dev.vmsg.wire.DeviceIds;
import dev.vmsg.wire.FeatureSet;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayDeque;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.Function;

/**
 * The virtio-net device model (virtio 1.x §5.1): one receive and one transmit queue, the control
 * queue when negotiated, attached to a network backend through a {@link NetLink}.
 *
 * <p>Transmit: every chain is checked whole from private copies before its frame goes anywhere:
 * device-readable only, at least the 12-byte header plus an Ethernet header, header flags,
 * gso_type and num_buffers zero (no offload is offered, so the driver may set none), the frame no
 * longer than the MTU allows (18 header bytes when 802.1Q-tagged), and the link up. A rejected
 * chain is returned with length 0 and counted under its reason; transmit chains always complete
 * with length 0 (the device writes nothing into them).
 *
 * <p>Receive: frames from the backend wait in a bounded {@link FrameQueue} (any thread) and are
 * moved into receive buffers on the device thread, one executor task per burst, not per frame.
 * Without VIRTIO_NET_F_MRG_RXBUF one chain takes one frame; with it a frame spans as many buffers
 * as it needs and num_buffers says how many. Frames wait (not dropped) while the driver has posted
 * too few buffers; the backlog bounds the wait. A buffer shorter than the header is returned with
 * length 0; a frame that fits no buffer is dropped; both counted.
 *
 * <p>Link state (VIRTIO_NET_F_STATUS) is set by {@link #setLinkUp}; the change reaches the driver
 * through EVENT_CONFIG. While the link is down frames in both directions are dropped and counted.
 */
public final class NetBackend implements VirtioDeviceBackend, NetReceiver {

    /** Buffers one frame may span with MRG_RXBUF before it is dropped as not fitting. */
    static final int MAX_BUFFERS_PER_FRAME = 64;

    /** What the device offers: no checksum or segmentation offload, since it implements none. */
    static final FeatureSet OFFERED = FeatureSet.of(VirtioNet.F_MAC, VirtioNet.F_STATUS, VirtioNet.F_MTU,
            VirtioNet.F_MRG_RXBUF, VirtioNet.F_CTRL_VQ, VirtioNet.F_CTRL_MAC_ADDR);

    private final NetSettings settings;
    private final NetLink link;
    private final FrameQueue backlog;
    private final AtomicLongArray stats = new AtomicLongArray(NetStat.values().length);
    private final AtomicBoolean drainScheduled = new AtomicBoolean();
    private final ByteBuffer header = ByteBuffer.allocate(HDR_SIZE).order(ByteOrder.LITTLE_ENDIAN);
    private final ByteBuffer txFrame;
    private final ByteBuffer ctrl = ByteBuffer.allocate(8);
    private final ByteBuffer ack = ByteBuffer.allocate(1);
    /** Receive chains popped but not used yet (device thread). */
    private final ArrayDeque<DescriptorChain> held = new ArrayDeque<>();
    private long heldBytes;
    private volatile DeviceContext context;
    private volatile boolean linkUp = true;
    private volatile long mac;
    private volatile FeatureSet negotiated = FeatureSet.EMPTY;

    /**
     * @param attach connects the new device to its backend: gets the device's receive side, returns its link
     */
    public NetBackend(NetSettings settings, Function<NetReceiver, NetLink> attach) {
        this.settings = settings;
        this.mac = settings.mac();
        this.backlog = new FrameQueue(settings.backlog(), settings.maxFrame());
        this.txFrame = ByteBuffer.allocate(settings.maxFrame());
        this.link = attach.apply(this);
    }

    @Override
    public int deviceId() {
        return DeviceIds.NET;
    }

    @Override
    public FeatureSet features() {
        return OFFERED;
    }

    @Override
    public int numQueues() {
        return 3;
    }

    @Override
    public int queueMaxSize(int index) {
        return settings.queueSize();
    }

    @Override
    public int configSize() {
        return VirtioNet.CONFIG_SIZE;
    }

    @Override
    public void readConfig(int offset, ByteBuffer dst) {
        dst.put(config().slice(offset, dst.remaining()));
    }

    /** struct virtio_net_config as this device fills it. */
    ByteBuffer config() {
        ByteBuffer c = ByteBuffer.allocate(VirtioNet.CONFIG_SIZE).order(ByteOrder.LITTLE_ENDIAN);
        c.put(VirtioNet.CFG_MAC, VirtioNet.macBytes(mac));
        c.putShort(VirtioNet.CFG_STATUS, (short) (linkUp ? VirtioNet.S_LINK_UP : 0));
        c.putShort(VirtioNet.CFG_MAX_VIRTQUEUE_PAIRS, (short) 1);
        c.putShort(VirtioNet.CFG_MTU, (short) settings.mtu());
        return c;
    }

    @Override
    public boolean acceptFeatures(FeatureSet driverFeatures) {
        // §5.1.3.1: CTRL_MAC_ADDR depends on CTRL_VQ.
        if (driverFeatures.has(VirtioNet.F_CTRL_MAC_ADDR) && !driverFeatures.has(VirtioNet.F_CTRL_VQ)) {
            return false;
        }
        negotiated = driverFeatures;
        return true;
    }

    @Override
    public void driverOk(DeviceContext ctx) {
        negotiated = ctx.negotiatedFeatures();
        held.clear();
        heldBytes = 0;
        context = ctx;
        if (!backlog.isEmpty()) {
            wake();
        }
    }

    @Override
    public void queueNotified(DeviceContext ctx, DeviceVirtqueue queue) {
        switch (queue.index()) {
            case VirtioNet.TX_QUEUE -> transmit(queue);
            case VirtioNet.RX_QUEUE -> receive(queue);
            case VirtioNet.CTRL_QUEUE -> control(queue);
            default -> {
                // The transport only enables queues below numQueues().
            }
        }
    }

    @Override
    public void queueReset(int index) {
        if (index == VirtioNet.RX_QUEUE) {
            held.clear();
            heldBytes = 0;
        }
    }

    @Override
    public void reset() {
        context = null;
        negotiated = FeatureSet.EMPTY;
        held.clear();
        heldBytes = 0;
        stats.addAndGet(NetStat.RX_NOT_RUNNING.ordinal(), backlog.clear());
    }

    /** Detaches from the backend; the device must not be used afterwards. */
    public void close() {
        link.close();
    }

    // ---- link state, MAC, counters (any thread) ----

    /** Sets the link state; a change reaches a running driver through EVENT_CONFIG. */
    public void setLinkUp(boolean up) {
        if (linkUp == up) {
            return;
        }
        linkUp = up;
        DeviceContext c = context;
        if (c != null && negotiated.has(VirtioNet.F_STATUS)) {
            c.configChanged();
        }
    }

    public boolean linkUp() {
        return linkUp;
    }

    public long mac() {
        return mac;
    }

    public int mtu() {
        return settings.mtu();
    }

    public String linkDescription() {
        return link.describe();
    }

    public long stat(NetStat which) {
        return stats.get(which.ordinal());
    }

    /** A counter any thread may bump (drops on delivery). */
    private void count(NetStat which) {
        stats.incrementAndGet(which.ordinal());
    }

    /** A counter only the device thread bumps: a plain read and an ordered write, no atomic read-modify-write per frame. */
    private void bump(NetStat which, long by) {
        int i = which.ordinal();
        stats.lazySet(i, stats.get(i) + by);
    }

    // ---- NetReceiver (any thread) ----

    @Override
    public boolean deliver(ByteBuffer frame) {
        if (context == null) {
            count(NetStat.RX_NOT_RUNNING);
            return false;
        }
        if (!linkUp) {
            count(NetStat.RX_LINK_DOWN);
            return false;
        }
        int length = frame.remaining();
        if (length < VirtioNet.ETH_HEADER || length > VirtioNet.maxFrame(settings.mtu(), VirtioNet.tagged(frame))) {
            count(NetStat.RX_OVERSIZE);
            return false;
        }
        if (!backlog.offer(frame)) {
            count(NetStat.RX_BACKLOG_FULL);
            return false;
        }
        return true;
    }

    @Override
    public void wake() {
        DeviceContext c = context;
        if (c == null || !drainScheduled.compareAndSet(false, true)) {
            return;
        }
        try {
            c.executor().execute(this::drainTask);
        } catch (RejectedExecutionException e) {
            // The device thread is stopping or flooded: the frames wait for the next receive-queue kick.
            drainScheduled.set(false);
        }
    }

    // ---- device thread ----

    private void drainTask() {
        drainScheduled.set(false);
        DeviceContext c = context;
        if (c == null) {
            return;
        }
        DeviceVirtqueue rx = c.queue(VirtioNet.RX_QUEUE);
        if (rx == null) {
            return;
        }
        if (receive(rx) > 0) {
            c.notifyUsed(rx);
        }
    }

    /** Serves every transmit chain available, then lets the link wake whom the batch fed. */
    private void transmit(DeviceVirtqueue tx) {
        try {
            DescriptorChain chain;
            while ((chain = tx.pop()) != null) {
                serveTx(chain);
                tx.pushUsed(chain.head(), 0);
            }
        } finally {
            link.flush();
        }
    }

    /** Checks one transmit chain and passes its frame on. Never throws. */
    void serveTx(DescriptorChain chain) {
        if (chain.writableLength() != 0) {
            count(NetStat.TX_BAD_LAYOUT);
            return;
        }
        long readable = chain.readableLength();
        if (readable < HDR_SIZE + VirtioNet.ETH_HEADER) {
            count(NetStat.TX_SHORT);
            return;
        }
        header.clear();
        chain.readFrom(0, header);
        if (header.get(VirtioNet.HDR_FLAGS) != 0 || header.get(VirtioNet.HDR_GSO_TYPE) != VirtioNet.GSO_NONE
                || header.getShort(VirtioNet.HDR_NUM_BUFFERS) != 0) {
            count(NetStat.TX_BAD_HEADER);
            return;
        }
        long length = readable - HDR_SIZE;
        if (length > settings.maxFrame()) {
            count(NetStat.TX_OVERSIZE);
            return;
        }
        txFrame.clear().limit((int) length);
        chain.readFrom(HDR_SIZE, txFrame);
        txFrame.flip();
        if (length > VirtioNet.maxFrame(settings.mtu(), VirtioNet.tagged(txFrame))) {
            count(NetStat.TX_OVERSIZE);
            return;
        }
        if (!linkUp) {
            count(NetStat.TX_LINK_DOWN);
            return;
        }
        bump(NetStat.TX_FRAMES, 1);
        bump(NetStat.TX_BYTES, length);
        link.transmit(txFrame);
    }

    /**
     * Moves waiting frames into receive buffers until one side runs out. Receive-queue kicks are
     * only asked for while frames wait for buffers: with an empty backlog the device takes
     * buffers when frames come, so the driver's reposting need not notify it (EVENT_IDX
     * suppression; without EVENT_IDX, VIRTQ_USED_F_NO_NOTIFY).
     *
     * @return the buffers used
     */
    int receive(DeviceVirtqueue rx) {
        int used = 0;
        while (true) {
            used += fill(rx);
            if (backlog.isEmpty()) {
                rx.disableNotifications();
                return used;
            }
            rx.enableNotifications();
            if (!rx.hasAvailable()) {
                return used;
            }
            // Buffers came while notifications were off: go on with them.
        }
    }

    /** Fills buffers until the backlog is empty or the driver has none left; returns the buffers used. */
    private int fill(DeviceVirtqueue rx) {
        boolean mergeable = negotiated.has(VirtioNet.F_MRG_RXBUF);
        int used = 0;
        while (!backlog.isEmpty()) {
            int length = backlog.peekLength();
            if (!linkUp) {
                backlog.remove();
                count(NetStat.RX_LINK_DOWN);
                continue;
            }
            int n = mergeable ? fillMergeable(rx, length) : fillOne(rx, length);
            if (n < 0) {
                break;
            }
            used += n;
        }
        return used;
    }

    /**
     * Takes the next receive chain that can hold at least a header into {@link #held}.
     *
     * @return false when the driver has no more buffers available
     */
    private boolean holdNext(DeviceVirtqueue rx) {
        while (true) {
            DescriptorChain c = rx.pop();
            if (c == null) {
                return false;
            }
            if (c.writableLength() < HDR_SIZE) {
                count(NetStat.RX_SHORT_BUFFER);
                rx.pushUsed(c.head(), 0);
                continue;
            }
            held.add(c);
            heldBytes += c.writableLength();
            return true;
        }
    }

    /** One frame into one chain (no MRG_RXBUF). Returns the buffers used, or -1 to wait for buffers. */
    private int fillOne(DeviceVirtqueue rx, int length) {
        if (held.isEmpty() && !holdNext(rx)) {
            return -1;
        }
        DescriptorChain c = held.peek();
        if (c.writableLength() < HDR_SIZE + length) {
            // A smaller frame may still fit this buffer: keep it, drop the frame.
            backlog.remove();
            count(NetStat.RX_SHORT_BUFFER);
            return 0;
        }
        held.poll();
        heldBytes -= c.writableLength();
        writeHeader(c, 1);
        writeFrame(c, HDR_SIZE, 0, length);
        rx.pushUsed(c.head(), HDR_SIZE + length);
        delivered(length, 1);
        return 1;
    }

    /** One frame over as many chains as it needs (MRG_RXBUF). Returns the buffers used, or -1 to wait. */
    private int fillMergeable(DeviceVirtqueue rx, int length) {
        long need = (long) HDR_SIZE + length;
        while (heldBytes < need) {
            if (held.size() >= MAX_BUFFERS_PER_FRAME) {
                backlog.remove();
                count(NetStat.RX_SHORT_BUFFER);
                return 0;
            }
            if (!holdNext(rx)) {
                return -1;
            }
        }
        int buffers = 0;
        int done = 0;
        DescriptorChain first = held.poll();
        heldBytes -= first.writableLength();
        int firstChunk = (int) Math.min(length, first.writableLength() - HDR_SIZE);
        writeFrame(first, HDR_SIZE, 0, firstChunk);
        done += firstChunk;
        buffers++;
        int rest = 0;
        for (DescriptorChain c : held) {
            if (done + rest >= length) {
                break;
            }
            rest += (int) Math.min(length - done - rest, c.writableLength());
            buffers++;
        }
        writeHeader(first, buffers);
        // Used elements in buffer order: the one with the header (and num_buffers) first.
        rx.pushUsed(first.head(), HDR_SIZE + firstChunk);
        while (done < length) {
            DescriptorChain c = held.poll();
            heldBytes -= c.writableLength();
            int chunk = (int) Math.min(length - done, c.writableLength());
            writeFrame(c, 0, done, chunk);
            done += chunk;
            rx.pushUsed(c.head(), chunk);
        }
        delivered(length, buffers);
        return buffers;
    }

    private void writeHeader(DescriptorChain c, int numBuffers) {
        header.clear();
        header.putLong(0, 0).putShort(8, (short) 0).putShort(VirtioNet.HDR_NUM_BUFFERS, (short) numBuffers);
        c.writeTo(0, header);
    }

    private void writeFrame(DescriptorChain c, int chainOffset, int frameOffset, int length) {
        ByteBuffer view = backlog.peekBuffer();
        view.limit(frameOffset + length).position(frameOffset);
        c.writeTo(chainOffset, view);
    }

    private void delivered(int length, int buffers) {
        backlog.remove();
        bump(NetStat.RX_FRAMES, 1);
        bump(NetStat.RX_BYTES, length);
        bump(NetStat.RX_BUFFERS, buffers);
    }

    /** Serves every control command available. */
    private void control(DeviceVirtqueue cq) {
        DescriptorChain chain;
        while ((chain = cq.pop()) != null) {
            cq.pushUsed(chain.head(), serveControl(chain));
        }
    }

    /** One control command; returns the used length (1 with the ack, 0 when there is nowhere to put it). */
    int serveControl(DescriptorChain chain) {
        if (chain.writableLength() < 1) {
            count(NetStat.CTRL_ERR);
            return 0;
        }
        int result = VirtioNet.CTRL_ERR;
        long readable = chain.readableLength();
        if (negotiated.has(VirtioNet.F_CTRL_VQ) && readable >= 2) {
            ctrl.clear().limit((int) Math.min(8, readable));
            chain.readFrom(0, ctrl);
            int cls = ctrl.get(0) & 0xFF;
            int cmd = ctrl.get(1) & 0xFF;
            if (cls == VirtioNet.CTRL_CLASS_MAC && cmd == VirtioNet.CTRL_MAC_ADDR_SET
                    && negotiated.has(VirtioNet.F_CTRL_MAC_ADDR) && readable == 8) {
                long newMac = VirtioNet.macAt(ctrl.array(), 2);
                if (!VirtioNet.isGroup(newMac)) {
                    mac = newMac;
                    result = VirtioNet.CTRL_OK;
                }
            }
        }
        count(result == VirtioNet.CTRL_OK ? NetStat.CTRL_OK : NetStat.CTRL_ERR);
        ack.clear();
        ack.put(0, (byte) result);
        chain.writeTo(chain.writableLength() - 1, ack);
        return 1;
    }
}
