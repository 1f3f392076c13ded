package dev.vmsg.device.console.internal;

import dev.vmsg.driver.VirtioDeviceException;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.time.Duration;

/** Blocking streams over the channel-style read and write of a port's either side. */
final class TimedStreams {

    /** Channel-style read: bytes read, 0 on timeout, -1 at the end. */
    interface Reader {
        int read(ByteBuffer dst, Duration timeout);
    }

    /** Channel-style write: bytes taken within the timeout; -1 or an exception when the port is gone. */
    interface Writer {
        int write(ByteBuffer src, Duration timeout);
    }

    private static final Duration POLL = Duration.ofSeconds(1);

    private TimedStreams() {
    }

    /** Blocks until a byte comes or the end; interrupting the reader ends the wait with an InterruptedIOException. */
    static InputStream input(Reader reader) {
        return new InputStream() {
            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                int n = read(one, 0, 1);
                return n < 0 ? -1 : one[0] & 0xFF;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                java.util.Objects.checkFromIndexSize(off, len, b.length);
                if (len == 0) {
                    return 0;
                }
                while (true) {
                    int n;
                    try {
                        n = reader.read(ByteBuffer.wrap(b, off, len), POLL);
                    } catch (VirtioDeviceException e) {
                        throw new IOException(e.getMessage(), e);
                    }
                    if (n != 0) {
                        return n;
                    }
                    if (Thread.currentThread().isInterrupted()) {
                        throw new InterruptedIOException("interrupted while waiting for console bytes");
                    }
                }
            }
        };
    }

    static OutputStream output(Writer writer, Duration timeout, String what) {
        return new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                java.util.Objects.checkFromIndexSize(off, len, b.length);
                ByteBuffer src = ByteBuffer.wrap(b, off, len);
                int n;
                try {
                    n = writer.write(src, timeout);
                } catch (VirtioDeviceException e) {
                    throw new IOException(e.getMessage(), e);
                }
                if (n < 0) {
                    throw new IOException(what + " is closed");
                }
                if (src.hasRemaining()) {
                    throw new IOException(what + ": only " + n + " of " + len + " bytes were taken within "
                            + timeout.toMillis() + " ms (the other side is not reading)");
                }
            }
        };
    }

    static long nanos(Duration timeout) {
        try {
            return Math.max(0, timeout.toNanos());
        } catch (ArithmeticException e) {
            return Long.MAX_VALUE;
        }
    }
}
