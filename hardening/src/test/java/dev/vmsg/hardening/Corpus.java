package dev.vmsg.hardening;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/**
 * Where a fuzz target's committed inputs live: {@code src/test/resources/PKG/CLASSInputs/METHOD/},
 * the directory Jazzer replays in regression mode and writes crash inputs to in fuzzing mode.
 */
public final class Corpus {
    private Corpus() {
    }

    public static Path directory(Class<?> target, String method) {
        return Path.of("src/test/resources", target.getPackageName().replace('.', '/'),
                target.getSimpleName() + "Inputs", method);
    }

    /**
     * Writes each seed as {@code seed-NAME-SHA1}; returns how many files are new. Files already
     * present (seeds or past crash inputs) are kept.
     */
    public static int write(Class<?> target, String method, String name, List<byte[]> seeds) {
        Path dir = directory(target, method);
        int added = 0;
        try {
            Files.createDirectories(dir);
            for (byte[] s : seeds) {
                Path f = dir.resolve("seed-" + name + "-" + sha1(s).substring(0, 12));
                if (!Files.exists(f)) {
                    Files.write(f, s);
                    added++;
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return added;
    }

    /**
     * The seed check every target runs as a plain test: with {@code -Dvmsg.corpus.write=true} it
     * writes the generated seeds into the target's input directory (run it from {@code hardening/}
     * and commit the files); otherwise it fails unless every generated seed is committed, so the
     * generator and the corpus cannot drift apart.
     */
    public static void check(Class<?> target, String method, List<byte[]> seeds) {
        if (seeds.isEmpty()) {
            throw new AssertionError(target.getSimpleName() + " generates no seeds");
        }
        if (Boolean.getBoolean("vmsg.corpus.write")) {
            write(target, method, "gen", seeds);
            return;
        }
        Path dir = directory(target, method);
        for (byte[] s : seeds) {
            Path f = dir.resolve("seed-gen-" + sha1(s).substring(0, 12));
            if (!Files.exists(f)) {
                throw new AssertionError("seed " + f + " is not committed; regenerate with"
                        + " ./mvnw -B test -pl hardening -am -Dvmsg.corpus.write=true");
            }
        }
    }

    /** How many committed inputs the target has. */
    public static long count(Class<?> target, String method) {
        try (var files = Files.list(directory(target, method))) {
            return files.count();
        } catch (IOException e) {
            return 0;
        }
    }

    private static String sha1(byte[] b) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(b));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
