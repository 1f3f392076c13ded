package dev.vmsg.shell.internal;

import dev.vmsg.device.DeviceProperties;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Supplier;
import org.osgi.framework.Bundle;
import org.osgi.service.metatype.AttributeDefinition;
import org.osgi.service.metatype.MetaTypeInformation;
import org.osgi.service.metatype.MetaTypeService;
import org.osgi.service.metatype.ObjectClassDefinition;

/**
 * {@link ConfigurationCheck} against the OSGi metatype of the bundle that designates the factory
 * PID: every given key the object class defines is checked with its
 * {@link AttributeDefinition#validate} (type, minimum, maximum, options), and a key it does not
 * define is refused with the keys it does (a misspelt key, {@code queue_size} for {@code
 * queue.size}, would otherwise be stored and silently ignored); the keys every device takes
 * ({@code bus}, {@code name}, {@code number}) are always accepted. A type without metatype is
 * not checked.
 */
final class MetaTypeCheck implements ConfigurationCheck {

    /** Read from every device's configuration by the transport, whatever its metatype says. */
    private static final Set<String> EVERY_DEVICE = Set.of(DeviceProperties.BUS, DeviceProperties.NAME,
            DeviceProperties.NUMBER);

    private final MetaTypeService metaType;
    private final Supplier<Bundle[]> bundles;

    MetaTypeCheck(MetaTypeService metaType, Supplier<Bundle[]> bundles) {
        this.metaType = metaType;
        this.bundles = bundles;
    }

    @Override
    public List<String> problems(String factoryPid, Map<String, String> values) {
        ObjectClassDefinition ocd = definition(factoryPid);
        if (ocd == null) {
            return List.of();
        }
        List<String> out = new ArrayList<>();
        AttributeDefinition[] ads = ocd.getAttributeDefinitions(ObjectClassDefinition.ALL);
        Map<String, AttributeDefinition> defined = new TreeMap<>();
        for (AttributeDefinition ad : ads == null ? new AttributeDefinition[0] : ads) {
            defined.put(ad.getID(), ad);
        }
        values.forEach((key, value) -> {
            AttributeDefinition ad = defined.get(key);
            if (ad == null) {
                if (!EVERY_DEVICE.contains(key)) {
                    out.add("no key '" + key + "' (" + factoryPid + " takes " + String.join(", ", defined.keySet())
                            + ")");
                }
                return;
            }
            String problem = ad.validate(value);
            if (problem != null && !problem.isEmpty()) {
                out.add(key + "=" + value + ": " + problem);
            }
        });
        return out;
    }

    private ObjectClassDefinition definition(String factoryPid) {
        for (Bundle b : bundles.get()) {
            if (b.getState() == Bundle.UNINSTALLED) {
                continue;
            }
            MetaTypeInformation info = metaType.getMetaTypeInformation(b);
            String[] pids = info == null ? null : info.getFactoryPids();
            if (pids != null && Arrays.asList(pids).contains(factoryPid)) {
                try {
                    return info.getObjectClassDefinition(factoryPid, null);
                } catch (IllegalArgumentException noDefinition) {
                    return null;
                }
            }
        }
        return null;
    }
}
