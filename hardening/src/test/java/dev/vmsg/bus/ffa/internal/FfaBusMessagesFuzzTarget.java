package dev.vmsg.bus.ffa.internal;

import static dev.vmsg.bus.ffa.internal.FfaBusMessages.ERROR;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.vmsg.hardening.SeedWriter;
import dev.vmsg.hardening.Corpus;
import org.junit.jupiter.api.Test;
import dev.vmsg.bus.ffa.firmware.FfaConduit;
import dev.vmsg.bus.ffa.firmware.FfaException;
import dev.vmsg.bus.ffa.firmware.FfaFirmware;
import dev.vmsg.bus.ffa.firmware.MemoryRegionDescriptor;
import dev.vmsg.bus.ffa.internal.FfaBusSettings.EventMethod;
import dev.vmsg.bus.ffa.internal.FfaBusSettings.Messaging;
import dev.vmsg.hardening.FuzzInput;
import dev.vmsg.hardening.QuietPartition;
import dev.vmsg.wire.WireProfile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * HARDENING row 21 by fuzzing: the FF-A binding's bus messages (spec section 4: VERSION,
 * AREA_SHARE, AREA_UNSHARE, RESET, EVENT_POLL, EVENT_CONFIGURE, FIFO_CONFIGURE and unknown ids)
 * as a hostile driver partition sends them to the real device partition through the emulated
 * firmware's direct messaging. The driver shares pages of its own memory (fuzzed ranges) and writes
 * fuzzed VFFAFIFO headers into them, so AREA_SHARE and FIFO_CONFIGURE parse hostile memory.
 *
 * <p>Oracle: the direct call returns the 112 register bytes or fails with {@link FfaException};
 * every bus message gets an answer: a response frame of the message's own id or ERROR, within the
 * binding's size limits; the device partition closes cleanly afterwards.
 */
class FfaBusMessagesFuzzTarget {
    private static final int DRIVER = 0x0001;
    private static final int DEVICE = 0x8001;
    private static final int[] IDS = {FfaBusMessages.VERSION, FfaBusMessages.AREA_SHARE, FfaBusMessages.AREA_UNSHARE,
        FfaBusMessages.RESET, FfaBusMessages.EVENT_POLL, FfaBusMessages.EVENT_CONFIGURE, FfaBusMessages.FIFO_CONFIGURE,
        ERROR, FfaBusMessages.AREA_RELEASE};


    @FuzzTest(maxDuration = "30s")
    void busMessages(byte[] bytes) {
        FuzzInput in = new FuzzInput(bytes);
        FfaFirmware firmware = new FfaFirmware(0, w -> { });
        FfaBusSettings settings = new FfaBusSettings("fuzz", DRIVER, DEVICE, Messaging.DIRECT, EventMethod.POLL,
                4096, WireProfile.REV1, 0, 5, 3, 50, 32);
        DevicePartition device = new DevicePartition(settings, firmware, w -> { });
        try {
            FfaConduit driver = firmware.addPartition(DRIVER, FfaFrames.DRIVER_UUID, true, true, 16 * 4096, QuietPartition.INSTANCE);
            driver.rxTxMap(1);
            List<Long> handles = new ArrayList<>();
            for (int step = 0; step < 48 && in.hasMore(); step++) {
                try {
                    switch (in.u8() % 4) {
                        case 0 -> handles.add(share(in, driver));
                        case 1 -> fifoHeader(in, driver.memory());
                        default -> send(in, driver, handles);
                    }
                } catch (FfaException typed) {
                    // the firmware refused a call: a typed FF-A error
                }
            }
        } finally {
            device.close();
            firmware.close();
        }
    }

    private static long share(FuzzInput in, FfaConduit driver) {
        long address = (long) (in.u8() % 17) * FfaConduit.PAGE_SIZE;
        int pages = 1 + in.u8() % 16;
        return driver.memShare(new MemoryRegionDescriptor(DRIVER, DEVICE, MemoryRegionDescriptor.NORMAL_WB_INNER_SHAREABLE,
                MemoryRegionDescriptor.ACCESS_RW, 0, address, pages).writeTo(driver.txBuffer()));
    }

    /** A VFFAFIFO ring header with fuzzed geometry somewhere in the driver's memory. */
    private static void fifoHeader(FuzzInput in, ByteBuffer mem) {
        int at = (in.u16() % (mem.capacity() / 64)) * 64;
        if (at > mem.capacity() - VffaFifo.HEADER_SIZE) {
            return;
        }
        mem.put(at, VffaFifo.MAGIC);
        mem.putShort(at + VffaFifo.OFF_VERSION, (short) (in.u8() % 4 == 0 ? in.u16() : 0));
        mem.putShort(at + VffaFifo.OFF_MESSAGE_SIZE, (short) in.u16());
        mem.putShort(at + VffaFifo.OFF_DEPTH, (short) in.u16());
        mem.putInt(at + VffaFifo.OFF_NEXT, in.bool() ? in.u32() : in.u16());
        mem.putShort(at + VffaFifo.OFF_READ, (short) in.u16());
        mem.putShort(at + VffaFifo.OFF_WRITE, (short) in.u16());
    }

