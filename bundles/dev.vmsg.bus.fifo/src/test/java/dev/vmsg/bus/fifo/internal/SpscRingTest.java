package dev.vmsg.bus.fifo.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** One direction of the link over a layout in memory: wrap-around, full ring, garbage from the peer. */
class SpscRingTest {

    private static final int COUNT = 8;
    private static final int SIZE = 64;

    private final ShmemLayout layout = ShmemLayout.deviceDefault(SIZE, COUNT);
    // Exactly the layout's size: an out-of-bounds read throws instead of reading neighbours.
    private final ByteBuffer mem = ByteBuffer.allocateDirect((int) layout.fileSize()).order(ByteOrder.LITTLE_ENDIAN);
    private final QueueHead dev;
    private final QueueHead drv;

    SpscRingTest() {
        layout.writeTo(mem);
        dev = new QueueHead(mem, layout.devHead(), ShmemLayout.devLiveness());
        drv = new QueueHead(mem, layout.drvHead(), ShmemLayout.drvLiveness());
    }

    private SpscRing.Producer producer() {
        return new SpscRing.Producer(mem, layout.drvQueue(), COUNT, SIZE, drv, dev);
    }

    private SpscRing.Consumer consumer() {
        return new SpscRing.Consumer(mem, layout.drvQueue(), COUNT, SIZE, 8, 6, dev, drv);
    }

    /** A REV1-shaped frame: msg_size at offset 6, then a counter payload. */
    private static ByteBuffer frame(int msgSize, int value) {
        ByteBuffer f = ByteBuffer.allocate(msgSize).order(ByteOrder.LITTLE_ENDIAN);
        f.put(0, (byte) 0).put(1, (byte) 0x41).putShort(6, (short) msgSize);
        if (msgSize >= 12) {
            f.putInt(8, value);
        }
        return f;
    }

    @Test
    void framesWrapAroundTheRingInOrder() throws Exception {
        SpscRing.Producer p = producer();
        SpscRing.Consumer c = consumer();
        ByteBuffer into = ByteBuffer.allocate(SIZE).order(ByteOrder.LITTLE_ENDIAN);
        int next = 0;
        for (int round = 0; round < 5 * COUNT; round++) {
            int batch = 1 + round % (COUNT - 1);
            for (int i = 0; i < batch; i++) {
                ByteBuffer f = frame(12 + (round + i) % 40, round * 100 + i);
                assertTrue(p.offer(f), "room for " + batch + " frames");
                assertEquals(0, f.position(), "offer leaves the frame's position alone");
            }
            for (int i = 0; i < batch; i++) {
                int len = c.poll(into);
                assertEquals(12 + (round + i) % 40, len);
                assertEquals(round * 100 + i, into.getInt(8));
                next++;
            }
            assertEquals(SpscRing.Consumer.EMPTY, c.poll(into));
        }
        assertTrue(next > 2 * COUNT, "indices went round the ring several times");
    }

    @Test
    void aFullRingRefusesUntilTheConsumerFreesAnElement() throws Exception {
        SpscRing.Producer p = producer();
        SpscRing.Consumer c = consumer();
        for (int i = 0; i < COUNT - 1; i++) {
            assertTrue(p.offer(frame(16, i)));
        }
        assertFalse(p.offer(frame(16, 99)), "one element stays empty: " + (COUNT - 1) + " in flight at most");
        assertEquals(16, c.poll(ByteBuffer.allocate(SIZE)));
        assertTrue(p.offer(frame(16, 99)));
    }

