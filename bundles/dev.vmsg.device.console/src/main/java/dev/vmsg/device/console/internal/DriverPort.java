package dev.vmsg.device.console.internal;

import dev.vmsg.device.console.ConsolePort;
import dev.vmsg.device.console.ConsolePortListener;
import dev.vmsg.driver.Virtqueue;
import dev.vmsg.driver.VirtioDeviceException;
import dev.vmsg.driver.VirtioDeviceException.Reason;
import dev.vmsg.memory.DmaRegion;
import dev.vmsg.memory.DmaWindow;
import dev.vmsg.virtqueue.BufferSegment;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * The driver side of one port: receive buffers lent to the device only while the bounded
 * {@code received} buffer could take their bytes (so a slow reader holds the device back instead
 * of losing data), and transmit buffers writers wait for. Every chain ends exactly once, through
 * {@link #completed} or {@link #failed}, which give its buffer slot back.
 */
final class DriverPort implements ConsolePort {

    private static final BufferSegment[] NONE = new BufferSegment[0];

    /** The cookie of one chain: which port, which direction, which slot. */
    record Slot(DriverPort port, boolean receive, int index) {
    }

    private final DriverSession session;
    private final int id;
    private final Virtqueue receiveq;
    private final Virtqueue transmitq;
    private final DmaWindow window;
    private final DmaRegion buffers;
    private final int slotSize;
    private final int receiveSlots;
    private final int transmitSlots;
    private final ByteRing received;
    private final ArrayDeque<Integer> idleReceive = new ArrayDeque<>();
    private final ArrayDeque<Integer> freeTransmit = new ArrayDeque<>();
    private final List<ConsolePortListener> listeners = new CopyOnWriteArrayList<>();
    private int postedReceive;
    private String removedReason;
    private volatile String name;
    private volatile boolean named;
    private volatile boolean console;
    private volatile boolean hostConnected;
    private volatile int columns;
    private volatile int rows;

    /**
     * @param buffers {@code receiveSlots + transmitSlots} slots of {@code slotSize} bytes in the window
     */
    DriverPort(DriverSession session, int id, Virtqueue receiveq, Virtqueue transmitq, DmaWindow window,
            DmaRegion buffers, int receiveSlots, int transmitSlots, int slotSize, int receivedCapacity) {
        if ((long) (receiveSlots + transmitSlots) * slotSize > buffers.size()) {
            throw new IllegalArgumentException("port buffers do not fit in " + buffers);
        }
        this.session = session;
        this.id = id;
        this.receiveq = receiveq;
        this.transmitq = transmitq;
        this.window = window;
        this.buffers = buffers;
        this.slotSize = slotSize;
        this.receiveSlots = receiveSlots;
        this.transmitSlots = transmitSlots;
        this.received = new ByteRing(Math.max(receivedCapacity, slotSize), null);
        this.name = "port" + id;
        for (int i = 0; i < receiveSlots; i++) {
            idleReceive.add(i);
        }
        for (int i = 0; i < transmitSlots; i++) {
            freeTransmit.add(receiveSlots + i);
        }
    }

    DmaRegion buffers() {
        return buffers;
    }

    // ---- receive ----

    /** Lends idle receive slots to the device while {@code received} could hold everything they bring. */
    synchronized void refill() {
        while (removedReason == null && !idleReceive.isEmpty()
                && received.free() - (long) postedReceive * slotSize >= slotSize) {
            int slot = idleReceive.poll();
            try {
                receiveq.submit(NONE, new BufferSegment[] {new BufferSegment(address(slot), slotSize)},
                        new Slot(this, true, slot));
                postedReceive++;
            } catch (VirtioDeviceException e) {
                idleReceive.push(slot);
                return; // the queue is full, broken or gone: completions or removal take over
            }
        }
    }

    void completed(Slot s, int length) {
        if (s.receive()) {
            int n = Math.min(length, slotSize);
            byte[] tmp = new byte[n];
            window.read(address(s.index()), tmp, 0, n);
            synchronized (this) {
                received.offer(ByteBuffer.wrap(tmp)); // fits: refill reserved room for it
                postedReceive--;
                idleReceive.add(s.index());
            }
            refill();
        } else {
            releaseTransmit(s.index());
        }
    }

    void failed(Slot s) {
        if (s.receive()) {
            synchronized (this) {
                postedReceive--;
                idleReceive.add(s.index());
            }
        } else {
            releaseTransmit(s.index());
        }
    }

    @Override
    public int read(ByteBuffer dst, Duration timeout) {
        byte[] tmp = new byte[Math.min(dst.remaining(), received.capacity())];
        int n;
        try {
            n = received.take(tmp, 0, tmp.length, TimedStreams.nanos(timeout), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 0;
        }
        if (n > 0) {
            dst.put(tmp, 0, n);
            refill();
        }
        return n;
    }

    // ---- transmit ----

    @Override
    public int write(ByteBuffer src, Duration timeout) {
        long deadline = System.nanoTime() + TimedStreams.nanos(timeout);
        int done = 0;
        while (src.hasRemaining()) {
            int slot = takeTransmitSlot(deadline);
            if (slot < 0) {
                return done;
            }
            int n = Math.min(src.remaining(), slotSize);
            ByteBuffer chunk = src.slice();
            chunk.limit(n);
            window.write(address(slot), chunk);
            try {
                transmitq.submit(new BufferSegment[] {new BufferSegment(address(slot), n)}, NONE,
                        new Slot(this, false, slot));
            } catch (VirtioDeviceException e) {
                releaseTransmit(slot);
                throw e;
            }
            src.position(src.position() + n);
            done += n;
        }
        return done;
    }

    private synchronized int takeTransmitSlot(long deadline) {
        while (true) {
            if (removedReason != null) {
                throw new VirtioDeviceException(Reason.REMOVED, this + ": " + removedReason);
            }
            Integer slot = freeTransmit.poll();
            if (slot != null) {
                return slot;
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return -1;
            }
            try {
                TimeUnit.NANOSECONDS.timedWait(this, left);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return -1;
            }
        }
    }

    private synchronized void releaseTransmit(int slot) {
        freeTransmit.add(slot);
        notifyAll();
    }

    private long address(int slot) {
        return buffers.address() + (long) slot * slotSize;
    }

    // ---- events from the control queue (driver thread) ----

    /** Takes the device's name for the port; a second PORT_NAME is ignored, as Linux does. */
    boolean name(String n) {
        if (named) {
            return false;
        }
        name = n.isEmpty() ? "port" + id : n;
        named = true;
        return true;
    }

    void markConsole() {
        console = true;
    }

    void resize(int cols, int rowCount) {
        columns = cols;
        rows = rowCount;
    }

    void hostConnected(boolean connected) {
        if (hostConnected == connected) {
            return;
        }
        hostConnected = connected;
        for (ConsolePortListener l : listeners) {
            try {
                if (connected) {
                    l.hostConnected(this);
                } else {
                    l.hostDisconnected(this);
                }
            } catch (RuntimeException e) {
                session.listenerFailed(this, e);
            }
        }
    }

    /** The port is gone: writers and readers are woken; what was received can still be read. */
    void remove(String reason) {
        synchronized (this) {
            if (removedReason != null) {
                return;
            }
            removedReason = reason;
            notifyAll();
        }
        received.close();
        for (ConsolePortListener l : listeners) {
            try {
                l.removed(this, reason);
            } catch (RuntimeException e) {
                session.listenerFailed(this, e);
            }
        }
    }

    synchronized boolean isRemoved() {
        return removedReason != null;
    }

    /** Receive slots lent to the device, transmit slots in its hands (for tests and the shell). */
    synchronized int[] inFlight() {
        return new int[] {postedReceive, transmitSlots - freeTransmit.size()};
    }

    // ---- ConsolePort ----

    @Override
    public String busName() {
        return session.busName();
    }

    @Override
    public int deviceNumber() {
        return session.deviceNumber();
    }

    @Override
    public int id() {
        return id;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public boolean isConsole() {
        return console;
    }

    @Override
    public boolean isHostConnected() {
        return hostConnected;
    }

    @Override
    public int columns() {
        return columns;
    }

    @Override
    public int rows() {
        return rows;
    }

    @Override
    public InputStream inputStream() {
        return TimedStreams.input(this::read);
    }

    @Override
    public OutputStream outputStream(Duration timeout) {
        return TimedStreams.output(this::write, timeout, toString());
    }

    @Override
    public void addListener(ConsolePortListener listener) {
        listeners.add(listener);
    }

    @Override
    public void removeListener(ConsolePortListener listener) {
        listeners.remove(listener);
    }

    @Override
    public String toString() {
        return "console port " + name + " (" + id + ") of " + session.busName() + "/" + session.deviceNumber();
    }
}
