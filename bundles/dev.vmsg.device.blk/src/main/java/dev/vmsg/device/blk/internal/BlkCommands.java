package dev.vmsg.device.blk.internal;

import dev.vmsg.device.blk.BlockDevice;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;

/**
 * What {@code vmsg:blk-info <device>} and {@code vmsg:blk-read <device> <offset> <length>} do, over
 * the {@link BlockDevice} services. A device is named {@code bus/number} (as {@code vmsg:devices}
 * shows it), or by its number or its bus alone when that names just one device. Also a plain Gogo command object
 * ({@code vmsg:blkinfo}, {@code vmsg:blkread}); the hyphenated names, which Gogo cannot map to
 * Java methods, are {@link BlkShellCommand}s that call this.
 */
@Component(service = BlkCommands.class, immediate = true,
        property = {"osgi.command.scope=vmsg", "osgi.command.function=blkinfo", "osgi.command.function=blkread"})
public final class BlkCommands {

    static final int MAX_READ = 64 * 1024;
    private static final Duration TIMEOUT = Duration.ofSeconds(5);

    private final List<BlockDevice> devices = new CopyOnWriteArrayList<>();

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void bindDevice(BlockDevice device) {
        devices.add(device);
    }

    void unbindDevice(BlockDevice device) {
        devices.remove(device);
    }

    /** Lists every block device. */
    public String blkinfo() {
        if (devices.isEmpty()) {
            return "blk-info: no block device is running (see vmsg:devices)";
        }
        StringBuilder out = new StringBuilder();
        for (BlockDevice d : devices) {
            out.append(info(d));
        }
        return out.toString();
    }

    /** Capacity, block size, mode, queues and per-queue counters of one block device. */
    public String blkinfo(String device) {
        BlockDevice d = find(device);
        return d == null ? notFound("blk-info", device) : info(d);
    }

    /** Hex dump of {@code length} bytes (1..65536) at byte {@code offset} of a block device. */
    public String blkread(String device, long offset, int length) {
        BlockDevice d = find(device);
        if (d == null) {
            return notFound("blk-read", device);
        }
        if (length < 1 || length > MAX_READ) {
            return "blk-read: give a length from 1 to " + MAX_READ;
        }
        if (offset < 0 || offset > d.capacity() - length) {
            return "blk-read: [" + offset + ", +" + length + ") is outside " + name(d) + " (" + d.capacity() + " bytes)";
        }
        try {
            return hexDump(offset, d.read(offset, length, TIMEOUT));
        } catch (RuntimeException e) {
            return "blk-read: " + name(d) + ": " + e.getMessage();
        }
    }

    static String hexDump(long offset, byte[] bytes) {
        StringBuilder out = new StringBuilder();
        HexFormat hex = HexFormat.of();
        for (int i = 0; i < bytes.length; i += 16) {
            int n = Math.min(16, bytes.length - i);
            out.append(String.format("%08x  ", offset + i));
            for (int j = 0; j < 16; j++) {
                out.append(j < n ? hex.toHexDigits(bytes[i + j]) + " " : "   ");
                if (j == 7) {
                    out.append(' ');
                }
            }
            out.append(" |");
            for (int j = 0; j < n; j++) {
                int c = bytes[i + j] & 0xFF;
                out.append(c >= 0x20 && c < 0x7F ? (char) c : '.');
            }
            out.append("|\n");
        }
        return out.toString();
    }

    private String info(BlockDevice d) {
        StringBuilder out = new StringBuilder();
        String serial;
        try {
            serial = d.serialAsync().get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            serial = "? (" + e.getClass().getSimpleName() + ")";
        }
        out.append(name(d)).append(": ").append(d.capacity()).append(" bytes (").append(d.capacity() / 512)
                .append(" sectors), block size ").append(d.blockSize()).append(d.readOnly() ? ", read-only" : ", read-write")
                .append(d.supportsDiscard() ? ", discard" : "").append(", serial '").append(serial).append("'\n");
        out.append("  queues ").append(d.queues()).append(", depth ").append(d.queueDepth()).append(" per queue\n");
        if (d instanceof VirtioBlockDevice v) {
            List<BlkQueue> qs = v.queueList();
            for (int i = 0; i < qs.size(); i++) {
                BlkQueue q = qs.get(i);
                out.append(String.format("  queue %d: in flight %d, waiting %d, completed %d, failed %d%n", i,
                        q.inFlight(), q.waitingRequests(), q.completedRequests(), q.failedRequests()));
            }
        }
        return out.toString();
    }

    private BlockDevice find(String device) {
        for (BlockDevice d : devices) {
            if (name(d).equals(device)) {
                return d;
            }
        }
        BlockDevice only = null;
        for (BlockDevice d : devices) {
            if (Integer.toString(d.deviceNumber()).equals(device) || d.busName().equals(device)) {
                if (only != null) {
                    return null;
                }
                only = d;
            }
        }
        return only;
    }

    private String notFound(String command, String device) {
        StringBuilder known = new StringBuilder();
        for (BlockDevice d : devices) {
            known.append(known.length() == 0 ? "" : ", ").append(name(d));
        }
        return command + ": no block device '" + device + "'" + (known.length() == 0 ? " (none is running)"
                : "; known: " + known + " (bus/number; or the number, or the bus, when that names one device)");
    }

    private static String name(BlockDevice d) {
        return d.busName() + "/" + d.deviceNumber();
    }
}
