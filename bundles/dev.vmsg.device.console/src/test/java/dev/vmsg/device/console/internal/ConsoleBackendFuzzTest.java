package dev.vmsg.device.console.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.vmsg.device.DeviceContext;
import dev.vmsg.memory.DmaWindow;
import dev.vmsg.virtqueue.DeviceVirtqueue;
import dev.vmsg.virtqueue.SplitRing;
import dev.vmsg.virtqueue.VirtqueueAddresses;
import dev.vmsg.virtqueue.VirtqueueException;
import dev.vmsg.wire.FeatureSet;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.Executor;
import org.junit.jupiter.api.Test;

/**
 * Structured fuzzing of the console device model (HARDENING row 12, until a Jazzer target exists):
 * a seeded sequence of descriptor lists (mostly sane, sometimes hostile) and control messages,
 * written as real split-ring bytes by a test-side driver, interleaved with host-side traffic,
 * resets and ring-index abuse. Checked: nothing but typed virtqueue errors escapes, every popped
 * head is returned once the host side drains, and a broken ring asks for a reset.
 */
class ConsoleBackendFuzzTest {

    private static final int QSIZE = 8;
    private static final long BUDGET_NANOS = 3_000_000_000L;

    /** Writes raw ring bytes; checks nothing, so it can write garbage. */
    private static final class RingWriter {
        final DmaWindow w;
        final VirtqueueAddresses a;
        int availIdx;

        RingWriter(DmaWindow w, VirtqueueAddresses a) {
            this.w = w;
            this.a = a;
            w.fill(a.descriptorAddr(), SplitRing.contiguousBytes(QSIZE), (byte) 0);
        }

        void desc(int i, long addr, int len, int flags, int next) {
            long at = a.descriptorAddr() + 16L * i;
            w.putLong(at, addr);
            w.putInt(at + 8, len);
            w.putShort(at + 12, (short) flags);
            w.putShort(at + 14, (short) next);
        }

        void publish(int head) {
            w.putShort(a.driverAddr() + 4 + 2L * (availIdx % QSIZE), (short) head);
            availIdx = (availIdx + 1) & 0xFFFF;
            w.putShortRelease(a.driverAddr() + 2, (short) availIdx);
        }

        void rawAvailIdx(int idx) {
            availIdx = idx & 0xFFFF;
            w.putShortRelease(a.driverAddr() + 2, (short) idx);
        }
    }

    private static final class Context implements DeviceContext {
        final DmaWindow window;
        final DeviceVirtqueue[] queues;
        final FeatureSet features;
        final ArrayDeque<Runnable> tasks = new ArrayDeque<>();
        final List<String> resets = new ArrayList<>();

        Context(DmaWindow window, DeviceVirtqueue[] queues, FeatureSet features) {
            this.window = window;
            this.queues = queues;
            this.features = features;
        }

        @Override
        public String busName() {
            return "fuzz";
        }

        @Override
        public int deviceNumber() {
            return 0;
        }

        @Override
        public DmaWindow window() {
            return window;
        }

        @Override
        public FeatureSet negotiatedFeatures() {
            return features;
        }

        @Override
        public DeviceVirtqueue queue(int index) {
            return index >= 0 && index < queues.length ? queues[index] : null;
        }

        @Override
        public void notifyUsed(DeviceVirtqueue queue) {
            queue.needsNotification();
        }

        @Override
        public void configChanged() {
        }

        @Override
        public void needsReset(String reason) {
            resets.add(reason);
        }

        @Override
        public Executor executor() {
            return tasks::add; // run by the test, on the test thread: the "device thread"
        }

        void runTasks() {
            Runnable r;
            int n = 0;
            while ((r = tasks.poll()) != null && n++ < 10_000) {
                r.run();
            }
        }
    }

    @Test
    void randomDescriptorsAndControlSequencesOnlyGiveTypedErrorsAndEveryHeadComesBack() {
        long seed = Long.getLong("vmsg.fuzz.seed", System.nanoTime());
        SplittableRandom seeds = new SplittableRandom(seed);
        long end = System.nanoTime() + BUDGET_NANOS;
        int cases = 0;
        while (System.nanoTime() < end || cases < 20) {
            long caseSeed = seeds.nextLong();
            try {
                runCase(new SplittableRandom(caseSeed));
            } catch (AssertionError | RuntimeException e) {
                fail("seed " + seed + ", case " + cases + " (case seed " + caseSeed + "): " + e, e);
            }
            cases++;
        }
        assertTrue(cases >= 20, "ran " + cases + " cases");
    }

