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
 * only when the transport's polling budget runs out. Everything else behaves as
 * {@link CompletableFuture}; dependent stages are plain futures.
 *
 * @param <T> the result type
 */
public class PolledFuture<T> extends CompletableFuture<T> {

    private final Virtqueue queue;

    /** @param queue the queue whose used ring completes this future */
    public PolledFuture(Virtqueue queue) {
        this.queue = Objects.requireNonNull(queue, "queue");
    }

    @Override
    public T get() throws InterruptedException, ExecutionException {
        queue.pollUntil(this::isDone);
        return super.get();
    }

    @Override
    public T get(long timeout, TimeUnit unit) throws InterruptedException, ExecutionException, TimeoutException {
        long deadline = System.nanoTime() + unit.toNanos(timeout);
        queue.pollUntil(this::isDone);
        return super.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
    }

    @Override
    public T join() {
        queue.pollUntil(this::isDone);
        return super.join();
    }
}
