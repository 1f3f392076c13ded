package dev.vmsg.driver;

import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A future for work done through a {@link Virtqueue} whose waiting methods poll first: {@link #get},
 * {@link #get(long, TimeUnit)} and {@link #join} call {@link Virtqueue#pollUntil} with this
 * future's completion as the stop condition, so a caller that waits for its own request usually
 * finds the completion on its own thread, with no event message and no thread hand-off, and blocks
 * only when the transport's polling budget runs out. While it blocks it wakes up now and then (after
 * 1 ms, then twice as long each time up to 64 ms) to ask the device again and poll again, so a lost
 * event (a bus may drop frames) delays the request instead of hanging it. Everything else behaves as
 * {@link CompletableFuture}; dependent stages are plain futures.
 *
 * @param <T> the result type
 */
public class PolledFuture<T> extends CompletableFuture<T> {

    /** Longest blocking slice between two rescue polls. */
    static final long MAX_SLICE_MILLIS = 64;

    private final Virtqueue queue;

    /** @param queue the queue whose used ring completes this future */
    public PolledFuture(Virtqueue queue) {
        this.queue = Objects.requireNonNull(queue, "queue");
    }

    @Override
    public T get() throws InterruptedException, ExecutionException {
        awaitPolling(Long.MAX_VALUE);
        return super.get();
    }

    @Override
    public T get(long timeout, TimeUnit unit) throws InterruptedException, ExecutionException, TimeoutException {
        long deadline = System.nanoTime() + unit.toNanos(timeout);
        awaitPolling(deadline);
        return super.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
    }

    @Override
    public T join() {
        boolean interrupted = false;
        while (!isDone()) {
            try {
                awaitPolling(Long.MAX_VALUE);
            } catch (InterruptedException e) {
                interrupted = true; // join() is not interruptible: keep waiting, restore the flag after
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        return super.join();
    }

    /**
     * Polls, then blocks in slices growing from 1 ms to {@value #MAX_SLICE_MILLIS} ms; after each
     * slice that ends with the work still pending it asks the device again ({@link Virtqueue#renotify})
     * and polls again, so a lost event costs a slice, not the request. Returns when done or at
     * {@code deadline} ({@link System#nanoTime} scale; {@link Long#MAX_VALUE}: none).
     */
    private void awaitPolling(long deadline) throws InterruptedException {
        queue.pollUntil(this::isDone);
        long slice = TimeUnit.MILLISECONDS.toNanos(1);
        while (!isDone()) {
            long wait = deadline == Long.MAX_VALUE ? slice : Math.min(slice, deadline - System.nanoTime());
            if (wait <= 0) {
                return;
            }
            try {
                super.get(wait, TimeUnit.NANOSECONDS);
            } catch (ExecutionException e) {
                return; // done, exceptionally: the caller's own get/join reports it
            } catch (TimeoutException e) {
                queue.renotify();
                queue.pollUntil(this::isDone);
                slice = Math.min(slice * 2, TimeUnit.MILLISECONDS.toNanos(MAX_SLICE_MILLIS));
            }
        }
    }
}