    @Test
    void paddingAfterTheMessageIsZeroedWhenASlotIsReused() throws Exception {
        SpscRing.Producer p = producer();
        SpscRing.Consumer c = consumer();
        ByteBuffer junk = ByteBuffer.allocate(SIZE).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < SIZE; i++) {
            junk.put(i, (byte) 0x5A);
        }
        junk.putShort(6, (short) SIZE);
        ByteBuffer into = ByteBuffer.allocate(SIZE);
        assertTrue(p.offer(junk)); // slot 0
        assertEquals(SIZE, c.poll(into));
        for (int i = 1; i < COUNT; i++) {
            assertTrue(p.offer(frame(12, i))); // slots 1..COUNT-1
        }
        assertEquals(12, c.poll(into));
        assertTrue(p.offer(frame(12, 0)), "slot 0 again");
        int slot0 = (int) layout.drvQueue();
        assertEquals(12, mem.getShort(slot0 + 6));
        for (int i = 12; i < SIZE; i++) {
            assertEquals(0, mem.get(slot0 + i), "padding byte " + i + " of a reused slot");
        }
    }

    @Test
    void elementsWithImpossibleLengthsAreDroppedNotDelivered() throws Exception {
        SpscRing.Producer p = producer();
        SpscRing.Consumer c = consumer();
        ByteBuffer tooShort = frame(12, 1);
        tooShort.putShort(6, (short) 4);
        ByteBuffer tooLong = frame(12, 2);
        tooLong.putShort(6, (short) (SIZE + 1));
        p.offer(tooShort);
        p.offer(tooLong);
        p.offer(frame(20, 3));
        ByteBuffer into = ByteBuffer.allocate(SIZE).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(SpscRing.Consumer.BAD_LENGTH, c.poll(into));
        assertEquals(SpscRing.Consumer.BAD_LENGTH, c.poll(into));
        assertEquals(20, c.poll(into), "the ring stays in step after a bad element");
        assertEquals(3, into.getInt(8));
    }

    @Test
    void anIndexOutsideTheRingIsCorruption() {
        SpscRing.Consumer c = consumer();
        drv.setTail(COUNT);
        assertThrows(SpscRing.CorruptRingException.class, () -> c.poll(ByteBuffer.allocate(SIZE)));
        drv.setTail(0);
        dev.setHead(0xFFFF);
        SpscRing.Producer p = producer();
        // The producer reads the consumer's index when the ring looks full: by then at the latest.
        assertThrows(SpscRing.CorruptRingException.class, () -> {
            for (int i = 0; i < COUNT; i++) {
                p.offer(frame(12, i));
            }
        });
    }

    /**
     * Found by FifoLayoutFuzzTarget: a side's own index is read from the shared file when a link
     * starts; one outside the ring (a hostile peer's write, a stale file) is corruption, never an
     * element read or written outside the queue.
     */
    @Test
    void anOwnIndexOutsideTheRingInTheSharedFileIsCorruption() {
        dev.setHead(COUNT + 3);
        drv.setTail(1);
        SpscRing.Consumer c = consumer();
        assertThrows(SpscRing.CorruptRingException.class, () -> c.poll(ByteBuffer.allocate(SIZE)));
        drv.setTail(0xFFFF);
        SpscRing.Producer p = producer();
        assertThrows(SpscRing.CorruptRingException.class, () -> p.offer(frame(12, 1)));
    }

    /** Matrix row 18: random slot bytes and random indices; only typed outcomes, nothing out of bounds. */
    @Test
    void garbageSlotsAndIndicesNeverReadOutOfBounds() {
        long seed = System.nanoTime();
        SplittableRandom random = new SplittableRandom(seed);
        ByteBuffer into = ByteBuffer.allocate(SIZE);
        int delivered = 0;
        int bad = 0;
        int corrupt = 0;
        int queue = (int) layout.drvQueue();
        for (int frame = 0; frame < 100_000; frame++) {
            if (frame % 64 == 0) {
                for (int i = 0; i < COUNT * SIZE; i++) {
                    mem.put(queue + i, (byte) random.nextInt());
                }
            }
            int tail = random.nextInt(8) == 0 ? random.nextInt(0x10000) : random.nextInt(COUNT);
            drv.setTail(tail);
            dev.setHead(random.nextInt(COUNT));
            SpscRing.Consumer c = consumer();
            try {
                int len = c.poll(into);
                if (len > 0) {
                    delivered++;
                    if (len < 8 || len > SIZE || into.limit() != len) {
                        fail("seed " + seed + ": delivered a frame of impossible length " + len);
                    }
                } else if (len == SpscRing.Consumer.BAD_LENGTH) {
                    bad++;
                }
            } catch (SpscRing.CorruptRingException e) {
                corrupt++;
                if (tail < COUNT) {
                    fail("seed " + seed + ": index " + tail + " inside the ring was called corrupt");
                }
            } catch (RuntimeException e) {
                throw new AssertionError("seed " + seed + ": untyped failure on garbage", e);
            }
        }
        assertTrue(delivered > 0 && bad > 0 && corrupt > 0,
                "seed " + seed + ": every outcome was exercised: " + delivered + "/" + bad + "/" + corrupt);
    }
}
