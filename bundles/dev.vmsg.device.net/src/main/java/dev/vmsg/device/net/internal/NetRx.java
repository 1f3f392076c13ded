package dev.vmsg.device.net.internal;

import dev.vmsg.device.net.FrameHandler;
import dev.vmsg.driver.QueueListener;
import dev.vmsg.driver.VirtioDeviceException;
import dev.vmsg.driver.Virtqueue;
import dev.vmsg.memory.DmaWindow;
import dev.vmsg.virtqueue.BufferSegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The receive side of the net driver: a fixed set of buffers in the bus window, all posted to the
 * receive queue and each posted again as soon as its frame is taken. With MRG_RXBUF a frame may
 * span several buffers (num_buffers in the first one's header); they are gathered in order. What
 * the device writes is checked before use: a used length shorter than the header, a num_buffers
 * of 0 or above {@link NetBackend#MAX_BUFFERS_PER_FRAME}, a frame shorter than an Ethernet header
 * or longer than the port's limit is counted as an error and its buffers reposted.
 *
 * <p>Frames go to the receiver on the driver thread, or into a bounded backlog for polling.
 * Nothing is allocated per frame.
 */
final class NetRx implements QueueListener {

    private static final BufferSegment[] NONE = new BufferSegment[0];

    private final DmaWindow window;
    private final long base;
    private final int bufferSize;
    private final boolean mergeable;
    private final int maxFrame;
    private final Integer[] cookies;
    private final BufferSegment[][] segments;
    private final ByteBuffer frame;
    private final FrameQueue backlog;
    private final ByteBuffer numBuffers = ByteBuffer.allocate(2).order(ByteOrder.LITTLE_ENDIAN);
    private volatile Virtqueue queue;
    private FrameHandler receiver;
    /** Buffers still to gather for the frame in {@link #frame} (MRG_RXBUF), and whether it is already bad. */
    private int pending;
    private boolean pendingBad;
    private boolean closed;
    long frames;
    long bytes;
    long errors;
    long dropped;

    /**
     * @param base     window address of {@code buffers} x {@code bufferSize} bytes
     * @param maxFrame the longest frame taken (MTU + 18)
     * @param backlog  frames held for polling
     */
    NetRx(DmaWindow window, long base, int buffers, int bufferSize, boolean mergeable, int maxFrame, int backlog) {
        this.window = window;
        this.base = base;
        this.bufferSize = bufferSize;
        this.mergeable = mergeable;
        this.maxFrame = maxFrame;
        this.cookies = new Integer[buffers];
        this.segments = new BufferSegment[buffers][];
        for (int i = 0; i < buffers; i++) {
            cookies[i] = i;
            segments[i] = new BufferSegment[] {new BufferSegment(base + (long) i * bufferSize, bufferSize)};
        }
        this.frame = ByteBuffer.allocate(maxFrame);
        this.backlog = new FrameQueue(backlog, maxFrame);
    }

    void attach(Virtqueue q) {
        this.queue = q;
    }

    /** Posts every buffer (once the device runs). */
    void start() {
        for (int i = 0; i < cookies.length; i++) {
            post(i);
        }
    }

    private void post(int buffer) {
        try {
            queue.submit(NONE, segments[buffer], cookies[buffer]);
        } catch (VirtioDeviceException e) {
            // The queue is closing: the buffer is simply not posted again.
        }
    }

    @Override
    public void completed(Object cookie, int length) {
        int buffer = (Integer) cookie;
        long at = base + (long) buffer * bufferSize;
        synchronized (this) {
            if (pending > 0) {
                append(at, length);
                pending--;
                if (pending == 0) {
                    finish();
                }
            } else {
                first(at, length);
            }
        }
        post(buffer);
    }

    private void first(long at, int length) {
        frame.clear();
        pendingBad = false;
        int buffers = 1;
        if (length < VirtioNet.HDR_SIZE) {
            errors++;
            return;
        }
        if (mergeable) {
            numBuffers.clear();
            window.read(at + VirtioNet.HDR_NUM_BUFFERS, numBuffers);
            buffers = numBuffers.getShort(0) & 0xFFFF;
            if (buffers < 1 || buffers > NetBackend.MAX_BUFFERS_PER_FRAME) {
                errors++;
                return;
            }
        }
        append(at + VirtioNet.HDR_SIZE, length - VirtioNet.HDR_SIZE);
        pending = buffers - 1;
        if (pending == 0) {
            finish();
        }
    }

    private void append(long at, int length) {
        if (pendingBad || length > frame.remaining()) {
            pendingBad = true;
            return;
        }
        frame.limit(frame.position() + length);
        window.read(at, frame);
        frame.limit(frame.capacity());
    }

    private void finish() {
        frame.flip();
        if (pendingBad || frame.remaining() < VirtioNet.ETH_HEADER
                || frame.remaining() > VirtioNet.maxFrame(maxFrame - VirtioNet.ETH_VLAN_HEADER, VirtioNet.tagged(frame))) {
            errors++;
            return;
        }
        frames++;
        bytes += frame.remaining();
        if (receiver != null) {
            receiver.frame(frame);
        } else if (!backlog.offer(frame)) {
            dropped++;
        }
    }

    /** Sets the receiver (null: polling) and hands it the backlog first. */
    synchronized void setReceiver(FrameHandler r) {
        if (r != null) {
            poll(r, Integer.MAX_VALUE);
        }
        receiver = r;
    }

    /** Hands at most {@code max} waiting frames to {@code handler}. */
    synchronized int poll(FrameHandler handler, int max) {
        int n = 0;
        while (n < max && !backlog.isEmpty()) {
            ByteBuffer b = backlog.peekBuffer();
            b.limit(backlog.peekLength()).position(0);
            try {
                handler.frame(b);
            } finally {
                backlog.remove();
            }
            n++;
        }
        return n;
    }

    @Override
    public void failed(Object cookie, VirtioDeviceException cause) {
        // The queue closed: the buffer is not posted again.
    }

    synchronized void close() {
        closed = true;
        backlog.clear();
    }

    synchronized boolean isClosed() {
        return closed;
    }
}
