package dev.vmsg.examples.i2c;

import java.util.Arrays;

/**
 * One message of an I2C transfer: a write of {@code data} to, or a read of {@code length} bytes
 * from, the 7-bit {@code address}. Zero-length messages are allowed (an SMBus quick command).
 */
public record I2cMessage(int address, boolean read, byte[] data, int length) {

    public I2cMessage {
        if (address < 0 || address > 0x7F) {
            throw new IllegalArgumentException("I2C address must be 7-bit (0x00..0x7f): 0x" + Integer.toHexString(address));
        }
        data = data == null ? new byte[0] : data.clone();
        if (read && data.length != 0) {
            throw new IllegalArgumentException("a read message carries no data");
        }
        if (length < 0 || (!read && length != data.length)) {
            throw new IllegalArgumentException("bad length " + length + " for a " + (read ? "read" : "write"));
        }
    }

    public static I2cMessage write(int address, byte... data) {
        return new I2cMessage(address, false, data, data.length);
    }

    public static I2cMessage read(int address, int length) {
        return new I2cMessage(address, true, new byte[0], length);
    }

    @Override
    public byte[] data() {
        return data.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof I2cMessage m && m.address == address && m.read == read && m.length == length
                && Arrays.equals(m.data, data);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * address + length) + Arrays.hashCode(data) + (read ? 1 : 0);
    }

    @Override
    public String toString() {
        return (read ? "read " + length + " from" : "write " + length + " to") + " 0x" + Integer.toHexString(address);
    }
}
