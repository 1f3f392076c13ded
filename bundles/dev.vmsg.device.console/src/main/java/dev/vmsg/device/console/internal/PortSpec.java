package dev.vmsg.device.console.internal;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * One configured port: {@code name=tcp:<port>} (a listener on 127.0.0.1, 0 for an ephemeral
 * port), {@code name=file:<in>,<out>} (either path may be empty) or {@code name=endpoint} (an
 * in-container {@code ConsoleEndpoint} service).
 */
record PortSpec(String name, Kind kind, int tcpPort, String inPath, String outPath) {

    enum Kind { TCP, FILE, ENDPOINT }

    /**
     * Parses the {@code ports} configuration; port ids follow the order. Each element may hold
     * several specs separated by {@code ;} (a .cfg file then needs no array syntax).
     */
    static List<PortSpec> parseAll(String[] given) {
        List<String> specs = new ArrayList<>();
        for (String g : given == null ? new String[0] : given) {
            for (String s : g.split(";")) {
                if (!s.isBlank()) {
                    specs.add(s);
                }
            }
        }
        if (specs.isEmpty()) {
            throw new IllegalArgumentException("no ports configured: give at least one, e.g. ports=console=tcp:0");
        }
        List<PortSpec> out = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (String s : specs) {
            PortSpec p = parse(s);
            if (!names.add(p.name())) {
                throw new IllegalArgumentException("port name '" + p.name() + "' is used twice");
            }
            out.add(p);
        }
        return out;
    }

    static PortSpec parse(String spec) {
        String s = spec == null ? "" : spec.trim();
        int eq = s.indexOf('=');
        if (eq <= 0) {
            throw new IllegalArgumentException("port '" + s + "': expected name=tcp:<port>, name=file:<in>,<out> or name=endpoint");
        }
        String name = s.substring(0, eq).trim();
        String backend = s.substring(eq + 1).trim();
        if (name.isEmpty() || name.length() > VirtioConsole.MAX_NAME_BYTES || !name.matches("[A-Za-z0-9._-]+")) {
            throw new IllegalArgumentException("port name '" + name + "': use 1.." + VirtioConsole.MAX_NAME_BYTES
                    + " characters of A-Z a-z 0-9 . _ -");
        }
        if (backend.equals("endpoint")) {
            return new PortSpec(name, Kind.ENDPOINT, -1, null, null);
        }
        if (backend.startsWith("tcp:")) {
            int port;
            try {
                port = Integer.parseInt(backend.substring(4).trim());
            } catch (NumberFormatException e) {
                port = -1;
            }
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("port '" + name + "': tcp needs a port number 0..65535 (0 = any free), got '"
                        + backend.substring(4) + "'");
            }
            return new PortSpec(name, Kind.TCP, port, null, null);
        }
        if (backend.startsWith("file:")) {
            String paths = backend.substring(5);
            int comma = paths.indexOf(',');
            String in = (comma < 0 ? paths : paths.substring(0, comma)).trim();
            String out = comma < 0 ? "" : paths.substring(comma + 1).trim();
            if (in.isEmpty() && out.isEmpty()) {
                throw new IllegalArgumentException("port '" + name + "': file needs <in>,<out> (one may be empty)");
            }
            return new PortSpec(name, Kind.FILE, -1, in.isEmpty() ? null : in, out.isEmpty() ? null : out);
        }
        throw new IllegalArgumentException("port '" + name + "': unknown backend '" + backend
                + "' (tcp:<port>, file:<in>,<out> or endpoint)");
    }
}
