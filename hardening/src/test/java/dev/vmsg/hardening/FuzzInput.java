package dev.vmsg.hardening;

import java.util.Arrays;

/**
 * Reads a fuzz input front to back as little-endian fields; past the end every read yields 0.
 * Structure-aware targets take their descriptor lists and operation sequences from it, and
 * {@link SeedWriter} writes the same format, so seed inputs are built from real valid messages
 * and chains (the corpus generator) instead of being guessed by the fuzzer.
 */
public final class FuzzInput {
    private final byte[] data;
    private int at;

    public FuzzInput(byte[] data) {
        this.data = data;
    }

    public boolean hasMore() {
        return at < data.length;
    }

    public int remaining() {
        return data.length - at;
    }

    public int u8() {
        return at < data.length ? data[at++] & 0xFF : 0;
    }

    public int u16() {
        return u8() | u8() << 8;
    }

    public int u32() {
        return u16() | u16() << 16;
    }

    public long u64() {
        return (u32() & 0xFFFF_FFFFL) | (long) u32() << 32;
    }

    public boolean bool() {
        return (u8() & 1) != 0;
    }

    /** A value in {@code [0, bound)}; {@code bound} must be 1..65536. */
    public int below(int bound) {
        return bound <= 256 ? u8() % bound : u16() % bound;
    }

    /** Up to {@code max} bytes, the count taken from a u16; fewer when the input ends. */
    public byte[] bytes(int max) {
        int n = Math.min(u16() % (max + 1), remaining());
        byte[] b = Arrays.copyOfRange(data, at, at + n);
        at += n;
        return b;
    }

    /** Everything not read yet. */
    public byte[] rest() {
        byte[] b = Arrays.copyOfRange(data, at, data.length);
        at = data.length;
        return b;
    }
}
