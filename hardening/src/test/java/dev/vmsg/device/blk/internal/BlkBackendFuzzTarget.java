package dev.vmsg.device.blk.internal;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.ByteOrder;
import java.nio.ByteBuffer;
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
import java.util.Set;

/**
 * HARDENING row 12: the virtio-blk device model under a hostile driver ({@link BackendHarness}
 * oracle) over a memory store, whose own range check would surface any access outside the image as
 * an untyped failure. The input picks read-only or not, multiqueue and the negotiated features.
 */
class BlkBackendFuzzTarget {
    static final int SECTORS = 64;

    @FuzzTest(maxDuration = "30s")
    void serve(byte[] bytes) {
        FuzzInput in = new FuzzInput(bytes);
        int queueSize = 1 << in.below(5);
        boolean readOnly = in.bool();
        int queues = 1 + in.u8() % 2;
        BlkSettings settings = new BlkSettings(queues, 16, readOnly, "fuzz", 512, 8192, 4, 64, 3, 64, 3);
        BlkBackend backend = new BlkBackend(new MemoryBlockStore(SECTORS * 512), settings, warning -> { });
        FeatureSet offered = backend.features();
        FeatureSet negotiated = FeatureSet.EMPTY;
        int pick = in.u32();
        for (int bit = 0; bit <= offered.highestBit(); bit++) {
            if (offered.has(bit) && (pick & (1 << (bit & 31))) != 0) {
                negotiated = negotiated.with(bit);
            }
        }
        if (in.bool()) {
            negotiated = negotiated.with(FeatureBits.VIRTIO_F_EVENT_IDX);
        }
        backend.acceptFeatures(negotiated);
        new BackendHarness(backend, negotiated, queueSize, 1 << 20).run(in, Set.of(), host -> { }, () -> 0);
    }

    /** Seeds: one well-formed request of every type the blk tests use, header, data and status. */
    static List<byte[]> seeds() {
        List<byte[]> seeds = new ArrayList<>();
        int[] types = {VirtioBlk.T_IN, VirtioBlk.T_OUT, VirtioBlk.T_FLUSH, VirtioBlk.T_GET_ID, VirtioBlk.T_DISCARD,
            VirtioBlk.T_WRITE_ZEROES};
        for (int type : types) {
            SeedWriter w = new SeedWriter().u8(3).u8(0).u8(0).u32(-1).u8(0);
            ByteBuffer hdr = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putInt(0, type).putLong(8, 3);
            data(w.u8(0).u8(0), 0x100, hdr.array());
            desc(w.u8(0).u8(0), 0, 0x100, 16, NEXT, 1);
            int next = 1;
            switch (type) {
                case VirtioBlk.T_IN -> desc(w.u8(0).u8(0), next++, 0x400, 1024, WRITE | NEXT, next);
                case VirtioBlk.T_OUT -> desc(w.u8(0).u8(0), next++, 0x400, 512, NEXT, next);
                case VirtioBlk.T_GET_ID -> desc(w.u8(0).u8(0), next++, 0x400, 20, WRITE | NEXT, next);
                case VirtioBlk.T_DISCARD, VirtioBlk.T_WRITE_ZEROES -> {
                    ByteBuffer seg = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(0, 2).putInt(8, 4);
                    data(w.u8(0).u8(0), 0x300, seg.array());
                    desc(w.u8(0).u8(0), next++, 0x300, 16, NEXT, next);
                }
                default -> {
                }
            }
            desc(w.u8(0).u8(0), next, 0x900, 1, WRITE, 0);
            publish(w.u8(0).u8(0), 0);
            w.u8(3).u8(0);
            seeds.add(w.toByteArray());
        }
        return seeds;
    }

    @Test
    void seedsAreCommitted() {
        Corpus.check(getClass(), "serve", seeds());
    }
}
