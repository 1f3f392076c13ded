package dev.vmsg.feature.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LedgerTest {

    @Test
    void removingAFeatureReleasesOnlyWhatTheInstallerCreatedForIt() {
        Ledger ledger = new Ledger();
        // bundle 5 and config rng0 were there before: used, not owned
        ledger.add(new Ledger.Record("f:rng", "rng", List.of(5L, 40L), List.of("dev.vmsg.device.rng~rng0", "x~y")),
                List.of(40L), List.of("x~y"));
        Ledger.Release release = ledger.remove("f:rng");
        assertEquals(List.of(40L), release.bundles());
        assertEquals(List.of("x~y"), release.configurations());
        assertFalse(ledger.isInstalled("f:rng"));
        assertFalse(ledger.ownsBundle(40L));
    }

    @Test
    void anOwnedBundleStaysWhileAnotherInstalledFeatureUsesIt() {
        Ledger ledger = new Ledger();
        ledger.add(new Ledger.Record("f:all", "all", List.of(40L, 41L), List.of("a~0")), List.of(40L, 41L),
                List.of("a~0"));
        ledger.add(new Ledger.Record("f:one", "one", List.of(41L), List.of("a~0")), List.of(), List.of());
        Ledger.Release first = ledger.remove("f:all");
        assertEquals(List.of(40L), first.bundles(), "41 is still used by f:one");
        assertEquals(List.of(), first.configurations(), "a~0 is still used by f:one");
        assertTrue(ledger.ownsBundle(41L));
        Ledger.Release second = ledger.remove("f:one");
        assertEquals(List.of(41L), second.bundles(), "the last user releases what the installer created");
        assertEquals(List.of("a~0"), second.configurations());
    }

    @Test
    void aFeatureIsRecordedOnceAndRemovedOnce() {
        Ledger ledger = new Ledger();
        Ledger.Record r = new Ledger.Record("f:x", "x", List.of(1L), List.of());
        ledger.add(r, List.of(1L), List.of());
        assertThrows(IllegalStateException.class, () -> ledger.add(r, List.of(), List.of()));
        ledger.remove("f:x");
        assertThrows(IllegalStateException.class, () -> ledger.remove("f:x"));
    }

    @Test
    void savedAndLoadedLedgerReleasesTheSame(@TempDir Path dir) throws Exception {
        Ledger ledger = new Ledger();
        ledger.add(new Ledger.Record("dev.vmsg:vmsg-features:json:a:1", "a", List.of(7L, 8L), List.of("p~1")),
                List.of(8L), List.of("p~1"));
        ledger.add(new Ledger.Record("dev.vmsg:vmsg-features:json:b:1", "b", List.of(), List.of()), List.of(),
                List.of());
        Path file = dir.resolve("sub/ledger.properties");
        ledger.save(file);
        Ledger loaded = Ledger.load(file);
        assertEquals(ledger.records(), loaded.records());
        Ledger.Release release = loaded.remove("dev.vmsg:vmsg-features:json:a:1");
        assertEquals(List.of(8L), release.bundles());
        assertEquals(List.of("p~1"), release.configurations());
        assertTrue(Ledger.load(dir.resolve("missing")).records().isEmpty());
    }
}
