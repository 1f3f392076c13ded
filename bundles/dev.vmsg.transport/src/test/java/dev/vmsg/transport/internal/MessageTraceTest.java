package dev.vmsg.transport.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vmsg.admin.TraceRecord;
import dev.vmsg.wire.Header;
import java.nio.ByteBuffer;
import java.util.List;
import org.junit.jupiter.api.Test;

class MessageTraceTest {

    private static ByteBuffer frame(int n) {
        return ByteBuffer.wrap(new byte[] {(byte) n, 1, 2, 3});
    }

    @Test
    void ringKeepsOnlyTheLastCapacityMessagesOldestFirst() {
        MessageTrace t = new MessageTrace(4, "REV1");
        for (int i = 0; i < 10; i++) {
            t.record(i % 2 == 0 ? "driver" : "device", i % 2 == 0, frame(i), new Header(0, 2, 0, i, 4), "m" + i);
        }
        assertEquals(10, t.recorded());
        List<TraceRecord> all = t.last(100);
        assertEquals(List.of(6L, 7L, 8L, 9L), all.stream().map(TraceRecord::sequence).toList());
        assertEquals(List.of("m8", "m9"), t.last(2).stream().map(TraceRecord::decoded).toList());
        assertEquals(List.of(), t.last(0));
        TraceRecord r = all.get(3);
        assertEquals("device", r.side());
        assertEquals(false, r.outbound());
        assertEquals("REV1", r.profile());
        assertEquals(9, r.header().token());
        assertArrayEquals(new byte[] {9, 1, 2, 3}, r.frame());
    }

    @Test
    void recordCopiesTheFrameWithoutMovingTheCallersBuffer() {
        MessageTrace t = new MessageTrace(2, "RFC2");
        ByteBuffer f = ByteBuffer.wrap(new byte[] {9, 8, 7, 6, 5});
        f.position(1);
        t.record("driver", true, f, null, "dropped: malformed");
        assertEquals(1, f.position(), "position untouched");
        f.put(1, (byte) 0);
        TraceRecord r = t.last(1).get(0);
        assertArrayEquals(new byte[] {8, 7, 6, 5}, r.frame(), "a copy of position..limit");
        assertEquals(null, r.header());
    }

    @Test
    void timesAreWallClockNanosAndNonDecreasingOnOneThread() {
        long before = System.currentTimeMillis() * 1_000_000L;
        MessageTrace t = new MessageTrace(8, "REV1");
        for (int i = 0; i < 8; i++) {
            t.record("driver", true, frame(i), null, "x");
        }
        List<TraceRecord> rs = t.last(8);
        long after = (System.currentTimeMillis() + 1) * 1_000_000L;
        for (int i = 0; i < rs.size(); i++) {
            long time = rs.get(i).epochNanos();
            assertTrue(time >= before - 1_000_000 && time <= after, "time " + time);
            if (i > 0) {
                assertTrue(time >= rs.get(i - 1).epochNanos());
            }
        }
    }

    @Test
    void capacityIsBounded() {
        assertThrows(IllegalArgumentException.class, () -> new MessageTrace(0, "REV1"));
        assertThrows(IllegalArgumentException.class, () -> new MessageTrace(MessageTrace.MAX_CAPACITY + 1, "REV1"));
    }
}
