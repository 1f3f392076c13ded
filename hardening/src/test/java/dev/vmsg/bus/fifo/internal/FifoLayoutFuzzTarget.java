package dev.vmsg.bus.fifo.internal;

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

/**
 * HARDENING row 18 by fuzzing: the FIFO bus's shared-memory layout parser ("vmamp_shmem" header,
 * spec 6.3) on a region whose bytes the peer wrote. The input is the region size and its first
 * bytes (the rest stays zero).
 *
 * <p>Oracle: {@link ShmemLayout#read} returns a layout or throws {@link LayoutException}; an
 * accepted layout's queue heads and queues lie inside the region and do not overlap, and the
 * rings built on it (as the endpoint builds them) only ever report {@link
 * SpscRing.CorruptRingException} for garbage indices, never read or write outside the region.
 */
class FifoLayoutFuzzTarget {

    @FuzzTest(maxDuration = "30s")
    void parse(byte[] bytes) {
        FuzzInput in = new FuzzInput(bytes);
        int regionSize = 64 + in.u16() % (64 * 1024);
        byte[] head = in.bytes(4096);
        ByteBuffer mem = ByteBuffer.allocateDirect(regionSize).order(ByteOrder.LITTLE_ENDIAN);
        mem.put(0, head, 0, Math.min(head.length, regionSize));
        ShmemLayout l;
        try {
            l = ShmemLayout.read(mem, regionSize);
        } catch (LayoutException rejected) {
            return;
        }
        long q = l.queueBytes();
        assertTrue(inside(l.devHead(), ShmemLayout.QUEUE_HEAD_SIZE, regionSize), "device head " + l);
        assertTrue(inside(l.drvHead(), ShmemLayout.QUEUE_HEAD_SIZE, regionSize), "driver head " + l);
        assertTrue(inside(l.devQueue(), q, regionSize), "device queue " + l);
        assertTrue(inside(l.drvQueue(), q, regionSize), "driver queue " + l);
        assertTrue(l.devQueue() + q <= l.drvQueue() || l.drvQueue() + q <= l.devQueue(), "queues overlap " + l);
        QueueHead dev = new QueueHead(mem, l.devHead(), ShmemLayout.devLiveness());
        QueueHead drv = new QueueHead(mem, l.drvHead(), ShmemLayout.drvLiveness());
        SpscRing.Consumer c = new SpscRing.Consumer(mem, l.drvQueue(), l.elementCount(), l.elementSize(), 8, 6, dev, drv);
        SpscRing.Producer p = new SpscRing.Producer(mem, l.devQueue(), l.elementCount(), l.elementSize(), dev, drv);
        ByteBuffer into = ByteBuffer.allocate(l.elementSize());
        byte[] frame = new byte[Math.min(l.elementSize(), 64)];
        for (int i = 0; i < 8; i++) {
            try {
                c.poll(into);
                p.offer(ByteBuffer.wrap(frame));
            } catch (SpscRing.CorruptRingException typed) {
                return;
            }
        }
    }

    private static boolean inside(long offset, long length, long size) {
        return offset > 0 && offset <= size && length <= size - offset;
    }

    /** Seeds: the layouts the device side builds, for a few element geometries. */
    static List<byte[]> seeds() {
        List<byte[]> seeds = new ArrayList<>();
        for (int[] g : new int[][] {{64, 8}, {264, 16}, {8, 2}, {512, 32}}) {
            ShmemLayout l = ShmemLayout.deviceDefault(g[0], g[1]);
            ByteBuffer mem = ByteBuffer.allocate((int) l.fileSize()).order(ByteOrder.LITTLE_ENDIAN);
            l.writeTo(mem);
            byte[] head = new byte[256];
            mem.get(0, head);
            seeds.add(new SeedWriter().u16((int) l.fileSize() - 64).bytes(head).toByteArray());
        }
        return seeds;
    }

    @Test
    void seedsAreCommitted() {
        Corpus.check(getClass(), "parse", seeds());
    }
}
