package dev.vmsg.device.rng.internal;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.util.ArrayList;
import java.util.List;
import static dev.vmsg.hardening.RingSeeds.*;
import dev.vmsg.hardening.SeedWriter;
import dev.vmsg.hardening.Corpus;
import org.junit.jupiter.api.Test;
import dev.vmsg.hardening.BackendHarness;
import dev.vmsg.hardening.FuzzInput;
import dev.vmsg.wire.FeatureBits;
import dev.vmsg.wire.FeatureSet;
import java.util.Random;
import java.util.Set;

/** HARDENING row 12: the entropy device model under a hostile driver ({@link BackendHarness} oracle). */
class RngBackendFuzzTarget {

    @FuzzTest(maxDuration = "30s")
    void serve(byte[] bytes) {
        FuzzInput in = new FuzzInput(bytes);
        int queueSize = 1 << in.below(5);
        int cap = 1 + in.u16();
        FeatureSet features = in.bool() ? FeatureSet.of(FeatureBits.VIRTIO_F_EVENT_IDX) : FeatureSet.EMPTY;
        RngBackend backend = new RngBackend(new Random(0), cap, 16);
        new BackendHarness(backend, features, queueSize, 1 << 20).run(in, Set.of(), host -> { }, () -> 0);
    }

    /** Seeds: entropy requests of one and of several writable descriptors, served on EVENT_AVAIL. */
    static List<byte[]> seeds() {
        List<byte[]> seeds = new ArrayList<>();
        for (int e : new int[] {0, 2, 4}) {
            SeedWriter w = new SeedWriter().u8(e).u16(4095).u8(e & 1);
            desc(w.u8(0).u8(0), 0, 0x100, 64, WRITE, 0);
            publish(w.u8(0).u8(0), 0);
            w.u8(3).u8(0);
            if (e > 0) {
                desc(w.u8(0).u8(0), 1, 0x200, 16, WRITE | NEXT, 2);
                desc(w.u8(0).u8(0), 2, 0x300, 4000, WRITE, 0);
                publish(w.u8(0).u8(0), 1);
                publish(w.u8(0).u8(0), 0);
                w.u8(3).u8(0);
            }
            seeds.add(w.toByteArray());
        }
        return seeds;
    }

    @Test
    void seedsAreCommitted() {
        Corpus.check(getClass(), "serve", seeds());
    }
}
