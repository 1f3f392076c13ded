package dev.vmsg.device.console.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.ByteBuffer;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/** Control-message layouts (virtio 1.x §5.3.6.2), queue numbering and port specs. */
class ControlMessageTest {

    private static String hex(byte[] b) {
        return HexFormat.of().formatHex(b);
    }

    @Test
    void headerIsLe32IdLe16EventLe16Value() {
        assertEquals("05000000" + "0100" + "0100", hex(ControlMessage.of(5, VirtioConsole.DEVICE_ADD, 1).encode()));
        assertEquals("00000000" + "0000" + "0100", hex(ControlMessage.of(0, VirtioConsole.DEVICE_READY, 1).encode()));
        assertEquals("ffffffff" + "0600" + "0000", hex(ControlMessage.of(-1, VirtioConsole.PORT_OPEN, 0).encode()));
    }

    @Test
    void portNameFollowsTheHeaderWithoutTerminator() {
        byte[] b = ControlMessage.name(2, "log").encode();
        assertEquals("02000000" + "0700" + "0100" + "6c6f67", hex(b));
        ControlMessage m = ControlMessage.decode(ByteBuffer.wrap(b), 255);
        assertEquals("log", m.nameText());
    }

    @Test
    void resizeCarriesColsThenRows() {
        assertEquals("01000000" + "0500" + "0000" + "5000" + "1900", hex(ControlMessage.resize(1, 80, 25).encode()));
        assertArrayEquals(new int[] {80, 25}, ControlMessage.resize(1, 80, 25).size());
    }

    @Test
    void decodeRejectsShortMessagesAndCapsTheTail() {
        assertNull(ControlMessage.decode(ByteBuffer.wrap(new byte[7]), 16));
        ControlMessage m = ControlMessage.decode(ByteBuffer.wrap(new byte[8 + 1000]), 16);
        assertEquals(16, m.extra().length);
        ControlMessage big = ControlMessage.decode(ByteBuffer.wrap(HexFormat.of().parseHex("feffffff" + "ffff" + "ffff")), 0);
        assertEquals(0xFFFFFFFEL, Integer.toUnsignedLong(big.id()));
        assertEquals(0xFFFF, big.event());
        assertEquals(0xFFFF, big.value());
    }

    @Test
    void nameStopsAtNulAndHidesControlCharacters() {
        ControlMessage m = new ControlMessage(0, VirtioConsole.PORT_NAME, 1, "a\u001bb\0junk".getBytes());
        assertEquals("a?b", m.nameText());
        assertEquals(255, ControlMessage.name(0, "x".repeat(1000)).extra().length);
    }

    @Test
    void queueNumberingSkipsTheControlQueues() {
        assertEquals(0, VirtioConsole.receiveq(0));
        assertEquals(1, VirtioConsole.transmitq(0));
        assertEquals(4, VirtioConsole.receiveq(1));
        assertEquals(5, VirtioConsole.transmitq(1));
        assertEquals(6, VirtioConsole.receiveq(2));
        assertEquals(8, VirtioConsole.queueCount(3));
        for (int p = 0; p < 100; p++) {
            assertEquals(p, VirtioConsole.portOfQueue(VirtioConsole.receiveq(p)));
            assertEquals(p, VirtioConsole.portOfQueue(VirtioConsole.transmitq(p)));
        }
        assertEquals(-1, VirtioConsole.portOfQueue(VirtioConsole.CONTROL_RECEIVEQ));
        assertEquals(-1, VirtioConsole.portOfQueue(VirtioConsole.CONTROL_TRANSMITQ));
    }

    @Test
    void portSpecsParseAndBadOnesSayWhy() {
        assertEquals(new PortSpec("console", PortSpec.Kind.TCP, 0, null, null), PortSpec.parse("console=tcp:0"));
        assertEquals(new PortSpec("log", PortSpec.Kind.FILE, -1, "/a", "/b"), PortSpec.parse("log=file:/a,/b"));
        assertEquals(new PortSpec("out", PortSpec.Kind.FILE, -1, null, "/b"), PortSpec.parse("out=file:,/b"));
        assertEquals(PortSpec.Kind.ENDPOINT, PortSpec.parse("app=endpoint").kind());
        assertThrows(IllegalArgumentException.class, () -> PortSpec.parse("x=tcp:70000"));
        assertThrows(IllegalArgumentException.class, () -> PortSpec.parse("x=udp:1"));
        assertThrows(IllegalArgumentException.class, () -> PortSpec.parse("=endpoint"));
        assertThrows(IllegalArgumentException.class, () -> PortSpec.parse("a b=endpoint"));
        assertThrows(IllegalArgumentException.class, () -> PortSpec.parse("x=file:,"));
        assertThrows(IllegalArgumentException.class, () -> PortSpec.parseAll(new String[] {"a=endpoint", "a=tcp:0"}));
        assertThrows(IllegalArgumentException.class, () -> PortSpec.parseAll(new String[0]));
        assertEquals(3, PortSpec.parseAll(new String[] {"a=tcp:0; b=endpoint", "c=file:/x,/y"}).size());
    }
}
