package dev.vmsg.device.rng.internal;

import dev.vmsg.device.rng.EntropySource;
import dev.vmsg.driver.VirtioDeviceException;
import dev.vmsg.driver.VirtioDeviceException.Reason;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** {@link EntropySource} over one rng device's request queue. */
final class VirtioEntropySource implements EntropySource {

    private final String busName;
    private final int deviceNumber;
    private final EntropyRequests requests;

    VirtioEntropySource(String busName, int deviceNumber, EntropyRequests requests) {
        this.busName = busName;
        this.deviceNumber = deviceNumber;
        this.requests = requests;
    }

    @Override
    public String busName() {
        return busName;
    }

    @Override
    public int deviceNumber() {
        return deviceNumber;
    }

    @Override
    public void read(byte[] dst, Duration timeout) {
        read(ByteBuffer.wrap(dst), timeout);
    }

    @Override
    public void read(ByteBuffer dst, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (dst.hasRemaining()) {
            CompletableFuture<byte[]> f = requests.request(dst.remaining());
            byte[] got = await(f, deadline, timeout);
            if (got.length == 0) {
                throw new VirtioDeviceException(Reason.PROTOCOL, describe() + ": the device returned no bytes");
            }
            dst.put(got, 0, Math.min(got.length, dst.remaining()));
        }
    }

    @Override
    public CompletableFuture<byte[]> readAsync(int length) {
        if (length < 0) {
            throw new IllegalArgumentException("length must not be negative: " + length);
        }
        byte[] out = new byte[length];
        return fill(out, 0);
    }

    private CompletableFuture<byte[]> fill(byte[] out, int done) {
        if (done == out.length) {
            return CompletableFuture.completedFuture(out);
        }
        return requests.request(out.length - done).thenCompose(got -> {
            if (got.length == 0) {
                return CompletableFuture.failedFuture(new VirtioDeviceException(Reason.PROTOCOL,
                        describe() + ": the device returned no bytes"));
            }
            int n = Math.min(got.length, out.length - done);
            System.arraycopy(got, 0, out, done, n);
            return fill(out, done + n);
        });
    }

    private byte[] await(CompletableFuture<byte[]> f, long deadline, Duration timeout) {
        try {
            return f.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            throw new VirtioDeviceException(Reason.TIMEOUT, describe() + ": no entropy within " + timeout.toMillis()
                    + " ms");
        } catch (ExecutionException e) {
            if (e.getCause() instanceof VirtioDeviceException vde) {
                throw vde;
            }
            throw new VirtioDeviceException(Reason.BROKEN, describe() + ": " + e.getCause(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new VirtioDeviceException(Reason.REMOVED, describe() + ": interrupted");
        }
    }

    private String describe() {
        return "entropy device " + busName + "/" + deviceNumber;
    }

    @Override
    public String toString() {
        return describe();
    }
}
