package dev.vmsg.device.net.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The learning switch alone: flooding, learning, filtering, moves, detaching, a full table, wake-ups per batch. */
class L2SwitchTest {

    /** A receive side that keeps what it gets and counts its wake-ups. */
    static final class Station implements NetReceiver {
        final List<byte[]> frames = new ArrayList<>();
        int wakes;
        boolean refuse;

        @Override
        public boolean deliver(ByteBuffer frame) {
            if (refuse) {
                return false;
            }
            byte[] c = new byte[frame.remaining()];
            frame.duplicate().get(c);
            frames.add(c);
            return true;
        }

        @Override
        public void wake() {
            wakes++;
        }
    }

    final L2Switch sw = new L2Switch("t", 3);
    final Station sa = new Station();
    final Station sb = new Station();
    final Station sc = new Station();
    final SwitchPort pa = sw.attach(sa);
    final SwitchPort pb = sw.attach(sb);
    final SwitchPort pc = sw.attach(sc);

    static ByteBuffer frame(long dst, long src) {
        return ByteBuffer.wrap(Frames.sized(dst, src, 60, 0));
    }

    @Test
    void unknownAndGroupDestinationsFloodAndLearnedOnesDoNot() {
        pa.transmit(frame(0x0200_0000_000BL, 0x0200_0000_000AL));
        pa.flush();
        assertEquals(List.of(0, 1, 1), List.of(sa.frames.size(), sb.frames.size(), sc.frames.size()));
        assertEquals(1, pa.flooded.get());
        pb.transmit(frame(0x0200_0000_000AL, 0x0200_0000_000BL));
        pb.flush();
        assertEquals(List.of(1, 1, 1), List.of(sa.frames.size(), sb.frames.size(), sc.frames.size()), "learned: only A");
        pa.transmit(frame(0x0200_0000_000BL, 0x0200_0000_000AL));
        pa.flush();
        assertEquals(List.of(1, 2, 1), List.of(sa.frames.size(), sb.frames.size(), sc.frames.size()));
        pc.transmit(frame(Frames.BROADCAST, 0x0200_0000_000CL));
        pc.transmit(frame(0x0100_5E00_0001L, 0x0200_0000_000CL));
        pc.flush();
        assertEquals(List.of(3, 4, 1), List.of(sa.frames.size(), sb.frames.size(), sc.frames.size()));
        assertEquals(2, pc.flooded.get());
        assertEquals(3, sw.table().size());
        assertEquals(3, pa.toDevice.get());
        assertEquals(2, pa.fromDevice.get());
    }

    @Test
    void aFrameForItsOwnPortIsFilteredAndAMoveIsLearned() {
        pa.transmit(frame(0x0200_0000_000BL, 0x0200_0000_000AL));
        pa.transmit(frame(0x0200_0000_000DL, 0x0200_0000_000DL)); // D behind A now, and for D: same port
        pa.transmit(frame(0x0200_0000_000DL, 0x0200_0000_000AL)); // for D: same port
        assertEquals(2, pa.filtered.get());
        assertEquals(0, sb.frames.size() - 1, "B only got the first, flooded frame");
        pb.transmit(frame(0x0200_0000_000BL, 0x0200_0000_000DL)); // D moved behind B
        assertSame(pb, sw.table().lookup(0x0200_0000_000DL));
    }

    @Test
    void receiversAreWokenOncePerBatchAndRefusalsAreCounted() {
        for (int i = 0; i < 32; i++) {
            pa.transmit(frame(Frames.BROADCAST, 0x0200_0000_000AL));
        }
        assertEquals(0, sb.wakes, "no wake-up before the batch ends");
        pa.flush();
        assertEquals(1, sb.wakes);
        assertEquals(1, sc.wakes);
        sc.refuse = true;
        pa.transmit(frame(Frames.BROADCAST, 0x0200_0000_000AL));
        pa.flush();
        assertEquals(1, pc.toDeviceDropped.get());
        assertEquals(1, sc.wakes, "nothing delivered, nobody woken");
    }

    @Test
    void aFullTableLearnsNothingMoreAndDetachingForgets() {
        pa.transmit(frame(Frames.BROADCAST, 0x0200_0000_0001L));
        pa.transmit(frame(Frames.BROADCAST, 0x0200_0000_0002L));
        pb.transmit(frame(Frames.BROADCAST, 0x0200_0000_0003L));
        pc.transmit(frame(Frames.BROADCAST, 0x0200_0000_0004L));
        assertEquals(3, sw.table().size());
        assertNull(sw.table().lookup(0x0200_0000_0004L));
        int before = sb.frames.size();
        pa.transmit(frame(0x0200_0000_0004L, 0x0200_0000_0001L)); // unknown: flooded
        assertEquals(before + 1, sb.frames.size());
        pa.close();
        assertEquals(1, sw.table().size());
        assertEquals(2, sw.ports().length);
        int atA = sa.frames.size();
        pb.transmit(frame(Frames.BROADCAST, 0x0200_0000_0003L));
        assertEquals(atA, sa.frames.size(), "a detached port gets nothing");
        assertEquals(before + 1, sb.frames.size());
    }
}
