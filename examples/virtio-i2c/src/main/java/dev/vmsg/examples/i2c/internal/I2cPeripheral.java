package dev.vmsg.examples.i2c.internal;

/** A simulated device on the I2C bus: it acknowledges or not, and answers reads. */
interface I2cPeripheral {

    /** A write message; false is a NACK. */
    boolean write(byte[] data);

    /** A read message of {@code length} bytes; null is a NACK. */
    byte[] read(int length);
}
