package dev.vmsg.bus.fifo.internal;

import dev.vmsg.bus.Bus;
import dev.vmsg.bus.BusEndpoint;
import dev.vmsg.bus.BusInfo;
import dev.vmsg.bus.DeviceEndpoint;
import dev.vmsg.bus.DriverEndpoint;
import java.io.IOException;
import java.util.Optional;

/**
 * A bus of which this process hosts one side, the other side being another process: the FIFO bus
 * and its QEMU linux-user mode. Offers only the endpoint of its role; closing the bus closes it.
 */
public abstract class SingleSideBus implements Bus, AutoCloseable {

    /** Builds the hosted side on the bus's info. */
    @FunctionalInterface
    public interface Side {
        BusEndpoint create(BusInfo info) throws IOException;
    }

    private final BusInfo info;
    private final BusEndpoint endpoint;

    /** @param side builds a {@link DriverEndpoint} or a {@link DeviceEndpoint} */
    protected SingleSideBus(BusInfo info, Side side) throws IOException {
        this.info = info;
        this.endpoint = side.create(info);
    }

    /** The hosted side. */
    protected final BusEndpoint side() {
        return endpoint;
    }

    @Override
    public final BusInfo info() {
        return info;
    }

    @Override
    public final Optional<DriverEndpoint> driverEndpoint() {
        return endpoint instanceof DriverEndpoint d ? Optional.of(d) : Optional.empty();
    }

    @Override
    public final Optional<DeviceEndpoint> deviceEndpoint() {
        return endpoint instanceof DeviceEndpoint d ? Optional.of(d) : Optional.empty();
    }

    /** Closes the hosted side: threads stop, later sends fail. */
    @Override
    public void close() {
        endpoint.close();
    }

    @Override
    public String toString() {
        return endpoint.toString();
    }
}
