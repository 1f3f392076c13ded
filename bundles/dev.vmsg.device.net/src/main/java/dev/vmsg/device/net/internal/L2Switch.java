package dev.vmsg.device.net.internal;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * An in-container learning Ethernet switch. Any number of virtio-net devices, on any buses, plug
 * into it as {@link SwitchPort}s. A frame's source address is learned for the port it came from;
 * it goes to the port its destination was learned on, or to every other port when the destination
 * is a group address (broadcast, multicast) or not learned yet (flooding). A frame for the port it
 * came from is filtered. Every port counts what it sent in, what it got, what its device refused.
 *
 * <p>Forwarding runs on the transmitting device's thread and copies the frame into the receiving
 * devices' backlogs; the receivers are woken once per transmit batch, not per frame.
 */
public final class L2Switch {

    /** Ports one switch takes. */
    static final int MAX_PORTS = 256;

    private final String name;
    private final MacTable table;
    private volatile SwitchPort[] ports = new SwitchPort[0];
    private int nextNumber;

    public L2Switch(String name, int macTableSize) {
        this.name = name;
        this.table = new MacTable(macTableSize);
    }

    public String name() {
        return name;
    }

    /** Plugs a device in. */
    synchronized SwitchPort attach(NetReceiver receiver) {
        if (ports.length >= MAX_PORTS) {
            throw new IllegalStateException("switch " + name + " has all its " + MAX_PORTS + " ports in use");
        }
        SwitchPort p = new SwitchPort(this, nextNumber++, receiver, MAX_PORTS);
        SwitchPort[] next = Arrays.copyOf(ports, ports.length + 1);
        next[ports.length] = p;
        ports = next;
        return p;
    }

    synchronized void detach(SwitchPort port) {
        List<SwitchPort> left = new ArrayList<>(Arrays.asList(ports));
        if (left.remove(port)) {
            ports = left.toArray(new SwitchPort[0]);
            table.forget(port);
        }
    }

    /** Forwards one frame (at least an Ethernet header, from position to limit) that came in on {@code from}. */
    void forward(SwitchPort from, ByteBuffer frame) {
        int at = frame.position();
        SwitchPort.bump(from.fromDevice, 1);
        SwitchPort.bump(from.fromDeviceBytes, frame.remaining());
        long dst = mac(frame, at);
        long src = mac(frame, at + 6);
        if (!VirtioNet.isGroup(src)) {
            table.learn(src, from);
        }
        SwitchPort to = VirtioNet.isGroup(dst) ? null : table.lookup(dst);
        if (to == from) {
            SwitchPort.bump(from.filtered, 1);
        } else if (to != null) {
            send(from, to, frame);
        } else {
            SwitchPort.bump(from.flooded, 1);
            for (SwitchPort p : ports) {
                if (p != from) {
                    send(from, p, frame);
                }
            }
        }
    }

    private static void send(SwitchPort from, SwitchPort to, ByteBuffer frame) {
        if (to.receiver().deliver(frame)) {
            to.toDevice.incrementAndGet();
            to.toDeviceBytes.addAndGet(frame.remaining());
            from.wakeLater(to);
        } else {
            to.toDeviceDropped.incrementAndGet();
        }
    }

    private static long mac(ByteBuffer f, int at) {
        return (f.getInt(at) & 0xFFFF_FFFFL) << 16 | (f.getShort(at + 4) & 0xFFFF);
    }

    /** The ports plugged in now. */
    SwitchPort[] ports() {
        return ports;
    }

    MacTable table() {
        return table;
    }
}
