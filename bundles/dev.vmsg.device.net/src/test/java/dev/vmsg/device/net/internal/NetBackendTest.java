package dev.vmsg.device.net.internal;

import static dev.vmsg.device.net.internal.NetRig.header;
import static dev.vmsg.device.net.internal.NetRig.seg;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vmsg.virtqueue.BufferSegment;
import dev.vmsg.wire.FeatureSet;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The virtio-net device model on real rings: every transmit and receive rule, control queue, link and MTU. */
class NetBackendTest {

    static final long MAC_A = 0x0200_0000_0001L;
    static final long MAC_B = 0x0200_0000_0002L;

    final L2Switch sw = new L2Switch("sw", 64);
    final NetRig a = NetRig.onSwitch(sw, new NetSettings(MAC_A, 1500, 64, 64));
    final NetRig b = NetRig.onSwitch(sw, new NetSettings(MAC_B, 1500, 64, 64));

    @Test
    void frameTravelsWithItsHeaderAndIsByteIdentical() {
        b.postRx(4, 2048);
        b.kickRx();
        byte[] frame = Frames.sized(MAC_B, MAC_A, 100, 1);
        assertEquals(0, a.transmit(frame), "transmit chains are returned with length 0");
        List<NetRig.Rx> used = b.harvestRx();
        assertEquals(1, used.size());
        NetRig.Rx rx = used.get(0);
        assertEquals(VirtioNet.HDR_SIZE + 100, rx.length());
        // flags 0, GSO_NONE, the other fields 0, num_buffers 1
        assertArrayEquals(header(0, 0, 1), java.util.Arrays.copyOf(rx.bytes(), VirtioNet.HDR_SIZE));
        assertArrayEquals(frame, NetRig.frames(used).get(0));
        assertEquals(1, a.stat(NetStat.TX_FRAMES));
        assertEquals(100, a.stat(NetStat.TX_BYTES));
        assertEquals(1, b.stat(NetStat.RX_FRAMES));
    }

    @Test
    void everyTransmitRejectionIsCountedAndNothingLeaves() {
        b.postRx(8, 2048);
        b.kickRx();
        byte[] ok = Frames.sized(MAC_B, MAC_A, 60, 2);
        // a device-writable descriptor in a transmit chain
        long buf = a.put(NetRig.concat(header(0, 0, 0), ok));
        assertEquals(0, a.transmitChain(new BufferSegment[] {seg(buf, 72)}, new BufferSegment[] {seg(a.alloc(4, 0), 4)}));
        assertEquals(1, a.stat(NetStat.TX_BAD_LAYOUT));
        // shorter than header + Ethernet header
        assertEquals(0, a.transmit(header(0, 0, 0), new byte[13]));
        assertEquals(0, a.transmitChain(new BufferSegment[] {seg(a.put(new byte[8]), 8)}, null));
        assertEquals(2, a.stat(NetStat.TX_SHORT));
        // NEEDS_CSUM without VIRTIO_NET_F_CSUM, DATA_VALID (receive only), GSO without host TSO, num_buffers set
        a.transmit(header(VirtioNet.HDR_F_NEEDS_CSUM, 0, 0), ok);
        a.transmit(header(VirtioNet.HDR_F_DATA_VALID, 0, 0), ok);
        a.transmit(header(0, 1, 0), ok);
        a.transmit(header(0, 0, 1), ok);
        assertEquals(4, a.stat(NetStat.TX_BAD_HEADER));
        // longer than MTU + 14 untagged
        a.transmit(Frames.sized(MAC_B, MAC_A, 1515, 3));
        assertEquals(1, a.stat(NetStat.TX_OVERSIZE));
        assertEquals(0, a.stat(NetStat.TX_FRAMES));
        assertEquals(0, b.harvestRx().size(), "no rejected frame reached the peer");
        assertEquals(0, sw.ports()[0].fromDevice.get());
        // The device still works.
        a.transmit(ok);
        assertEquals(1, b.harvestRx().size());
    }

    @Test
    void mtuIsEnforcedBothWaysAndAnEightOneQTagGetsFourBytesMore() {
        NetRig small = NetRig.onSwitch(sw, new NetSettings(0x0200_0000_0003L, 100, 64, 64));
        small.postRx(4, 2048);
        small.kickRx();
        b.postRx(4, 2048);
        b.kickRx();
        // small sends 114 (ok), 115 (over), 118 tagged (ok), 119 tagged (over)
        small.transmit(Frames.sized(MAC_B, 0x0200_0000_0003L, 114, 1));
        small.transmit(Frames.sized(MAC_B, 0x0200_0000_0003L, 115, 1));
        small.transmit(tagged(MAC_B, 0x0200_0000_0003L, 118));
        small.transmit(tagged(MAC_B, 0x0200_0000_0003L, 119));
        assertEquals(2, small.stat(NetStat.TX_FRAMES));
        assertEquals(2, small.stat(NetStat.TX_OVERSIZE));
        assertEquals(2, b.harvestRx().size());
        // b (MTU 1500) sends 115 bytes to small (MTU 100): dropped at small, counted there and at its switch port
        b.transmit(Frames.sized(0x0200_0000_0003L, MAC_B, 115, 2));
        assertEquals(1, small.stat(NetStat.RX_OVERSIZE));
        assertEquals(0, small.harvestRx().size());
        assertEquals(1, sw.ports()[2].toDeviceDropped.get());
    }

