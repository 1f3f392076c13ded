package dev.vmsg.virtqueue;

import dev.vmsg.memory.DmaWindow;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The hostile peer of the row-10 tests: a daemon thread that keeps flipping shared memory while the
 * test thread runs one half of a queue. Between flips it pauses for a random number of spins (up
 * to 2^{@code maxPauseLog2}, 0 for none), so one run sees both dense and sparse interference.
 * {@link #close()} stops it with a bounded join and reports anything the thread itself threw, so a
 * flip that failed is never mistaken for a quiet peer.
 */
final class HostileThread implements AutoCloseable {
    /** One write of garbage into shared memory. */
    interface Flip {
        void apply(SplittableRandom rnd);
    }

    private final AtomicBoolean stop = new AtomicBoolean();
    private final AtomicLong flips = new AtomicLong();
    private final Thread thread;
    private volatile Throwable failure;

    HostileThread(String name, long seed, int maxPauseLog2, Flip flip) {
        thread = new Thread(() -> {
            SplittableRandom rnd = new SplittableRandom(seed);
            try {
                while (!stop.get()) {
                    flip.apply(rnd);
                    flips.incrementAndGet();
                    int spins = maxPauseLog2 == 0 ? 0 : rnd.nextInt(1 << rnd.nextInt(maxPauseLog2 + 1));
                    for (int i = 0; i < spins && !stop.get(); i++) {
                        Thread.onSpinWait();
                    }
                }
            } catch (Throwable t) {
                failure = t;
            }
        }, name);
        thread.setDaemon(true);
        thread.start();
    }

    /** Writes toggled in one burst by {@link #toggleShort} and {@link #toggleInt}. */
    static final int BURST = 256;

    /**
     * The classic double-fetch attack on a 2-byte field: toggles it {@value #BURST} times between
     * {@code bad} and what it held, ending with what it held. A reader that fetched the field twice
     * would see it change in between.
     */
    static void toggleShort(DmaWindow window, long at, short bad) {
        short good = window.getShort(at);
        for (int i = 0; i < BURST; i++) {
            window.putShortRelease(at, bad);
            window.putShortRelease(at, good);
        }
    }

    /** {@link #toggleShort} for a 4-byte field. */
    static void toggleInt(DmaWindow window, long at, int bad) {
        int good = window.getInt(at);
        for (int i = 0; i < BURST; i++) {
            window.putIntRelease(at, bad);
            window.putIntRelease(at, good);
        }
    }

    /** Flips applied so far. */
    long flips() {
        return flips.get();
    }

    @Override
    public void close() throws InterruptedException {
        stop.set(true);
        thread.join(30_000);
        if (thread.isAlive()) {
            throw new AssertionError(thread.getName() + " did not stop within 30 s");
        }
        if (failure != null) {
            throw new AssertionError(thread.getName() + " failed: " + failure, failure);
        }
    }
}
