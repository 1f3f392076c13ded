package dev.vmsg.shell.internal;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;

/**
 * The device factory configurations behind {@code vmsg:attach} and {@code vmsg:detach}: a device
 * of type {@code rng} named {@code rng7} is the configuration {@code dev.vmsg.device.rng~rng7}
 * (the PID FileInstall gives {@code deploy/dev.vmsg.device.rng~rng7.cfg}), unbound to any bundle
 * location, with {@code bus}, {@code name} and the extra properties given.
 */
final class DeviceConfigurations {

    static final String PID_PREFIX = "dev.vmsg.device.";

    private final ConfigurationAdmin cm;
    private final Set<String> knownFactoryPids;
    private final ConfigurationCheck check;

    /**
     * @param knownFactoryPids factory PIDs of the device types installed, or null when unknown
     *     (no component runtime to ask): then every type is accepted
     * @param check checks the values of a new configuration against the type's metatype
     */
    DeviceConfigurations(ConfigurationAdmin cm, Set<String> knownFactoryPids, ConfigurationCheck check) {
        this.cm = cm;
        this.knownFactoryPids = knownFactoryPids;
        this.check = check;
    }

    static String factoryPid(String type) {
        return type.contains(".") ? type : PID_PREFIX + type;
    }

    /** "rng" for "dev.vmsg.device.rng". */
    static String typeName(String factoryPid) {
        return factoryPid.startsWith(PID_PREFIX) ? factoryPid.substring(PID_PREFIX.length()) : factoryPid;
    }

    /** Parses {@code key=value} arguments, in order; a key may appear once. */
    static Map<String, String> properties(List<String> keyValues) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String kv : keyValues) {
            int eq = kv.indexOf('=');
            if (eq <= 0) {
                throw new CommandException("'" + kv + "' is not key=value");
            }
            String key = kv.substring(0, eq).trim();
            if (key.startsWith("service.") || key.startsWith("component.") || key.startsWith("felix.")) {
                throw new CommandException("key '" + key + "' is set by the framework, not by a configuration");
            }
            if (out.put(key, kv.substring(eq + 1).trim()) != null) {
                throw new CommandException("key '" + key + "' is given twice");
            }
        }
        return out;
    }

    /**
     * Creates the configuration of a new device.
     *
     * @param nameTaken whether a device name is already in use (configured or hosted)
     * @return the PID created
     */
    String create(String type, String bus, Map<String, String> extra, Predicate<String> nameTaken) throws IOException {
        String factoryPid = factoryPid(type);
        if (knownFactoryPids != null && !knownFactoryPids.contains(factoryPid)) {
            Set<String> types = new TreeSet<>();
            knownFactoryPids.forEach(p -> types.add(typeName(p)));
            throw new CommandException("no device type '" + type + "' is installed (installed: "
                    + String.join(", ", types) + ")");
        }
        if (extra.containsKey("bus")) {
            throw new CommandException("give the bus as the second argument, not as bus=");
        }
        String name = extra.get("name");
        if (name == null) {
            String base = typeName(factoryPid);
            int n = 0;
            while (nameTaken.test(base + n) || find(base + n).isPresent()) {
                n++;
            }
            name = base + n;
        } else if (name.isEmpty() || !name.matches("[A-Za-z0-9_.-]+")) {
            throw new CommandException("name '" + name + "' must be letters, digits, '_', '.' or '-'");
        } else if (nameTaken.test(name) || find(name).isPresent()) {
            throw new CommandException("a device named '" + name + "' exists already");
        }
        Map<String, String> values = new LinkedHashMap<>(extra);
        values.put("bus", bus);
        values.put("name", name);
        List<String> problems = check.problems(factoryPid, values);
        if (!problems.isEmpty()) {
            throw new CommandException("configuration " + factoryPid + "~" + name + " refused: "
                    + String.join("; ", problems));
        }
        Configuration c = cm.getFactoryConfiguration(factoryPid, name, "?");
        if (c.getProperties() != null) {
            throw new CommandException("configuration " + c.getPid() + " exists already");
        }
        Dictionary<String, Object> props = new Hashtable<>();
        props.put("bus", bus);
        props.put("name", name);
        extra.forEach(props::put);
        c.update(props);
        return c.getPid();
    }

    /** The device factory configuration whose device has this name (property {@code name} or its PID). */
    Optional<Configuration> find(String name) throws IOException {
        String v = escape(name);
        Configuration[] found;
        try {
            found = cm.listConfigurations("(&(service.factoryPid=*)(|(name=" + v + ")(service.pid=" + v + ")))");
        } catch (InvalidSyntaxException e) {
            throw new CommandException("device name '" + name + "' cannot be looked up: " + e.getMessage());
        }
        if (found == null) {
            return Optional.empty();
        }
        List<Configuration> devices = new ArrayList<>();
        for (Configuration c : found) {
            if (c.getFactoryPid() != null && (knownFactoryPids == null ? c.getFactoryPid().startsWith(PID_PREFIX)
                    : knownFactoryPids.contains(c.getFactoryPid()))) {
                devices.add(c);
            }
        }
        return devices.stream().findFirst();
    }

    private static String escape(String value) {
        StringBuilder out = new StringBuilder();
        for (char ch : value.toCharArray()) {
            if (ch == '\\' || ch == '*' || ch == '(' || ch == ')') {
                out.append('\\');
            }
            out.append(ch);
        }
        return out.toString();
    }
}
