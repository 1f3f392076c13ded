package dev.vmsg.device.console.internal;

import static org.junit.jupiter.api.Assertions.assertNotNull;

import dev.vmsg.bus.loopback.internal.LoopbackBus;
import dev.vmsg.device.console.ConsolePort;
import dev.vmsg.transport.internal.TransportCore;
import dev.vmsg.transport.internal.TransportLog;
import dev.vmsg.transport.internal.TransportOptions;
import dev.vmsg.wire.WireProfile;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** The console device and driver joined by the real transport over a loopback bus. */
final class ConsoleRig implements AutoCloseable {

    final LoopbackBus bus;
    final TransportCore core;
    final ConsoleBackend backend;
    final BlockingQueue<ConsolePort> published = new LinkedBlockingQueue<>();
    final BlockingQueue<ConsolePort> withdrawn = new LinkedBlockingQueue<>();
    final Map<String, ConsolePort> byName = new ConcurrentHashMap<>();

    ConsoleRig(List<ConsoleBackend.PortDefinition> ports, int pipeCapacity) {
        bus = LoopbackBus.create("conbus", WireProfile.REV1, 264, 1 << 20, w -> { });
        core = new TransportCore(TransportOptions.DEFAULTS, TransportLog.SILENT);
        core.addBus("bus", bus);
        core.addDriver("driver", new ConsoleDriver(port -> {
            published.add(port);
            return new ConsoleDriver.Registration() {
                @Override
                public void update() {
                    byName.put(port.name(), port);
                }

                @Override
                public void withdraw() {
                    withdrawn.add(port);
                }
            };
        }, ConsoleLog.SILENT));
        backend = new ConsoleBackend("console0", ports, 64, pipeCapacity, 80, 25, ConsoleLog.SILENT);
        backend.start();
        core.addBackend("console", backend, "conbus", "console0", null);
    }

    /** Waits until {@code n} ports are published, keyed by name. */
    Map<String, ConsolePort> awaitPorts(int n) throws InterruptedException {
        for (int i = 0; i < n; i++) {
            ConsolePort p = published.poll(10, TimeUnit.SECONDS);
            assertNotNull(p, "port " + i + " of " + n + " not published");
            byName.put(p.name(), p);
        }
        return byName;
    }

    @Override
    public void close() {
        core.close();
        bus.close();
        backend.close();
    }
}
