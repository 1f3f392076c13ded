package dev.vmsg.examples.i2c.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.vmsg.memory.DmaRegion;
import dev.vmsg.virtqueue.BufferSegment;
import dev.vmsg.virtqueue.DriverVirtqueue;
import dev.vmsg.wire.FeatureSet;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The device model against a driver that builds chains by hand, byte-exact: the out header, data
 * and in header as the virtio spec lays them out, including malformed requests a hostile driver
 * may post. A malformed chain gets VIRTIO_I2C_MSG_ERR and never reaches the peripheral.
 */
class I2cBackendTest {

    final Eeprom eeprom = new Eeprom(16);
    final I2cBackend backend = new I2cBackend(Map.of(0x50, eeprom), 8);
    final SplitRingRig rig = new SplitRingRig(backend, FeatureSet.of(VirtioI2c.F_ZERO_LENGTH_REQUEST));
    final DmaRegion buf;
    int lastLength = -1;

    I2cBackendTest() {
        rig.openQueue(0, 8, new dev.vmsg.driver.QueueListener() {
            @Override
            public void completed(Object cookie, int length) {
                lastLength = length;
            }

            @Override
            public void failed(Object cookie, dev.vmsg.driver.VirtioDeviceException cause) {
                throw new AssertionError(cause);
            }
        });
        buf = rig.allocator.allocate(4096);
    }

    long at(int offset) {
        return buf.address() + offset;
    }

    /** Writes virtio_i2c_out_hdr at offset 0: le16 addr, le16 padding, le32 flags. */
    void header(int wireAddr, int flags) {
        ByteBuffer b = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        b.putShort(0, (short) wireAddr).putInt(4, flags);
        rig.window.write(at(0), b);
    }

    byte post(BufferSegment[] readable, BufferSegment[] writable, long statusAt) {
        rig.window.putByte(statusAt, (byte) 0x77);
        rig.submit(readable, writable, "req");
        return rig.window.getByte(statusAt);
    }

    static BufferSegment[] seg(long a, int n) {
        return new BufferSegment[] {new BufferSegment(a, n)};
    }

    @Test
    void aWriteThenARead_byteExact() {
        header(0x50 << 1, 0);
        rig.window.write(at(8), new byte[] {3, 0x11, 0x22}, 0, 3);
        assertEquals(VirtioI2c.MSG_OK, post(seg(at(0), 11), seg(at(100), 1), at(100)));
        assertEquals(1, lastLength, "a write answers with the 1-byte in header");

        header(0x50 << 1, 0);
        rig.window.putByte(at(8), (byte) 3);
        post(seg(at(0), 9), seg(at(100), 1), at(100));
        header(0x50 << 1, VirtioI2c.FLAGS_M_RD);
        assertEquals(VirtioI2c.MSG_OK, post(seg(at(0), 8), seg(at(200), 3), at(202)));
        assertEquals(3, lastLength);
        assertEquals(0x11, rig.window.getByte(at(200)));
        assertEquals(0x22, rig.window.getByte(at(201)));
    }

    @Test
    void malformedChainsGetMsgErrAndNeverReachThePeripheral() {
        rig.window.write(at(8), new byte[] {0, 0x55}, 0, 2);
        // header too short
        header(0x50 << 1, 0);
        assertEquals(VirtioI2c.MSG_ERR, post(seg(at(0), 6), seg(at(100), 1), at(100)));
        // a read with device-readable data after the header
        header(0x50 << 1, VirtioI2c.FLAGS_M_RD);
        assertEquals(VirtioI2c.MSG_ERR, post(seg(at(0), 10), seg(at(100), 2), at(101)));
        // a write with more than the status writable
        header(0x50 << 1, 0);
        assertEquals(VirtioI2c.MSG_ERR, post(seg(at(0), 10), seg(at(100), 4), at(103)));
        // a device-readable-only chain: no room for a status, answered with length 0
        post(seg(at(0), 10), new BufferSegment[0], at(300));
        assertEquals(0, lastLength);
        assertEquals(0, eeprom.read(1)[0], "no malformed write reached the EEPROM");
        assertEquals(4, backend.errors());
    }

    @Test
    void withoutZeroLengthRequestAnEmptyRequestIsAnError() {
        I2cBackend strict = new I2cBackend(Map.of(0x50, eeprom), 8);
        SplitRingRig r = new SplitRingRig(strict, FeatureSet.EMPTY);
        r.openQueue(0, 8, new dev.vmsg.driver.QueueListener() {
            @Override
            public void completed(Object cookie, int length) {
            }

            @Override
            public void failed(Object cookie, dev.vmsg.driver.VirtioDeviceException cause) {
                throw new AssertionError(cause);
            }
        });
        DmaRegion b = r.allocator.allocate(64);
        ByteBuffer h = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        h.putShort(0, (short) (0x50 << 1));
        r.window.write(b.address(), h);
        r.submit(seg(b.address(), 8), seg(b.address() + 32, 1), "quick");
        assertEquals(VirtioI2c.MSG_ERR, r.window.getByte(b.address() + 32));
    }
}
