package dev.vmsg.transport.internal;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * One device's own thread: every call for the device runs here, in order, so one device never
 * blocks another and a device's state needs no locks. The queue is bounded: a peer that floods a
 * device loses work it sent, counted by the caller, instead of growing the heap.
 */
final class DeviceExecutor implements Executor {

    private final ThreadPoolExecutor pool;
    private final String name;
    private volatile Thread thread;

    DeviceExecutor(String threadName, int queueCapacity) {
        this.name = threadName;
        this.pool = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS, new ArrayBlockingQueue<>(queueCapacity),
                r -> {
                    Thread t = new Thread(r, threadName);
                    t.setDaemon(true);
                    thread = t;
                    return t;
                }, new ThreadPoolExecutor.AbortPolicy());
    }

    /** Runs the task on the device thread; false when the queue is full or the executor stopped. */
    boolean offer(Runnable task) {
        try {
            pool.execute(task);
            return true;
        } catch (RejectedExecutionException e) {
            return false;
        }
    }

    @Override
    public void execute(Runnable task) {
        if (!offer(task)) {
            throw new RejectedExecutionException(name + " is stopped or its queue is full");
        }
    }

    /** Whether tasks wait behind the running one (a polling task then yields the thread to them). */
    boolean hasQueuedTasks() {
        return !pool.getQueue().isEmpty();
    }

    boolean isStopped() {
        return pool.isShutdown();
    }

    /** Whether the caller runs on this device's thread. */
    boolean inExecutor() {
        return Thread.currentThread() == thread;
    }

    /**
     * Lets queued tasks finish, then stops the thread; waits at most {@code millis}, then
     * interrupts it.
     *
     * @return true when the thread ended within the bound
     */
    boolean shutdown(long millis) {
        pool.shutdown();
        if (inExecutor()) {
            return true;
        }
        try {
            if (pool.awaitTermination(millis, TimeUnit.MILLISECONDS)) {
                return true;
            }
            pool.shutdownNow();
            return pool.awaitTermination(millis, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            pool.shutdownNow();
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
