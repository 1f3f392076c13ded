package dev.vmsg.device.blk.internal;

import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;

/**
 * One virtio-blk request as the driver builds it: at most one data segment, either a bounce slot
 * (data copied from {@code source} before submission, or into {@code sink} after completion) or a
 * caller's window buffer ({@code windowAddress >= 0}). {@code call} is the user-level operation the
 * request belongs to; copies into or out of caller memory happen under its lock and only while
 * {@code call.result()} is not done, so an abandoned call's buffer is never touched again.
 */
final class BlkRequest {

    final BlkCall call;
    final int type;
    final long sector;
    final int length;
    final long windowAddress;
    final ByteBuffer source;
    final int sourcePosition;
    final ByteBuffer sink;
    final int sinkPosition;
    final byte[] payload;
    /** Completes with the device's data for GET_ID, null otherwise; fails with the request's error. */
    final CompletableFuture<byte[]> done = new CompletableFuture<>();

    private BlkRequest(BlkCall call, int type, long sector, int length, long windowAddress, ByteBuffer source,
            int sourcePosition, ByteBuffer sink, int sinkPosition, byte[] payload) {
        this.call = call;
        this.type = type;
        this.sector = sector;
        this.length = length;
        this.windowAddress = windowAddress;
        this.source = source;
        this.sourcePosition = sourcePosition;
        this.sink = sink;
        this.sinkPosition = sinkPosition;
        this.payload = payload;
    }

    static BlkRequest readInto(BlkCall call, long sector, ByteBuffer sink, int position, int length) {
        return new BlkRequest(call, VirtioBlk.T_IN, sector, length, -1, null, 0, sink, position, null);
    }

    static BlkRequest writeFrom(BlkCall call, long sector, ByteBuffer source, int position, int length) {
        return new BlkRequest(call, VirtioBlk.T_OUT, sector, length, -1, source, position, null, 0, null);
    }

    static BlkRequest zeroCopy(BlkCall call, int type, long sector, long windowAddress, int length) {
        return new BlkRequest(call, type, sector, length, windowAddress, null, 0, null, 0, null);
    }

    static BlkRequest command(BlkCall call, int type, byte[] payload) {
        return new BlkRequest(call, type, 0, payload == null ? 0 : payload.length, -1, null, 0, null, 0, payload);
    }

    static BlkRequest getId(BlkCall call) {
        return new BlkRequest(call, VirtioBlk.T_GET_ID, 0, VirtioBlk.ID_BYTES, -1, null, 0, null, 0, null);
    }

    /** Whether the device writes the data segment (IN, GET_ID) rather than reads it. */
    boolean deviceWrites() {
        return type == VirtioBlk.T_IN || type == VirtioBlk.T_GET_ID;
    }
}
