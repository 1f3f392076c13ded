package dev.vmsg.itests;

import dev.vmsg.driver.VirtioDeviceException;
import java.lang.reflect.InvocationTargetException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Every request a load client submits, from its start to its one end (HARDENING row 23). A request
 * ends OK (with data the client checked), with {@code VirtioDeviceException(REMOVED)}, or with
 * anything else, which is recorded as unexpected: another exception type or reason, wrong data, a
 * second end of the same request, an end later than the bound. Requests that never end stay
 * {@link #open()}.
 */
final class RequestLedger {

    private static final int MAX_UNEXPECTED = 50;

    private final String name;
    private final Duration bound;
    private final AtomicLong ids = new AtomicLong();
    /** Request id to the System.nanoTime() of its start, while it has not ended. */
    private final Map<Long, Long> open = new ConcurrentHashMap<>();
    private final AtomicLong ok = new AtomicLong();
    private final AtomicLong removed = new AtomicLong();
    private final ConcurrentLinkedQueue<String> unexpected = new ConcurrentLinkedQueue<>();

    RequestLedger(String name, Duration bound) {
        this.name = name;
        this.bound = bound;
    }

    /** A new request starts now; returns its id. */
    long begin() {
        long id = ids.incrementAndGet();
        open.put(id, System.nanoTime());
        return id;
    }

    /** Request {@code id} completed and its data was right. */
    void ok(long id) {
        if (end(id)) {
            ok.incrementAndGet();
        }
    }

    /** Request {@code id} completed with wrong data. */
    void wrongData(long id, String what) {
        if (end(id)) {
            note("request " + id + " completed with wrong data: " + what);
        }
    }

    /** Request {@code id} ended because the device went away (seen other than through an exception). */
    void removed(long id) {
        if (end(id)) {
            removed.incrementAndGet();
        }
    }

    /**
     * Request {@code id} failed with {@code failure} (wrappers from reflection and futures are
     * unwrapped). Returns whether it was REMOVED, the one failure a lifecycle change may cause.
     */
    boolean failed(long id, Throwable failure) {
        Throwable t = unwrap(failure);
        boolean isRemoved = isRemoved(t);
        if (end(id)) {
            if (isRemoved) {
                removed.incrementAndGet();
            } else {
                note("request " + id + " failed with " + t);
            }
        }
        return isRemoved;
    }

    /** Something outside a request went wrong in the client. */
    void note(String what) {
        if (unexpected.size() < MAX_UNEXPECTED) {
            unexpected.add(name + ": " + what);
        }
    }

    long okCount() {
        return ok.get();
    }

    long removedCount() {
        return removed.get();
    }

    List<String> unexpected() {
        return new ArrayList<>(unexpected);
    }

    /** Requests started and not ended, as "id: ms since start". */
    List<String> open() {
        long now = System.nanoTime();
        List<String> out = new ArrayList<>();
        open.forEach((id, start) -> out.add(name + " request " + id + ": open for " + (now - start) / 1_000_000 + " ms"));
        return out;
    }

    private boolean end(long id) {
        Long start = open.remove(id);
        if (start == null) {
            note("request " + id + " ended twice");
            return false;
        }
        long ms = (System.nanoTime() - start) / 1_000_000;
        if (ms > bound.toMillis()) {
            note("request " + id + " took " + ms + " ms, more than " + bound);
        }
        return true;
    }

    /** Whether {@code failure} (unwrapped) is the API's "device removed". */
    static boolean isRemoved(Throwable failure) {
        return unwrap(failure) instanceof VirtioDeviceException e && e.reason() == VirtioDeviceException.Reason.REMOVED;
    }

    static Throwable unwrap(Throwable t) {
        while ((t instanceof InvocationTargetException || t instanceof CompletionException
                || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }
}
