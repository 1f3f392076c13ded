package dev.vmsg.examples.i2c.internal;

/**
 * A 24C02-style serial EEPROM: {@code size} bytes behind a one-byte word address. A write message
 * sets the address from its first byte and stores the rest there; a read returns bytes from the
 * current address. The address increments with every byte and wraps at the end.
 */
final class Eeprom implements I2cPeripheral {

    private final byte[] memory;
    private int pointer;

    Eeprom(int size) {
        if (size < 1 || size > 256) {
            throw new IllegalArgumentException("EEPROM size must be 1..256 bytes (one address byte): " + size);
        }
        this.memory = new byte[size];
    }

    @Override
    public synchronized boolean write(byte[] data) {
        if (data.length == 0) {
            return true;
        }
        pointer = (data[0] & 0xFF) % memory.length;
        for (int i = 1; i < data.length; i++) {
            memory[pointer] = data[i];
            pointer = (pointer + 1) % memory.length;
        }
        return true;
    }

    @Override
    public synchronized byte[] read(int length) {
        byte[] out = new byte[length];
        for (int i = 0; i < length; i++) {
            out[i] = memory[pointer];
            pointer = (pointer + 1) % memory.length;
        }
        return out;
    }
}
