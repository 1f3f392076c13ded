package dev.vmsg.bench;

import dev.vmsg.device.blk.BlockBuffer;
import dev.vmsg.device.blk.BlockDevice;
import dev.vmsg.device.blk.internal.BlkBenchRig;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Diagnostic for B8 (not a benchmark): runs QD1 and QD16 batches of 4 KiB reads through the blk
 * driver over loopback and prints, per read, the wall time and the bus messages it cost
 * (EVENT_AVAIL kicks, EVENT_USED completions). Shows where the data path hands off, not how fast
 * it is: take speed from {@link BlockRandomReadBenchmark}.
 *
 * <p>{@code java -cp benchmarks/target/benchmarks.jar dev.vmsg.bench.BlkPathProbe [batches] [loopback|fifo]};
 * {@code -Dvmsg.bench.pollMicros=0} shows the event-only path.
 */
public final class BlkPathProbe {

    private BlkPathProbe() {
    }

    public static void main(String[] args) throws Exception {
        int batches = args.length > 0 ? Integer.parseInt(args[0]) : 20_000;
        Path image = BlkBenchRig.prepareImage();
        long blocks = BlkBenchRig.imageSize() / 4096;
        String bus = args.length > 1 ? args[1] : "loopback";
        try (BlkBenchRig rig = new BlkBenchRig(image, 16 << 20, bus)) {
            BlockDevice dev = rig.device();
            BlockBuffer[] bufs = new BlockBuffer[16];
            for (int i = 0; i < bufs.length; i++) {
                bufs[i] = dev.allocateBuffer(4096);
            }
            java.util.SplittableRandom r = new java.util.SplittableRandom(88);
            for (int qd : new int[] {1, 16, 1, 16}) {
                Map<String, Long> before = rig.messages();
                long t0 = System.nanoTime();
                @SuppressWarnings("unchecked")
                CompletableFuture<Void>[] pending = new CompletableFuture[qd];
                for (int b = 0; b < batches / qd * (qd == 1 ? 1 : 4); b++) {
                    for (int i = 0; i < qd; i++) {
                        pending[i] = dev.readAsync(r.nextLong(blocks) * 4096, bufs[i], 0, 4096);
                    }
                    for (int i = 0; i < qd; i++) {
                        pending[i].join();
                    }
                }
                long reads = (long) (batches / qd * (qd == 1 ? 1 : 4)) * qd;
                double us = (System.nanoTime() - t0) / 1e3 / reads;
                Map<String, Long> after = rig.messages();
                StringBuilder sb = new StringBuilder();
                after.forEach((k, v) -> {
                    long d = v - before.getOrDefault(k, 0L);
                    if (d > 0) {
                        sb.append(String.format("  %s %.3f", k, (double) d / reads));
                    }
                });
                System.out.printf("QD%-2d %d reads  %.2f us/read  %.0f reads/s  per read:%s%n", qd, reads, us,
                        1e6 / us, sb);
            }
        }
    }
}
