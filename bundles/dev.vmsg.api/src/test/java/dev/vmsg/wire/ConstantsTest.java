package dev.vmsg.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.BitSet;
import java.util.List;

import org.junit.jupiter.api.Test;

/** Spec constants, their names, and the small helpers on messages and headers. */
class ConstantsTest {

    @Test
    void profilesDescribeTheirHeaders() {
        assertEquals(8, WireProfile.REV1.headerSize());
        assertEquals(8, WireProfile.RFC3.headerSize());
        assertEquals(6, WireProfile.RFC2.headerSize());
        assertTrue(WireProfile.RFC3.hasToken());
        assertFalse(WireProfile.RFC2.hasToken());
        assertEquals(52, WireProfile.REV1.minimumBusMessageSize());
        assertEquals(48, WireProfile.RFC3.minimumBusMessageSize());
        assertEquals(44, WireProfile.RFC2.minimumBusMessageSize());
    }

    @Test
    void describesStatusInInitialisationOrder() {
        assertEquals("ACKNOWLEDGE|DRIVER|FEATURES_OK|DRIVER_OK", DeviceStatus.describe(0x0F));
        assertEquals("RESET", DeviceStatus.describe(0));
        assertEquals("DRIVER|DEVICE_NEEDS_RESET|FAILED|0x10", DeviceStatus.describe(0xD2));
    }

    @Test
    void namesIdsAsTheSpecDoes() {
        assertEquals("GET_VQUEUE", MessageIds.name(false, 0x09));
        assertEquals("EVENT_AVAIL", MessageIds.name(false, 0x41));
        assertEquals("BUS_EVENT_DEVICE", MessageIds.name(true, 0x40));
        assertEquals("bus 0x87", MessageIds.name(true, 0x87));
        assertEquals("0x0D", MessageIds.name(false, 0x0D));
        assertEquals("ENTROPY", DeviceIds.name(DeviceIds.ENTROPY));
        assertEquals("VSOCK", DeviceIds.name(19));
        assertEquals("device type 200", DeviceIds.name(200));
        assertEquals("VIRTIO_F_RING_RESET", FeatureBits.name(40));
        assertEquals("bit 3", FeatureBits.name(3));
    }

    @Test
    void vqueueFlagMasksHoldOnlyTheDefinedBits() {
        assertEquals(0x3F, VqueueFlags.SET_VALID_MASK);
        assertEquals(1, VqueueFlags.GET_VALID_MASK);
        assertEquals(1, VqueueFlags.ENABLE);
    }

    @Test
    void headerBitsSayResponseBusAndEvent() {
        Header h = new Header(MessageType.BUS_RESPONSE, MessageIds.BUS_PING, 0, 1, 12);
        assertTrue(h.isResponse());
        assertTrue(h.isBusMessage());
        assertFalse(h.isEvent());
        assertTrue(new Header(0, 0x42, 1, 0, 12).isEvent());
        assertTrue(new Header(2, 0xC1, 0, 0, 12).isImplementationDefined());
    }

    @Test
    void messagesKnowTheirTypeIdAndKind() {
        assertEquals(MessageType.TRANSPORT_RESPONSE, new GetShmResponse(0, 0, 0).type());
        assertEquals(MessageType.TRANSPORT_REQUEST, new EventConfig(0, 0, 0, 0, new byte[0]).type());
        assertEquals(MessageKind.EVENT, new EventConfig(0, 0, 0, 0, new byte[0]).kind());
        assertEquals(MessageType.BUS_REQUEST, new EventDevice(1, 1).type());
        assertEquals(MessageType.BUS_RESPONSE, new PingResponse(1).type());
        assertEquals(MessageIds.RESET_VQUEUE, new ResetVqueueResponse().msgId());
    }

    @Test
    void getDevicesResponseBuildsAndReadsTheLsbFirstBitmap() {
        BitSet present = new BitSet();
        present.set(0);
        present.set(2);
        present.set(5);
        present.set(16);
        GetDevicesResponse r = GetDevicesResponse.of(0, 16, 0, present);
        assertEquals("25 00", WireBytes.hex(r.bitmap()));
        assertTrue(r.isPresent(5));
        assertFalse(r.isPresent(1));
        assertFalse(r.isPresent(16), "outside the window");
        assertFalse(r.isPresent(-1));
        GetDevicesResponse window = GetDevicesResponse.of(8, 8, 16, List.of(3, 9, 15, 16));
        assertEquals("82", WireBytes.hex(window.bitmap()));
        assertTrue(window.isPresent(9));
        assertTrue(window.isPresent(15));
        assertFalse(window.isPresent(3));
        assertEquals(2, window.presentDevices().cardinality());
        assertEquals(r, new GetDevicesResponse(0, 16, 0, new byte[] {0x25, 0}));
    }

    @Test
    void arrayMessagesCompareByContent() {
        assertEquals(new GetConfigResponse(1, 2, 2, new byte[] {1, 2}), new GetConfigResponse(1, 2, 2, new byte[] {1, 2}));
        assertEquals(new GetConfigResponse(1, 2, 2, new byte[] {1, 2}).hashCode(),
            new GetConfigResponse(1, 2, 2, new byte[] {1, 2}).hashCode());
        assertFalse(new SetConfigRequest(1, 2, 2, new byte[] {1, 2}).equals(new SetConfigRequest(1, 2, 2, new byte[] {1, 3})));
        assertEquals("GetDeviceFeaturesResponse[blockIndex=0, numBlocks=2, features=[0x00000000, 0x00000001]]",
            new GetDeviceFeaturesResponse(0, 2, new int[] {0, 1}).toString());
        assertEquals("EventConfig[deviceStatus=15, generation=3, offset=0, length=2, data=[abcd]]",
            new EventConfig(15, 3, 0, 2, new byte[] {(byte) 0xAB, (byte) 0xCD}).toString());
    }

    @Test
    void arrayMessagesRefuseLengthsThatDisagreeWithTheirArrays() {
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
            () -> new GetConfigResponse(0, 0, 3, new byte[2]));
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
            () -> new SetDriverFeaturesRequest(0, 1, new int[2]));
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
            () -> new GetDevicesResponse(0, 9, 0, new byte[1]));
        new SetConfigResponse(0, 0, 4, new byte[0]);
    }
}
