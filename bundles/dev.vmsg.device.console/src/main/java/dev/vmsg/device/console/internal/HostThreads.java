package dev.vmsg.device.console.internal;

import java.util.ArrayList;
import java.util.List;

/** The threads of one host side: named {@code vmsg-console-...}, daemon, joined within a bound. */
final class HostThreads {

    private final String prefix;
    private final List<Thread> threads = new ArrayList<>();

    HostThreads(String prefix) {
        this.prefix = prefix;
    }

    synchronized Thread start(String role, Runnable body) {
        Thread t = new Thread(body, prefix + "-" + role);
        t.setDaemon(true);
        threads.removeIf(x -> !x.isAlive());
        threads.add(t);
        t.start();
        return t;
    }

    /** Interrupts and joins every thread, at most {@code millis} in total; returns the ones still alive. */
    List<Thread> stop(long millis) {
        List<Thread> all;
        synchronized (this) {
            all = new ArrayList<>(threads);
        }
        long deadline = System.currentTimeMillis() + millis;
        List<Thread> alive = new ArrayList<>();
        for (Thread t : all) {
            if (t == Thread.currentThread()) {
                continue;
            }
            t.interrupt();
            try {
                t.join(Math.max(1, deadline - System.currentTimeMillis()));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (t.isAlive()) {
                alive.add(t);
            }
        }
        return alive;
    }
}
