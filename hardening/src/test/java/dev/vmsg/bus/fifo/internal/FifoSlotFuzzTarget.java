package dev.vmsg.bus.fifo.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.util.ArrayList;
import java.util.List;
import dev.vmsg.hardening.SeedWriter;
import dev.vmsg.hardening.Corpus;
import org.junit.jupiter.api.Test;
import dev.vmsg.hardening.FuzzInput;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * HARDENING row 18 by fuzzing: the FIFO ring's slot decoder and index handling against a peer that
 * writes garbage slot bytes, bad msg_size fields and bad indices, while this side polls and offers.
 * The memory is exactly the layout's size, so any read or write past it throws.
 *
 * <p>Oracle: a poll yields EMPTY, BAD_LENGTH or a frame of msg_size bytes within [header size,
 * element size] that equals the slot's first bytes; {@link SpscRing.CorruptRingException} only for
 * an index outside the ring; an offer is refused only when the ring looks full; nothing else
 * escapes.
 */
class FifoSlotFuzzTarget {

    @FuzzTest(maxDuration = "30s")
    void slots(byte[] bytes) {
        FuzzInput in = new FuzzInput(bytes);
        int count = 2 + in.u8() % 15;
        int size = 1 + in.u8();
        boolean rfc2 = in.bool();
        int headerSize = rfc2 ? 6 : 8;
        int msgSizeOffset = rfc2 ? 4 : 6;
        ShmemLayout layout = ShmemLayout.deviceDefault(size, count);
        ByteBuffer mem = ByteBuffer.allocateDirect((int) layout.fileSize()).order(ByteOrder.LITTLE_ENDIAN);
        layout.writeTo(mem);
        QueueHead dev = new QueueHead(mem, layout.devHead(), ShmemLayout.devLiveness());
        QueueHead drv = new QueueHead(mem, layout.drvHead(), ShmemLayout.drvLiveness());
        int queue = (int) layout.drvQueue();
        SpscRing.Consumer c = new SpscRing.Consumer(mem, queue, count, size, headerSize, msgSizeOffset, dev, drv);
        SpscRing.Producer p = new SpscRing.Producer(mem, layout.devQueue(), count, size, dev, drv);
        ByteBuffer into = ByteBuffer.allocate(size);
        for (int step = 0; step < 128 && in.hasMore(); step++) {
            try {
                switch (in.u8() % 5) {
                    case 0 -> {
                        int slot = in.u8() % count;
                        byte[] b = in.bytes(size);
                        mem.put(queue + slot * size, b);
                        if (b.length >= msgSizeOffset + 2 && in.bool()) {
                            mem.putShort(queue + slot * size + msgSizeOffset, (short) (headerSize + in.u8() % size));
                        }
                    }
                    case 1 -> drv.setTail(in.u8() % 4 == 0 ? in.u16() : in.u8() % count);
                    case 2 -> drv.setHead(in.u8() % 4 == 0 ? in.u16() : in.u8() % count);
                    case 3 -> poll(c, mem, queue, size, headerSize, dev, count, into);
                    default -> {
                        byte[] f = new byte[in.u8() % (size + 1)];
                        p.offer(ByteBuffer.wrap(f));
                    }
                }
            } catch (SpscRing.CorruptRingException e) {
                assertTrue(drv.tail() >= count || drv.head() >= count, "corrupt with indices in range: " + e.getMessage());
                return;
            }
        }
    }

    private static void poll(SpscRing.Consumer c, ByteBuffer mem, int queue, int size, int headerSize, QueueHead own,
            int count, ByteBuffer into) throws SpscRing.CorruptRingException {
        int slot = own.head();
        byte[] before = new byte[size];
        mem.get(queue + slot * size, before);
        int n = c.poll(into);
        if (n == SpscRing.Consumer.EMPTY || n == SpscRing.Consumer.BAD_LENGTH) {
            return;
        }
        assertTrue(n >= headerSize && n <= size, "frame of " + n + " bytes from " + size + "-byte slots");
        assertEquals(n, into.limit());
        byte[] got = new byte[n];
        into.get(0, got);
        assertArrayEquals(Arrays.copyOf(before, n), got, "the frame is the slot's bytes");
        assertEquals((slot + 1) % count, own.head(), "the consumer index moved by one");
    }

    /** Seeds: frames offered and polled across wrap-around, in both header shapes. */
    static List<byte[]> seeds() {
        List<byte[]> seeds = new ArrayList<>();
        for (int rfc2 = 0; rfc2 < 2; rfc2++) {
            SeedWriter w = new SeedWriter().u8(6).u8(63).u8(rfc2);
            for (int i = 0; i < 10; i++) {
                int slot = i % 8;
                byte[] frame = new byte[16];
                frame[rfc2 == 1 ? 4 : 6] = 16;
                frame[1] = 0x41;
                w.u8(0).u8(slot).bytes(frame).u8(0);
                w.u8(1).u8(1).u8((slot + 1) % 8);
                w.u8(3);
                w.u8(4).u8(12);
            }
            seeds.add(w.toByteArray());
        }
        return seeds;
    }

    @Test
    void seedsAreCommitted() {
        Corpus.check(getClass(), "slots", seeds());
    }
}
