package dev.vmsg.transport.internal;

import dev.vmsg.driver.DriverInstance;
import dev.vmsg.driver.QueueListener;
import dev.vmsg.driver.Virtqueue;
import dev.vmsg.driver.VirtioDevice;
import dev.vmsg.driver.VirtioDeviceException;
import dev.vmsg.driver.VirtioDriver;
import dev.vmsg.virtqueue.BufferSegment;
import dev.vmsg.wire.FeatureSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;

/** Test driver for {@link EchoBackend}: opens queue 0 and records what happens to each device. */
final class EchoDriver implements VirtioDriver {

    /** One bound device as the test sees it. */
    static final class Bound implements QueueListener {
        final VirtioDevice device;
        volatile Virtqueue queue;
        final BlockingQueue<String> events = new LinkedBlockingQueue<>();
        final Map<Object, Object> ends = new ConcurrentHashMap<>();

        Bound(VirtioDevice device) {
            this.device = device;
        }

        @Override
        public void completed(Object cookie, int length) {
            if (ends.putIfAbsent(cookie, length) != null) {
                events.add("DOUBLE END " + cookie);
            }
            events.add("completed " + cookie + " " + length);
        }

        @Override
        public void failed(Object cookie, VirtioDeviceException cause) {
            if (ends.putIfAbsent(cookie, cause) != null) {
                events.add("DOUBLE END " + cookie);
            }
            events.add("failed " + cookie + " " + cause.reason());
        }
    }

    final List<Bound> bound = new CopyOnWriteArrayList<>();
    final BlockingQueue<String> lifecycle = new LinkedBlockingQueue<>();
    volatile FeatureSet supported = FeatureSet.of(EchoBackend.FEATURE_ECHO);
    /** When set, probe posts one chain ("probe-chain", 8 bytes echoed) before the transport sets DRIVER_OK. */
    volatile boolean submitInProbe;

    @Override
    public int deviceId() {
        return EchoBackend.DEVICE_ID;
    }

    @Override
    public FeatureSet supportedFeatures() {
        return supported;
    }

    @Override
    public DriverInstance probe(VirtioDevice device) {
        Bound b = new Bound(device);
        b.queue = device.openQueue(0, 64, b);
        if (submitInProbe) {
            long buf = device.allocator().allocate(4096).address();
            b.queue.submit(new BufferSegment[] {new BufferSegment(buf, 8)},
                    new BufferSegment[] {new BufferSegment(buf + 1024, 8)}, "probe-chain");
        }
        bound.add(b);
        lifecycle.add("probe " + device.busName() + "/" + device.deviceNumber());
        return new DriverInstance() {
            @Override
            public void ready() {
                lifecycle.add("ready " + device.busName() + "/" + device.deviceNumber());
            }

            @Override
            public void configChanged() {
                lifecycle.add("config " + device.busName() + "/" + device.deviceNumber());
            }

            @Override
            public void remove(String reason) {
                bound.remove(b);
                lifecycle.add("remove " + device.busName() + "/" + device.deviceNumber() + ": " + reason);
            }
        };
    }
}
