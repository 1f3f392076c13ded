package dev.vmsg.shell.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vmsg.admin.TraceRecord;
import dev.vmsg.wire.Header;
import java.io.File;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PcapngWriterTest {

    /** A REV1 GET_DEVICE_INFO request (8-byte header, no payload) and its 3-byte-payload cousin. */
    private static final byte[] REQUEST = {0x00, 0x02, 0x00, 0x00, 0x07, 0x00, 0x08, 0x00};
    private static final byte[] ODD = {0x03, 0x03, 0x00, 0x00, 0x10, 0x00, 0x0B, 0x00, 1, 2, 3};

    private static List<TraceRecord> records() {
        return List.of(
                new TraceRecord(0, 1_700_000_000_123_456_789L, "driver", true, "REV1", new Header(0, 2, 0, 7, 8),
                        "GetDeviceInfoRequest[]", REQUEST),
                new TraceRecord(1, 1_700_000_000_123_999_000L, "device", false, "REV1", new Header(0, 2, 0, 7, 8),
                        "GetDeviceInfoRequest[]", REQUEST),
                new TraceRecord(2, 1_700_000_001_000_000_001L, "device", true, "RFC2", null, "dropped: malformed: é",
                        ODD));
    }

    @Test
    void independentReaderFindsOneSectionOneInterfaceAndOneEnhancedPacketPerMessage() {
        byte[] file = PcapngWriter.write("loopback0", "REV1", records());
        PcapngReader.Capture c = PcapngReader.read(file);
        assertEquals(ByteOrder.LITTLE_ENDIAN, c.order());
        assertEquals(1, c.majorVersion());
        assertEquals(0, c.minorVersion());
        assertEquals("vmsg", new String(c.sectionOptions().get(4), StandardCharsets.UTF_8));
        assertEquals(1, c.interfaces().size());
        PcapngReader.Interface i = c.interfaces().get(0);
        assertEquals(147, i.linkType(), "LINKTYPE_USER0");
        assertEquals(0, i.snapLen());
        assertEquals("vmsg:loopback0", i.option(2));
        assertTrue(i.option(3).startsWith("virtio-msg bus loopback0 (REV1)"), i.option(3));
        assertArrayEquals(new byte[] {9}, i.options().get(9), "if_tsresol: nanoseconds");
        assertEquals(3, c.packets().size());

        PcapngReader.Packet p0 = c.packets().get(0);
        assertEquals(0, p0.interfaceId());
        assertEquals(1_700_000_000_123_456_789L, p0.timestamp());
        assertEquals(12, p0.capturedLength());
        assertEquals(12, p0.originalLength());
        // pseudo-header: version 1; outbound, driver side, driver to device; REV1
        assertArrayEquals(new byte[] {1, 1 | 4, 1, 0, 0x00, 0x02, 0x00, 0x00, 0x07, 0x00, 0x08, 0x00}, p0.data());
        assertEquals("GetDeviceInfoRequest[]", new String(p0.options().get(1), StandardCharsets.UTF_8));
        assertEquals(2, ByteBuffer.wrap(p0.options().get(2)).order(ByteOrder.LITTLE_ENDIAN).getInt(), "outbound");

        PcapngReader.Packet p1 = c.packets().get(1);
        assertArrayEquals(new byte[] {1, 2 | 4, 1, 0}, java.util.Arrays.copyOf(p1.data(), 4),
                "inbound on the device side: still driver to device");
        assertEquals(1, ByteBuffer.wrap(p1.options().get(2)).order(ByteOrder.LITTLE_ENDIAN).getInt(), "inbound");

        PcapngReader.Packet p2 = c.packets().get(2);
        assertEquals(15, p2.capturedLength(), "odd length: padded in the block, not in the packet");
        assertArrayEquals(new byte[] {1, 1 | 2, 3, 0, 0x03, 0x03, 0x00, 0x00, 0x10, 0x00, 0x0B, 0x00, 1, 2, 3},
                p2.data(), "outbound from the device side: device to driver, RFC2");
        assertEquals("dropped: malformed: é", new String(p2.options().get(1), StandardCharsets.UTF_8));
    }

    @Test
    void sectionHeaderBytesAreExactlyTheSpecLayout() {
        byte[] file = PcapngWriter.write("b", "REV1", List.of());
        ByteBuffer b = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(0x0A0D0D0A, b.getInt(0));
        int shbLength = b.getInt(4);
        // type, length, magic, 1.0, section length -1, shb_userappl "vmsg" (4+4), endofopt (4), length
        assertEquals(4 + 4 + 4 + 4 + 8 + 8 + 4 + 4, shbLength);
        assertEquals(0x1A2B3C4D, b.getInt(8));
        assertEquals(1, b.getShort(12));
        assertEquals(0, b.getShort(14));
        assertEquals(-1L, b.getLong(16));
        assertEquals(shbLength, b.getInt(shbLength - 4));
        assertEquals(1, b.getInt(shbLength), "then the Interface Description Block");
        assertEquals(file.length, shbLength + b.getInt(shbLength + 4), "and nothing else for an empty trace");
    }

    /** Wireshark's own tools, when the machine has them: capinfos and tshark must open the file. */
    @Test
    void wiresharkToolsOpenTheFileWhenInstalled(@TempDir Path dir) throws Exception {
        String capinfos = onPath("capinfos");
        String tshark = onPath("tshark");
        Assumptions.assumeTrue(capinfos != null || tshark != null, "neither capinfos nor tshark is installed");
        Path file = dir.resolve("trace.pcapng");
        Files.write(file, PcapngWriter.write("loopback0", "REV1", records()));
        if (capinfos != null) {
            String out = run(capinfos, "-c", "-E", file.toString());
            assertTrue(out.matches("(?s).*Number of packets:\\s+3\n.*"), out);
            assertTrue(out.matches("(?s).*File encapsulation:\\s+USER 0\n.*"), out);
        }
        if (tshark != null) {
            String out = run(tshark, "-r", file.toString(), "-T", "fields", "-e", "frame.len", "-e", "frame.comment");
            assertEquals(List.of("12\tGetDeviceInfoRequest[]", "12\tGetDeviceInfoRequest[]",
                    "15\tdropped: malformed: é"), out.lines().map(String::strip).toList(), out);
            // the dissector shipped in docs/wireshark decodes the pseudo-header and the virtio-msg header
            Path dissector = Path.of("../../docs/wireshark/vmsg.lua").toAbsolutePath().normalize();
            assertTrue(Files.isRegularFile(dissector), dissector.toString());
            String decoded = run(tshark, "-X", "lua_script:" + dissector, "-r", file.toString(), "-T", "fields",
                    "-e", "vmsg.pseudo.profile", "-e", "vmsg.pseudo.to_device", "-e", "vmsg.msg_id", "-e", "vmsg.type.bus",
                    "-e", "vmsg.token", "-e", "vmsg.msg_size");
            assertEquals(List.of("1\t1\t0x02\t0\t0x0007\t8", "1\t1\t0x02\t0\t0x0007\t8", "3\t0\t0x03\t1\t\t16"),
                    decoded.lines().map(String::strip).toList(), decoded);
        }
    }

    private static String onPath(String tool) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            File f = new File(dir, tool);
            if (f.canExecute()) {
                return f.getPath();
            }
        }
        return null;
    }

    private static String run(String... command) throws Exception {
        // stdout only: tshark warns on stderr (e.g. when run as root)
        Process p = new ProcessBuilder(new ArrayList<>(List.of(command)))
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "timed out: " + String.join(" ", command));
        assertEquals(0, p.exitValue(), String.join(" ", command) + ":\n" + out);
        return out;
    }
}
