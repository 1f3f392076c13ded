package dev.vmsg.device.blk.internal;

import dev.vmsg.device.ForwardingDeviceBackend;
import dev.vmsg.device.VirtioDeviceBackend;
import java.io.IOException;
import java.nio.file.Path;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.log.Logger;
import org.osgi.service.log.LoggerFactory;
import org.osgi.service.metatype.annotations.Designate;

/**
 * DS shell of one virtio-blk device: one per factory configuration; its service properties (from
 * the configuration: {@code bus}, {@code name}) tell the transport where to host it. Opens the
 * image on activation and closes it on deactivation, after the transport has let go of it.
 */
@Component(configurationPid = "dev.vmsg.device.blk", configurationPolicy = ConfigurationPolicy.REQUIRE,
        service = VirtioDeviceBackend.class, property = "vmsg.device.type:Integer=2")
@Designate(ocd = BlkDeviceConfig.class, factory = true)
public final class BlkDeviceComponent extends ForwardingDeviceBackend {

    private static final long WARN_INTERVAL_NANOS = 10_000_000_000L;

    private final BlkBackend backend;
    private final Logger log;
    private long lastWarn = System.nanoTime() - WARN_INTERVAL_NANOS;
    private long suppressed;

    @Activate
    public BlkDeviceComponent(BlkDeviceConfig config,
            @Reference(service = LoggerFactory.class) Logger log) throws IOException {
        this.log = log;
        int size = Integer.highestOneBit(Math.max(1, Math.min(config.queue_size(), 32768)));
        String serial = config.serial().isEmpty() ? config.name() : config.serial();
        BlkSettings settings = new BlkSettings(Math.max(1, Math.min(config.queues(), 64)), size, config.read_only(),
                serial.length() > 20 ? serial.substring(0, 20) : serial, config.block_size(),
                BlkSettings.DEFAULTS.sizeMax(), BlkSettings.DEFAULTS.segMax(), BlkSettings.DEFAULTS.maxDiscardSectors(),
                BlkSettings.DEFAULTS.maxDiscardSegments(), BlkSettings.DEFAULTS.maxWriteZeroesSectors(),
                BlkSettings.DEFAULTS.maxWriteZeroesSegments());
        BlockStore store;
        if (config.file().isBlank()) {
            store = new MemoryBlockStore(Math.toIntExact((config.size() + 511) & -512L));
        } else {
            store = FileBlockStore.open(Path.of(config.file()), config.read_only(), config.size());
        }
        this.backend = new BlkBackend(store, settings, this::warn);
        log.info("virtio-blk " + config.name() + " on " + config.bus() + ": " + store);
    }

    /** Rejected requests are logged at most once per 10 s, with a count of the ones left out. */
    private synchronized void warn(String line) {
        long now = System.nanoTime();
        if (now - lastWarn < WARN_INTERVAL_NANOS) {
            suppressed++;
            return;
        }
        lastWarn = now;
        log.warn("virtio-blk request rejected: " + line + (suppressed > 0 ? " (" + suppressed + " more not shown)" : ""));
        suppressed = 0;
    }

    @Deactivate
    void deactivate() {
        try {
            backend.close();
        } catch (IOException e) {
            log.warn("virtio-blk: closing the image failed: " + e);
        }
    }

    @Override
    protected VirtioDeviceBackend delegate() {
        return backend;
    }
}
