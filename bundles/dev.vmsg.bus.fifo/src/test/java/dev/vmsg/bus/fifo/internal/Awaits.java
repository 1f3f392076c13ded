package dev.vmsg.bus.fifo.internal;

import static org.junit.jupiter.api.Assertions.fail;

import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;

/** Bounded waits of the FIFO bus tests. */
public final class Awaits {

    private Awaits() {
    }

    /** Takes lines from {@code q} until one matches, failing after {@code seconds}. */
    public static String next(BlockingQueue<String> q, Predicate<String> match, String what, long seconds)
            throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (true) {
            String s = q.poll(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            if (s == null) {
                fail("no " + what + " within " + seconds + " s");
            }
            if (match.test(s)) {
                return s;
            }
        }
    }

    /** Waits until {@code condition} holds, failing after 20 s. */
    public static void until(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("not within 20 s: " + what);
            }
            Thread.sleep(5);
        }
    }
}
