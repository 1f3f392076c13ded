package dev.vmsg.bus.fifo.internal;

import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;

/** Starting and stopping the daemon threads of a bus side (FIFO bus and its QEMU linux-user mode). */
public final class BusThreads {

    /** How long closing waits for each thread. */
    public static final long JOIN_MILLIS = 5000;

    private BusThreads() {
    }

    /** Starts a daemon thread. */
    public static Thread start(Runnable body, String name) {
        Thread t = new Thread(body, name);
        t.setDaemon(true);
        t.start();
        return t;
    }

    /**
     * Wakes {@code t} (parked threads check their closed flag) and waits at most
     * {@value #JOIN_MILLIS} ms for it; a thread that stays is reported, not killed.
     */
    public static void join(Thread t, String bus, Consumer<String> warnings) {
        if (t == null || t == Thread.currentThread()) {
            return;
        }
        LockSupport.unpark(t);
        try {
            t.join(JOIN_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (t.isAlive()) {
            warnings.accept(bus + ": thread " + t.getName() + " did not stop within " + JOIN_MILLIS
                    + " ms (receiver stuck?)");
        }
    }
}
