package dev.vmsg.examples.i2c.internal;

import dev.vmsg.examples.i2c.I2cAdapter;
import dev.vmsg.examples.i2c.I2cException;
import dev.vmsg.examples.i2c.I2cMessage;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;

/**
 * Gogo commands (scope {@code i2c}): {@code i2c:adapters}, {@code i2c:await <bus> <seconds>},
 * {@code i2c:writereg <bus> <addr> <reg> <hex>}
 * and {@code i2c:readreg <bus> <addr> <reg> <n>}, through the I2cAdapter services. A plain service with
 * command properties: no shell dependency.
 */
@Component(service = I2cCommands.class, immediate = true, property = {"osgi.command.scope=i2c",
    "osgi.command.function=adapters", "osgi.command.function=await", "osgi.command.function=writereg",
    "osgi.command.function=readreg"})
public final class I2cCommands {

    private static final Duration TIMEOUT = Duration.ofSeconds(2);

    private final List<I2cAdapter> adapters = new CopyOnWriteArrayList<>();

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void bindAdapter(I2cAdapter adapter) {
        adapters.add(adapter);
        synchronized (this) {
            notifyAll();
        }
    }

    void unbindAdapter(I2cAdapter adapter) {
        adapters.remove(adapter);
    }

    /** Every I2C adapter: bus and device number. */
    public String adapters() {
        if (adapters.isEmpty()) {
            return "i2c:adapters: no virtio-i2c device is running (see vmsg:devices)";
        }
        StringBuilder out = new StringBuilder("BUS        DEVICE\n");
        for (I2cAdapter a : adapters) {
            out.append(String.format("%-10s %d%n", a.busName(), a.deviceNumber()));
        }
        return out.toString();
    }

    /** Waits (at most {@code seconds}) until an I2C adapter runs on {@code bus}; for scripts. */
    public String await(String bus, int seconds) throws InterruptedException {
        long deadline = System.nanoTime() + Math.max(0, Math.min(seconds, 600)) * 1_000_000_000L;
        while (adapters.stream().noneMatch(a -> a.busName().equals(bus))) {
            if (System.nanoTime() - deadline > 0) {
                return "i2c:await: no I2C adapter on bus " + bus + " after " + seconds + " s (see vmsg:devices)";
            }
            synchronized (this) {
                wait(50);
            }
        }
        return "an I2C adapter runs on " + bus;
    }

    /** Writes bytes (hex) at register {@code reg} of the I2C device at {@code address} behind the adapter on {@code bus}. */
    public String writereg(String bus, int address, int reg, String hex) {
        try {
            byte[] data = HexFormat.of().parseHex(hex);
            byte[] message = new byte[data.length + 1];
            message[0] = (byte) reg;
            System.arraycopy(data, 0, message, 1, data.length);
            adapter(bus).transfer(List.of(I2cMessage.write(address, message)), TIMEOUT);
            return "wrote " + data.length + " byte(s) at register " + reg + " of 0x" + Integer.toHexString(address);
        } catch (I2cException | IllegalArgumentException e) {
            return "i2c:writereg: " + e.getMessage();
        }
    }

    /** Reads {@code n} bytes from register {@code reg}: a write of the register, a repeated START, a read. */
    public String readreg(String bus, int address, int reg, int n) {
        try {
            List<byte[]> r = adapter(bus).transfer(List.of(I2cMessage.write(address, (byte) reg),
                    I2cMessage.read(address, n)), TIMEOUT);
            return HexFormat.of().formatHex(r.get(1));
        } catch (I2cException | IllegalArgumentException e) {
            return "i2c:readreg: " + e.getMessage();
        }
    }

    private I2cAdapter adapter(String bus) {
        for (I2cAdapter a : adapters) {
            if (a.busName().equals(bus)) {
                return a;
            }
        }
        throw new IllegalArgumentException("no I2C adapter on bus " + bus + " (see i2c:adapters)");
    }
}
