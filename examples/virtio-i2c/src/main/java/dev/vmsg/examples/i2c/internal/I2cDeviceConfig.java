package dev.vmsg.examples.i2c.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** Configuration of one virtio-i2c adapter device (factory PID {@code dev.vmsg.examples.i2c}). */
@ObjectClassDefinition(name = "vmsg example: virtio-i2c adapter",
        description = "An I2C adapter device hosted on a bus, with a simulated 24C02-style EEPROM on its I2C bus.")
@interface I2cDeviceConfig {

    @AttributeDefinition(name = "Bus", description = "Name of the virtio-msg bus the device sits on.")
    String bus() default "loopback0";

    @AttributeDefinition(name = "Name", description = "Device name, unique on its bus.")
    String name() default "i2c0";

    @AttributeDefinition(name = "EEPROM address", description = "7-bit I2C address of the simulated EEPROM.",
            min = "8", max = "119")
    int eeprom_address() default 0x50;

    @AttributeDefinition(name = "EEPROM size", description = "Bytes of the simulated EEPROM (one address byte).",
            min = "1", max = "256")
    int eeprom_size() default 256;

    @AttributeDefinition(name = "Queue size", description = "Largest request queue (power of two).", min = "1",
            max = "32768")
    int queue_size() default 64;
}
