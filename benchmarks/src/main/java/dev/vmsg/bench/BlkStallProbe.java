package dev.vmsg.bench;

import dev.vmsg.admin.DeviceView;
import dev.vmsg.admin.QueueView;
import dev.vmsg.device.blk.BlockBuffer;
import dev.vmsg.device.blk.BlockDevice;
import dev.vmsg.device.blk.internal.BlkBenchRig;
import dev.vmsg.memory.DmaWindow;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Diagnostic: sequential 64 KiB writes until one stalls; then prints both halves' ring words. */
public final class BlkStallProbe {
    private BlkStallProbe() {
    }

    public static void main(String[] args) throws Exception {
        long n = args.length > 0 ? Long.parseLong(args[0]) : 2_000_000;
        int size = 65536;
        try (BlkBenchRig rig = new BlkBenchRig(BlkBenchRig.prepareImage(), 16 << 20, "loopback")) {
            BlockDevice dev = rig.device();
            BlockBuffer buf = dev.allocateBuffer(size);
            long cap = BlkBenchRig.imageSize() / size;
            for (long i = 0; i < n; i++) {
                boolean write = (i & 1) == 0 || args.length > 1;
                CompletableFuture<Void> f = write ? dev.writeAsync((i % cap) * size, buf, 0, size)
                        : dev.readAsync((i % cap) * size, buf, 0, size);
                try {
                    f.get(3, TimeUnit.SECONDS);
                } catch (TimeoutException e) {
                    System.out.println("STALL at request " + i + (write ? " (write)" : " (read)"));
                    DmaWindow w = rig.transport().driverBus().info().window();
                    for (DeviceView v : rig.transport().driverCore().devices()) {
                        for (QueueView q : v.queues()) {
                            int s = q.size();
                            System.out.printf("%s %s q%d: avail.flags %d avail.idx %d used_event %d | used.flags %d used.idx %d avail_event %d | %s%n",
                                    v.side(), v.name(), q.index(), w.getShort(q.driverAddr()) & 0xFFFF,
                                    w.getShort(q.driverAddr() + 2) & 0xFFFF, w.getShort(q.driverAddr() + 4 + 2L * s) & 0xFFFF,
                                    w.getShort(q.deviceAddr()) & 0xFFFF, w.getShort(q.deviceAddr() + 2) & 0xFFFF,
                                    w.getShort(q.deviceAddr() + 4 + 8L * s) & 0xFFFF, q);
                        }
                    }
                    System.out.println(rig.messages());
                    f.get(30, TimeUnit.SECONDS);
                    System.out.println("completed later");
                    return;
                }
            }
            System.out.println("no stall in " + n + " requests");
        }
    }
}
