package dev.vmsg.bus.ffa.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.ByteBuffer;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/** The FF-A bus messages against the byte layouts of spec sections 4.3 and 4.5 (hex on purpose). */
class FfaBusMessagesTest {

    private static String hex(ByteBuffer b) {
        byte[] a = new byte[b.remaining()];
        b.get(b.position(), a);
        return HexFormat.of().formatHex(a);
    }

    @Test
    void versionRequestIsTwelveBytesAfterTheHeader() {
        ByteBuffer b = new FfaBusMessages.VersionRequest(0x0001_0000, 1, 0x0001_0002).encode(7);
        assertEquals("0280" + "0000" + "0700" + "1400" + "00000100" + "01000000" + "02000100", hex(b));
        assertEquals(new FfaBusMessages.VersionRequest(0x0001_0000, 1, 0x0001_0002),
                FfaBusMessages.VersionRequest.decode(b));
    }

    @Test
    void versionResponseIsTwentyTwoBytes() {
        ByteBuffer b = new FfaBusMessages.VersionResponse(0x0001_0000, 1, 0x0001_0002, 0, 0x45, 1).encode(7);
        assertEquals("0380000007001e00" + "00000100" + "01000000" + "02000100" + "00000000" + "45000000" + "0100",
                hex(b));
        assertEquals(1, FfaBusMessages.VersionResponse.decode(b).maxAreas());
    }

    @Test
    void areaSharePacksItsFieldsMisaligned() {
        ByteBuffer b = new FfaBusMessages.AreaShare(0x0102, 0x1122334455667788L, 0x99AABBCCDDEEFF00L, 256, 0x6F4)
                .encode(2);
        // area_id u16 @0, mem_handle u64 @2, mem_tag u64 @10, page_count u32 @18, sharing_attrs u32 @22
        assertEquals("0281000002002200" + "0201" + "8877665544332211" + "00ffeeddccbbaa99" + "00010000" + "f4060000",
                hex(b));
        assertEquals(34, b.remaining());
        FfaBusMessages.AreaShare d = FfaBusMessages.AreaShare.decode(b);
        assertEquals(0x1122334455667788L, d.memHandle());
        assertEquals(0x6F4, d.sharingAttrs());
    }

    @Test
    void areaResultAndUnshare() {
        assertEquals("0381000003000c00" + "0100" + "0000", hex(FfaBusMessages.areaResult(0x81, 3, 1, 0)));
        assertEquals("0282000004000a00" + "0100", hex(FfaBusMessages.areaUnshare(4, 1)));
        assertEquals("02c0000000000a00" + "0100", hex(FfaBusMessages.areaRelease(1)));
        assertEquals("0387000005000a00" + "8100", hex(FfaBusMessages.error(5, 0x81)));
    }

    @Test
    void eventConfigureCarriesMethodAndNotificationId() {
        ByteBuffer b = new FfaBusMessages.EventConfigure(3, 0x0102).encode(9);
        assertEquals("0285000009000c00" + "03" + "00" + "0201", hex(b));
        assertEquals(new FfaBusMessages.EventConfigure(3, 0x0102), FfaBusMessages.EventConfigure.decode(b));
        assertEquals("0385000009000a00" + "0200", hex(FfaBusMessages.result(0x85, 9, 2)));
    }

    @Test
    void fifoConfigureAndItsResponse() {
        ByteBuffer b = new FfaBusMessages.FifoConfigure(0xA1A2A3A4A5A6A7A8L, 2, 5).encode(1);
        assertEquals("0286000001001400" + "a8a7a6a5a4a3a2a1" + "0200" + "0500", hex(b));
        assertEquals(new FfaBusMessages.FifoConfigure(0xA1A2A3A4A5A6A7A8L, 2, 5),
                FfaBusMessages.FifoConfigure.decode(b));
        assertEquals("0386000001000c00" + "0000" + "0100", hex(FfaBusMessages.fifoConfigureResult(1, 0, 1)));
    }

    @Test
    void shortBusMessagesAreRefused() {
        ByteBuffer b = FfaBusMessages.frame(2, 0x81, 1, 4);
        assertThrows(IllegalArgumentException.class, () -> FfaBusMessages.AreaShare.decode(b));
    }

    @Test
    void vffafifoRingHeaderLayout() {
        ByteBuffer region = ByteBuffer.allocate(8192).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        VffaFifo ring = VffaFifo.format(region, 0, 104, 4, 608);
        assertEquals("564646414649464f" + "0000" + "000000000000" + "6800" + "0400" + "00000000" + "60020000",
                HexFormat.of().formatHex(region.array(), 0, 28));
        assertEquals(192 + 4 * 104, VffaFifo.ringSize(104, 4));
        ByteBuffer msg = FfaBusMessages.frame(0, 0x42, 0, 4);
        for (int i = 0; i < 3; i++) {
            assertEquals(true, ring.offer(msg.duplicate()));
        }
        assertEquals(false, ring.offer(msg.duplicate()), "one slot stays free");
        assertEquals(3, region.getShort(128), "write_index @128");
        assertEquals(0, region.getShort(64), "read_index @64");
        assertEquals("0042000000000c00", HexFormat.of().formatHex(region.array(), 192, 200), "slot 0 @192");
        ByteBuffer dst = ByteBuffer.allocate(104);
        assertEquals(12, ring.poll(dst));
        assertEquals(1, region.getShort(64));
    }

    @Test
    void vffafifoRejectsBadHeadersAndIndexes() {
        ByteBuffer region = ByteBuffer.allocate(8192).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        VffaFifo.format(region, 0, 104, 4, 608);
        region.putShort(16, (short) 64);
        assertThrows(IllegalArgumentException.class, () -> VffaFifo.attach(region, 0), "slot below 104");
        region.putShort(16, (short) 104);
        region.put(0, (byte) 'X');
        assertThrows(IllegalArgumentException.class, () -> VffaFifo.attach(region, 0), "bad magic");
        VffaFifo ring = VffaFifo.format(region, 0, 104, 4, 608);
        region.putShort(128, (short) 9);
        assertThrows(IllegalStateException.class, () -> ring.poll(ByteBuffer.allocate(104)), "write_index >= depth");
    }
}
