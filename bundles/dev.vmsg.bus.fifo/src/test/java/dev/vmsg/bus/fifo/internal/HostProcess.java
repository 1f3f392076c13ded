package dev.vmsg.bus.fifo.internal;

import dev.vmsg.transport.internal.TransportLog;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * A device host running in a second JVM for the two-process tests, and the lines it prints (one
 * thread reads them into {@link #lines}). The static helpers are for the host's own {@code main}.
 */
public record HostProcess(Process process, BlockingQueue<String> lines) {

    /** Starts {@code main} with this JVM's class path and {@code args}; stdout and stderr both become lines. */
    public static HostProcess start(Class<?> main, String maxHeap, String... args) throws IOException {
        String java = ProcessHandle.current().info().command().orElse("java");
        String[] command = new String[5 + args.length];
        command[0] = java;
        command[1] = "-Xmx" + maxHeap;
        command[2] = "-cp";
        command[3] = System.getProperty("java.class.path");
        command[4] = main.getName();
        System.arraycopy(args, 0, command, 5, args.length);
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                String s;
                while ((s = r.readLine()) != null) {
                    lines.add(s);
                }
            } catch (IOException e) {
                lines.add("reader: " + e);
            }
        }, "vmsg-test-host-output");
        reader.setDaemon(true);
        reader.start();
        return new HostProcess(p, lines);
    }

    /** In the host: prints one line and flushes it. */
    public static synchronized void line(String s) {
        System.out.println(s);
        System.out.flush();
    }

    /** In the host: a transport log printing info and warnings as lines. */
    public static TransportLog printingLog() {
        return new TransportLog() {
            @Override
            public void info(String message) {
                line("info: " + message);
            }

            @Override
            public void warn(String message) {
                line("warn: " + message);
            }

            @Override
            public void debug(String message) {
            }
        };
    }

    /**
     * In the host: says it is ready, serves until the test closes the host's standard input, then
     * closes the transport and the bus and says so.
     */
    public static void serveUntilStdinClosed(AutoCloseable core, AutoCloseable bus) throws Exception {
        line("device host ready, pid " + ProcessHandle.current().pid());
        InputStream in = System.in;
        while (in.read() >= 0) {
            // runs until the test closes our stdin (or kills us)
        }
        core.close();
        bus.close();
        line("device host stopped");
    }
}
