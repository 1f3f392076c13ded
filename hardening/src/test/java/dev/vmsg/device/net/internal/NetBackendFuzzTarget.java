package dev.vmsg.device.net.internal;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.vmsg.hardening.Corpus;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * HARDENING row 12: the virtio-net device model under a hostile driver, with a well-behaved peer on
 * the same switch, through {@link NetFuzzHarness} (from the net bundle's tests): receive and
 * transmit chains of any layout, headers with any fields, control commands, frames from the peer
 * of any size, link flips. Its oracle: only typed virtqueue errors escape, every transmit chain
 * comes back exactly once, the frames that arrive on either side are an in-order subsequence of
 * the valid ones sent, the counters agree, and no device-readable buffer is written.
 */
class NetBackendFuzzTarget {

    @FuzzTest(maxDuration = "30s")
    void serve(byte[] bytes) {
        new NetFuzzHarness().run(bytes);
    }

    /**
     * Seeds: the first inputs of a fixed pseudo-random sequence (the generator {@code NetFuzzTest}
     * uses) that carry a frame out of the device, a frame into it, and a rejected chain; each input
     * is one of those, so together they reach every path the harness checks.
     */
    static List<byte[]> seeds() {
        List<byte[]> seeds = new ArrayList<>();
        SplittableRandom rnd = new SplittableRandom(12);
        boolean out = false;
        boolean in = false;
        boolean rejected = false;
        for (int i = 0; i < 2000 && seeds.size() < 12 && !(out && in && rejected && seeds.size() >= 6); i++) {
            byte[] input = new byte[64 + rnd.nextInt(1024)];
            rnd.nextBytes(input);
            NetFuzzHarness h = new NetFuzzHarness();
            h.run(input);
            boolean adds = h.framesAtPeer > 0 && !out || h.framesAtDut > 0 && !in || h.rejected > 0 && !rejected
                    || seeds.size() < 6 && (h.framesAtPeer > 0 || h.framesAtDut > 0);
            if (adds) {
                seeds.add(input);
                out |= h.framesAtPeer > 0;
                in |= h.framesAtDut > 0;
                rejected |= h.rejected > 0;
            }
        }
        return seeds;
    }

    @Test
    void seedsAreCommitted() {
        Corpus.check(getClass(), "serve", seeds());
    }

    @Test
    void theSeedsReachFramesBothWaysAndARejection() {
        long out = 0;
        long in = 0;
        long rejected = 0;
        for (byte[] s : seeds()) {
            NetFuzzHarness h = new NetFuzzHarness();
            h.run(s);
            out += h.framesAtPeer;
            in += h.framesAtDut;
            rejected += h.rejected;
        }
        assertTrue(out > 0 && in > 0 && rejected > 0, "the seeds reach too little: " + out + " frames out, " + in
                + " in, " + rejected + " rejections");
    }
}
