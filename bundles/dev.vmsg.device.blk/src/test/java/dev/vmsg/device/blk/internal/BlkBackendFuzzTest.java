package dev.vmsg.device.blk.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.vmsg.virtqueue.BufferSegment;
import dev.vmsg.virtqueue.DriverVirtqueue;
import dev.vmsg.virtqueue.VirtqueueException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Structured fuzzing of the blk device model (HARDENING row 12): random descriptor layouts and
 * random request sequences posted on a real ring over a file-backed store. Only typed errors may
 * escape, every head comes back exactly once, status bytes hold only defined values, and no store
 * access leaves the image (the file keeps its size; a neighbour file is untouched). Bounded to a
 * few seconds; the seed is printed on failure. Coverage-guided fuzzing (Jazzer) comes with the
 * hardening work.
 */
class BlkBackendFuzzTest {

    static final int SECTORS = 256;
    static final long BUDGET_NANOS = 3_000_000_000L;

    @TempDir
    Path dir;

    @Test
    void randomChainsGetTypedAnswersAndStayInsideTheImage() throws Exception {
        long seed = Long.getLong("blk.fuzz.seed", System.nanoTime());
        try {
            run(seed);
        } catch (Throwable t) {
            throw new AssertionError("fuzz failed with seed " + seed + " (rerun with -Dblk.fuzz.seed=" + seed + ")", t);
        }
    }

    private void run(long seed) throws Exception {
        SplittableRandom rnd = new SplittableRandom(seed);
        Path img = dir.resolve("fuzz.img");
        Path neighbour = dir.resolve("neighbour.img");
        Files.write(neighbour, new byte[4096]);
        RecordingStore store = new RecordingStore(FileBlockStore.open(img, false, SECTORS * 512L));
        BlkSettings settings = new BlkSettings(2, 64, rnd.nextBoolean() && rnd.nextBoolean(), "fuzz", 512, 8192, 4,
                64, 3, 64, 3);
        BlkRig rig = new BlkRig(store, settings, 1 << 20);
        long deadline = System.nanoTime() + BUDGET_NANOS;
        long chains = 0;
        long rejectedByQueue = 0;
        int[] statusCounts = new int[3];
        while (System.nanoTime() < deadline && chains < 200_000) {
            int q = rnd.nextInt(2);
            DriverVirtqueue d = rig.drivers.get(q);
            // A batch of chains in flight at once, then one notification.
            int batch = 1 + rnd.nextInt(6);
            Map<Integer, long[]> posted = new HashMap<>();
            for (int i = 0; i < batch; i++) {
                Chain c = randomChain(rnd, rig);
                try {
                    int head = d.add(c.readable, c.writable, i);
                    posted.put(head, new long[] {c.statusAddress, c.writableBytes});
                } catch (VirtqueueException full) {
                    break;
                }
            }
            rejectedByQueue += rig.serve(q);
            for (DriverVirtqueue.Completion u = d.poll(); u != null; u = d.poll()) {
                long[] p = posted.remove(u.head());
                if (p == null) {
                    fail("head " + u.head() + " returned twice or never posted");
                }
                if (u.length() > 0 && p[0] >= 0) {
                    int s = rig.status(p[0]);
                    assertTrue(s <= 2, "status byte holds " + s);
                    statusCounts[s]++;
                }
                assertTrue(Integer.toUnsignedLong(u.length()) <= p[1], "used length over what was writable");
                chains++;
            }
            assertTrue(posted.isEmpty(), "heads not returned: " + posted.keySet());
            rig.freeAll();
        }
        assertNull(store.outside, "store access outside the image");
        assertEquals(SECTORS * 512L, Files.size(img), "the image keeps its size");
        assertEquals(4096, Files.size(neighbour));
        assertTrue(chains > 1000, "only " + chains + " chains in the budget");
        assertTrue(statusCounts[0] > 0 && statusCounts[1] > 0 && statusCounts[2] > 0,
                "every status seen: ok " + statusCounts[0] + ", ioerr " + statusCounts[1] + ", unsupp " + statusCounts[2]);
        System.out.println("blk fuzz seed " + seed + ": " + chains + " chains, " + rejectedByQueue
                + " rejected by the queue, ok " + statusCounts[0] + ", ioerr " + statusCounts[1] + ", unsupp "
                + statusCounts[2]);
    }

