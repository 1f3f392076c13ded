package dev.vmsg.virtqueue;

import static dev.vmsg.virtqueue.VirtqDesc.F_INDIRECT;
import static dev.vmsg.virtqueue.VirtqDesc.F_NEXT;
import static dev.vmsg.virtqueue.VirtqDesc.F_WRITE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.vmsg.memory.DmaWindow;
import dev.vmsg.memory.GuardedWindow;
import java.nio.ByteBuffer;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * HARDENING matrix row 10, the descriptors: a hostile thread flips descriptor fields (main table
 * and an indirect table) while the device pops 100 000 chains. Only typed errors may escape, the
 * queue never breaks (the avail ring itself is left alone here; {@link DeviceVirtqueueRingFlipTest}
 * flips it), every rejected head comes back with length 0, what the device writes and reports
 * never exceeds the writable length of its private snapshot, and the guard zones around the window
 * stay intact.
 */
class DeviceVirtqueueDoubleFetchTest {
    static final long BASE = 0x4000_0000L;
    static final int WINDOW = 1 << 18;
    static final int SIZE = 8;
    static final long TABLE = BASE + 0x1000;
    static final long DATA = BASE + 0x10000;
    static final int CHAINS = 100_000;

    @Test
    void typedErrorsOnlyAndUsedLengthWithinTheSnapshotWhileDescriptorsAreFlipped() throws Exception {
        long seed = new SplittableRandom().nextLong();
        String why = "seed " + seed;
        GuardedWindow guarded = new GuardedWindow(BASE, WINDOW);
        DmaWindow window = guarded.window();
        VirtqueueAddresses addrs = SplitRing.contiguousLayout(BASE, SIZE);
        MockDriver driver = new MockDriver(window, SIZE, addrs);
        DeviceVirtqueue q = new DeviceVirtqueue(window, 0, SIZE, addrs, true, true, 8192);

        long popped = 0;
        long rejected = 0;
        ByteBuffer response = ByteBuffer.allocate(16384);
        try (HostileThread hostile = new HostileThread("hostile-driver", seed ^ 0x5DEECE66DL, 0, rnd -> {
                boolean indirect = rnd.nextInt(4) == 0;
                long at = indirect ? TABLE + 16L * rnd.nextInt(2) : addrs.descriptorAddr() + 16L * rnd.nextInt(SIZE);
                switch (rnd.nextInt(4)) {
                    case 0 -> window.putLong(at, rnd.nextBoolean() ? DATA + rnd.nextInt(0x20000) - 0x100
                            : rnd.nextLong());
                    case 1 -> window.putInt(at + 8, rnd.nextBoolean() ? rnd.nextInt(0x3000) : rnd.nextInt());
                    case 2 -> window.putShort(at + 12, (short) rnd.nextInt(8));
                    default -> window.putShort(at + 14, (short) (rnd.nextBoolean() ? rnd.nextInt(SIZE + 2) : 0xFFFF));
                }
            })) {
            for (int i = 0; i < CHAINS; i++) {
                int head = i & (SIZE - 1);
                int second = (head + 1) & (SIZE - 1);
                long buf = DATA + 0x400L * head;
                if ((i & 3) == 0) {
                    driver.descAt(TABLE, 0, buf, 64, F_NEXT, 1).descAt(TABLE, 1, buf + 64, 128, F_WRITE, 0);
                    driver.desc(head, TABLE, 32, F_INDIRECT, 0);
                } else {
                    driver.desc(head, buf, 64, F_NEXT, second).desc(second, buf + 64, 128, F_WRITE, 0);
                }
                int usedBefore = driver.usedIdx();
                driver.publish(head);
                DescriptorChain chain;
                try {
                    chain = q.pop();
                } catch (VirtqueueException e) {
                    assertFalse(q.isBroken(), why + ": " + e.getMessage());
                    assertEquals(head, e.head(), why);
                    assertEquals((usedBefore + 1) & 0xFFFF, driver.usedIdx(), why);
                    assertEquals(head, driver.lastUsedElement()[0], why);
                    assertEquals(0, driver.lastUsedElement()[1], why);
                    rejected++;
                    continue;
                }
                assertNotNull(chain, why);
                popped++;
                long writable = 0;
                long readable = 0;
                boolean seenWritable = false;
                for (Descriptor d : chain.descriptors()) {
                    assertTrue(window.contains(d.address(), d.lengthUnsigned()), why + ": " + d);
                    assertFalse(d.isIndirect(), why);
                    if (d.isWritable()) {
                        seenWritable = true;
                        writable += d.lengthUnsigned();
                    } else {
                        assertFalse(seenWritable, why + ": readable after writable in " + chain.descriptors());
                        readable += d.lengthUnsigned();
                    }
                }
                assertEquals(writable, chain.writableLength(), why);
                assertEquals(readable, chain.readableLength(), why);
                assertTrue(readable + writable <= 8192, why);
                response.clear();
                int written = chain.writeTo(response);
                assertTrue(written <= chain.writableLength(), why);
                q.pushUsed(chain.head(), -1); // claims 4 GiB - 1: must be clamped
                int usedLen = driver.lastUsedElement()[1];
                assertTrue(Integer.toUnsignedLong(usedLen) <= chain.writableLength(),
                        why + ": used len " + usedLen + " > snapshot " + chain.writableLength());
                assertEquals(chain.writableLength(), usedLen, why);
            }
            assertTrue(hostile.flips() > 0, why);
            System.out.println("double fetch: " + why + ", " + popped + " popped, " + rejected + " rejected, "
                    + hostile.flips() + " flips");
        } catch (VirtqueueException e) {
            fail(why + ": typed error escaped the per-chain path: " + e.getMessage(), e);
        } catch (AssertionError e) {
            throw e;
        } catch (Throwable t) {
            fail(why + ": untyped exception escaped pop/push: " + t, t);
        }
        assertEquals(CHAINS, popped + rejected, why);
        assertEquals(rejected, q.rejectedChains(), why);
        assertEquals(0, q.inFlight(), why);
        assertFalse(q.isBroken(), why);
        guarded.assertIntact();
    }
}
