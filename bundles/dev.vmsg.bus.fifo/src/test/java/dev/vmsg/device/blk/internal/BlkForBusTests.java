package dev.vmsg.device.blk.internal;

import java.util.function.Consumer;

/**
 * Test-only access to a virtio-blk backend for bus tests outside the blk bundle (its settings and
 * stores are package-private): a default-settings device over a block store in memory.
 */
public final class BlkForBusTests {

    private BlkForBusTests() {
    }

    /** A writable virtio-blk backend of {@code capacityBytes} (a multiple of 512) held in memory. */
    public static BlkBackend memoryBackend(int capacityBytes, Consumer<String> warnings) {
        return new BlkBackend(new MemoryBlockStore(capacityBytes), BlkSettings.DEFAULTS, warnings);
    }
}
