package dev.vmsg.bus.fifo.internal;

import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;

/**
 * The queue-head state machine of one side (spec 6.3 handshake, with vmsg's epochs and heartbeats):
 *
 * <ol>
 * <li>INIT: a fresh epoch is published, indices 0, magic QO;</li>
 * <li>when the peer's head is valid and its heartbeat advances, this side acknowledges the peer's
 *     epoch, resets both indices to 0 and goes READY (again whenever the peer's epoch changes);</li>
 * <li>when the peer is READY or RUN and acknowledges this side's epoch, this side goes RUN: link up;</li>
 * <li>in RUN, a changed peer epoch, a peer status other than READY/RUN, or an acknowledgement of
 *     another epoch is a restart of the peer: link down, and this side starts a new epoch (INIT);</li>
 * <li>in RUN, no peer heartbeat for the timeout: link down, this side goes PEER_DEAD and waits until
 *     the peer shows a new epoch or a state below RUN (a paused peer that resumes sees PEER_DEAD and
 *     restarts itself), then starts a new epoch.</li>
 * </ol>
 *
 * Indices are reset only on the way to READY, before either side is RUN for that pair of epochs, so
 * no element written in an older epoch can be read in a newer one. Plain class, driven by the
 * endpoint's link thread with a monotonic clock; the caller serialises it with the ring users.
 */
final class LinkMachine {

    /** What a {@link #step} changed for the link. */
    enum Change { NONE, UP, DOWN }

    private final QueueHead own;
    private final QueueHead peer;
    private final IntSupplier epochs;
    private final long timeoutNanos;
    private LinkState state;
    private int epoch;
    private int peerEpoch;
    private int deadPeerEpoch;
    private boolean observed;
    private boolean peerBeating;
    private int lastPeerBeat;
    private long lastPeerBeatAt;
    private String downReason = "";

    /**
     * @param epochs gives a new non-zero epoch for every handshake (never the previous one twice)
     */
    LinkMachine(QueueHead own, QueueHead peer, IntSupplier epochs, long peerTimeoutMillis) {
        this.own = own;
        this.peer = peer;
        this.epochs = epochs;
        this.timeoutNanos = TimeUnit.MILLISECONDS.toNanos(peerTimeoutMillis);
    }

    /** Publishes INIT with a fresh epoch. */
    void start() {
        newEpoch();
    }

    private void newEpoch() {
        int e;
        do {
            e = epochs.getAsInt();
        } while (e == 0 || e == epoch);
        epoch = e;
        peerEpoch = 0;
        own.setStatus(LinkState.INIT);
        own.setEpoch(epoch);
        own.setAckedEpoch(0);
        own.setTail(0);
        own.setHead(0);
        own.setMagic(ShmemLayout.QUEUE_HEAD_MAGIC);
        state = LinkState.INIT;
    }

    /** Advances this side's heartbeat (every heartbeat interval, whatever the state). */
    void beat() {
        own.beat();
    }

    LinkState state() {
        return state;
    }

    int epoch() {
        return epoch;
    }

    /** The peer epoch this side runs with (valid in READY and RUN). */
    int peerEpoch() {
        return peerEpoch;
    }

    /** Why the last {@link Change#DOWN} happened. */
    String downReason() {
        return downReason;
    }

    /** Whether the peer's heartbeat has advanced within the timeout, as of the last step. */
    boolean peerAlive(long now) {
        return peerBeating && now - lastPeerBeatAt <= timeoutNanos;
    }

    /** Looks at the peer once and moves this side on; {@code now} is {@link System#nanoTime()}. */
    Change step(long now) {
        int beat = peer.heartbeat();
        if (!observed) {
            observed = true;
            lastPeerBeat = beat;
            lastPeerBeatAt = now;
        } else if (beat != lastPeerBeat) {
            lastPeerBeat = beat;
            lastPeerBeatAt = now;
            peerBeating = true;
        }
        boolean alive = peerAlive(now);
        boolean valid = peer.magic() == ShmemLayout.QUEUE_HEAD_MAGIC;
        LinkState ps = LinkState.of(peer.status());
        int pe = peer.epoch();
        int acked = peer.ackedEpoch();
        switch (state) {
            case INIT, READY -> {
                if (!valid || !alive || ps == null || ps == LinkState.SHUTDOWN || ps == LinkState.PEER_DEAD
                        || pe == 0) {
                    return Change.NONE;
                }
                if (pe != peerEpoch) {
                    own.setTail(0);
                    own.setHead(0);
                    own.setAckedEpoch(pe);
                    peerEpoch = pe;
                    own.setStatus(LinkState.READY);
                    state = LinkState.READY;
                    return Change.NONE;
                }
                if (state == LinkState.READY && (ps == LinkState.READY || ps == LinkState.RUN) && acked == epoch) {
                    own.setStatus(LinkState.RUN);
                    state = LinkState.RUN;
                    return Change.UP;
                }
                return Change.NONE;
            }
            case RUN -> {
                String why = null;
                boolean timedOut = false;
                if (!valid) {
                    why = "the peer's queue head lost its magic (layout rewritten)";
                } else if (pe != peerEpoch) {
                    why = "the peer restarted (epoch " + Integer.toHexString(peerEpoch) + " -> "
                            + Integer.toHexString(pe) + ")";
                } else if (ps == LinkState.INIT) {
                    why = "the peer went back to INIT (silent restart)";
                } else if (ps == LinkState.SHUTDOWN) {
                    why = "the peer shut down";
                } else if (ps == LinkState.PEER_DEAD) {
                    why = "the peer declared this side dead (paused or stalled past its timeout); re-handshaking"
                            + " as a new epoch";
                } else if (ps == null) {
                    why = "the peer's status 0x" + Integer.toHexString(peer.status()) + " is not a known state";
                } else if (acked != epoch) {
                    why = "the peer acknowledges another epoch of this side";
                } else if (!alive) {
                    timedOut = true;
                    why = "no heartbeat from the peer for " + TimeUnit.NANOSECONDS.toMillis(now - lastPeerBeatAt)
                            + " ms (timeout " + TimeUnit.NANOSECONDS.toMillis(timeoutNanos) + " ms)";
                }
                if (why == null) {
                    return Change.NONE;
                }
                downReason = why;
                if (timedOut) {
                    deadPeerEpoch = pe;
                    own.setStatus(LinkState.PEER_DEAD);
                    state = LinkState.PEER_DEAD;
                } else {
                    newEpoch();
                }
                return Change.DOWN;
            }
            case PEER_DEAD -> {
                if (valid && (pe != deadPeerEpoch || ps == LinkState.INIT || ps == LinkState.READY
                        || ps == LinkState.PEER_DEAD)) {
                    newEpoch();
                }
                return Change.NONE;
            }
            default -> {
                return Change.NONE;
            }
        }
    }

    /**
     * This side found the link unusable (corrupt index, file gone): leave as a new epoch.
     *
     * @return {@link Change#DOWN} if the link was up
     */
    Change fail(String reason) {
        boolean wasUp = state == LinkState.RUN;
        downReason = reason;
        newEpoch();
        return wasUp ? Change.DOWN : Change.NONE;
    }

    /** Graceful stop: SHUTDOWN, so the peer knows this is not a crash. */
    void shutdown() {
        own.setStatus(LinkState.SHUTDOWN);
        state = LinkState.SHUTDOWN;
    }
}
