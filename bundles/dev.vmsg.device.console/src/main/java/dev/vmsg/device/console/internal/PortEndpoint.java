package dev.vmsg.device.console.internal;

import dev.vmsg.device.console.ConsoleEndpoint;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/** {@link ConsoleEndpoint} over the pipes of one endpoint port. */
final class PortEndpoint implements ConsoleEndpoint {

    private final String busName;
    private final String deviceName;
    private final int portId;
    private final String portName;
    private final PortPipes pipes;
    private final BooleanSupplier driverOpen;

    PortEndpoint(String busName, String deviceName, int portId, String portName, PortPipes pipes,
            BooleanSupplier driverOpen) {
        this.busName = busName;
        this.deviceName = deviceName;
        this.portId = portId;
        this.portName = portName;
        this.pipes = pipes;
        this.driverOpen = driverOpen;
    }

    @Override
    public String busName() {
        return busName;
    }

    @Override
    public String deviceName() {
        return deviceName;
    }

    @Override
    public int portId() {
        return portId;
    }

    @Override
    public String portName() {
        return portName;
    }

    @Override
    public boolean isDriverOpen() {
        return driverOpen.getAsBoolean();
    }

    @Override
    public int read(ByteBuffer dst, Duration timeout) {
        byte[] tmp = new byte[Math.min(dst.remaining(), pipes.fromDriver.capacity())];
        try {
            int n = pipes.fromDriver.take(tmp, 0, tmp.length, TimedStreams.nanos(timeout), TimeUnit.NANOSECONDS);
            if (n > 0) {
                dst.put(tmp, 0, n);
            }
            return n;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 0;
        }
    }

    @Override
    public int write(ByteBuffer src, Duration timeout) {
        byte[] tmp = new byte[src.remaining()];
        src.duplicate().get(tmp);
        try {
            int n = pipes.toDriver.put(tmp, 0, tmp.length, TimedStreams.nanos(timeout), TimeUnit.NANOSECONDS);
            if (n > 0) {
                src.position(src.position() + n);
            }
            return n;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 0;
        }
    }

    @Override
    public InputStream inputStream() {
        return TimedStreams.input(this::read);
    }

    @Override
    public OutputStream outputStream(Duration timeout) {
        return TimedStreams.output(this::write, timeout, toString());
    }

    @Override
    public String toString() {
        return "console endpoint " + deviceName + "/" + portName + " on " + busName;
    }
}
