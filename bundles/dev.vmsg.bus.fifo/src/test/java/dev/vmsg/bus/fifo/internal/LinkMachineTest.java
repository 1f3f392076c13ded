package dev.vmsg.bus.fifo.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vmsg.bus.fifo.internal.LinkMachine.Change;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The queue-head handshake with epochs and heartbeats, two machines over one layout, a fake clock. */
class LinkMachineTest {

    private static final long TIMEOUT_MS = 500;
    private final ShmemLayout layout = ShmemLayout.deviceDefault(64, 8);
    private final ByteBuffer mem = ByteBuffer.allocateDirect((int) layout.fileSize()).order(ByteOrder.LITTLE_ENDIAN);
    private final QueueHead dev;
    private final QueueHead drv;
    private final AtomicInteger epochs = new AtomicInteger(0x100);
    private long now = 1_000_000_000L;

    LinkMachineTest() {
        layout.writeTo(mem);
        dev = new QueueHead(mem, layout.devHead(), ShmemLayout.devLiveness());
        drv = new QueueHead(mem, layout.drvHead(), ShmemLayout.drvLiveness());
    }

    private LinkMachine device() {
        return new LinkMachine(dev, drv, epochs::incrementAndGet, TIMEOUT_MS);
    }

    private LinkMachine driver() {
        return new LinkMachine(drv, dev, epochs::incrementAndGet, TIMEOUT_MS);
    }

    /** One tick of 10 ms: both beat (unless paused), both step; returns the changes. */
    private Change[] tick(LinkMachine a, boolean aRuns, LinkMachine b, boolean bRuns) {
        now += TimeUnit.MILLISECONDS.toNanos(10);
        Change ca = Change.NONE;
        Change cb = Change.NONE;
        if (aRuns) {
            a.beat();
            ca = a.step(now);
        }
        if (bRuns) {
            b.beat();
            cb = b.step(now);
        }
        return new Change[] {ca, cb};
    }

    private void handshake(LinkMachine a, LinkMachine b) {
        boolean aUp = false;
        boolean bUp = false;
        for (int i = 0; i < 20 && !(aUp && bUp); i++) {
            Change[] c = tick(a, true, b, true);
            aUp |= c[0] == Change.UP;
            bUp |= c[1] == Change.UP;
        }
        assertTrue(aUp && bUp, "both sides reached RUN: " + a.state() + "/" + b.state());
        assertEquals(LinkState.RUN.code, dev.status());
        assertEquals(LinkState.RUN.code, drv.status());
    }

    @Test
    void bothSidesGoThroughInitAndReadyToRun() {
        LinkMachine d = device();
        LinkMachine r = driver();
        d.start();
        assertEquals(LinkState.INIT.code, dev.status());
        assertEquals(ShmemLayout.QUEUE_HEAD_MAGIC, dev.magic());
        tick(d, true, r, false);
        tick(d, true, r, false);
        assertEquals(LinkState.INIT, d.state(), "no peer magic yet: device waits in INIT");
        r.start();
        handshake(d, r);
        assertEquals(d.epoch(), r.peerEpoch());
        assertEquals(r.epoch(), d.peerEpoch());
        assertEquals(0, dev.tail());
        assertEquals(0, drv.head());
    }

    @Test
    void aStaleHeadWithoutHeartbeatIsNotAPeer() {
        // What a killed driver leaves: RUN, an old epoch, a heartbeat that never moves.
        drv.setMagic(ShmemLayout.QUEUE_HEAD_MAGIC);
        drv.setStatus(LinkState.RUN);
        drv.setEpoch(0x77);
        drv.setTail(5);
        LinkMachine d = device();
        d.start();
        for (int i = 0; i < 100; i++) {
            assertEquals(Change.NONE, d.step(now += 10_000_000L));
        }
        assertEquals(LinkState.INIT, d.state());
    }