    static byte[] tagged(long dst, long src, int length) {
        byte[] f = Frames.sized(dst, src, length, 7);
        f[12] = (byte) 0x81;
        f[13] = 0x00;
        return f;
    }

    @Test
    void shortReceiveBuffersAreReturnedEmptyAndFramesThatFitNoBufferAreDropped() {
        NetRig plain = NetRig.onSwitch(sw, new NetSettings(0x0200_0000_0009L, 1500, 64, 64),
                NetBackend.OFFERED.without(VirtioNet.F_MRG_RXBUF));
        plain.postRx(1, 8); // shorter than the header: never usable
        plain.postRx(1, 40); // header + 28 bytes
        plain.kickRx();
        a.transmit(Frames.sized(0x0200_0000_0009L, MAC_A, 60, 1)); // does not fit 40 - 12
        a.transmit(Frames.sized(0x0200_0000_0009L, MAC_A, 20, 2)); // fits
        List<NetRig.Rx> used = plain.harvestRx();
        assertEquals(2, used.size());
        assertEquals(0, used.get(0).length(), "the 8-byte buffer is returned with length 0");
        assertEquals(32, used.get(1).length(), "the 40-byte buffer took the 20-byte frame");
        assertEquals(2, plain.stat(NetStat.RX_SHORT_BUFFER));
        assertEquals(1, plain.stat(NetStat.RX_FRAMES));
    }

    @Test
    void mergeableBuffersCarryAFrameOverSeveralWithNumBuffersInTheFirst() {
        b.postRx(8, 32);
        b.kickRx();
        byte[] frame = Frames.sized(MAC_B, MAC_A, 100, 5);
        a.transmit(frame);
        List<NetRig.Rx> used = b.harvestRx();
        // 12 + 100 = 112 bytes over 32-byte buffers: 32, 32, 32, 16
        assertEquals(4, used.size());
        assertEquals(List.of(32, 32, 32, 16), used.stream().map(NetRig.Rx::length).toList());
        assertEquals(4, used.get(0).numBuffers());
        ByteBuffer joined = ByteBuffer.allocate(112);
        used.forEach(r -> joined.put(r.bytes()));
        assertArrayEquals(frame, java.util.Arrays.copyOfRange(joined.array(), 12, 112));
        assertEquals(4, b.stat(NetStat.RX_BUFFERS));
        // The next frame starts in a fresh buffer.
        a.transmit(Frames.sized(MAC_B, MAC_A, 14, 6));
        List<NetRig.Rx> next = b.harvestRx();
        assertEquals(1, next.size());
        assertEquals(26, next.get(0).length());
        assertEquals(1, next.get(0).numBuffers());
    }

    @Test
    void framesWaitForBuffersUpToTheBacklogAndTheRestAreCounted() {
        NetRig tiny = NetRig.onSwitch(sw, new NetSettings(0x0200_0000_0004L, 1500, 64, 4));
        for (int i = 0; i < 6; i++) {
            a.transmit(Frames.sized(0x0200_0000_0004L, MAC_A, 60, i));
        }
        assertEquals(2, tiny.stat(NetStat.RX_BACKLOG_FULL), "four wait, two are dropped");
        tiny.postRx(8, 2048);
        tiny.kickRx();
        List<byte[]> got = NetRig.frames(tiny.harvestRx());
        assertEquals(4, got.size());
        for (int i = 0; i < 4; i++) {
            assertArrayEquals(Frames.sized(0x0200_0000_0004L, MAC_A, 60, i), got.get(i), "frame " + i + " in order");
        }
    }

    @Test
    void receiveKicksAreAskedForOnlyWhileFramesWaitForBuffers() {
        NetRig r = NetRig.onSwitch(sw, new NetSettings(0x0200_0000_0005L, 1500, 64, 64));
        r.postRx(1, 2048);
        r.kickRx();
        r.drivers[VirtioNet.RX_QUEUE].kickNeeded();
        r.postRx(1, 2048);
        assertFalse(r.drivers[VirtioNet.RX_QUEUE].kickNeeded(), "nothing waits: reposting needs no kick");
        // Three frames, two buffers: one frame waits, so the next buffer must be announced.
        for (int i = 0; i < 3; i++) {
            a.transmit(Frames.sized(0x0200_0000_0005L, MAC_A, 60, i));
        }
        assertEquals(2, r.harvestRx().size());
        r.postRx(1, 2048);
        assertTrue(r.drivers[VirtioNet.RX_QUEUE].kickNeeded(), "a frame waits: the new buffer is announced");
        r.kickRx();
        assertArrayEquals(Frames.sized(0x0200_0000_0005L, MAC_A, 60, 2), NetRig.frames(r.harvestRx()).get(0));
        r.postRx(1, 2048);
        assertFalse(r.drivers[VirtioNet.RX_QUEUE].kickNeeded(), "the backlog is empty again");
    }

