package dev.vmsg.device;

import dev.vmsg.virtqueue.DeviceVirtqueue;
import dev.vmsg.wire.FeatureSet;
import java.nio.ByteBuffer;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * A {@link VirtioDeviceBackend} that forwards every call to a plain device model: the base of a DS
 * component that is the service while the model stays a plain, unit-testable class.
 */
@ConsumerType
public abstract class ForwardingDeviceBackend implements VirtioDeviceBackend {

    /** The device model every call goes to. */
    protected abstract VirtioDeviceBackend delegate();

    @Override
    public int deviceId() {
        return delegate().deviceId();
    }

    @Override
    public int vendorId() {
        return delegate().vendorId();
    }

    @Override
    public FeatureSet features() {
        return delegate().features();
    }

    @Override
    public java.util.Map<Integer, String> featureNames() {
        return delegate().featureNames();
    }

    @Override
    public int numQueues() {
        return delegate().numQueues();
    }

    @Override
    public int queueMaxSize(int index) {
        return delegate().queueMaxSize(index);
    }

    @Override
    public int configSize() {
        return delegate().configSize();
    }

    @Override
    public void readConfig(int offset, ByteBuffer dst) {
        delegate().readConfig(offset, dst);
    }

    @Override
    public boolean writeConfig(int offset, ByteBuffer src) {
        return delegate().writeConfig(offset, src);
    }

    @Override
    public boolean acceptFeatures(FeatureSet driverFeatures) {
        return delegate().acceptFeatures(driverFeatures);
    }

    @Override
    public void driverOk(DeviceContext context) {
        delegate().driverOk(context);
    }

    @Override
    public void queueNotified(DeviceContext context, DeviceVirtqueue queue) {
        delegate().queueNotified(context, queue);
    }

    @Override
    public void queueReset(int index) {
        delegate().queueReset(index);
    }

    @Override
    public void reset() {
        delegate().reset();
    }
}
