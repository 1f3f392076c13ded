package dev.vmsg.device.net.internal;

import dev.vmsg.virtqueue.BufferSegment;
import dev.vmsg.virtqueue.VirtqueueException;
import dev.vmsg.wire.FeatureSet;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Structured fuzz target of the virtio-net device model (HARDENING row 12), taking plain bytes so
 * that any engine can drive it (the seeded {@code NetFuzzTest} here; a Jazzer {@code @FuzzTest}
 * needs only {@code new NetFuzzHarness().run(data)}).
 *
 * <p>The bytes choose the negotiated features, then a sequence of operations on a device under
 * test ({@code dut}) plugged into a switch with a well-behaved peer: receive chains of random
 * layout, transmit chains with random headers, lengths, destinations and layouts, control
 * commands, frames from the peer (some over the MTU), link flips. After each operation and at the
 * end it checks what must hold whatever the input:
 * <ul>
 *   <li>only typed errors escape: a rejected chain as a {@link VirtqueueException}, nothing else;
 *   <li>every transmit chain comes back exactly once, with length 0;
 *   <li>frames the peer receives from the device are, in order, a subsequence of the valid ones the
 *       device was given; frames the device's driver reassembles (num_buffers honoured) are a
 *       subsequence of what the peer sent it, and the device's counters agree;
 *   <li>no device-readable buffer is ever written.
 * </ul>
 * Throws {@link AssertionError} on a violation.
 */
public final class NetFuzzHarness {

    static final long DUT = 0x0200_0000_00D7L;
    static final long PEER = 0x0200_0000_00E0L;
    static final int MAX_OPS = 200;

    private byte[] in;
    private int at;
    /** What the last run did, so a driver can tell the paths were reached. */
    int framesAtPeer;
    int framesAtDut;
    long rejected;

    private int u8() {
        return at < in.length ? in[at++] & 0xFF : 0;
    }

    private int u16() {
        return u8() << 8 | u8();
    }

    private boolean more() {
        return at < in.length;
    }

    private record Readable(long address, byte[] bytes) {
    }

