package dev.vmsg.bus.loopback.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

class FrameRingTest {

    private static ByteBuffer frame(int producer, int seq, int length) {
        ByteBuffer b = ByteBuffer.allocate(length).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        b.putInt(0, producer);
        b.putInt(4, seq);
        return b;
    }

    @Test
    void deliversFramesInOrderAcrossManyWrapArounds() {
        FrameRing ring = new FrameRing(4, 64);
        List<Integer> seen = new ArrayList<>();
        for (int i = 0; i < 10_000; i++) {
            assertTrue(ring.offer(frame(0, i, 8 + (i % 56))));
            if (i % 3 == 2) {
                ring.drain(b -> seen.add(b.getInt(4)), 16);
            }
        }
        ring.drain(b -> seen.add(b.getInt(4)), 16);
        assertEquals(10_000, seen.size());
        for (int i = 0; i < seen.size(); i++) {
            assertEquals(i, seen.get(i));
        }
    }

    @Test
    void fullRingRefusesWithoutWritingAndFreesSlotsAsTheyAreDrained() {
        FrameRing ring = new FrameRing(2, 16);
        assertTrue(ring.offer(frame(0, 1, 8)));
        assertTrue(ring.offer(frame(0, 2, 8)));
        assertFalse(ring.offer(frame(0, 3, 8)));
        List<Integer> seen = new ArrayList<>();
        assertEquals(1, ring.drain(b -> seen.add(b.getInt(4)), 1));
        assertTrue(ring.offer(frame(0, 3, 8)));
        ring.drain(b -> seen.add(b.getInt(4)), 8);
        assertEquals(List.of(1, 2, 3), seen);
    }

    @Test
    void frameLargerThanASlotIsRefused() {
        FrameRing ring = new FrameRing(2, 16);
        assertThrows(IllegalArgumentException.class, () -> ring.offer(ByteBuffer.allocate(17)));
    }

    @Test
    void deliveredViewHasTheFrameLengthAndIsReadOnly() {
        FrameRing ring = new FrameRing(2, 64);
        ring.offer(frame(7, 9, 12));
        ring.drain(b -> {
            assertEquals(12, b.remaining());
            assertTrue(b.isReadOnly());
        }, 1);
    }

    @Test
    void concurrentProducersLoseNothingAndKeepTheirOwnOrder() throws Exception {
        FrameRing ring = new FrameRing(64, 16);
        int producers = 3;
        int perProducer = 50_000;
        CountDownLatch go = new CountDownLatch(1);
        List<Thread> threads = new ArrayList<>();
        for (int p = 0; p < producers; p++) {
            int id = p;
            Thread t = new Thread(() -> {
                try {
                    go.await();
                } catch (InterruptedException e) {
                    return;
                }
                for (int i = 0; i < perProducer; i++) {
                    ByteBuffer f = frame(id, i, 8);
                    while (!ring.offer(f)) {
                        Thread.onSpinWait();
                    }
                }
            });
            t.start();
            threads.add(t);
        }
        int[] next = new int[producers];
        int[] total = {0};
        go.countDown();
        while (total[0] < producers * perProducer) {
            ring.drain(b -> {
                int p = b.getInt(0);
                assertEquals(next[p], b.getInt(4), "producer " + p + " out of order");
                next[p]++;
                total[0]++;
            }, 64);
        }
        for (Thread t : threads) {
            t.join(10_000);
        }
        for (int p = 0; p < producers; p++) {
            assertEquals(perProducer, next[p]);
        }
        assertFalse(ring.hasFrame());
    }
}
