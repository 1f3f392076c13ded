package dev.vmsg.examples.i2c.internal;

import dev.vmsg.examples.i2c.I2cException;
import dev.vmsg.examples.i2c.I2cMessage;
import dev.vmsg.memory.DmaRegion;
import dev.vmsg.memory.DmaWindow;
import dev.vmsg.virtqueue.BufferSegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The requests of one transfer laid out in one DMA region: per message its out header, its data
 * and its in header, back to back. Builds the chains' segments and reads the results back.
 */
final class I2cTransfer {

    private final DmaWindow window;
    private final DmaRegion region;
    private final List<I2cMessage> messages;
    private final long[] offsets;
    final List<CompletableFuture<Integer>> done = new ArrayList<>();

    I2cTransfer(DmaWindow window, DmaRegion region, List<I2cMessage> messages) {
        this.window = window;
        this.region = region;
        this.messages = List.copyOf(messages);
        this.offsets = new long[messages.size()];
        long at = region.address();
        for (int i = 0; i < messages.size(); i++) {
            offsets[i] = at;
            at += bytes(messages.get(i));
            done.add(new CompletableFuture<>());
        }
    }

    /** Bytes of the region a transfer of these messages needs. */
    static long size(List<I2cMessage> messages) {
        return messages.stream().mapToLong(I2cTransfer::bytes).sum();
    }

    private static long bytes(I2cMessage m) {
        return VirtioI2c.OUT_HDR_SIZE + m.length() + VirtioI2c.IN_HDR_SIZE;
    }

    /** Writes message {@code i}'s header (and data) into the window. */
    void prepare(int i) {
        I2cMessage m = messages.get(i);
        boolean last = i == messages.size() - 1;
        ByteBuffer hdr = ByteBuffer.allocate(VirtioI2c.OUT_HDR_SIZE).order(ByteOrder.LITTLE_ENDIAN);
        hdr.putShort(0, (short) VirtioI2c.wireAddress(m.address()));
        hdr.putInt(4, (m.read() ? VirtioI2c.FLAGS_M_RD : 0) | (last ? 0 : VirtioI2c.FLAGS_FAIL_NEXT));
        window.write(offsets[i], hdr);
        if (!m.read()) {
            window.write(offsets[i] + VirtioI2c.OUT_HDR_SIZE, m.data(), 0, m.length());
        }
        window.putByte(status(i), (byte) 0xFF);
    }

    BufferSegment[] readable(int i) {
        I2cMessage m = messages.get(i);
        int n = VirtioI2c.OUT_HDR_SIZE + (m.read() ? 0 : m.length());
        return new BufferSegment[] {new BufferSegment(offsets[i], n)};
    }

    BufferSegment[] writable(int i) {
        I2cMessage m = messages.get(i);
        int n = (m.read() ? m.length() : 0) + VirtioI2c.IN_HDR_SIZE;
        return new BufferSegment[] {new BufferSegment(offsets[i] + VirtioI2c.OUT_HDR_SIZE + (m.read() ? 0 : m.length()), n)};
    }

    private long status(int i) {
        return offsets[i] + VirtioI2c.OUT_HDR_SIZE + messages.get(i).length();
    }

    /** The results: read data per message; throws for the first message whose status is not OK. */
    List<byte[]> results() {
        List<byte[]> out = new ArrayList<>();
        for (int i = 0; i < messages.size(); i++) {
            byte status = window.getByte(status(i));
            if (status != VirtioI2c.MSG_OK) {
                throw new I2cException(i, "message " + i + " (" + messages.get(i) + ") failed: "
                        + (status == VirtioI2c.MSG_ERR ? "not acknowledged (VIRTIO_I2C_MSG_ERR)" : "status " + status));
            }
            I2cMessage m = messages.get(i);
            byte[] data = new byte[m.read() ? m.length() : 0];
            window.read(offsets[i] + VirtioI2c.OUT_HDR_SIZE, data, 0, data.length);
            out.add(data);
        }
        return out;
    }

    DmaRegion region() {
        return region;
    }
}
