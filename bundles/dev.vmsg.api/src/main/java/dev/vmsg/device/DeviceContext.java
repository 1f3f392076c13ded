package dev.vmsg.device;

import dev.vmsg.memory.DmaWindow;
import dev.vmsg.virtqueue.DeviceVirtqueue;
import dev.vmsg.wire.FeatureSet;
import java.util.concurrent.Executor;
import org.osgi.annotation.versioning.ProviderType;

/** What the device transport gives a backend while the device runs. */
@ProviderType
public interface DeviceContext {

    String busName();

    int deviceNumber();

    /** The bus's DMA window: the only memory this device may read or write. */
    DmaWindow window();

    FeatureSet negotiatedFeatures();

    /** The enabled queue {@code index}, or null when the driver did not enable it. */
    DeviceVirtqueue queue(int index);

    /**
     * Sends EVENT_USED for {@code queue} if the ring asks for a notification. Call it on the
     * device executor after pushing used elements outside {@link VirtioDeviceBackend#queueNotified}.
     */
    void notifyUsed(DeviceVirtqueue queue);

    /** The device changed its config space: bump the generation and send EVENT_CONFIG. */
    void configChanged();

    /** The device cannot go on: set DEVICE_NEEDS_RESET and tell the driver through EVENT_CONFIG. */
    void needsReset(String reason);

    /** The device's own single-threaded executor; every backend call runs on it. */
    Executor executor();
}
