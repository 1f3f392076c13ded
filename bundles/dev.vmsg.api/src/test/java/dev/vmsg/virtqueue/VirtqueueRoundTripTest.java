package dev.vmsg.virtqueue;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vmsg.memory.DmaAllocator;
import dev.vmsg.memory.DmaRegion;
import dev.vmsg.memory.DmaWindow;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The driver half and the device half over one window, past the wrap of the 16-bit ring indices,
 * checking every kick and every used notification decision.
 */
class VirtqueueRoundTripTest {
    static final int SIZE = 8;
    static final int REQUESTS = 70_000;

    @ParameterizedTest(name = "eventIdx={0}")
    @ValueSource(booleans = {false, true})
    void carriesMoreThan65536RequestsThroughASizeEightQueue(boolean eventIdx) {
        long seed = new SplittableRandom().nextLong();
        SplittableRandom rnd = new SplittableRandom(seed);
        DmaWindow window = DmaWindow.allocate(0x10_0000_0000L, 1 << 20);
        DmaAllocator alloc = new DmaAllocator(window, 0, window.size(), 64);
        DmaRegion rings = alloc.allocate(SplitRing.contiguousBytes(SIZE));
        VirtqueueAddresses addrs = SplitRing.contiguousLayout(rings.address(), SIZE);
        DriverVirtqueue driver = new DriverVirtqueue(window, 0, SIZE, addrs, eventIdx);
        DeviceVirtqueue device = new DeviceVirtqueue(window, 0, SIZE, addrs, eventIdx, false, 1 << 16);
        DmaRegion[] req = new DmaRegion[SIZE];
        DmaRegion[] resp = new DmaRegion[SIZE];
        for (int i = 0; i < SIZE; i++) {
            req[i] = alloc.allocate(8);
            resp[i] = alloc.allocate(16);
        }
        String why = "seed " + seed + ", eventIdx " + eventIdx;

        int sent = 0;
        int completed = 0;
        int kicks = 0;
        int interrupts = 0;
        ByteBuffer in = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        ByteBuffer out = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
        while (completed < REQUESTS) {
            // The driver adds a batch; only the first add of a batch needs a kick once the device
            // has caught up (EVENT_IDX), every add does without it.
            int batch = 1 + rnd.nextInt(Math.min(SIZE / 2, REQUESTS - sent));
            for (int b = 0; b < batch && sent < REQUESTS; b++) {
                int slot = sent % SIZE;
                window.putLong(req[slot].address(), sent);
                int head = driver.add(
                        new BufferSegment[] {new BufferSegment(req[slot].address(), 8)},
                        new BufferSegment[] {new BufferSegment(resp[slot].address(), 16)},
                        Integer.valueOf(sent));
                assertTrue(head >= 0 && head < SIZE, why);
                boolean kick = driver.kickNeeded();
                assertEquals(!eventIdx || b == 0, kick, why + ": kick decision at request " + sent);
                if (kick) {
                    kicks++;
                }
                sent++;
            }
            // The device serves everything, pushing each completion and deciding on EVENT_USED.
            int served = 0;
            DescriptorChain chain;
            while ((chain = device.pop()) != null) {
                in.clear();
                assertEquals(8, chain.readFrom(in), why);
                long n = in.getLong(0);
                out.clear();
                out.putLong(0, n * 3).putLong(8, ~n);
                int written = chain.writeTo(out);
                assertEquals(16, written, why);
                device.pushUsed(chain.head(), written);
                boolean notify = device.needsNotification();
                assertEquals(!eventIdx || served == 0, notify, why + ": notification decision at request " + n);
                if (notify) {
                    interrupts++;
                }
                served++;
            }
            assertEquals(batch, served, why);
            assertEquals(0, device.inFlight(), why);
            // The driver harvests in order and checks the response bytes.
            DriverVirtqueue.Completion c;
            int harvested = 0;
            while ((c = driver.poll()) != null) {
                int n = (Integer) c.cookie();
                assertEquals(completed, n, why);
                assertEquals(16, c.length(), why);
                int slot = n % SIZE;
                assertEquals(n * 3L, window.getLong(resp[slot].address()), why);
                assertEquals(~(long) n, window.getLong(resp[slot].address() + 8), why);
                completed++;
                harvested++;
            }
            assertEquals(batch, harvested, why);
            assertEquals(SIZE, driver.freeDescriptors(), why);
        }
        assertFalse(driver.isBroken());
        assertFalse(device.isBroken());
        assertEquals(0, device.rejectedChains());
        assertNull(device.pop());
        assertTrue(kicks > 0 && interrupts > 0);
        if (eventIdx) {
            assertTrue(kicks < REQUESTS && interrupts < REQUESTS, why + ": EVENT_IDX suppressed nothing");
        } else {
            assertEquals(REQUESTS, kicks, why);
            assertEquals(REQUESTS, interrupts, why);
        }
    }

    @ParameterizedTest(name = "eventIdx={0}")
    @ValueSource(booleans = {false, true})
    void suppressedSidesStayQuietUntilReEnabled(boolean eventIdx) {
        DmaWindow window = DmaWindow.allocate(0, 1 << 16);
        VirtqueueAddresses addrs = SplitRing.contiguousLayout(0, SIZE);
        DriverVirtqueue driver = new DriverVirtqueue(window, 0, SIZE, addrs, eventIdx);
        DeviceVirtqueue device = new DeviceVirtqueue(window, 0, SIZE, addrs, eventIdx, false, 1 << 16);
        BufferSegment[] buf = {new BufferSegment(0x8000, 16)};

        // The device polls: no kicks wanted; the driver polls: no EVENT_USED wanted.
        device.disableNotifications();
        driver.disableCallbacks();
        driver.add(null, buf, "a");
        // With EVENT_IDX the parked avail_event (EVENT_PARKED ahead) asks for no kick either.
        assertFalse(driver.kickNeeded());
        driver.add(null, buf, "b");
        assertFalse(driver.kickNeeded());
        DescriptorChain a = device.pop();
        DescriptorChain b = device.pop();
        assertNotNull(b);
        device.pushUsed(a.head(), 1);
        assertFalse(device.needsNotification(), "a parked used_event asks for no event either");
        device.pushUsed(b.head(), 1);
        assertFalse(device.needsNotification());
        assertEquals("a", driver.poll().cookie());
        assertEquals("b", driver.poll().cookie());

        // Both sides re-enable: the next add kicks and the next completion notifies.
        device.enableNotifications();
        driver.enableCallbacks();
        driver.add(null, buf, "c");
        assertTrue(driver.kickNeeded());
        DescriptorChain c = device.pop();
        device.pushUsed(c.head(), 0);
        assertTrue(device.needsNotification());
        assertEquals("c", driver.poll().cookie());
    }
}
