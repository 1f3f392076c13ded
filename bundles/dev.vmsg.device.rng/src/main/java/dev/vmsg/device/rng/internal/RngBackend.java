package dev.vmsg.device.rng.internal;

import dev.vmsg.device.DeviceContext;
import dev.vmsg.device.VirtioDeviceBackend;
import dev.vmsg.virtqueue.DescriptorChain;
import dev.vmsg.virtqueue.DeviceVirtqueue;
import dev.vmsg.wire.DeviceIds;
import dev.vmsg.wire.FeatureSet;
import java.nio.ByteBuffer;
import java.util.Random;

/**
 * The virtio-rng device model (virtio 1.x §5.4): one request queue, no config, no feature bits.
 * Each chain's device-writable buffers get random bytes, at most {@code maxBytesPerRequest} per
 * chain whatever the driver posted, so a driver asking for 4 GiB gets a capped answer.
 */
public final class RngBackend implements VirtioDeviceBackend {

    private final Random random;
    private final int maxBytesPerRequest;
    private final int queueSize;
    private final byte[] scratch;
    private long bytesServed;
    private long requestsServed;

    /**
     * @param random the entropy source ({@link java.security.SecureRandom} in production)
     * @param maxBytesPerRequest cap on bytes written per chain
     * @param queueSize largest queue the driver may set up (power of two)
     */
    public RngBackend(Random random, int maxBytesPerRequest, int queueSize) {
        if (maxBytesPerRequest < 1) {
            throw new IllegalArgumentException("maxBytesPerRequest must be positive: " + maxBytesPerRequest);
        }
        this.random = random;
        this.maxBytesPerRequest = maxBytesPerRequest;
        this.queueSize = queueSize;
        this.scratch = new byte[maxBytesPerRequest];
    }

    @Override
    public int deviceId() {
        return DeviceIds.ENTROPY;
    }

    /** virtio-rng defines no device-type feature bits (§5.4.3), so featureNames() keeps its empty default. */
    @Override
    public FeatureSet features() {
        return FeatureSet.EMPTY;
    }

    @Override
    public int numQueues() {
        return 1;
    }

    @Override
    public int queueMaxSize(int index) {
        return queueSize;
    }

    @Override
    public int configSize() {
        return 0;
    }

    @Override
    public void driverOk(DeviceContext context) {
        // Nothing to start: requests are served as they are made available.
    }

    @Override
    public void queueNotified(DeviceContext context, DeviceVirtqueue queue) {
        DescriptorChain chain;
        while ((chain = queue.pop()) != null) {
            int n = (int) Math.min(chain.writableLength(), maxBytesPerRequest);
            byte[] bytes = n == scratch.length ? scratch : new byte[n];
            random.nextBytes(bytes);
            int written = chain.writeTo(ByteBuffer.wrap(bytes, 0, n));
            queue.pushUsed(chain.head(), written);
            bytesServed += written;
            requestsServed++;
        }
    }

    @Override
    public void reset() {
        // No state beyond the queue, which the transport owns.
    }

    long bytesServed() {
        return bytesServed;
    }

    long requestsServed() {
        return requestsServed;
    }
}
