package dev.vmsg.bench;

import dev.vmsg.device.net.NetworkPort;
import dev.vmsg.device.net.internal.NetBenchRig;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Diagnostic for B10 (not a benchmark): streams 64-byte frames from port A to port B through the
 * switch in batches of 32 with the benchmark's flow-control window, and prints the wall time per
 * frame and the bus messages each frame cost. Shows where the packet path hands off, not how fast
 * it is: take speed from {@link NetFrameBenchmark}.
 *
 * <p>{@code java -cp benchmarks/target/benchmarks.jar dev.vmsg.bench.NetPathProbe [frames] [loopback|fifo]}
 */
public final class NetPathProbe {

    private NetPathProbe() {
    }

    public static void main(String[] args) throws Exception {
        long total = args.length > 0 ? Long.parseLong(args[0]) : 2_000_000;
        int batch = 32;
        int window = 192;
        try (NetBenchRig rig = new NetBenchRig(args.length > 1 ? args[1] : "loopback")) {
            NetworkPort a = rig.a();
            AtomicLong received = new AtomicLong();
            rig.b().setReceiver(f -> received.lazySet(received.get() + 1));
            ByteBuffer[] frames = new ByteBuffer[batch];
            for (int i = 0; i < batch; i++) {
                ByteBuffer f = ByteBuffer.allocate(64);
                f.putShort((short) (NetBenchRig.MAC_B >>> 32)).putInt((int) NetBenchRig.MAC_B);
                f.putShort((short) (NetBenchRig.MAC_A >>> 32)).putInt((int) NetBenchRig.MAC_A);
                f.putShort((short) 0x88B5).putInt(i);
                frames[i] = f.clear();
            }
            for (int round = 0; round < 3; round++) {
                Map<String, Long> before = rig.messages();
                long start = received.get();
                long sent = start;
                long t0 = System.nanoTime();
                while (sent - start < total) {
                    rig.awaitReceived(received::get, sent - (window - batch));
                    for (ByteBuffer f : frames) {
                        f.clear();
                    }
                    int done = 0;
                    while (done < batch) {
                        int n = a.send(frames, done, batch - done);
                        if (n == 0) {
                            Thread.onSpinWait();
                        }
                        done += n;
                    }
                    sent += batch;
                }
                rig.awaitReceived(received::get, sent);
                double ns = (System.nanoTime() - t0) / (double) total;
                Map<String, Long> after = rig.messages();
                StringBuilder sb = new StringBuilder();
                after.forEach((k, v) -> {
                    long d = v - before.getOrDefault(k, 0L);
                    if (d > 0) {
                        sb.append(String.format("  %s %.4f", k, (double) d / total));
                    }
                });
                System.out.printf("%d frames  %.0f ns/frame  %.2f Mpps  per frame:%s  drops %d%n", total, ns,
                        1e3 / ns, sb, rig.deviceDrops());
            }
        }
    }
}
