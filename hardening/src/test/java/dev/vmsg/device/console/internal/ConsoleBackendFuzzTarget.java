package dev.vmsg.device.console.internal;

import com.code_intelligence.jazzer.junit.FuzzTest;
import static dev.vmsg.hardening.RingSeeds.*;
import dev.vmsg.hardening.SeedWriter;
import dev.vmsg.hardening.Corpus;
import org.junit.jupiter.api.Test;
import dev.vmsg.hardening.BackendHarness;
import dev.vmsg.hardening.FuzzInput;
import dev.vmsg.wire.FeatureBits;
import dev.vmsg.wire.FeatureSet;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * HARDENING row 12: the virtio-console device model (multiport or not) under a hostile driver
 * ({@link BackendHarness} oracle), with host-side traffic from the input: bytes for the driver,
 * reads of what the driver sent, host connects and disconnects. Receive queues (the even ones)
 * may keep posted buffers; every other popped head must come back once the host side drains.
 */
class ConsoleBackendFuzzTarget {
    private static final int PORTS = 3;

    @FuzzTest(maxDuration = "30s")
    void serve(byte[] bytes) {
        FuzzInput in = new FuzzInput(bytes);
        int queueSize = 1 << in.below(4);
        boolean multiport = in.bool();
        EndpointPortHost[] hosts = new EndpointPortHost[PORTS];
        List<ConsoleBackend.PortDefinition> defs = new ArrayList<>();
        for (int i = 0; i < PORTS; i++) {
            hosts[i] = new EndpointPortHost();
            defs.add(new ConsoleBackend.PortDefinition("p" + i, hosts[i]));
        }
        ConsoleBackend backend = new ConsoleBackend("fuzz", defs, 8, 64 + in.u16() % 4096, 80, 25, ConsoleLog.SILENT);
        backend.start();
        try {
            FeatureSet features = multiport ? FeatureSet.of(VirtioConsole.F_MULTIPORT, VirtioConsole.F_SIZE)
                    : FeatureSet.EMPTY;
            if (in.bool()) {
                features = features.with(FeatureBits.VIRTIO_F_EVENT_IDX);
            }
            backend.acceptFeatures(features);
            Set<Integer> receiveQueues = new java.util.HashSet<>();
            for (int q = 0; q < backend.numQueues(); q += 2) {
                receiveQueues.add(q);
            }
            new BackendHarness(backend, features, queueSize, 64 * 1024).run(in, receiveQueues, host -> {
                PortPipes p = hosts[host.u8() % PORTS].pipes();
                switch (host.u8() % 3) {
                    case 0 -> p.toDriver.offer(ByteBuffer.wrap(host.bytes(600)));
                    case 1 -> p.fromDriver.poll(ByteBuffer.allocate(host.u16() % 2048));
                    default -> p.hostConnected(host.bool());
                }
            }, () -> {
                int taken = 0;
                for (EndpointPortHost h : hosts) {
                    taken += h.pipes().fromDriver.poll(ByteBuffer.allocate(1 << 16));
                }
                return taken;
            });
        } finally {
            backend.close();
        }
    }

    /** Seeds: receive buffers, a transmitted line, host traffic, and the multiport control handshake. */
    static List<byte[]> seeds() {
        List<byte[]> seeds = new ArrayList<>();
        for (int multiport = 0; multiport < 2; multiport++) {
            SeedWriter w = new SeedWriter().u8(3).u8(multiport).u16(1024).u8(0);
            desc(w.u8(0).u8(0), 0, 0x100, 256, WRITE, 0);
            publish(w.u8(0).u8(0), 0);
            data(w.u8(0).u8(1), 0x100, "hello\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            desc(w.u8(0).u8(1), 0, 0x100, 6, 0, 0);
            publish(w.u8(0).u8(1), 0);
            if (multiport == 1) {
                desc(w.u8(0).u8(2), 0, 0x100, 64, WRITE, 0);
                desc(w.u8(0).u8(2), 1, 0x200, 64, WRITE, 0);
                publish(w.u8(0).u8(2), 0);
                publish(w.u8(0).u8(2), 1);
                w.u8(3).u8(2);
                int i = 0;
                for (ControlMessage m : new ControlMessage[] {ControlMessage.of(0, VirtioConsole.DEVICE_READY, 1),
                    ControlMessage.of(0, VirtioConsole.PORT_READY, 1), ControlMessage.of(0, VirtioConsole.PORT_OPEN, 1)}) {
                    data(w.u8(0).u8(3), 0x100 + 0x100 * i, m.encode());
                    desc(w.u8(0).u8(3), i, 0x100 + 0x100 * i, m.encode().length, 0, 0);
                    publish(w.u8(0).u8(3), i);
                    i++;
                }
                w.u8(3).u8(3);
            }
            w.u8(3).u8(0).u8(3).u8(1);
            w.u8(5).u8(0).u8(0).u8(2).u8(1); // host connects port 0
            w.u8(5).u8(0).u8(0).u8(0).bytes("from the host".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            w.u8(3).u8(0).u8(5).u8(0).u8(0).u8(1).u16(100);
            seeds.add(w.toByteArray());
        }
        return seeds;
    }

    @Test
    void seedsAreCommitted() {
        Corpus.check(getClass(), "serve", seeds());
    }
}