    private void runCase(SplittableRandom r) {
        int windowSize = 1 << 18;
        DmaWindow window = DmaWindow.allocate(0x1000_0000L, windowSize);
        EndpointPortHost[] hosts = {new EndpointPortHost(), new EndpointPortHost(), new EndpointPortHost()};
        List<ConsoleBackend.PortDefinition> defs = new ArrayList<>();
        for (int i = 0; i < hosts.length; i++) {
            defs.add(new ConsoleBackend.PortDefinition("p" + i, hosts[i]));
        }
        ConsoleBackend backend = new ConsoleBackend("fuzz", defs, QSIZE, 256 + r.nextInt(2048), 80, 25, ConsoleLog.SILENT);
        backend.start();
        boolean multiport = r.nextInt(4) != 0;
        int nq = multiport ? backend.numQueues() : 2;
        DeviceVirtqueue[] queues = new DeviceVirtqueue[backend.numQueues()];
        RingWriter[] rings = new RingWriter[nq];
        long ringBytes = (SplitRing.contiguousBytes(QSIZE) + 15) & ~15L;
        for (int q = 0; q < nq; q++) {
            VirtqueueAddresses a = SplitRing.contiguousLayout(window.base() + q * ringBytes, QSIZE);
            rings[q] = new RingWriter(window, a);
            queues[q] = new DeviceVirtqueue(window, q, QSIZE, a, r.nextBoolean(), false, 1 << 20);
        }
        long data = window.base() + 0x8000; // buffers live above the rings
        Context ctx = new Context(window, queues,
                multiport ? FeatureSet.of(VirtioConsole.F_MULTIPORT, VirtioConsole.F_SIZE) : FeatureSet.of());
        guard(() -> backend.driverOk(ctx));
        int steps = 20 + r.nextInt(60);
        for (int s = 0; s < steps; s++) {
            int op = r.nextInt(10);
            if (op < 5) {
                int q = r.nextInt(nq);
                postChain(r, rings[q], q, data + q * 4096L, windowSize);
                guard(() -> backend.queueNotified(ctx, queues[q]));
            } else if (op < 7) {
                PortPipes p = hosts[r.nextInt(hosts.length)].pipes();
                byte[] b = new byte[r.nextInt(600)];
                r.nextBytes(b);
                p.toDriver.offer(ByteBuffer.wrap(b));
            } else if (op < 9) {
                PortPipes p = hosts[r.nextInt(hosts.length)].pipes();
                p.fromDriver.poll(ByteBuffer.allocate(r.nextInt(2000)));
            } else if (r.nextInt(4) == 0) {
                int q = r.nextInt(nq);
                rings[q].rawAvailIdx(r.nextBoolean() ? rings[q].availIdx + QSIZE + 1 : rings[q].availIdx - 1);
                guard(() -> backend.queueNotified(ctx, queues[q]));
                if (queues[q].isBroken()) {
                    assertTrue(!ctx.resets.isEmpty(), "a broken ring asks for a reset");
                    break;
                }
            } else {
                hosts[r.nextInt(hosts.length)].pipes().hostConnected(r.nextBoolean());
            }
            ctx.runTasks();
        }
        // The host side drains everything: every chain the device still holds must come back.
        for (int round = 0; round < 200; round++) {
            for (EndpointPortHost h : hosts) {
                h.pipes().fromDriver.poll(ByteBuffer.allocate(1 << 16));
            }
            for (int q = 0; q < nq; q++) {
                int qq = q;
                guard(() -> backend.queueNotified(ctx, queues[qq]));
            }
            ctx.runTasks();
        }
        // A device that asked for a reset stops using every queue; the reset reclaims them.
        if (ctx.resets.isEmpty()) {
            for (int q = 0; q < nq; q++) {
                assertEquals(0, queues[q].inFlight(), "queue " + q + " still holds popped heads");
            }
        }
        backend.reset();
        backend.close();
    }

    /** Only typed virtqueue errors may leave the device model. */
    private static void guard(Runnable call) {
        try {
            call.run();
        } catch (VirtqueueException e) {
            // typed: the transport counts it
        }
    }

    /** A chain of 1..4 descriptors: mostly well-formed buffers of the queue's kind, sometimes hostile. */
    private static void postChain(SplittableRandom r, RingWriter ring, int queue, long buffer, int windowSize) {
        int n = 1 + r.nextInt(4);
        int head = r.nextInt(QSIZE);
        boolean hostile = r.nextInt(6) == 0;
        boolean deviceWrites = queue == VirtioConsole.CONTROL_RECEIVEQ
                || (queue != VirtioConsole.CONTROL_TRANSMITQ && queue % 2 == 0);
        if (queue == VirtioConsole.CONTROL_TRANSMITQ && !hostile) {
            ControlMessage m = ControlMessage.of(r.nextInt(8) == 0 ? r.nextInt() : r.nextInt(5),
                    r.nextInt(10) == 0 ? r.nextInt(0x10000) : r.nextInt(8), r.nextInt(3));
            byte[] b = m.encode();
            int len = r.nextInt(8) == 0 ? r.nextInt(b.length) : b.length;
            ring.w.write(buffer, b, 0, len);
            ring.desc(head, buffer, len, 0, 0);
            ring.publish(head);
            return;
        }
        for (int i = 0; i < n; i++) {
            int d = (head + i) % QSIZE;
            boolean last = i == n - 1;
            long addr = buffer + i * 512L;
            int len = r.nextInt(512);
            int flags = (deviceWrites ? 2 : 0) | (last ? 0 : 1);
            int next = (d + 1) % QSIZE;
            if (hostile) {
                switch (r.nextInt(6)) {
                    case 0 -> addr = r.nextLong();
                    case 1 -> len = -1 - r.nextInt(16);
                    case 2 -> next = d; // self loop
                    case 3 -> flags ^= 2; // wrong direction, or readable after writable
                    case 4 -> next = QSIZE + r.nextInt(100);
                    default -> addr = ring.w.base() + windowSize - r.nextInt(64);
                }
            }
            ring.desc(d, addr, len, flags, next);
        }
        ring.publish(head);
    }
}