    @Test
    void linkDownDropsBothWaysCountsAndRaisesAConfigChange() {
        b.postRx(4, 2048);
        b.kickRx();
        a.postRx(4, 2048);
        a.kickRx();
        b.backend.setLinkUp(false);
        assertEquals(1, b.configChanges);
        assertEquals(0, b.backend.config().getShort(VirtioNet.CFG_STATUS));
        a.transmit(Frames.sized(MAC_B, MAC_A, 60, 1));
        assertEquals(1, b.stat(NetStat.RX_LINK_DOWN));
        b.transmit(Frames.sized(MAC_A, MAC_B, 60, 1));
        assertEquals(1, b.stat(NetStat.TX_LINK_DOWN));
        assertEquals(0, a.harvestRx().size() + b.harvestRx().size());
        b.backend.setLinkUp(true);
        assertEquals(2, b.configChanges);
        assertEquals(VirtioNet.S_LINK_UP, b.backend.config().getShort(VirtioNet.CFG_STATUS));
        a.transmit(Frames.sized(MAC_B, MAC_A, 60, 2));
        assertEquals(1, b.harvestRx().size());
    }

    @Test
    void configSpaceHoldsMacStatusPairsAndMtu() {
        ByteBuffer c = ByteBuffer.allocate(VirtioNet.CONFIG_SIZE).order(ByteOrder.LITTLE_ENDIAN);
        a.backend.readConfig(0, c);
        byte[] expected = {2, 0, 0, 0, 0, 1, 1, 0, 1, 0, (byte) 0xDC, 5};
        assertArrayEquals(expected, c.array());
        ByteBuffer part = ByteBuffer.allocate(2);
        a.backend.readConfig(VirtioNet.CFG_MTU, part);
        assertArrayEquals(new byte[] {(byte) 0xDC, 5}, part.array());
        assertFalse(NetBackend.OFFERED.has(VirtioNet.F_CSUM), "no checksum offload is offered");
        assertFalse(NetBackend.OFFERED.has(VirtioNet.F_GUEST_CSUM));
    }

    @Test
    void controlQueueSetsTheMacAndRefusesTheRest() {
        assertFalse(a.backend.acceptFeatures(FeatureSet.of(VirtioNet.F_CTRL_MAC_ADDR)), "CTRL_MAC_ADDR needs CTRL_VQ");
        long ack = a.alloc(1, 0xFF);
        byte[] set = {VirtioNet.CTRL_CLASS_MAC, VirtioNet.CTRL_MAC_ADDR_SET, 2, 0, 0, 0, 0, 0x42};
        assertEquals(1, control(a, set, ack));
        assertEquals(VirtioNet.CTRL_OK, a.window.getByte(ack));
        assertEquals(0x0200_0000_0042L, a.backend.mac());
        // a multicast MAC, an unknown class, a short command: ERR
        a.window.putByte(ack, (byte) 0xFF);
        assertEquals(1, control(a, new byte[] {1, 1, 1, 0, 0, 0, 0, 1}, ack));
        assertEquals(VirtioNet.CTRL_ERR, a.window.getByte(ack));
        assertEquals(1, control(a, new byte[] {9, 0}, ack));
        assertEquals(1, control(a, new byte[] {1}, ack));
        assertEquals(VirtioNet.CTRL_ERR, a.window.getByte(ack));
        // no writable byte for the ack: returned with length 0
        a.drivers[2].add(new BufferSegment[] {seg(a.put(set), 8)}, null, "c");
        a.serve(2);
        assertEquals(0, a.drivers[2].poll().length());
        assertEquals(1, a.stat(NetStat.CTRL_OK));
        assertEquals(4, a.stat(NetStat.CTRL_ERR));
    }

    private static int control(NetRig r, byte[] command, long ack) {
        r.drivers[2].add(new BufferSegment[] {seg(r.put(command), command.length)}, new BufferSegment[] {seg(ack, 1)},
                "c");
        r.serve(2);
        return r.drivers[2].poll().length();
    }

    @Test
    void resetDropsTheBacklogAndAStoppedDeviceTakesNoFrames() {
        a.transmit(Frames.sized(MAC_B, MAC_A, 60, 1)); // b has no buffers: waits
        b.backend.reset();
        assertEquals(1, b.stat(NetStat.RX_NOT_RUNNING));
        a.transmit(Frames.sized(MAC_B, MAC_A, 60, 2));
        assertEquals(2, b.stat(NetStat.RX_NOT_RUNNING));
        assertTrue(sw.ports()[1].toDeviceDropped.get() >= 1);
    }
}
