package dev.vmsg.device.console.internal;

/**
 * A port's host side inside the container: a Java service reads and writes it through the
 * {@code ConsoleEndpoint} the device component registers. No threads of its own: the service's
 * callers wait on the pipes, which is where the back-pressure reaches them.
 */
final class EndpointPortHost implements PortHost {

    private PortPipes pipes;

    @Override
    public void start(PortPipes p) {
        this.pipes = p;
        p.hostConnected(true);
    }

    PortPipes pipes() {
        return pipes;
    }

    @Override
    public String describe() {
        return "endpoint (ConsoleEndpoint service)";
    }

    @Override
    public void close() {
        if (pipes != null) {
            pipes.hostConnected(false);
        }
    }
}
