package dev.vmsg.device.console.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.TimeUnit;

/**
 * A port's host side as a TCP listener on the loopback interface: one client at a time (others
 * wait in the backlog). Bytes the client sends go to the driver; bytes the driver transmits go to
 * the client. A slow client is never outrun: when the pipe to it is full the device stops taking
 * the driver's transmit buffers; when the driver is slow, the reader stops reading the socket and
 * TCP flow control holds the client back. Bytes the driver sent while no client was connected wait
 * for the next one.
 */
final class TcpPortHost implements PortHost {

    private static final int CHUNK = 4096;

    private final String what;
    private final int requestedPort;
    private final ConsoleLog log;
    private final HostThreads threads;
    private volatile ServerSocket server;
    private volatile Socket client;
    private volatile boolean closed;
    private PortPipes pipes;

    TcpPortHost(String what, String threadPrefix, int port, ConsoleLog log) {
        this.what = what;
        this.requestedPort = port;
        this.log = log;
        this.threads = new HostThreads(threadPrefix);
    }

    /** Binds 127.0.0.1 (so the port number is known when this returns) and starts accepting. */
    @Override
    public void start(PortPipes p) {
        this.pipes = p;
        try {
            ServerSocket ss = new ServerSocket();
            ss.setReuseAddress(true);
            ss.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), requestedPort), 4);
            server = ss;
        } catch (IOException e) {
            throw new IllegalStateException(what + ": cannot listen on 127.0.0.1:" + requestedPort + ": " + e.getMessage()
                    + " (choose another port, or 0 for any free one)", e);
        }
        log.info(what + " listens on " + describe() + " (connect with: nc 127.0.0.1 " + port() + ")");
        threads.start("accept", this::acceptLoop);
    }

    /** The bound TCP port (after {@link #start}). */
    int port() {
        ServerSocket ss = server;
        return ss == null ? requestedPort : ss.getLocalPort();
    }

    @Override
    public String describe() {
        return "tcp 127.0.0.1:" + port();
    }

    private void acceptLoop() {
        while (!closed) {
            Socket s;
            try {
                s = server.accept();
            } catch (IOException e) {
                if (!closed) {
                    log.warn(what + ": accept failed, the port stops listening: " + e.getMessage());
                }
                return;
            }
            serve(s);
        }
    }

    /** Runs one client: a reader thread toward the driver, this thread toward the client. */
    private void serve(Socket s) {
        client = s;
        if (closed) {
            closeQuietly(s);
            return;
        }
        log.info(what + ": client " + s.getRemoteSocketAddress() + " connected");
        pipes.hostConnected(true);
        Thread reader = threads.start("read", () -> readLoop(s));
        byte[] buf = new byte[CHUNK];
        try (OutputStream out = s.getOutputStream()) {
            while (!closed) {
                int n = pipes.fromDriver.take(buf, 0, buf.length, 200, TimeUnit.MILLISECONDS);
                if (n < 0) {
                    break;
                }
                if (n == 0) {
                    if (!reader.isAlive()) {
                        break; // the client finished sending and everything for it is written
                    }
                    continue;
                }
                try {
                    out.write(buf, 0, n);
                    out.flush();
                } catch (IOException e) {
                    pipes.lost(n);
                    log.warn(what + ": client went away; " + n + " bytes from the driver were not delivered: "
                            + e.getMessage());
                    break;
                }
            }
        } catch (IOException e) {
            log.warn(what + ": client connection failed: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            closeQuietly(s);
            try {
                reader.join(2000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            client = null;
            pipes.hostConnected(false);
            log.info(what + ": client " + s.getRemoteSocketAddress() + " disconnected");
        }
    }

    private void readLoop(Socket s) {
        byte[] buf = new byte[CHUNK];
        try (InputStream in = s.getInputStream()) {
            while (!closed) {
                int n = in.read(buf);
                if (n < 0) {
                    return;
                }
                // Waits while the driver is behind: the socket is not read, TCP holds the client back.
                if (pipes.toDriver.put(buf, 0, n, Long.MAX_VALUE, TimeUnit.NANOSECONDS) < n) {
                    return;
                }
            }
        } catch (IOException e) {
            // The client closed or reset the connection: the writer side notices and cleans up.
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        closed = true;
        ServerSocket ss = server;
        if (ss != null) {
            try {
                ss.close();
            } catch (IOException e) {
                // closing anyway
            }
        }
        Socket c = client;
        if (c != null) {
            closeQuietly(c);
        }
        for (Thread t : threads.stop(3000)) {
            log.warn(what + ": thread " + t.getName() + " did not stop within 3 s");
        }
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException e) {
            // already closed
        }
    }
}
