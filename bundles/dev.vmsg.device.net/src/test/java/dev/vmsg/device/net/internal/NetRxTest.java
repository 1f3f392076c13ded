package dev.vmsg.device.net.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.vmsg.driver.Virtqueue;
import dev.vmsg.memory.DmaWindow;
import dev.vmsg.virtqueue.BufferSegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

/**
 * The driver's receive side against a hostile device, played here: used lengths and num_buffers
 * the device writes are checked before they size anything (HARDENING rule 6), every bad
 * completion is counted, and every buffer goes back to the device whatever it held.
 */
class NetRxTest {

    static final long BASE = 0x2000_0000L;
    static final int BUF = 256;
    static final int MTU = 100;

    final DmaWindow window = DmaWindow.allocate(BASE, 64 * 1024);
    final List<Integer> posted = new ArrayList<>();
    final List<byte[]> got = new ArrayList<>();

    /** Records what the driver posts; the test plays the device by calling completed() itself. */
    final Virtqueue queue = new Virtqueue() {
        @Override
        public int index() {
            return VirtioNet.RX_QUEUE;
        }

        @Override
        public int size() {
            return 64;
        }

        @Override
        public int freeDescriptors() {
            return 64;
        }

        @Override
        public void submit(BufferSegment[] readable, BufferSegment[] writable, Object cookie) {
            posted.add((Integer) cookie);
        }

        @Override
        public boolean pollUntil(BooleanSupplier done) {
            return done.getAsBoolean();
        }
    };

    NetRx rx(boolean mergeable) {
        NetRx r = new NetRx(window, BASE, 8, BUF, mergeable, VirtioNet.maxFrame(MTU, true), 16);
        r.attach(queue);
        r.start();
        r.setReceiver(f -> {
            byte[] c = new byte[f.remaining()];
            f.get(c);
            got.add(c);
        });
        return r;
    }

    /** The device writes a header with num_buffers and {@code data} into buffer {@code i}. */
    void write(int i, int numBuffers, byte[] data) {
        long at = BASE + (long) i * BUF;
        ByteBuffer h = ByteBuffer.allocate(VirtioNet.HDR_SIZE).order(ByteOrder.LITTLE_ENDIAN);
        h.putShort(VirtioNet.HDR_NUM_BUFFERS, (short) numBuffers);
        window.write(at, h.array(), 0, h.capacity());
        window.write(at + VirtioNet.HDR_SIZE, data, 0, data.length);
    }

    @Test
    void aFrameOverThreeBuffersIsReassembledAndEveryBufferReposted() {
        NetRx r = rx(true);
        byte[] frame = Frames.sized(1, 2, 114, 3);
        write(0, 3, java.util.Arrays.copyOfRange(frame, 0, 50));
        window.write(BASE + BUF, frame, 50, 40);
        window.write(BASE + 2L * BUF, frame, 90, 24);
        r.completed(0, VirtioNet.HDR_SIZE + 50);
        r.completed(1, 40);
        assertEquals(0, got.size(), "not before the last buffer");
        r.completed(2, 24);
        assertEquals(1, got.size());
        assertArrayEquals(frame, got.get(0));
        assertEquals(List.of(0, 1, 2, 3, 4, 5, 6, 7, 0, 1, 2), posted);
        assertEquals(0, r.errors);
    }

    @Test
    void whatAHostileDeviceWritesIsCountedAndNeverDelivered() {
        NetRx r = rx(true);
        byte[] ok = Frames.sized(1, 2, 60, 1);
        write(0, 0, ok); // num_buffers 0
        r.completed(0, VirtioNet.HDR_SIZE + 60);
        write(1, NetBackend.MAX_BUFFERS_PER_FRAME + 1, ok); // more buffers than a frame may span
        r.completed(1, VirtioNet.HDR_SIZE + 60);
        r.completed(2, 5); // used length cuts the header
        write(3, 1, ok);
        r.completed(3, VirtioNet.HDR_SIZE + 10); // a frame shorter than an Ethernet header
        write(4, 1, Frames.sized(1, 2, 115, 1)); // over MTU + 14
        r.completed(4, VirtioNet.HDR_SIZE + 115);
        write(5, 2, ok); // two buffers claimed; the second's used length is absurd
        r.completed(5, VirtioNet.HDR_SIZE + 60);
        r.completed(6, Integer.MAX_VALUE);
        assertEquals(6, r.errors);
        assertEquals(0, got.size());
        write(7, 1, ok);
        r.completed(7, VirtioNet.HDR_SIZE + 60);
        assertEquals(1, got.size(), "the port still works");
        assertArrayEquals(ok, got.get(0));
        assertEquals(16, posted.size(), "every buffer went back");
    }

    @Test
    void withoutMergeableBuffersNumBuffersIsIgnoredAndPollingHoldsABoundedBacklog() {
        NetRx r = rx(false);
        r.setReceiver(null);
        for (int i = 0; i < 20; i++) {
            write(i % 8, 7, Frames.sized(1, 2, 60, i));
            r.completed(i % 8, VirtioNet.HDR_SIZE + 60);
        }
        assertEquals(4, r.dropped, "a backlog of 16 frames");
        List<byte[]> polled = new ArrayList<>();
        assertEquals(16, r.poll(f -> {
            byte[] c = new byte[f.remaining()];
            f.get(c);
            polled.add(c);
        }, 100));
        for (int i = 0; i < 16; i++) {
            assertArrayEquals(Frames.sized(1, 2, 60, i), polled.get(i));
        }
    }
}
