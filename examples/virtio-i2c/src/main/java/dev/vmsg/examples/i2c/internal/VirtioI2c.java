package dev.vmsg.examples.i2c.internal;

import dev.vmsg.wire.DeviceIds;

/** virtio-i2c constants (virtio 1.3, "I2C Adapter Device"): names as in the specification. */
final class VirtioI2c {

    static final int DEVICE_ID = DeviceIds.I2C_ADAPTER;

    /** VIRTIO_I2C_F_ZERO_LENGTH_REQUEST: requests without a data buffer are valid. */
    static final int F_ZERO_LENGTH_REQUEST = 0;

    /** VIRTIO_I2C_FLAGS_FAIL_NEXT: fail the next request of the transfer if this one fails. */
    static final int FLAGS_FAIL_NEXT = 1;

    /** VIRTIO_I2C_FLAGS_M_RD: a read request (the buffer is device-writable). */
    static final int FLAGS_M_RD = 1 << 1;

    /** virtio_i2c_in_hdr.status values. */
    static final byte MSG_OK = 0;
    static final byte MSG_ERR = 1;

    /** struct virtio_i2c_out_hdr { le16 addr; le16 padding; le32 flags; } */
    static final int OUT_HDR_SIZE = 8;

    /** struct virtio_i2c_in_hdr { u8 status; } */
    static final int IN_HDR_SIZE = 1;

    /** The one queue: requestq. */
    static final int REQUEST_QUEUE = 0;

    /** Largest data buffer of one request this device accepts. */
    static final int MAX_DATA = 4096;

    /** addr on the wire: the 7-bit address shifted left by one (as the Linux driver sends it). */
    static int wireAddress(int address7) {
        return address7 << 1;
    }

    static int address7(int wireAddress) {
        return (wireAddress >> 1) & 0x7F;
    }

    private VirtioI2c() {
    }
}
