package dev.vmsg.examples.i2c.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vmsg.examples.i2c.I2cAdapter;
import dev.vmsg.examples.i2c.I2cException;
import dev.vmsg.examples.i2c.I2cMessage;
import dev.vmsg.wire.FeatureSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Driver and device model over a real split ring: what the I2cAdapter service does in vmsg. */
class I2cEndToEndTest {

    static final Duration T = Duration.ofSeconds(2);

    final I2cBackend backend = new I2cBackend(Map.of(0x50, new Eeprom(256)), 64);
    final SplitRingRig rig = new SplitRingRig(backend, FeatureSet.of(VirtioI2c.F_ZERO_LENGTH_REQUEST));
    final List<I2cAdapter> published = new ArrayList<>();

    I2cAdapter adapter() {
        I2cDriver driver = new I2cDriver(a -> {
            published.add(a);
            return () -> published.remove(a);
        });
        assertEquals(34, driver.deviceId());
        var instance = driver.probe(rig);
        instance.ready();
        assertEquals(1, published.size());
        return published.get(0);
    }

    @Test
    void writesThenReadsBackThroughARepeatedStart() {
        I2cAdapter a = adapter();
        a.transfer(List.of(I2cMessage.write(0x50, (byte) 0x10, (byte) 0xCA, (byte) 0xFE, (byte) 0x42)), T);
        List<byte[]> r = a.transfer(List.of(I2cMessage.write(0x50, (byte) 0x10), I2cMessage.read(0x50, 3)), T);
        assertEquals(2, r.size());
        assertArrayEquals(new byte[0], r.get(0));
        assertArrayEquals(new byte[] {(byte) 0xCA, (byte) 0xFE, 0x42}, r.get(1));
        assertEquals(3, backend.requests());
        assertEquals(0, backend.errors());
        // every chain and every byte of DMA memory the transfers used is given back
        assertEquals(rig.driverQueue.size(), rig.freeDescriptors());
    }

    @Test
    void aMissingPeripheralIsANackAndFailNextFailsTheRestOfTheTransfer() {
        I2cAdapter a = adapter();
        a.transfer(List.of(I2cMessage.write(0x50, (byte) 0, (byte) 7)), T);
        I2cException e = assertThrows(I2cException.class, () -> a.transfer(
                List.of(I2cMessage.write(0x51, (byte) 0), I2cMessage.write(0x50, (byte) 0, (byte) 9)), T));
        assertEquals(0, e.message());
        assertTrue(e.getMessage().contains("not acknowledged (VIRTIO_I2C_MSG_ERR)"), e.getMessage());
        // the second message was failed by FAIL_NEXT, not run: the EEPROM still holds 7
        List<byte[]> r = a.transfer(List.of(I2cMessage.write(0x50, (byte) 0), I2cMessage.read(0x50, 1)), T);
        assertArrayEquals(new byte[] {7}, r.get(1));
        assertEquals(2, backend.errors());
        // and a failure does not spill into the next transfer
        assertEquals(1, a.transfer(List.of(I2cMessage.read(0x50, 1)), T).size());
    }

    @Test
    void zeroLengthRequestsAreAQuickCommand() {
        I2cAdapter a = adapter();
        assertArrayEquals(new byte[0], a.transfer(List.of(I2cMessage.write(0x50)), T).get(0));
        assertThrows(I2cException.class, () -> a.transfer(List.of(I2cMessage.read(0x23, 0)), T));
    }

    @Test
    void badTransfersAreRefusedBeforeTouchingTheQueue() {
        I2cAdapter a = adapter();
        assertThrows(IllegalArgumentException.class, () -> a.transfer(List.of(), T));
        List<I2cMessage> many = new ArrayList<>();
        for (int i = 0; i <= VirtioI2cAdapter.MAX_MESSAGES; i++) {
            many.add(I2cMessage.read(0x50, 1));
        }
        assertThrows(IllegalArgumentException.class, () -> a.transfer(many, T));
        assertThrows(IllegalArgumentException.class, () -> I2cMessage.write(0x80, (byte) 1));
        assertEquals(0, backend.requests());
    }
}
