package dev.vmsg.device.net.internal;

import java.net.InetSocketAddress;

/**
 * The {@code backend} property of a net device: {@code switch:<name>} or
 * {@code udp:<local host>:<local port>:<remote host>:<remote port>}.
 *
 * @param switchName the switch to plug into, or null for a UDP tunnel
 * @param local      the UDP address to bind (UDP only)
 * @param remote     the UDP address frames are sent to (UDP only)
 */
record NetBackendSpec(String switchName, InetSocketAddress local, InetSocketAddress remote) {

    /** @throws IllegalArgumentException naming what is wrong */
    static NetBackendSpec parse(String text) {
        String t = text.trim();
        if (t.startsWith("switch:")) {
            String name = t.substring("switch:".length());
            if (!name.matches("[A-Za-z0-9_.-]{1,64}")) {
                throw new IllegalArgumentException("switch name must be 1..64 of [A-Za-z0-9_.-]: '" + name + "'");
            }
            return new NetBackendSpec(name, null, null);
        }
        if (t.startsWith("udp:")) {
            String[] p = t.substring("udp:".length()).split(":");
            if (p.length != 4) {
                throw new IllegalArgumentException("give udp:<local host>:<local port>:<remote host>:<remote port>, not '"
                        + text + "'");
            }
            return new NetBackendSpec(null, address(p[0], p[1], text), address(p[2], p[3], text));
        }
        throw new IllegalArgumentException("backend must be switch:<name> or udp:<local>:<remote>, not '" + text + "'");
    }

    private static InetSocketAddress address(String host, String port, String text) {
        int n;
        try {
            n = Integer.parseInt(port);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("bad UDP port '" + port + "' in '" + text + "'");
        }
        if (n < 0 || n > 65535 || host.isEmpty()) {
            throw new IllegalArgumentException("bad UDP address " + host + ":" + port + " in '" + text + "'");
        }
        return new InetSocketAddress(host, n);
    }
}
