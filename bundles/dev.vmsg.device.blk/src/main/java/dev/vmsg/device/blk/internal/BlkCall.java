package dev.vmsg.device.blk.internal;

import dev.vmsg.driver.PolledFuture;
import dev.vmsg.driver.Virtqueue;
import java.util.concurrent.CompletableFuture;

/**
 * One user-level operation (a read of a caller buffer, a flush, ...), made of one or more
 * requests. Every copy into or out of the caller's memory runs locked on {@link #result()} and
 * only while it is not done; once it is done (completed, failed, or timed out by a blocking call,
 * which ends it under the same lock) no copy happens any more.
 */
final class BlkCall {

    private final CompletableFuture<Void> result;

    /** A call whose waiters poll {@code queue}'s used ring before they block (see {@link PolledFuture}). */
    BlkCall(BlkQueue queue) {
        Virtqueue live = queue.virtqueue();
        this.result = live != null ? new PolledFuture<>(live) : new CompletableFuture<>();
    }

    /** A call made of other calls: its waiters block until those end. */
    BlkCall() {
        this.result = new CompletableFuture<>();
    }

    CompletableFuture<Void> result() {
        return result;
    }

    /** Runs {@code copy} unless the call is over; returns whether it ran. */
    boolean whileOpen(Runnable copy) {
        synchronized (result) {
            if (result.isDone()) {
                return false;
            }
            copy.run();
            return true;
        }
    }

    /** Fails the call unless it is over already. */
    void abandon(Throwable cause) {
        abandon(result, cause);
    }

    /** Fails a call's result under its lock, so no copy is half done when it returns. */
    static void abandon(CompletableFuture<?> result, Throwable cause) {
        synchronized (result) {
            result.completeExceptionally(cause);
        }
    }

    /** Completes the call, running {@code last} first (under the lock) unless it is over. */
    void finish(Runnable last) {
        synchronized (result) {
            if (!result.isDone()) {
                last.run();
                result.complete(null);
            }
        }
    }

    /** A call that ends when {@code inner} does, running {@code last} on success under its lock. */
    static CompletableFuture<Void> after(CompletableFuture<Void> inner, Runnable last) {
        BlkCall outer = new BlkCall();
        inner.whenComplete((v, e) -> {
            if (e == null) {
                outer.finish(last);
            } else {
                outer.abandon(e);
            }
        });
        return outer.result();
    }
}
