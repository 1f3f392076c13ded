package dev.vmsg.bus;

/** Service properties that identify a {@link Bus} service. */
public final class BusProperties {

    /** The bus instance name ({@code loopback0}); device configurations name it in {@code bus}. */
    public static final String NAME = "vmsg.bus.name";

    /** The kind of bus: {@code loopback}, {@code fifo} or {@code ffa}. */
    public static final String TYPE = "vmsg.bus.type";

    private BusProperties() {
    }
}
