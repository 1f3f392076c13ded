package dev.vmsg.device.net.internal;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Drives {@link NetFuzzHarness} with seeded random inputs for a bounded time (3 s). The seed is
 * printed on failure; rerun one with {@code -Dnet.fuzz.seed=N}.
 */
class NetFuzzTest {

    static final long BUDGET_NANOS = 3_000_000_000L;

    @Test
    void randomChainsAndSequencesKeepEveryInvariant() {
        long seed = Long.getLong("net.fuzz.seed", System.nanoTime());
        SplittableRandom rnd = new SplittableRandom(seed);
        long deadline = System.nanoTime() + BUDGET_NANOS;
        int runs = 0;
        long atPeer = 0;
        long atDut = 0;
        long rejected = 0;
        do {
            long inputSeed = rnd.nextLong();
            byte[] input = new byte[1 + new SplittableRandom(inputSeed).nextInt(4096)];
            new SplittableRandom(inputSeed).nextBytes(input);
            NetFuzzHarness h = new NetFuzzHarness();
            try {
                h.run(input);
            } catch (Throwable t) {
                throw new AssertionError("net fuzz input " + runs + " failed (seed " + seed + ", rerun with -Dnet.fuzz.seed="
                        + seed + ")", t);
            }
            atPeer += h.framesAtPeer;
            atDut += h.framesAtDut;
            rejected += h.rejected;
            runs++;
        } while (System.nanoTime() < deadline);
        if (runs < 10 || atPeer == 0 || atDut == 0 || rejected == 0) {
            throw new AssertionError(runs + " inputs reached too little: " + atPeer + " frames out, " + atDut
                    + " frames in, " + rejected + " rejections");
        }
    }
}
