package dev.vmsg.bus.fifo.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * One side's queue head (spec 6.3: magic, status, tail = producer index into its own queue, head =
 * consumer index into the peer's queue) and its vmsg liveness block (epoch, acknowledged peer epoch,
 * heartbeat, parked flag). Written only by its owner; every field is published with release and
 * read with acquire on its aligned offset.
 */
final class QueueHead {

    private static final VarHandle SHORT = MethodHandles.byteBufferViewVarHandle(short[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle INT = MethodHandles.byteBufferViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);

    private final ByteBuffer mem;
    private final int head;
    private final int liveness;

    QueueHead(ByteBuffer mem, long headOffset, int livenessOffset) {
        this.mem = mem.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        this.head = Math.toIntExact(headOffset);
        this.liveness = livenessOffset;
    }

    int magic() {
        return Short.toUnsignedInt((short) SHORT.getAcquire(mem, head));
    }

    void setMagic(int v) {
        SHORT.setRelease(mem, head, (short) v);
    }

    int status() {
        return Short.toUnsignedInt((short) SHORT.getAcquire(mem, head + 2));
    }

    void setStatus(LinkState state) {
        SHORT.setRelease(mem, head + 2, (short) state.code);
    }

    /** Producer index into this side's own queue. */
    int tail() {
        return Short.toUnsignedInt((short) SHORT.getAcquire(mem, head + 4));
    }

    void setTail(int v) {
        SHORT.setRelease(mem, head + 4, (short) v);
    }

    /** Consumer index into the other side's queue. */
    int head() {
        return Short.toUnsignedInt((short) SHORT.getAcquire(mem, head + 6));
    }

    void setHead(int v) {
        SHORT.setRelease(mem, head + 6, (short) v);
    }

    int epoch() {
        return (int) INT.getAcquire(mem, liveness);
    }

    void setEpoch(int v) {
        INT.setRelease(mem, liveness, v);
    }

    /** The peer epoch this side has reset its indices for. */
    int ackedEpoch() {
        return (int) INT.getAcquire(mem, liveness + 4);
    }

    void setAckedEpoch(int v) {
        INT.setRelease(mem, liveness + 4, v);
    }

    int heartbeat() {
        return (int) INT.getAcquire(mem, liveness + 8);
    }

    void beat() {
        INT.setRelease(mem, liveness + 8, (int) INT.get(mem, liveness + 8) + 1);
    }

    /** Non-zero while this side's receiver may be parked waiting for a doorbell. */
    int parked() {
        return (int) INT.getVolatile(mem, liveness + 12);
    }

    void setParked(boolean parked) {
        INT.setVolatile(mem, liveness + 12, parked ? 1 : 0);
    }
}
