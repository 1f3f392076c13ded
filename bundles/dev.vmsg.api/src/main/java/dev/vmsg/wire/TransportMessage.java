package dev.vmsg.wire;

/** A message between a driver and one device, addressed by dev_num. Spec §1.2, §1.3. */
public sealed interface TransportMessage extends Message permits
        GetDeviceInfoRequest, GetDeviceInfoResponse,
        GetDeviceFeaturesRequest, GetDeviceFeaturesResponse,
        SetDriverFeaturesRequest, SetDriverFeaturesResponse,
        GetConfigRequest, GetConfigResponse,
        SetConfigRequest, SetConfigResponse,
        GetDeviceStatusRequest, GetDeviceStatusResponse,
        SetDeviceStatusRequest, SetDeviceStatusResponse,
        GetVqueueRequest, GetVqueueResponse,
        SetVqueueRequest, SetVqueueResponse,
        ResetVqueueRequest, ResetVqueueResponse,
        GetShmRequest, GetShmResponse,
        EventConfig, EventAvail, EventUsed {

    @Override
    default int type() {
        return kind() == MessageKind.RESPONSE ? MessageType.TRANSPORT_RESPONSE : MessageType.TRANSPORT_REQUEST;
    }
}
