package dev.vmsg.device.console.internal;

import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * A port's host side as a pair of files or named pipes: what the input file holds (or a pipe
 * writer sends, until it closes) goes to the driver; what the driver transmits is appended to the
 * output file (or written to the pipe). Either may be absent. The input is read only as fast as
 * the driver takes it.
 */
final class FilePortHost implements PortHost {

    private static final int CHUNK = 4096;

    private final String what;
    private final Path in;
    private final Path out;
    private final ConsoleLog log;
    private final HostThreads threads;
    private volatile boolean closed;
    private volatile boolean inputOpen;
    private volatile boolean outputOpen;
    private PortPipes pipes;

    FilePortHost(String what, String threadPrefix, String in, String out, ConsoleLog log) {
        this.what = what;
        this.in = in == null ? null : Path.of(in);
        this.out = out == null ? null : Path.of(out);
        this.log = log;
        this.threads = new HostThreads(threadPrefix);
    }

    @Override
    public void start(PortPipes p) {
        this.pipes = p;
        p.hostConnected(true);
        if (in != null) {
            threads.start("in", this::readLoop);
        }
        if (out != null) {
            threads.start("out", this::writeLoop);
        }
        log.info(what + " uses " + describe());
    }

    @Override
    public String describe() {
        return "file in=" + (in == null ? "-" : in) + " out=" + (out == null ? "-" : out);
    }

    private void readLoop() {
        byte[] buf = new byte[CHUNK];
        // Opening a named pipe waits for its writer; close() unblocks it.
        try (InputStream s = new FileInputStream(in.toFile())) {
            inputOpen = true;
            while (!closed) {
                int n = s.read(buf);
                if (n < 0) {
                    return;
                }
                if (pipes.toDriver.put(buf, 0, n, Long.MAX_VALUE, TimeUnit.NANOSECONDS) < n) {
                    return;
                }
            }
        } catch (IOException e) {
            if (!closed) {
                log.warn(what + ": reading " + in + " failed: " + e.getMessage());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            inputOpen = false;
        }
    }

    private void writeLoop() {
        byte[] buf = new byte[CHUNK];
        try {
            if (out.getParent() != null) {
                Files.createDirectories(out.getParent());
            }
        } catch (IOException e) {
            log.warn(what + ": cannot create the folder of " + out + ": " + e.getMessage());
        }
        try (OutputStream s = new FileOutputStream(out.toFile(), true)) {
            outputOpen = true;
            while (!closed) {
                int n = pipes.fromDriver.take(buf, 0, buf.length, 200, TimeUnit.MILLISECONDS);
                if (n < 0) {
                    return;
                }
                if (n > 0) {
                    try {
                        s.write(buf, 0, n);
                        s.flush();
                    } catch (IOException e) {
                        pipes.lost(n);
                        log.warn(what + ": writing " + out + " failed; " + n + " bytes from the driver were not written: "
                                + e.getMessage());
                        return;
                    }
                }
            }
        } catch (IOException e) {
            if (!closed) {
                log.warn(what + ": cannot open " + out + ": " + e.getMessage());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        closed = true;
        pipes.hostConnected(false);
        // A thread blocked opening or reading a named pipe does not react to interrupts: be its peer
        // for a moment so the open returns and the read sees end of file.
        if (in != null && !inputOpen && isFifo(in)) {
            threads.start("unblock-in", () -> openAndClose(in, true));
        }
        if (out != null && !outputOpen && isFifo(out)) {
            threads.start("unblock-out", () -> openAndClose(out, false));
        }
        for (Thread t : threads.stop(3000)) {
            log.warn(what + ": thread " + t.getName() + " did not stop within 3 s");
        }
    }

    private static boolean isFifo(Path p) {
        try {
            return Files.exists(p) && !Files.isRegularFile(p) && !Files.isDirectory(p);
        } catch (SecurityException e) {
            return false;
        }
    }

    private static void openAndClose(Path p, boolean forWriting) {
        try {
            if (forWriting) {
                new FileOutputStream(p.toFile()).close();
            } else {
                new FileInputStream(p.toFile()).close();
            }
        } catch (IOException e) {
            // nothing to unblock
        }
    }
}
