package dev.vmsg.bus.fifo.linuxuser;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vmsg.bus.fifo.internal.SharedFile;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The spsc_queue file layout byte by byte: what {@link SpscQueue} writes is read back by
 * {@link QueueFileReader} (ordinary file reads at the offsets of the layout), and what that plain
 * writer puts in a file is what {@link SpscQueue} reads. Wrap at the capacity, indices out of range
 * reduced modulo the capacity, the one-empty-slot full condition, and leftovers skipped without
 * resetting an index.
 */
class SpscQueueTest {

    @TempDir
    Path dir;

    private Path file;
    private SpscQueue queue;
    private QueueFileReader plain;

    @BeforeEach
    void map() throws IOException {
        file = dir.resolve("queue-t-driver");
        queue = new SpscQueue(SharedFile.openOrCreate(file, SpscQueue.FILE_SIZE).memory());
        plain = new QueueFileReader(file);
    }

    private static byte[] message(int tag, int length) {
        byte[] m = new byte[length];
        for (int i = 0; i < length; i++) {
            m[i] = (byte) (tag + i);
        }
        m[6] = (byte) length;
        m[7] = 0;
        return m;
    }

    private byte[] pollOne() {
        ByteBuffer dst = ByteBuffer.allocate(48);
        assertTrue(queue.poll(dst, 48), "a message was expected");
        return Arrays.copyOf(dst.array(), dst.limit());
    }

    @Test
    void layoutConstantsAreQemus() {
        assertEquals(262_272L, SpscQueue.FILE_SIZE);
        assertEquals(128 + 64 * 4096, SpscQueue.FILE_SIZE);
        assertEquals(0, SpscQueue.HEAD);
        assertEquals(64, SpscQueue.TAIL);
        assertEquals(128, SpscQueue.SLOTS);
    }

    @Test
    void producedMessageSitsInSlotZeroWithHeadOne() throws IOException {
        byte[] m = message(0x10, 48);
        assertTrue(queue.offer(ByteBuffer.wrap(m)));
        assertEquals(1, plain.head());
        assertEquals(0, plain.tail());
        byte[] slot = plain.slot(0);
        assertArrayEquals(m, Arrays.copyOf(slot, 48));
        assertArrayEquals(new byte[16], Arrays.copyOfRange(slot, 48, 64), "the slot is zero-padded to 64 bytes");
        assertEquals(48, QueueFileReader.msgSize(slot));
        assertArrayEquals(new byte[64], plain.slot(1), "nothing is written past the one slot");
    }

    @Test
    void shorterMessageIsZeroPaddedOverLeftovers() throws IOException {
        plain.putSlot(0, message(0x55, 64));
        byte[] m = message(0x20, 12);
        assertTrue(queue.offer(ByteBuffer.wrap(m)));
        byte[] slot = plain.slot(0);
        assertArrayEquals(m, Arrays.copyOf(slot, 12));
        assertArrayEquals(new byte[52], Arrays.copyOfRange(slot, 12, 64));
    }

    @Test
    void plainWriterIsReadAndTailAdvances() throws IOException {
        byte[] m = message(0x30, 48);
        plain.putSlot(0, m);
        plain.setHead(1);
        assertEquals(1, queue.pending());
        assertArrayEquals(m, pollOne());
        assertEquals(1, plain.tail(), "the consumer publishes tail = 1");
        assertFalse(queue.poll(ByteBuffer.allocate(48), 48), "empty once head == tail");
    }

    @Test
    void indicesWrapAtTheCapacity() throws IOException {
        plain.setHead(4095);
        plain.setTail(4095);
        byte[] a = message(1, 16);
        byte[] b = message(2, 16);
        assertTrue(queue.offer(ByteBuffer.wrap(a)));
        assertEquals(0, plain.head(), "head wraps to 0 after slot 4095, it does not run free");
        assertTrue(queue.offer(ByteBuffer.wrap(b)));
        assertEquals(1, plain.head());
        assertArrayEquals(a, Arrays.copyOf(plain.slot(4095), 16));
        assertArrayEquals(b, Arrays.copyOf(plain.slot(0), 16));
        assertArrayEquals(Arrays.copyOf(a, 48), pollOne());
        assertEquals(0, plain.tail());
        assertArrayEquals(Arrays.copyOf(b, 48), pollOne());
        assertEquals(1, plain.tail());
    }

    @Test
    void outOfRangeIndicesAreReducedModuloTheCapacity() throws IOException {
        plain.setHead(4096 + 10);
        plain.setTail(4096 + 10);
        assertEquals(10, queue.head());
        assertEquals(10, queue.tail());
        assertTrue(queue.offer(ByteBuffer.wrap(message(3, 16))));
        assertEquals(11, plain.head(), "the next index is written reduced");
        assertArrayEquals(Arrays.copyOf(message(3, 16), 16), Arrays.copyOf(plain.slot(10), 16));

        plain.setHead(0xFFFF_FFFFL);
        assertEquals(4095, queue.head(), "u32 0xFFFFFFFF is 4095 modulo 4096 (unsigned)");
    }

    @Test
    void fullAfterCapacityMinusOneMessages() throws IOException {
        byte[] m = message(4, 8);
        for (int i = 0; i < 4095; i++) {
            assertTrue(queue.offer(ByteBuffer.wrap(m)), "offer " + i);
        }
        assertFalse(queue.offer(ByteBuffer.wrap(m)), "one slot always stays empty");
        assertEquals(4095, queue.pending());
        assertEquals(4095, plain.head());
        pollOne();
        assertTrue(queue.offer(ByteBuffer.wrap(m)), "room again once the consumer moved");
        assertEquals(0, plain.head());
    }

    @Test
    void leftoversAreSkippedWithoutResettingIndices() throws IOException {
        plain.setHead(1234);
        plain.setTail(1234);
        for (int k = 0; k < 3; k++) {
            plain.putSlot(1234 + k, message(k, 16));
        }
        plain.setHead(1237);
        assertEquals(3, queue.skipPending());
        assertEquals(1237, plain.tail());
        assertEquals(1237, plain.head());
        assertFalse(queue.poll(ByteBuffer.allocate(48), 48));
        assertTrue(queue.offer(ByteBuffer.wrap(message(9, 16))));
        assertEquals(1238, plain.head(), "producing goes on from the index found, not from 0");
    }

    @Test
    void oversizedMessageIsRefusedBeforeAnyWrite() throws IOException {
        assertThrows(IllegalArgumentException.class, () -> queue.offer(ByteBuffer.allocate(65)));
        assertEquals(0, plain.head());
        assertTrue(Files.size(file) == SpscQueue.FILE_SIZE);
    }
}