    @Test
    void aPeerRestartIsANewEpochAndTheIndicesStartAgain() {
        LinkMachine d = device();
        LinkMachine r = driver();
        d.start();
        r.start();
        handshake(d, r);
        int oldDriverEpoch = r.epoch();
        dev.setTail(3); // device had sent three elements
        drv.setHead(3);
        LinkMachine restarted = driver();
        restarted.start();
        Change[] c = tick(d, true, restarted, true);
        assertEquals(Change.DOWN, c[0]);
        assertTrue(d.downReason().contains("restarted") || d.downReason().contains("INIT"), d.downReason());
        assertEquals(LinkState.INIT, d.state(), "the survivor starts a new epoch too");
        handshake(d, restarted);
        assertNotEquals(oldDriverEpoch, restarted.epoch());
        assertEquals(0, dev.tail(), "device tail reset for the new epoch");
        assertEquals(0, drv.head(), "driver head reset for the new epoch");
    }

    @Test
    void silenceBeyondTheTimeoutIsPeerDeadThenAPausedPeerResumingReHandshakes() {
        LinkMachine d = device();
        LinkMachine r = driver();
        d.start();
        r.start();
        handshake(d, r);
        int deviceEpoch = d.epoch();
        int driverEpoch = r.epoch();
        Change down = Change.NONE;
        int ticks = 0;
        while (down == Change.NONE && ticks < 200) {
            down = tick(d, false, r, true)[1]; // the device is SIGSTOPped
            ticks++;
        }
        assertEquals(Change.DOWN, down);
        assertTrue(r.downReason().contains("no heartbeat"), r.downReason());
        assertTrue(ticks * 10 >= TIMEOUT_MS && ticks * 10 <= TIMEOUT_MS + 50, "declared dead after " + ticks * 10 + " ms");
        assertEquals(LinkState.PEER_DEAD.code, drv.status());
        for (int i = 0; i < 5; i++) {
            tick(d, false, r, true);
        }
        assertEquals(LinkState.PEER_DEAD, r.state(), "waits while the peer stays silent");
        // SIGCONT: the device's first step sees PEER_DEAD and must not resume.
        Change resumed = tick(d, true, r, true)[0];
        assertEquals(Change.DOWN, resumed);
        assertTrue(d.downReason().contains("declared this side dead"), d.downReason());
        handshake(d, r);
        assertNotEquals(deviceEpoch, d.epoch(), "the resumed side runs a new epoch");
        assertNotEquals(driverEpoch, r.epoch(), "the surviving side runs a new epoch");
    }

    @Test
    void gracefulShutdownTakesTheLinkDownAndTheSurvivorWaitsForANewPeer() {
        LinkMachine d = device();
        LinkMachine r = driver();
        d.start();
        r.start();
        handshake(d, r);
        r.shutdown();
        assertEquals(Change.DOWN, d.step(now += 10_000_000L));
        assertTrue(d.downReason().contains("shut down"));
        for (int i = 0; i < 50; i++) {
            assertEquals(Change.NONE, tick(d, true, r, false)[0]);
        }
        assertEquals(LinkState.INIT, d.state());
    }

    @Test
    void aLocalFailureLeavesRunAsANewEpoch() {
        LinkMachine d = device();
        LinkMachine r = driver();
        d.start();
        r.start();
        handshake(d, r);
        int e = d.epoch();
        assertEquals(Change.DOWN, d.fail("garbage"));
        assertNotEquals(e, d.epoch());
        assertEquals(Change.DOWN, r.step(now += 10_000_000L), "the peer sees the new epoch");
        handshake(d, r);
    }

    @Test
    void anUnknownPeerStatusTakesTheLinkDown() {
        LinkMachine d = device();
        LinkMachine r = driver();
        d.start();
        r.start();
        handshake(d, r);
        mem.putShort((int) layout.drvHead() + 2, (short) 0x1F);
        assertEquals(Change.DOWN, d.step(now += 10_000_000L));
        assertTrue(d.downReason().contains("not a known state"), d.downReason());
    }
}
