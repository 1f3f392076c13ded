package dev.vmsg.examples.i2c.internal;

import dev.vmsg.driver.QueueListener;
import dev.vmsg.driver.VirtioDevice;
import dev.vmsg.driver.VirtioDeviceException;
import dev.vmsg.driver.Virtqueue;
import dev.vmsg.examples.i2c.I2cAdapter;
import dev.vmsg.examples.i2c.I2cException;
import dev.vmsg.examples.i2c.I2cMessage;
import dev.vmsg.memory.DmaRegion;
import dev.vmsg.memory.DmaExhaustedException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * {@link I2cAdapter} over one virtio-i2c device's request queue. A transfer's messages are
 * submitted back to back (one chain each, FAIL_NEXT on all but the last) under one lock so that
 * transfers never interleave; its DMA region is freed when the device has answered every chain,
 * even if the caller stopped waiting.
 */
final class VirtioI2cAdapter implements I2cAdapter, QueueListener {

    /** Most messages in one transfer. */
    static final int MAX_MESSAGES = 16;

    private final VirtioDevice device;
    private volatile Virtqueue queue;
    private final Object submitLock = new Object();

    VirtioI2cAdapter(VirtioDevice device) {
        this.device = device;
    }

    void attach(Virtqueue q) {
        this.queue = q;
    }

    @Override
    public String busName() {
        return device.busName();
    }

    @Override
    public int deviceNumber() {
        return device.deviceNumber();
    }

    @Override
    public List<byte[]> transfer(List<I2cMessage> messages, Duration timeout) {
        if (messages.isEmpty() || messages.size() > MAX_MESSAGES) {
            throw new IllegalArgumentException("a transfer has 1.." + MAX_MESSAGES + " messages: " + messages.size());
        }
        for (I2cMessage m : messages) {
            if (m.length() > VirtioI2c.MAX_DATA) {
                throw new IllegalArgumentException(m + ": at most " + VirtioI2c.MAX_DATA + " bytes per message");
            }
        }
        DmaRegion region;
        try {
            region = device.allocator().allocate(I2cTransfer.size(messages));
        } catch (DmaExhaustedException e) {
            throw new I2cException(-1, describe() + ": no room in the DMA window: " + e.getMessage(), e);
        }
        I2cTransfer t = new I2cTransfer(device.window(), region, messages);
        CompletableFuture.allOf(t.done.toArray(new CompletableFuture<?>[0]))
                .whenComplete((ok, failure) -> device.allocator().free(region));
        synchronized (submitLock) {
            for (int i = 0; i < messages.size(); i++) {
                t.prepare(i);
                try {
                    queue.submit(t.readable(i), t.writable(i), t.done.get(i));
                } catch (VirtioDeviceException e) {
                    for (int j = i; j < messages.size(); j++) {
                        t.done.get(j).completeExceptionally(e);
                    }
                    break;
                }
            }
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        for (int i = 0; i < messages.size(); i++) {
            try {
                t.done.get(i).get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (TimeoutException e) {
                throw new I2cException(i, describe() + ": no answer to message " + i + " within " + timeout.toMillis()
                        + " ms");
            } catch (ExecutionException e) {
                throw new I2cException(i, describe() + ": message " + i + " failed: " + e.getCause().getMessage(),
                        e.getCause());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new I2cException(i, describe() + ": interrupted");
            }
        }
        return t.results();
    }

    @Override
    @SuppressWarnings("unchecked")
    public void completed(Object cookie, int length) {
        ((CompletableFuture<Integer>) cookie).complete(length);
    }

    @Override
    @SuppressWarnings("unchecked")
    public void failed(Object cookie, VirtioDeviceException cause) {
        ((CompletableFuture<Integer>) cookie).completeExceptionally(cause);
    }

    private String describe() {
        return "i2c adapter " + device.busName() + "/" + device.deviceNumber();
    }

    @Override
    public String toString() {
        return describe();
    }
}
