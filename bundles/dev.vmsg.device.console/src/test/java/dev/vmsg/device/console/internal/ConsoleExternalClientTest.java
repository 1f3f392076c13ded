package dev.vmsg.device.console.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.vmsg.device.console.ConsolePort;
import java.io.File;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A console port on TCP driven from outside the JVM by a plain socket client in its own OS process
 * ({@code nc} when installed, else a python3 one-liner): no code of ours on the client side. The
 * driver side echoes what the client sent; the client checks it got every line back.
 */
class ConsoleExternalClientTest {

    private static final int LINES = 200;

    /** Sends LINES lines, reads until it has them all back, prints them; exits 0. */
    private static final String PY = String.join("\n",
            "import socket,sys",
            "s=socket.create_connection(('127.0.0.1',int(sys.argv[1])),timeout=20)",
            "want=b''.join(b'line %d of the external client\\n' % i for i in range(" + LINES + "))",
            "s.sendall(want)",
            "got=b''",
            "while len(got)<len(want):",
            "  d=s.recv(65536)",
            "  if not d: break",
            "  got+=d",
            "s.close()",
            "sys.stdout.write(got.decode())",
            "sys.exit(0 if got==want else 3)");

    private static String find(String tool) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            File f = new File(dir, tool);
            if (f.canExecute()) {
                return f.getPath();
            }
        }
        return null;
    }

    @Test
    void externalSocketClientGetsItsLinesEchoedThroughTheDriver() throws Exception {
        String python = find("python3");
        assumeTrue(python != null, "python3 is needed for the external client");
        TcpPortHost tcp = new TcpPortHost("external tcp", "vmsg-test-ext", 0, ConsoleLog.SILENT);
        try (ConsoleRig rig = new ConsoleRig(List.of(new ConsoleBackend.PortDefinition("console", tcp)), 4096)) {
            ConsolePort port = rig.awaitPorts(1).get("console");
            Thread echo = new Thread(() -> {
                ByteBuffer b = ByteBuffer.allocate(4096);
                while (true) {
                    b.clear();
                    int n = port.read(b, Duration.ofSeconds(1));
                    if (n < 0) {
                        return;
                    }
                    b.flip();
                    while (b.hasRemaining()) {
                        port.write(b, Duration.ofSeconds(5));
                    }
                }
            }, "test-echo");
            echo.setDaemon(true);
            echo.start();
            List<String> cmd = new ArrayList<>(List.of(python, "-c", PY, Integer.toString(tcp.port())));
            Process client = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            assertTrue(client.pid() != ProcessHandle.current().pid(), "the client is its own process");
            boolean done = client.waitFor(30, TimeUnit.SECONDS);
            if (!done) {
                client.destroyForcibly();
            }
            String out = new String(client.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(done, "the client did not finish in 30 s");
            assertEquals(0, client.exitValue(), "client output:\n" + out);
            assertTrue(out.startsWith("line 0 of the external client\n"), out);
            assertTrue(out.endsWith("line " + (LINES - 1) + " of the external client\n"), out);
        }
    }
}