    /** Runs one input. */
    public void run(byte[] data) {
        this.in = data;
        this.at = 0;
        int f = u8();
        FeatureSet negotiated = NetBackend.OFFERED;
        if ((f & 1) == 0) {
            negotiated = negotiated.without(VirtioNet.F_MRG_RXBUF);
        }
        if ((f & 2) == 0) {
            negotiated = negotiated.without(VirtioNet.F_CTRL_VQ).without(VirtioNet.F_CTRL_MAC_ADDR);
        }
        int mtu = (f & 4) == 0 ? 1500 : VirtioNet.MIN_MTU + u8();
        L2Switch sw = new L2Switch("fuzz", 16);
        NetRig dut = new NetRig(new NetSettings(DUT, mtu, 64, 16), sw::attach, negotiated, 4 << 20);
        NetRig peer = NetRig.onSwitch(sw, new NetSettings(PEER, 1500, 64, 64));
        peer.postRx(64, 2048);
        peer.kickRx();
        boolean mergeable = negotiated.has(VirtioNet.F_MRG_RXBUF);
        List<byte[]> validFromDut = new ArrayList<>();
        List<byte[]> toDut = new ArrayList<>();
        List<byte[]> atPeer = new ArrayList<>();
        List<byte[]> atDut = new ArrayList<>();
        List<Readable> readables = new ArrayList<>();
        ByteBuffer partial = null;
        int partialLeft = 0;
        boolean linkUp = true;
        for (int op = 0; op < MAX_OPS && more(); op++) {
            switch (u8() % 6) {
                case 0 -> postRx(dut);
                case 1 -> {
                    byte[] frame = transmit(dut, readables, mtu, linkUp);
                    if (frame != null) {
                        validFromDut.add(frame);
                    }
                }
                case 2 -> control(dut, readables);
                case 3 -> {
                    int length = 14 + u16() % 1600;
                    byte[] frame = Frames.sized(u8() % 4 == 0 ? Frames.BROADCAST : DUT, PEER, length, u8());
                    peer.transmit(frame);
                    if (linkUp && length <= VirtioNet.maxFrame(mtu, VirtioNet.tagged(ByteBuffer.wrap(frame)))) {
                        toDut.add(frame);
                    }
                }
                case 4 -> {
                    linkUp = !linkUp;
                    dut.backend.setLinkUp(linkUp);
                }
                default -> {
                    // A frame from the peer to nobody in particular: flooded, so the device gets it too.
                    byte[] frame = Frames.sized(0x0200_0000_0F00L | u8(), PEER, 60, 0);
                    peer.transmit(frame);
                    if (linkUp && 60 <= VirtioNet.maxFrame(mtu, false)) {
                        toDut.add(frame);
                    }
                }
            }
            for (NetRig.Rx r : peer.harvestRx()) {
                atPeer.add(Arrays.copyOfRange(r.bytes(), VirtioNet.HDR_SIZE, r.length()));
                // The peer's buffers go round: each is posted again as soon as it is read.
                peer.drivers[VirtioNet.RX_QUEUE].add(null, new BufferSegment[] {NetRig.seg(r.address(), 2048)}, r.address());
            }
            peer.kickRx();
            for (NetRig.Rx r : dut.harvestRx()) {
                if (r.length() > r.bytes().length) {
                    throw new AssertionError("used length over the buffer");
                }
                if (partialLeft > 0) {
                    partial.put(r.bytes());
                    if (--partialLeft == 0) {
                        atDut.add(Arrays.copyOf(partial.array(), partial.position()));
                    }
                    continue;
                }
                if (r.length() == 0) {
                    continue; // a buffer too short for the header, returned empty
                }
                if (r.length() < VirtioNet.HDR_SIZE) {
                    throw new AssertionError("used length " + r.length() + " cuts the header");
                }
                int n = mergeable ? r.numBuffers() : 1;
                if (n < 1 || n > NetBackend.MAX_BUFFERS_PER_FRAME || !mergeable && r.numBuffers() != 1) {
                    throw new AssertionError("num_buffers " + r.numBuffers());
                }
                partial = ByteBuffer.allocate(70_000);
                partial.put(r.bytes(), VirtioNet.HDR_SIZE, r.length() - VirtioNet.HDR_SIZE);
                partialLeft = n - 1;
                if (partialLeft == 0) {
                    atDut.add(Arrays.copyOf(partial.array(), partial.position()));
                }
            }
        }
        if (partialLeft != 0) {
            throw new AssertionError("a frame's buffers were not all returned: " + partialLeft + " missing");
        }
        subsequence(atPeer, validFromDut, "frames at the peer");
        subsequence(atDut, toDut, "frames at the device's driver");
        if (dut.stat(NetStat.RX_FRAMES) != atDut.size()) {
            throw new AssertionError("RX_FRAMES " + dut.stat(NetStat.RX_FRAMES) + " but " + atDut.size() + " frames");
        }
        if (dut.stat(NetStat.TX_FRAMES) != validFromDut.size()) {
            throw new AssertionError("TX_FRAMES " + dut.stat(NetStat.TX_FRAMES) + " but " + validFromDut.size() + " valid");
        }
        framesAtPeer = atPeer.size();
        framesAtDut = atDut.size();
        rejected = dut.stat(NetStat.TX_BAD_HEADER) + dut.stat(NetStat.TX_SHORT) + dut.stat(NetStat.TX_OVERSIZE)
                + dut.stat(NetStat.TX_BAD_LAYOUT) + dut.stat(NetStat.RX_SHORT_BUFFER) + dut.stat(NetStat.RX_OVERSIZE)
                + dut.stat(NetStat.CTRL_ERR);
        for (Readable r : readables) {
            byte[] now = new byte[r.bytes().length];
            dut.window.read(r.address(), now, 0, now.length);
            if (!Arrays.equals(now, r.bytes())) {
                throw new AssertionError("the device wrote into a device-readable buffer at 0x" + Long.toHexString(r.address()));
            }
        }
    }

    private static void subsequence(List<byte[]> got, List<byte[]> candidates, String what) {
        int j = 0;
        for (byte[] g : got) {
            while (j < candidates.size() && !Arrays.equals(candidates.get(j), g)) {
                j++;
            }
            if (j == candidates.size()) {
                throw new AssertionError(what + ": a frame of " + g.length + " bytes that was never sent (or out of order)");
            }
            j++;
        }
    }

