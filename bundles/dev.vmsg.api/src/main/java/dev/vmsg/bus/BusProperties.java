package dev.vmsg.bus;

import java.util.Hashtable;
import java.util.Map;

/** Service properties that identify a {@link Bus} service. */
public final class BusProperties {

    /** The bus instance name ({@code loopback0}); device configurations name it in {@code bus}. */
    public static final String NAME = "vmsg.bus.name";

    /** The kind of bus: {@code loopback}, {@code fifo} or {@code ffa}. */
    public static final String TYPE = "vmsg.bus.type";

    /** The OSGi {@code service.ranking} property: of buses with one name, the transport serves the best-ranked. */
    public static final String RANKING = "service.ranking";

    /**
     * The service properties of a bus registration: {@link #NAME}, {@link #TYPE} and, when the bus's
     * component properties (its configuration) carry an Integer {@code service.ranking}, that
     * ranking, so that a bus configured with a higher ranking takes over from a served bus of the
     * same name.
     *
     * @since 1.1
     */
    public static Hashtable<String, Object> of(String name, String type, Map<String, ?> componentProperties) {
        Hashtable<String, Object> props = new Hashtable<>();
        props.put(NAME, name);
        props.put(TYPE, type);
        if (componentProperties.get(RANKING) instanceof Integer ranking) {
            props.put(RANKING, ranking);
        }
        return props;
    }

    private BusProperties() {
    }
}
