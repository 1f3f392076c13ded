package dev.vmsg.device.rng.internal;

import dev.vmsg.device.DeviceContext;
import dev.vmsg.device.VirtioDeviceBackend;
import dev.vmsg.virtqueue.DeviceVirtqueue;
import dev.vmsg.wire.DeviceIds;
import dev.vmsg.wire.FeatureSet;

/** An entropy device shape for tests that replace what the device does with its queue. */
abstract class RngBackendShim implements VirtioDeviceBackend {

    @Override
    public int deviceId() {
        return DeviceIds.ENTROPY;
    }

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
        return 64;
    }

    @Override
    public int configSize() {
        return 0;
    }

    @Override
    public void driverOk(DeviceContext context) {
    }

    @Override
    public abstract void queueNotified(DeviceContext context, DeviceVirtqueue queue);

    @Override
    public void reset() {
    }
}
