package dev.vmsg.transport.internal;

import dev.vmsg.device.DeviceContext;
import dev.vmsg.device.VirtioDeviceBackend;
import dev.vmsg.virtqueue.DescriptorChain;
import dev.vmsg.virtqueue.DeviceVirtqueue;
import dev.vmsg.wire.FeatureSet;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A test device model: device id {@value #DEVICE_ID}, two queues, a config space filled with a
 * pattern, one device feature bit ({@value #FEATURE_ECHO}). Queue 0 echoes each chain's readable
 * bytes into its writable bytes; in "hold" mode it pops chains and keeps them (never completing),
 * to leave requests outstanding.
 */
final class EchoBackend implements VirtioDeviceBackend {

    static final int DEVICE_ID = 42;
    static final int FEATURE_ECHO = 0;

    final byte[] config;
    volatile boolean acceptFeatures = true;
    volatile boolean hold;
    /** Turns EVENT_AVAIL off for the queue after serving it, as a backend managing its own suppression does. */
    volatile boolean quiet;
    /** How many GET_CONFIG reads should bump the generation (to force driver retries). */
    final AtomicInteger configChangesDuringReads = new AtomicInteger();
    final AtomicInteger driverOkCount = new AtomicInteger();
    final AtomicInteger resetCount = new AtomicInteger();
    final List<Integer> held = new ArrayList<>();
    volatile DeviceContext context;

    EchoBackend(int configSize) {
        config = new byte[configSize];
        for (int i = 0; i < configSize; i++) {
            config[i] = (byte) (i * 7 + 3);
        }
    }

    @Override
    public int deviceId() {
        return DEVICE_ID;
    }

    @Override
    public FeatureSet features() {
        return FeatureSet.of(FEATURE_ECHO);
    }

    @Override
    public int numQueues() {
        return 2;
    }

    @Override
    public int queueMaxSize(int index) {
        return 128;
    }

    @Override
    public int configSize() {
        return config.length;
    }

    @Override
    public void readConfig(int offset, ByteBuffer dst) {
        if (configChangesDuringReads.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
            context.configChanged();
        }
        dst.put(config, offset, dst.remaining());
    }

    @Override
    public boolean writeConfig(int offset, ByteBuffer src) {
        if (offset == 0) {
            return false; // byte 0 is read-only in this model
        }
        src.get(config, offset, src.remaining());
        return true;
    }

    @Override
    public boolean acceptFeatures(FeatureSet driverFeatures) {
        return acceptFeatures;
    }

    @Override
    public void driverOk(DeviceContext ctx) {
        this.context = ctx;
        driverOkCount.incrementAndGet();
    }

    @Override
    public void queueNotified(DeviceContext ctx, DeviceVirtqueue queue) {
        this.context = ctx;
        DescriptorChain chain;
        while ((chain = queue.pop()) != null) {
            if (hold) {
                held.add(chain.head());
                continue;
            }
            ByteBuffer data = ByteBuffer.allocate((int) Math.min(chain.readableLength(), 65536));
            chain.readFrom(data);
            data.flip();
            int written = chain.writeTo(data);
            queue.pushUsed(chain.head(), written);
        }
        if (quiet) {
            queue.disableNotifications();
        }
    }

    @Override
    public void reset() {
        resetCount.incrementAndGet();
        held.clear();
    }
}