    private record Chain(BufferSegment[] readable, BufferSegment[] writable, long statusAddress, long writableBytes) {
    }

    private static final int[] TYPES = {VirtioBlk.T_IN, VirtioBlk.T_OUT, VirtioBlk.T_FLUSH, VirtioBlk.T_GET_ID,
        VirtioBlk.T_DISCARD, VirtioBlk.T_WRITE_ZEROES};

    /** A request shaped mostly like a real one, with one or more things wrong at random. */
    private static Chain randomChain(SplittableRandom rnd, BlkRig rig) {
        int type = rnd.nextInt(10) == 0 ? rnd.nextInt() : TYPES[rnd.nextInt(TYPES.length)];
        long sector = switch (rnd.nextInt(6)) {
            case 0 -> rnd.nextLong();
            case 1 -> SECTORS - rnd.nextInt(4);
            case 2 -> -1L - rnd.nextInt(4);
            default -> rnd.nextInt(SECTORS);
        };
        int dataLen = switch (rnd.nextInt(5)) {
            case 0 -> rnd.nextInt(20_000);
            case 1 -> 0;
            default -> 512 * rnd.nextInt(1, 20);
        };
        byte[] body = new byte[16 + dataLen];
        java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(body).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        b.putInt(0, type).putInt(4, rnd.nextInt()).putLong(8, sector);
        if (type == VirtioBlk.T_DISCARD || type == VirtioBlk.T_WRITE_ZEROES) {
            for (int off = 16; off + 16 <= body.length; off += 16) {
                b.putLong(off, rnd.nextInt(4) == 0 ? rnd.nextLong() : rnd.nextInt(SECTORS));
                b.putInt(off + 8, rnd.nextInt(4) == 0 ? rnd.nextInt() : rnd.nextInt(80));
                b.putInt(off + 12, rnd.nextInt(5) == 0 ? rnd.nextInt(8) : 0);
            }
        } else {
            for (int i = 16; i < body.length; i += 97) {
                body[i] = (byte) rnd.nextInt();
            }
        }
        boolean deviceWrites = type == VirtioBlk.T_IN || type == VirtioBlk.T_GET_ID;
        // Bytes the device reads (header + data for writes) and writes (data for reads + status).
        int readLen = deviceWrites ? 16 : body.length;
        int writeLen = (deviceWrites ? dataLen : 0) + 1;
        if (rnd.nextInt(8) == 0) {
            readLen = rnd.nextInt(0, 17); // header cut short or missing
        }
        if (rnd.nextInt(10) == 0) {
            writeLen = 0; // status in a readable descriptor
        }
        long area = rig.alloc(Math.max(body.length, 16) + writeLen + 16, 0xEE);
        rig.window.write(area, body, 0, Math.min(body.length, readLen));
        long wArea = area + Math.max(body.length, 16);
        List<BufferSegment> r = split(rnd, area, readLen);
        List<BufferSegment> w = split(rnd, wArea, writeLen);
        if (r.isEmpty() && w.isEmpty()) {
            w.add(new BufferSegment(wArea, 1));
            writeLen = 1;
        }
        if (rnd.nextInt(12) == 0 && !w.isEmpty()) {
            // Header moved into the writable part.
            r.clear();
        }
        return new Chain(r.toArray(BufferSegment[]::new), w.toArray(BufferSegment[]::new),
                writeLen > 0 ? wArea + writeLen - 1 : -1, writeLen);
    }

    /** Cuts {@code [address, +length)} into 1..4 descriptors at random points. */
    private static List<BufferSegment> split(SplittableRandom rnd, long address, int length) {
        List<BufferSegment> out = new ArrayList<>();
        if (length == 0) {
            return out;
        }
        int pieces = 1 + rnd.nextInt(Math.min(4, length));
        int done = 0;
        for (int i = 0; i < pieces; i++) {
            int n = i == pieces - 1 ? length - done : 1 + rnd.nextInt(Math.max(1, (length - done) - (pieces - i - 1)));
            n = Math.min(n, length - done - (pieces - i - 1));
            out.add(new BufferSegment(address + done, n));
            done += n;
        }
        return out;
    }
}
