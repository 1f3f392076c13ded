package dev.vmsg.wire;

import java.util.Objects;
import java.util.UUID;

/**
 * GET_DEVICE_INFO response (0x02): identity and limits of a device. Spec §1.3.
 *
 * <p>REV1 carries every field. RFC3 and RFC2 have no UUID and carry {@code num_feature_bits} instead of a block
 * count, and u16 admin fields (decision 11.6): encoding writes {@code 32 * numFeatureBlocks} bits and fails with
 * {@link WireException.Reason#FIELD_OUT_OF_RANGE} if an admin field does not fit in 16 bits; decoding yields the nil
 * UUID and {@code numFeatureBlocks = ceil(num_feature_bits / 32)}.
 *
 * @param deviceId virtio device type (see {@link DeviceIds}); 0 means no device
 * @param vendorId vendor id, for example 0x554D4551 ("QEMU")
 * @param deviceUuid device UUID, the nil UUID if none; never null
 */
public record GetDeviceInfoResponse(int deviceId, int vendorId, UUID deviceUuid, int numFeatureBlocks, int configSize,
        int maxVirtqueues, int adminVqStart, int adminVqCount) implements TransportMessage {

    /** The nil UUID, sent when a device has none and decoded from profiles that have no UUID field. */
    public static final UUID NIL_UUID = new UUID(0, 0);

    public GetDeviceInfoResponse {
        Objects.requireNonNull(deviceUuid, "deviceUuid (use GetDeviceInfoResponse.NIL_UUID for none)");
    }

    @Override
    public int msgId() {
        return MessageIds.GET_DEVICE_INFO;
    }

    @Override
    public MessageKind kind() {
        return MessageKind.RESPONSE;
    }
}
