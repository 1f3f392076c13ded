package dev.vmsg.examples.i2c.internal;

import static dev.vmsg.hardening.RingSeeds.NEXT;
import static dev.vmsg.hardening.RingSeeds.WRITE;
import static dev.vmsg.hardening.RingSeeds.data;
import static dev.vmsg.hardening.RingSeeds.desc;
import static dev.vmsg.hardening.RingSeeds.publish;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.vmsg.hardening.BackendHarness;
import dev.vmsg.hardening.Corpus;
import dev.vmsg.hardening.FuzzInput;
import dev.vmsg.hardening.SeedWriter;
import dev.vmsg.wire.FeatureBits;
import dev.vmsg.wire.FeatureSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * HARDENING row 12 for the example plugin's device model: the virtio-i2c adapter (an EEPROM at
 * 0x50) under a hostile driver, with or without VIRTIO_I2C_F_ZERO_LENGTH_REQUEST and EVENT_IDX
 * ({@link BackendHarness} oracle). The plugin is built against the public API only, so this is
 * how a third-party device model is fuzzed too.
 */
class I2cBackendFuzzTarget {

    @FuzzTest(maxDuration = "30s")
    void serve(byte[] bytes) {
        FuzzInput in = new FuzzInput(bytes);
        int queueSize = 1 << in.below(5);
        int featureBits = in.u8();
        FeatureSet features = FeatureSet.EMPTY;
        if ((featureBits & 1) != 0) {
            features = features.with(VirtioI2c.F_ZERO_LENGTH_REQUEST);
        }
        if ((featureBits & 2) != 0) {
            features = features.with(FeatureBits.VIRTIO_F_EVENT_IDX);
        }
        I2cBackend backend = new I2cBackend(Map.of(0x50, new Eeprom(16)), queueSize);
        new BackendHarness(backend, features, queueSize, 1 << 20).run(in, Set.of(), host -> { }, () -> 0);
    }

    /**
     * Seeds: a write of two bytes to the EEPROM at 0x50 (header, payload, status) and a read of
     * four (header, buffer, status), each with and without the optional features; a zero-length
     * write; a request to an address nobody answers.
     */
    static List<byte[]> seeds() {
        List<byte[]> seeds = new ArrayList<>();
        for (int features : new int[] {0, 1, 3}) {
            SeedWriter w = new SeedWriter().u8(4).u8(features);
            header(w, 0x000, 0x50, 0);
            data(w.u8(0).u8(0), 0x040, new byte[] {0x00, (byte) 0xAB});
            desc(w.u8(0).u8(0), 0, 0x000, 8, NEXT, 1);
            desc(w.u8(0).u8(0), 1, 0x040, 2, NEXT, 2);
            desc(w.u8(0).u8(0), 2, 0x080, 1, WRITE, 0);
            publish(w.u8(0).u8(0), 0);
            w.u8(3).u8(0);
            header(w, 0x100, 0x50, VirtioI2c.FLAGS_M_RD);
            desc(w.u8(0).u8(0), 3, 0x100, 8, NEXT, 4);
            desc(w.u8(0).u8(0), 4, 0x140, 4, WRITE | NEXT, 5);
            desc(w.u8(0).u8(0), 5, 0x180, 1, WRITE, 0);
            publish(w.u8(0).u8(0), 3);
            w.u8(3).u8(0);
            seeds.add(w.toByteArray());
        }
        SeedWriter odd = new SeedWriter().u8(4).u8(1);
        header(odd, 0x000, 0x50, 0);
        desc(odd.u8(0).u8(0), 0, 0x000, 8, NEXT, 1);
        desc(odd.u8(0).u8(0), 1, 0x080, 1, WRITE, 0);
        publish(odd.u8(0).u8(0), 0);
        header(odd, 0x100, 0x33, VirtioI2c.FLAGS_M_RD);
        desc(odd.u8(0).u8(0), 2, 0x100, 8, NEXT, 3);
        desc(odd.u8(0).u8(0), 3, 0x140, 4, WRITE | NEXT, 4);
        desc(odd.u8(0).u8(0), 4, 0x180, 1, WRITE, 0);
        publish(odd.u8(0).u8(0), 2);
        odd.u8(3).u8(0);
        seeds.add(odd.toByteArray());
        return seeds;
    }

    /** The request header (virtio-i2c out_hdr: addr as 7-bit address << 1, padding, flags) at {@code offset}. */
    private static void header(SeedWriter w, int offset, int address7, int flags) {
        byte[] hdr = {(byte) (address7 << 1), 0, 0, 0, (byte) flags, (byte) (flags >>> 8), (byte) (flags >>> 16),
            (byte) (flags >>> 24)};
        data(w.u8(0).u8(0), offset, hdr);
    }

    @Test
    void seedsAreCommitted() {
        Corpus.check(getClass(), "serve", seeds());
    }
}
