package dev.vmsg.device.rng.internal;

import dev.vmsg.device.rng.EntropySource;
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
 * Gogo command {@code vmsg:entropy [bytes]}: reads entropy through every rng device's driver and
 * prints it in hex. A plain service with command properties: no shell dependency.
 */
@Component(service = RngCommands.class, immediate = true,
        property = {"osgi.command.scope=vmsg", "osgi.command.function=entropy"})
public final class RngCommands {

    private final List<EntropySource> sources = new CopyOnWriteArrayList<>();

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void bindSource(EntropySource source) {
        sources.add(source);
    }

    void unbindSource(EntropySource source) {
        sources.remove(source);
    }

    /** Reads 16 bytes from every entropy device. */
    public String entropy() {
        return entropy(16);
    }

    /** Reads {@code bytes} bytes (1..4096) from every entropy device. */
    public String entropy(int bytes) {
        if (bytes < 1 || bytes > 4096) {
            return "entropy: give a byte count from 1 to 4096";
        }
        if (sources.isEmpty()) {
            return "entropy: no entropy device is running (see vmsg:devices)";
        }
        StringBuilder out = new StringBuilder();
        for (EntropySource s : sources) {
            out.append(s.busName()).append('/').append(s.deviceNumber()).append(": ");
            try {
                byte[] b = new byte[bytes];
                s.read(b, Duration.ofSeconds(2));
                out.append(HexFormat.of().formatHex(b));
            } catch (RuntimeException e) {
                out.append("failed: ").append(e.getMessage());
            }
            out.append('\n');
        }
        return out.toString();
    }
}
