package dev.vmsg.device.net.internal;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.osgi.service.component.annotations.Component;

/** The in-container switches by name, created on first use; shared by every net device of the bundle. */
@Component(service = NetSwitches.class)
public final class NetSwitches {

    /** Addresses one switch learns. */
    static final int MAC_TABLE_SIZE = 4096;

    private final Map<String, L2Switch> switches = new ConcurrentHashMap<>();

    public L2Switch get(String name) {
        return switches.computeIfAbsent(name, n -> new L2Switch(n, MAC_TABLE_SIZE));
    }

    /** Every switch, by name. */
    List<L2Switch> all() {
        return switches.values().stream().sorted((a, b) -> a.name().compareTo(b.name())).toList();
    }
}
