package dev.vmsg.device.console.internal;

import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A bounded byte buffer between two threads: one side of a console port and the other. Writers
 * that find it full either take what fits ({@link #offer}, the device thread never blocks) or wait
 * for room ({@link #put}, a host or consumer thread: that wait is the back-pressure). Nothing is
 * ever overwritten or dropped; waits are counted as stalls. {@link #close()} wakes every waiter.
 */
final class ByteRing {

    private final byte[] data;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition notEmpty = lock.newCondition();
    private final Condition notFull = lock.newCondition();
    private final Runnable onChange;
    private int head;
    private int count;
    private boolean closed;
    private long bytesIn;
    private long bytesOut;
    private long stalls;

    /**
     * @param capacity bytes held at most
     * @param onChange run (outside the lock) after bytes went in or out, to wake the other side;
     *                 it must not block
     */
    ByteRing(int capacity, Runnable onChange) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be positive: " + capacity);
        }
        this.data = new byte[capacity];
        this.onChange = onChange == null ? () -> { } : onChange;
    }

    int capacity() {
        return data.length;
    }

    /** Copies what fits of {@code src} without waiting; returns the count (0 when full or closed). */
    int offer(ByteBuffer src) {
        int n;
        lock.lock();
        try {
            if (closed) {
                return 0;
            }
            n = Math.min(src.remaining(), data.length - count);
            copyIn(src, n);
        } finally {
            lock.unlock();
        }
        if (n > 0) {
            onChange.run();
        }
        return n;
    }

    /**
     * Copies all of {@code b[off, off+len)}, waiting for room at most {@code timeout} in total.
     *
     * @return bytes taken: {@code len}, fewer when the time ran out, or -1 when closed before any
     */
    int put(byte[] b, int off, int len, long timeout, TimeUnit unit) throws InterruptedException {
        long deadline = System.nanoTime() + unit.toNanos(timeout);
        int done = 0;
        boolean waited = false;
        while (done < len) {
            int n;
            lock.lock();
            try {
                while (!closed && count == data.length) {
                    if (!waited) {
                        stalls++;
                        waited = true;
                    }
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        return done;
                    }
                    notFull.awaitNanos(left);
                }
                if (closed) {
                    return done == 0 ? -1 : done;
                }
                n = Math.min(len - done, data.length - count);
                copyIn(ByteBuffer.wrap(b, off + done, n), n);
            } finally {
                lock.unlock();
            }
            done += n;
            waited = false;
            onChange.run();
        }
        return done;
    }

    /** Moves up to {@code dst.remaining()} bytes into {@code dst} without waiting; returns the count. */
    int poll(ByteBuffer dst) {
        int n;
        lock.lock();
        try {
            n = Math.min(dst.remaining(), count);
            copyOut(dst, n);
        } finally {
            lock.unlock();
        }
        if (n > 0) {
            onChange.run();
        }
        return n;
    }

    /**
     * Takes at least one byte (up to {@code len}), waiting at most {@code timeout} for one.
     *
     * @return bytes taken, 0 when the time ran out, -1 when closed and empty
     */
    int take(byte[] b, int off, int len, long timeout, TimeUnit unit) throws InterruptedException {
        if (len == 0) {
            return 0;
        }
        long deadline = System.nanoTime() + unit.toNanos(timeout);
        int n;
        lock.lock();
        try {
            while (count == 0) {
                if (closed) {
                    return -1;
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return 0;
                }
                notEmpty.awaitNanos(left);
            }
            n = Math.min(len, count);
            copyOut(ByteBuffer.wrap(b, off, n), n);
        } finally {
            lock.unlock();
        }
        onChange.run();
        return n;
    }

    private void copyIn(ByteBuffer src, int n) {
        int tail = (head + count) % data.length;
        int first = Math.min(n, data.length - tail);
        src.get(data, tail, first);
        src.get(data, 0, n - first);
        count += n;
        bytesIn += n;
        if (n > 0) {
            notEmpty.signalAll();
        }
    }

    private void copyOut(ByteBuffer dst, int n) {
        int first = Math.min(n, data.length - head);
        dst.put(data, head, first);
        dst.put(data, 0, n - first);
        head = (head + n) % data.length;
        count -= n;
        bytesOut += n;
        if (n > 0) {
            notFull.signalAll();
        }
    }

    int available() {
        lock.lock();
        try {
            return count;
        } finally {
            lock.unlock();
        }
    }

    int free() {
        lock.lock();
        try {
            return closed ? 0 : data.length - count;
        } finally {
            lock.unlock();
        }
    }

    /** Refuses further bytes and wakes every waiter; what is buffered can still be taken. */
    void close() {
        lock.lock();
        try {
            closed = true;
            notEmpty.signalAll();
            notFull.signalAll();
        } finally {
            lock.unlock();
        }
    }

    boolean isClosed() {
        lock.lock();
        try {
            return closed;
        } finally {
            lock.unlock();
        }
    }

    /** Bytes that ever went in, came out, and how often a writer had to wait for room. */
    long[] counters() {
        lock.lock();
        try {
            return new long[] {bytesIn, bytesOut, stalls};
        } finally {
            lock.unlock();
        }
    }

    @Override
    public String toString() {
        long[] c = counters();
        return available() + "/" + data.length + " bytes buffered, " + c[0] + " in, " + c[1] + " out, " + c[2]
                + " stalls";
    }
}
