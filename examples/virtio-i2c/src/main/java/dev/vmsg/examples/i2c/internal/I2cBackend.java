package dev.vmsg.examples.i2c.internal;

import dev.vmsg.device.DeviceContext;
import dev.vmsg.device.VirtioDeviceBackend;
import dev.vmsg.virtqueue.DescriptorChain;
import dev.vmsg.virtqueue.DeviceVirtqueue;
import dev.vmsg.virtqueue.VirtqueueException;
import dev.vmsg.wire.FeatureSet;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Map;

/**
 * The virtio-i2c device model: one request queue, no config space, feature
 * VIRTIO_I2C_F_ZERO_LENGTH_REQUEST. Each chain is one request: a device-readable
 * {@code virtio_i2c_out_hdr}, the data buffer (device-readable for a write, device-writable for a
 * read, absent for a zero-length request) and a device-writable {@code virtio_i2c_in_hdr}. The
 * request goes to the simulated peripheral at its address; no peripheral there is a NACK
 * (VIRTIO_I2C_MSG_ERR). A failed request with VIRTIO_I2C_FLAGS_FAIL_NEXT fails the next one too.
 * A malformed chain gets MSG_ERR when it has room for the status, and never touches a peripheral.
 */
public final class I2cBackend implements VirtioDeviceBackend {

    private final Map<Integer, I2cPeripheral> peripherals;
    private final int queueSize;
    private boolean failNext;
    private long requests;
    private long errors;

    /**
     * @param peripherals the simulated devices by 7-bit address
     * @param queueSize   largest request queue (power of two)
     */
    I2cBackend(Map<Integer, I2cPeripheral> peripherals, int queueSize) {
        this.peripherals = Map.copyOf(peripherals);
        this.queueSize = queueSize;
    }

    @Override
    public int deviceId() {
        return VirtioI2c.DEVICE_ID;
    }

    @Override
    public FeatureSet features() {
        return FeatureSet.of(VirtioI2c.F_ZERO_LENGTH_REQUEST);
    }

    @Override
    public int numQueues() {
        return 1;
    }

    @Override
    public int queueMaxSize(int index) {
        return queueSize;
    }

    @Override
    public int configSize() {
        return 0;
    }

    @Override
    public void driverOk(DeviceContext context) {
        // requests are served as they are made available
    }

    @Override
    public void queueNotified(DeviceContext context, DeviceVirtqueue queue) {
        boolean zeroLength = context.negotiatedFeatures().has(VirtioI2c.F_ZERO_LENGTH_REQUEST);
        while (true) {
            DescriptorChain chain;
            try {
                chain = queue.pop();
            } catch (VirtqueueException e) {
                errors++;
                if (queue.isBroken()) {
                    context.needsReset(e.getMessage());
                    return;
                }
                continue; // the bad chain went back to the driver with length 0
            }
            if (chain == null) {
                return;
            }
            queue.pushUsed(chain.head(), serve(chain, zeroLength));
        }
    }

    /** Serves one request; returns the bytes written into the chain. */
    int serve(DescriptorChain chain, boolean zeroLengthAllowed) {
        requests++;
        long readable = chain.readableLength();
        long writable = chain.writableLength();
        if (readable < VirtioI2c.OUT_HDR_SIZE || writable < VirtioI2c.IN_HDR_SIZE) {
            return fail(chain, writable, 0);
        }
        ByteBuffer hdr = ByteBuffer.allocate(VirtioI2c.OUT_HDR_SIZE).order(ByteOrder.LITTLE_ENDIAN);
        chain.readFrom(hdr);
        int address = VirtioI2c.address7(hdr.getShort(0) & 0xFFFF);
        int flags = hdr.getInt(4);
        boolean read = (flags & VirtioI2c.FLAGS_M_RD) != 0;
        long length = read ? writable - VirtioI2c.IN_HDR_SIZE : readable - VirtioI2c.OUT_HDR_SIZE;
        boolean wellFormed = read ? readable == VirtioI2c.OUT_HDR_SIZE : writable == VirtioI2c.IN_HDR_SIZE;
        if (!wellFormed || length > VirtioI2c.MAX_DATA || (length == 0 && !zeroLengthAllowed)) {
            return fail(chain, writable, flags);
        }
        I2cPeripheral target = peripherals.get(address);
        if (failNext || target == null) {
            return fail(chain, writable, flags);
        }
        if (read) {
            byte[] data = target.read((int) length);
            if (data == null) {
                return fail(chain, writable, flags);
            }
            chain.writeTo(ByteBuffer.wrap(data));
        } else {
            ByteBuffer data = ByteBuffer.allocate((int) length);
            chain.readFrom(VirtioI2c.OUT_HDR_SIZE, data);
            if (!target.write(data.array())) {
                return fail(chain, writable, flags);
            }
        }
        chain.writeTo(writable - 1, ByteBuffer.wrap(new byte[] {VirtioI2c.MSG_OK}));
        failNext = false;
        return (int) writable;
    }

    private int fail(DescriptorChain chain, long writable, int flags) {
        errors++;
        failNext = (flags & VirtioI2c.FLAGS_FAIL_NEXT) != 0;
        if (writable < 1) {
            return 0;
        }
        chain.writeTo(writable - 1, ByteBuffer.wrap(new byte[] {VirtioI2c.MSG_ERR}));
        return (int) writable;
    }

    @Override
    public void reset() {
        failNext = false;
    }

    long requests() {
        return requests;
    }

    long errors() {
        return errors;
    }
}
