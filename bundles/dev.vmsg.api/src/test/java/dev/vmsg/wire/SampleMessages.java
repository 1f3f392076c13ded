package dev.vmsg.wire;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * One or more sample messages of every type for a profile. RFC3/RFC2 samples use values that survive the profile
 * normalisation (nil UUID, u16 admin fields, u32 GET_SHM, GET_VQUEUE flags = ENABLED iff size != 0, SET_VQUEUE
 * flags = ENABLE); REV1 samples use extreme values.
 */
final class SampleMessages {
    private SampleMessages() {
    }

    static List<Message> of(WireProfile p) {
        boolean rev1 = p == WireProfile.REV1;
        List<Message> m = new ArrayList<>();
        m.add(new GetDeviceInfoRequest());
        m.add(rev1
            ? new GetDeviceInfoResponse(DeviceIds.BLOCK, 0xFFFF_FFFF, UUID.fromString("01234567-89ab-cdef-fedc-ba9876543210"),
                3, 0x1000, 65536, 0xFFFF_FFF0, 0x10)
            : new GetDeviceInfoResponse(DeviceIds.BLOCK, 0x554D4551, GetDeviceInfoResponse.NIL_UUID, 3, 0x1000, 17,
                0xFFFF, 0x1));
        m.add(new GetDeviceFeaturesRequest(0, 2));
        m.add(new GetDeviceFeaturesResponse(0, 2, new int[] {0x3000_0001, 0x0000_0103}));
        m.add(new GetDeviceFeaturesResponse(7, 0, new int[0]));
        m.add(new SetDriverFeaturesRequest(1, 3, new int[] {1, 0xFFFF_FFFF, 0}));
        m.add(new SetDriverFeaturesResponse());
        m.add(new GetConfigRequest(0xFFFF_FFFC, 8));
        m.add(new GetConfigResponse(5, 4, 3, new byte[] {1, 2, 3}));
        m.add(new GetConfigResponse(0xFFFF_FFFF, 0, 0, new byte[0]));
        m.add(new SetConfigRequest(0, 2, 2, new byte[] {(byte) 0xAB, (byte) 0xCD}));
        m.add(new SetConfigResponse(1, 2, 2, new byte[] {(byte) 0xAB, (byte) 0xCD}));
        m.add(new SetConfigResponse(1, 2, 0, new byte[0]));
        m.add(new GetDeviceStatusRequest());
        m.add(new GetDeviceStatusResponse(DeviceStatus.DEVICE_NEEDS_RESET | DeviceStatus.DRIVER_OK));
        m.add(new SetDeviceStatusRequest(0));
        m.add(new SetDeviceStatusResponse(0x0F));
        m.add(new GetVqueueRequest(0x8000_0000));
        m.add(rev1
            ? new GetVqueueResponse(2, 1024, 512, VqueueFlags.ENABLED | 0x80, 0xFFFF_FFFF_FFFF_F000L, 0x8000_0000_0000_0000L, 1L)
            : new GetVqueueResponse(2, 1024, 512, VqueueFlags.ENABLED, 0xFFFF_FFFF_FFFF_F000L, 0x1000L, 0x2000L));
        m.add(new GetVqueueResponse(3, 256, 0, 0, 0, 0, 0));
        m.add(rev1
            ? new SetVqueueRequest(1, VqueueFlags.KEEP | VqueueFlags.SIZE_IGNORE | VqueueFlags.DEVICE_ADDR_IGNORE, 128,
                0x1_0000_0000L, 0x1_0000_1000L, 0xFFFF_FFFF_FFFF_FFFFL)
            : new SetVqueueRequest(1, VqueueFlags.ENABLE, 128, 0x1_0000_0000L, 0x1_0000_1000L, 0xFFFF_FFFF_FFFF_FFFFL));
        m.add(new SetVqueueResponse());
        m.add(new ResetVqueueRequest(9));
        m.add(new ResetVqueueResponse());
        m.add(new GetShmRequest(1));
        m.add(rev1
            ? new GetShmResponse(1, 0x1_0000_0000L, 0xFFFF_FFFF_0000_0000L)
            : new GetShmResponse(1, 0xFFFF_FFFFL, 0x8000_0000L));
        m.add(new EventConfig(DeviceStatus.DEVICE_NEEDS_RESET, 7, 0, 0, new byte[0]));
        m.add(new EventConfig(0x0F, 8, 16, 4, new byte[] {9, 8, 7, 6}));
        m.add(new EventAvail(0, 0x8000_0123));
        m.add(new EventUsed(0xFFFF_FFFF));
        m.add(new GetDevicesRequest(0xFFF8, 0xFFFF));
        m.add(GetDevicesResponse.of(8, 16, 24, List.of(8, 10, 23, 24)));
        m.add(new GetDevicesResponse(0, 0, 0, new byte[0]));
        m.add(new PingRequest(0xDEADBEEF));
        m.add(new PingResponse(0));
        m.add(new EventDevice(0xFFFF, DeviceBusState.REMOVED));
        m.add(new EventDevice(0, 0x8000));
        return m;
    }

    /** Sample messages whose layout has no variable part. */
    static boolean isFixedSize(Message m) {
        return !(m instanceof GetDeviceFeaturesResponse || m instanceof SetDriverFeaturesRequest
            || m instanceof GetConfigResponse || m instanceof SetConfigRequest || m instanceof SetConfigResponse
            || m instanceof EventConfig || m instanceof GetDevicesResponse);
    }
}
