package dev.vmsg.bench;

import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Placement probe: a two-thread cache-line ping-pong (two padded AtomicLongs, both threads busy-spinning), the rule
 * of the design's PERFORMANCE.md. Prints the median round trip over several samples and the regime: "near" (about
 * 100-120 ns here) or "far" (> 200 ns, vCPUs placed apart: cross-core figures of that run are not comparable).
 *
 * <p>Usage: {@code java -cp benchmarks.jar dev.vmsg.bench.PlacementProbe [label]}. Exit status 0 near, 3 far.
 */
public final class PlacementProbe {
    static final long FAR_NS = 200;
    static final int SAMPLES = 9;
    static final int ROUND_TRIPS = 200_000;

    /** A counter alone on its cache lines. */
    @SuppressWarnings("unused")
    static final class Padded extends AtomicLong {
        long p1, p2, p3, p4, p5, p6, p7, p8, p9, p10, p11, p12, p13, p14, p15;
    }

    public static void main(String[] args) throws InterruptedException {
        String label = args.length > 0 ? args[0] : "probe";
        Padded ping = new Padded();
        Padded pong = new Padded();
        Thread echo = new Thread(() -> {
            long seen = 0;
            while (seen >= 0) {
                long v;
                while ((v = ping.get()) == seen) {
                    Thread.onSpinWait();
                }
                seen = v;
                pong.set(v);
            }
        }, "probe-echo");
        echo.setDaemon(true);
        echo.start();
        long n = 0;
        // warm-up: 3 samples' worth
        for (int i = 0; i < 3 * ROUND_TRIPS; i++) {
            n = pingPong(ping, pong, n);
        }
        double[] ns = new double[SAMPLES];
        for (int s = 0; s < SAMPLES; s++) {
            long t0 = System.nanoTime();
            for (int i = 0; i < ROUND_TRIPS; i++) {
                n = pingPong(ping, pong, n);
            }
            ns[s] = (System.nanoTime() - t0) / (double) ROUND_TRIPS;
        }
        ping.set(-1);
        double[] sorted = ns.clone();
        Arrays.sort(sorted);
        double median = sorted[SAMPLES / 2];
        String regime = median > FAR_NS ? "far" : "near";
        StringBuilder all = new StringBuilder();
        for (double d : ns) {
            all.append(String.format(" %.0f", d));
        }
        System.out.printf("PROBE %s: median %.1f ns round trip (min %.1f, max %.1f; samples:%s) regime=%s%n", label,
                median, sorted[0], sorted[SAMPLES - 1], all, regime);
        System.exit(regime.equals("far") ? 3 : 0);
    }

    private static long pingPong(AtomicLong ping, AtomicLong pong, long n) {
        long next = n + 1;
        ping.set(next);
        while (pong.get() != next) {
            Thread.onSpinWait();
        }
        return next;
    }
}