    /** One receive chain: an optional readable descriptor, then 1..3 writable ones back to back in the window. */
    private void postRx(NetRig dut) {
        int n = 1 + u8() % 3;
        BufferSegment[] readable = u8() % 8 == 0 ? new BufferSegment[] {NetRig.seg(dut.alloc(8, 0), 8)} : null;
        int[] lengths = new int[n];
        int total = 0;
        for (int i = 0; i < n; i++) {
            lengths[i] = u16() % 2200;
            total += lengths[i];
        }
        if (dut.drivers[VirtioNet.RX_QUEUE].freeDescriptors() < n + 1) {
            return;
        }
        long base = dut.alloc(total, 0x33);
        BufferSegment[] writable = new BufferSegment[n];
        long a = base;
        for (int i = 0; i < n; i++) {
            writable[i] = NetRig.seg(a, lengths[i]);
            a += lengths[i];
        }
        // The cookie is where the writable bytes start: the rig reads the used length from there.
        dut.drivers[VirtioNet.RX_QUEUE].add(readable, writable, base);
        dut.kickRx();
    }

    /** Posts one transmit chain; returns the frame when the device must pass it on, else null. */
    private byte[] transmit(NetRig dut, List<Readable> readables, int mtu, boolean linkUp) {
        int kind = u8();
        int flags = kind % 5 == 0 ? u8() : 0;
        int gso = kind % 7 == 0 ? u8() : 0;
        int numBuffers = kind % 11 == 0 ? u8() : 0;
        int length = u16() % 1700;
        long dst = switch (u8() % 3) {
            case 0 -> PEER;
            case 1 -> Frames.BROADCAST;
            default -> 0x0200_0000_0E00L | u8();
        };
        byte[] frame = length >= 14 ? Frames.sized(dst, DUT, length, u8()) : new byte[length];
        if (length >= 14 && kind % 13 == 0) {
            frame[12] = (byte) 0x81;
            frame[13] = 0;
        }
        byte[] all = NetRig.concat(NetRig.header(flags, gso, numBuffers), frame);
        int pieces = 1 + u8() % 3;
        List<BufferSegment> segs = new ArrayList<>();
        int pos = 0;
        for (int i = 0; i < pieces; i++) {
            int len = i == pieces - 1 ? all.length - pos : Math.min(all.length - pos, u8());
            long a = dut.put(Arrays.copyOfRange(all, pos, pos + len));
            readables.add(new Readable(a, Arrays.copyOfRange(all, pos, pos + len)));
            segs.add(NetRig.seg(a, len));
            pos += len;
        }
        boolean writable = kind % 17 == 0;
        BufferSegment[] w = writable ? new BufferSegment[] {NetRig.seg(dut.alloc(4, 0), 4)} : null;
        if (dut.drivers[VirtioNet.TX_QUEUE].freeDescriptors() < pieces + 1) {
            return null;
        }
        int used = dut.transmitChain(segs.toArray(new BufferSegment[0]), w);
        if (used != 0) {
            throw new AssertionError("a transmit chain came back with length " + used);
        }
        boolean valid = !writable && length >= 14 && flags == 0 && gso == 0 && numBuffers == 0
                && length <= VirtioNet.maxFrame(mtu, VirtioNet.tagged(ByteBuffer.wrap(frame))) && linkUp;
        return valid ? frame : null;
    }

    private void control(NetRig dut, List<Readable> readables) {
        int len = u8() % 10;
        byte[] cmd = new byte[len];
        for (int i = 0; i < len; i++) {
            cmd[i] = (byte) u8();
        }
        BufferSegment[] r = null;
        if (len > 0) {
            long a = dut.put(cmd);
            readables.add(new Readable(a, cmd.clone()));
            r = new BufferSegment[] {NetRig.seg(a, len)};
        }
        int ackLen = u8() % 3;
        BufferSegment[] w = ackLen > 0 ? new BufferSegment[] {NetRig.seg(dut.alloc(ackLen, 0xEE), ackLen)} : null;
        if (r == null && w == null) {
            return;
        }
        dut.drivers[VirtioNet.CTRL_QUEUE].add(r, w, "ctrl");
        dut.serve(VirtioNet.CTRL_QUEUE);
        if (dut.drivers[VirtioNet.CTRL_QUEUE].poll() == null) {
            throw new AssertionError("a control chain was not returned");
        }
        if (dut.backend.mac() != DUT && VirtioNet.isGroup(dut.backend.mac())) {
            throw new AssertionError("the control queue set a group MAC");
        }
    }
}
