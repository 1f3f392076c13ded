package dev.vmsg.hardening;

import java.io.ByteArrayOutputStream;

/** Writes fuzz inputs in the format {@link FuzzInput} reads. */
public final class SeedWriter {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    public SeedWriter u8(int v) {
        out.write(v);
        return this;
    }

    public SeedWriter u16(int v) {
        return u8(v).u8(v >>> 8);
    }

    public SeedWriter u32(int v) {
        return u16(v).u16(v >>> 16);
    }

    public SeedWriter u64(long v) {
        return u32((int) v).u32((int) (v >>> 32));
    }

    /** A length-prefixed byte string, as {@link FuzzInput#bytes(int)} reads it. */
    public SeedWriter bytes(byte[] b) {
        u16(b.length);
        out.writeBytes(b);
        return this;
    }

    /** Raw bytes without a length, as {@link FuzzInput#rest()} reads them. */
    public SeedWriter raw(byte[] b) {
        out.writeBytes(b);
        return this;
    }

    public byte[] toByteArray() {
        return out.toByteArray();
    }
}
