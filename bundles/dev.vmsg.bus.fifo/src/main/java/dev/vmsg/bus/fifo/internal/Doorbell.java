package dev.vmsg.bus.fifo.internal;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;

/**
 * Wake-ups between the two sides over a UNIX domain stream socket: one byte per wake-up, sent only
 * when the receiver said it may park. The device side listens at the socket path, the driver side
 * connects; a lost connection is re-established by {@link #maintain} (link thread). Without a
 * connection {@link #await} degrades to a short timed park, so a missing doorbell costs latency,
 * never a message. Public for the QEMU linux-user mode ({@code dev.vmsg.bus.fifo.linuxuser}), whose
 * doorbell is the same socket protocol (one 0xED byte per wake-up); the package is not exported.
 */
public final class Doorbell implements AutoCloseable {

    private static final long FALLBACK_PARK_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

    private final Path path;
    private final boolean server;
    private final Consumer<String> warnings;
    private final ByteBuffer one = ByteBuffer.allocateDirect(1);
    private final ByteBuffer drain = ByteBuffer.allocateDirect(256);
    private ServerSocketChannel listener;
    private volatile SocketChannel connection;
    private volatile long connections;
    private volatile boolean closed;
    // Delivery thread only.
    private Selector selector;
    private SocketChannel registered;
    private boolean warned;

    private Doorbell(Path path, boolean server, Consumer<String> warnings) {
        this.path = path;
        this.server = server;
        this.warnings = warnings;
    }

    /** The device side: listens at {@code path} (a stale socket file there is replaced). */
    public static Doorbell listen(Path path, Consumer<String> warnings) {
        Doorbell d = new Doorbell(path, true, warnings);
        try {
            Files.deleteIfExists(path);
            ServerSocketChannel ch = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
            ch.bind(UnixDomainSocketAddress.of(path));
            if (path.getFileSystem().supportedFileAttributeViews().contains("posix")) {
                Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rw-------"));
            }
            ch.configureBlocking(false);
            d.listener = ch;
        } catch (IOException | RuntimeException e) {
            warnings.accept("doorbell socket " + path + " cannot be bound (" + e + "); the peer's wake-ups fall back"
                    + " to polling");
        }
        return d;
    }

    /** The driver side: connects to {@code path} when {@link #maintain} finds it there. */
    public static Doorbell connectTo(Path path, Consumer<String> warnings) {
        return new Doorbell(path, false, warnings);
    }

    /** Accepts a new peer connection or reconnects to the peer. Link thread. */
    public void maintain() {
        if (closed) {
            return;
        }
        try {
            if (server) {
                if (listener == null) {
                    return;
                }
                SocketChannel ch = listener.accept();
                if (ch != null) {
                    ch.configureBlocking(false);
                    replace(ch);
                }
            } else if (connection == null && Files.exists(path)) {
                SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
                try {
                    ch.connect(UnixDomainSocketAddress.of(path));
                    ch.configureBlocking(false);
                } catch (IOException e) {
                    ch.close();
                    return;
                }
                replace(ch);
            }
        } catch (IOException e) {
            if (!warned) {
                warned = true;
                warnings.accept("doorbell socket " + path + ": " + e);
            }
        }
    }

    /** Drops the connection (a new epoch starts with a new connection). Link thread. */
    public void reset() {
        replace(null);
    }

    private synchronized void replace(SocketChannel ch) {
        SocketChannel old = connection;
        connection = ch;
        if (ch != null) {
            connections++;
        }
        if (old != null) {
            closeQuietly(old);
        }
        Selector s = selector;
        if (s != null) {
            s.wakeup();
        }
    }

    /** How many peer connections were established so far: a change means the peer reconnected. */
    public long connections() {
        return connections;
    }

    /** Whether a peer is connected. */
    public boolean connected() {
        return connection != null;
    }

    /** Sends one wake-up byte; a failure drops the connection (re-established by maintain). Any thread. */
    public void ring() {
        SocketChannel ch = connection;
        if (ch == null) {
            return;
        }
        try {
            synchronized (one) {
                one.clear().put(0, (byte) 0xED);
                ch.write(one);
            }
        } catch (IOException e) {
            dropIfCurrent(ch);
        }
    }

    /** Waits at most {@code nanos} for a wake-up and consumes every pending byte. Delivery thread only. */
    public void await(long nanos) {
        SocketChannel ch = connection;
        if (ch == null || closed) {
            LockSupport.parkNanos(Math.min(nanos, FALLBACK_PARK_NANOS));
            return;
        }
        try {
            if (selector == null) {
                selector = Selector.open();
            }
            if (registered != ch) {
                for (SelectionKey k : selector.keys()) {
                    k.cancel();
                }
                selector.selectNow();
                ch.register(selector, SelectionKey.OP_READ);
                registered = ch;
            }
            long millis = Math.max(1, TimeUnit.NANOSECONDS.toMillis(nanos));
            if (selector.select(millis) > 0) {
                selector.selectedKeys().clear();
                drainBytes(ch);
            }
        } catch (IOException | RuntimeException e) {
            dropIfCurrent(ch);
            LockSupport.parkNanos(Math.min(nanos, FALLBACK_PARK_NANOS));
        }
    }

    private void drainBytes(SocketChannel ch) throws IOException {
        while (true) {
            drain.clear();
            int n = ch.read(drain);
            if (n < 0) {
                dropIfCurrent(ch);
                return;
            }
            if (n == 0) {
                return;
            }
        }
    }

    private synchronized void dropIfCurrent(SocketChannel ch) {
        if (connection == ch) {
            connection = null;
        }
        closeQuietly(ch);
    }

    private void closeQuietly(java.io.Closeable c) {
        try {
            c.close();
        } catch (IOException e) {
            warnings.accept("doorbell socket " + path + ": closing failed: " + e);
        }
    }

    @Override
    public void close() {
        closed = true;
        replace(null);
        if (listener != null) {
            closeQuietly(listener);
            try {
                Files.deleteIfExists(path);
            } catch (IOException e) {
                warnings.accept("doorbell socket " + path + " cannot be removed: " + e);
            }
        }
        Selector s = selector;
        if (s != null) {
            closeQuietly(s);
        }
    }
}
