package dev.vmsg.admin;

import java.util.List;
import java.util.Optional;
import org.osgi.annotation.versioning.ProviderType;

/** The transport core's view of its buses and devices. Registered by the core as a service. */
@ProviderType
public interface VmsgAdmin {

    List<BusView> buses();

    /** Every device the core knows, on both sides, ordered by bus, side and number. */
    List<DeviceView> devices();

    /**
     * The device named {@code <bus>/<number>} or {@code <bus>/<number>/<side>} (side
     * {@code driver} or {@code device}), or by its device name ({@code rng0}).
     */
    Optional<DeviceView> device(String ref);
}
