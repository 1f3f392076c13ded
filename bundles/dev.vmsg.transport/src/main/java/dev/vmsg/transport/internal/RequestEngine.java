package dev.vmsg.transport.internal;

import dev.vmsg.bus.BusException;
import dev.vmsg.driver.VirtioDeviceException;
import dev.vmsg.driver.VirtioDeviceException.Reason;
import dev.vmsg.wire.Header;
import dev.vmsg.wire.Message;
import dev.vmsg.wire.MessageCodec;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The driver side's requests in flight. Each device (and the bus itself) has at most one
 * outstanding request, as Linux and QEMU do; each request carries a fresh non-zero token and a
 * deadline. A response completes its request only if its type, msg_id, dev_num and token match
 * (HARDENING rule 8): late or unknown responses are dropped and counted, never delivered to a
 * newer request.
 */
final class RequestEngine {

    /** The pending key of bus requests (dev_num is 0 there, but device 0 is a real device). */
    private static final int BUS_KEY = -1;

    private final TransportSide side;
    private final MessageCodec codec;
    private final MessageCounters counters;
    private final Map<Integer, Pending> pending = new ConcurrentHashMap<>();
    private final Map<Integer, java.util.concurrent.Semaphore> slots = new ConcurrentHashMap<>();
    private final AtomicInteger nextToken = new AtomicInteger();
    private volatile String closedReason;

    private record Pending(int msgId, boolean bus, int token, CompletableFuture<Message> result) {
    }

    RequestEngine(TransportSide side) {
        this.side = side;
        this.codec = side.codec;
        this.counters = side.counters;
    }

    /**
     * Sends a transport request to device {@code devNum} and waits for its response.
     *
     * @throws VirtioDeviceException TIMEOUT past the deadline, REMOVED when the bus goes away
     */
    Message call(int devNum, Message request, long timeoutMillis, String what) {
        return call(devNum, request, timeoutMillis, what, () -> null);
    }

    /**
     * As {@link #call(int, Message, long, String)} for a device that may be removed meanwhile:
     * {@code removed} gives the cause once it is. A request made while or after the device is
     * removed ends at once with that cause instead of waiting out its deadline for a device that
     * will never answer ({@link #fail} ends only the requests outstanding when it runs).
     */
    Message call(int devNum, Message request, long timeoutMillis, String what,
            java.util.function.Supplier<VirtioDeviceException> removed) {
        return exchange(devNum, devNum, false, request, timeoutMillis, what, removed);
    }

    /** Sends a bus request (dev_num 0) and waits for its response. */
    Message callBus(Message request, long timeoutMillis, String what) {
        return exchange(BUS_KEY, 0, true, request, timeoutMillis, what, () -> null);
    }

    private Message exchange(int key, int devNum, boolean bus, Message request, long timeoutMillis, String what,
            java.util.function.Supplier<VirtioDeviceException> removed) {
        java.util.concurrent.Semaphore slot = slots.computeIfAbsent(key, k -> new java.util.concurrent.Semaphore(1));
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        try {
            if (!slot.tryAcquire(timeoutMillis, TimeUnit.MILLISECONDS)) {
                throw new VirtioDeviceException(Reason.TIMEOUT, what + ": an earlier request is still outstanding after "
                        + timeoutMillis + " ms");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new VirtioDeviceException(Reason.REMOVED, what + ": interrupted");
        }
        try {
            checkOpen(what);
            int token = token();
            Pending p = new Pending(request.msgId(), bus, token, new CompletableFuture<>());
            pending.put(key, p);
            long sentAt = System.nanoTime();
            try {
                // Checked after the request is registered: a removal either sees it there (fail) or
                // is seen here, so no request of a removed device waits out its deadline.
                VirtioDeviceException gone = removed.get();
                if (gone != null) {
                    side.metrics.requestFailed(bus, devNum, "removed");
                    throw new VirtioDeviceException(gone.reason(), what + ": " + gone.getMessage(), gone);
                }
                side.encodeAndSend(ByteBuffer.allocate(codec.maxMessageSize()), devNum, token, request);
                long left = deadline - System.nanoTime();
                Message response = p.result().get(Math.max(left, 0), TimeUnit.NANOSECONDS);
                side.metrics.requestCompleted(bus, devNum, System.nanoTime() - sentAt);
                return response;
            } catch (TimeoutException e) {
                counters.dropped("request timed out");
                side.metrics.requestFailed(bus, devNum, "timeout");
                throw new VirtioDeviceException(Reason.TIMEOUT, what + ": no response within " + timeoutMillis + " ms");
            } catch (BusException e) {
                side.metrics.requestFailed(bus, devNum, "send failed: " + e.reason());
                throw new VirtioDeviceException(e.reason() == BusException.Reason.CLOSED
                        || e.reason() == BusException.Reason.PEER_LOST ? Reason.REMOVED : Reason.TIMEOUT,
                        what + ": " + e.getMessage(), e);
            } catch (ExecutionException e) {
                Throwable cause = e.getCause();
                side.metrics.requestFailed(bus, devNum, cause instanceof VirtioDeviceException vde
                        ? vde.reason().name().toLowerCase(java.util.Locale.ROOT) : "failed");
                if (cause instanceof VirtioDeviceException vde) {
                    throw new VirtioDeviceException(vde.reason(), what + ": " + vde.getMessage(), vde);
                }
                throw new VirtioDeviceException(Reason.PROTOCOL, what + ": " + cause, cause);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new VirtioDeviceException(Reason.REMOVED, what + ": interrupted");
            } finally {
                pending.remove(key, p);
            }
        } finally {
            slot.release();
        }
    }

    private int token() {
        if (!codec.profile().hasToken()) {
            return 0;
        }
        while (true) {
            int t = nextToken.incrementAndGet() & 0xFFFF;
            if (t != 0) {
                return t;
            }
        }
    }

    /**
     * Offers a received response. Delivery thread.
     *
     * @return true when it completed an outstanding request
     */
    boolean complete(Header header, Message response) {
        int key = header.isBusMessage() ? BUS_KEY : header.devNum();
        Pending p = pending.get(key);
        if (p == null || p.msgId() != header.msgId() || p.bus() != header.isBusMessage()
                || (codec.profile().hasToken() && p.token() != header.token())) {
            counters.dropped("response matches no outstanding request");
            return false;
        }
        if (!pending.remove(key, p)) {
            counters.dropped("response matches no outstanding request");
            return false;
        }
        p.result().complete(response);
        return true;
    }

    /** Fails the request outstanding for {@code devNum}, if any (device removed or broken). */
    void fail(int devNum, VirtioDeviceException cause) {
        Pending p = pending.remove(devNum);
        if (p != null) {
            p.result().completeExceptionally(cause);
        }
    }

    /** Fails every outstanding request and every later one. */
    void close(String reason) {
        closedReason = reason;
        failOutstanding(reason);
    }

    /** Fails every outstanding request (the peer is gone); later requests are sent as usual. */
    void failOutstanding(String reason) {
        for (Integer key : pending.keySet()) {
            Pending p = pending.remove(key);
            if (p != null) {
                p.result().completeExceptionally(new VirtioDeviceException(Reason.REMOVED, reason));
            }
        }
    }

    private void checkOpen(String what) {
        String reason = closedReason;
        if (reason != null) {
            throw new VirtioDeviceException(Reason.REMOVED, what + ": " + reason);
        }
    }
}
