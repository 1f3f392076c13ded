package dev.vmsg.memory;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * A real {@link DmaWindow} with canary guard zones of {@value #GUARD} bytes on both sides, the
 * instrumentation behind the fuzz oracle "nothing is read or written outside the window". The
 * window is a slice of one larger buffer, so a write that escaped the window's own range
 * check (a bad offset computation, a view sliced too wide) would land in a guard zone, and
 * {@link #assertIntact()} finds it; a read past the slice throws an untyped
 * {@code IndexOutOfBoundsException}, which every fuzz target reports as a finding. It sits in the
 * API's test fixtures so the row-10 tests here and the hardening module's targets share it.
 */
public final class GuardedWindow {
    public static final int GUARD = 4096;
    private static final byte CANARY = (byte) 0xA5;

    private final ByteBuffer backing;
    private final DmaWindow window;
    private final int size;

    public GuardedWindow(long base, int size) {
        this.size = size;
        // Heap memory: a fuzz target makes one window per input, and direct buffers that fast
        // would spend the run in the JVM's direct-memory reclamation.
        byte[] all = new byte[GUARD + size + GUARD];
        Arrays.fill(all, 0, GUARD, CANARY);
        Arrays.fill(all, GUARD + size, all.length, CANARY);
        this.backing = ByteBuffer.wrap(all).order(ByteOrder.LITTLE_ENDIAN);
        this.window = DmaWindow.wrap(base, backing.slice(GUARD, size));
    }

    public DmaWindow window() {
        return window;
    }

    /** Throws when any byte of either guard zone changed. */
    public void assertIntact() {
        for (int i = 0; i < GUARD; i++) {
            check(i, "below");
            check(GUARD + size + i, "above");
        }
    }

    private void check(int at, String where) {
        if (backing.get(at) != CANARY) {
            throw new AssertionError("a write landed " + where + " the DMA window " + window + " (guard byte "
                    + at + " is 0x" + Integer.toHexString(backing.get(at) & 0xFF) + ")");
        }
    }
}