    private static void send(FuzzInput in, FfaConduit driver, List<Long> handles) {
        int sel = in.u8();
        int id = sel < 200 ? IDS[sel % IDS.length] : 0x80 | in.u8();
        int token = in.u16();
        byte[] payload = new byte[in.u8() % (FfaFrames.MAX_MESSAGE_SIZE - FfaBusMessages.HEADER + 1)];
        ByteBuffer p = ByteBuffer.wrap(payload).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < payload.length; i++) {
            payload[i] = (byte) in.u8();
        }
        boolean useHandle = in.bool();
        if (useHandle && !handles.isEmpty()) {
            long h = handles.get(in.u8() % handles.size());
            // mem_handle sits at payload 2 in AREA_SHARE and at payload 0 in FIFO_CONFIGURE
            int at = id == FfaBusMessages.AREA_SHARE ? 2 : 0;
            if (payload.length >= at + 8) {
                p.putLong(at, h);
            }
        }
        int size = in.u8() % 8 == 0 ? in.u8() : FfaBusMessages.HEADER + payload.length;
        ByteBuffer f = FfaBusMessages.frame(in.bool() ? FfaBusMessages.TYPE_BUS_REQUEST : in.u8() | 0x02, id, token,
                payload.length);
        f.put(FfaBusMessages.HEADER, payload);
        f.putShort(6, (short) size);
        byte[] regs = FfaFrames.toRegisters(f.array());
        byte[] answer = driver.msgSendDirectReq2(DEVICE, regs);
        assertEquals(FfaConduit.DIRECT_PAYLOAD_SIZE, answer.length, "direct response registers");
        ByteBuffer r = FfaFrames.fromRegisters(answer);
        // Always the bus type with an id of 0x80 or above: a binding message, never a virtio one
        // (those would wait for a device transport that this target does not run).
        boolean busMessage = size >= FfaBusMessages.HEADER && size <= FfaFrames.MAX_MESSAGE_SIZE;
        if (busMessage && r != null) {
            int rid = FfaBusMessages.msgId(r);
            assertTrue((FfaBusMessages.type(r) & 1) != 0, "a bus message is answered with a response");
            assertTrue(rid == id || rid == ERROR, "answer 0x" + Integer.toHexString(rid) + " to 0x"
                    + Integer.toHexString(id));
        } else if (busMessage) {
            throw new AssertionError("bus message 0x" + Integer.toHexString(id) + " got no well-formed answer");
        }
    }

    /** Seeds: the driver partition's bring-up as the FF-A bus tests run it. */
    static List<byte[]> seeds() {
        List<byte[]> seeds = new ArrayList<>();
        ByteBuffer version = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN)
                .putInt(0, FfaBusMessages.BUS_VERSION_1_0).putInt(4, FfaBusMessages.TRANSPORT_REVISION)
                .putInt(8, FfaConduit.FFA_VERSION_1_2);
        ByteBuffer areaShare = ByteBuffer.allocate(26).order(ByteOrder.LITTLE_ENDIAN)
                .putShort(0, (short) DevicePartition.AREA_ID).putInt(18, 1).putInt(22, FfaBusMessages.SHARING_ATTRS_DEFAULT);
        ByteBuffer events = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).put(0, (byte) 0);
        ByteBuffer fifo = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN).putShort(8, (short) 1)
                .putShort(10, (short) 3);
        SeedWriter w = new SeedWriter();
        send(w, 0, version.array(), false);
        w.u8(0).u8(1).u8(0);                                  // share page 1, one page
        send(w, 1, areaShare.array(), true);                  // AREA_SHARE with that handle
        send(w, 5, events.array(), false);                    // EVENT_CONFIGURE poll
        send(w, 4, new byte[0], false);                       // EVENT_POLL
        send(w, 2, new byte[] {1, 0}, false);                 // AREA_UNSHARE
        seeds.add(w.toByteArray());
        w = new SeedWriter();
        send(w, 0, version.array(), false);
        w.u8(0).u8(4).u8(0);                                  // share page 4, one page
        // two VFFAFIFO rings of 104-byte slots, depth 8: ring 1 at 1024 (inside page 4 of the memory)
        w.u8(1).u16(4 * 64).u8(1).u16(104).u16(8).u8(0).u16(1024).u16(0).u16(0);
        w.u8(1).u16(4 * 64 + 16).u8(1).u16(104).u16(8).u8(0).u16(0).u16(0).u16(0);
        send(w, 6, fifo.array(), true);                       // FIFO_CONFIGURE
        send(w, 3, new byte[0], false);                       // RESET
        seeds.add(w.toByteArray());
        return seeds;
    }

    /** One well-formed bus message with IDS[{@code which}], optionally carrying the first handle. */
    private static void send(SeedWriter w, int which, byte[] payload, boolean handle) {
        w.u8(2).u8(which).u16(7).u8(payload.length).raw(payload);
        if (handle) {
            w.u8(1).u8(0);
        } else {
            w.u8(0);
        }
        w.u8(1).u8(1);
    }

    @Test
    void seedsAreCommitted() {
        Corpus.check(getClass(), "busMessages", seeds());
    }
}
