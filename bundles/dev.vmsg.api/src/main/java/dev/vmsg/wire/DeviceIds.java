package dev.vmsg.wire;

/** Virtio device type ids (virtio 1.3 §5), as carried in GET_DEVICE_INFO {@code device_id}. 0 means no device. */
public final class DeviceIds {
    /** Not a device: GET_DEVICE_INFO of an absent device reports 0. */
    public static final int NONE = 0;
    public static final int NET = 1;
    public static final int BLOCK = 2;
    public static final int CONSOLE = 3;
    public static final int ENTROPY = 4;
    public static final int TRADITIONAL_MEMORY_BALLOON = 5;
    public static final int IOMEM = 6;
    public static final int RPMSG = 7;
    public static final int SCSI_HOST = 8;
    public static final int NINE_P = 9;
    public static final int MAC80211_WLAN = 10;
    public static final int RPROC_SERIAL = 11;
    public static final int CAIF = 12;
    public static final int MEMORY_BALLOON = 13;
    public static final int GPU = 16;
    public static final int TIMER = 17;
    public static final int INPUT = 18;
    public static final int VSOCK = 19;
    public static final int CRYPTO = 20;
    public static final int SIGNAL_DISTRIBUTION = 21;
    public static final int PSTORE = 22;
    public static final int IOMMU = 23;
    public static final int MEMORY = 24;
    public static final int SOUND = 25;
    public static final int FILE_SYSTEM = 26;
    public static final int PMEM = 27;
    public static final int RPMB = 28;
    public static final int MAC80211_HWSIM = 29;
    public static final int VIDEO_ENCODER = 30;
    public static final int VIDEO_DECODER = 31;
    public static final int SCMI = 32;
    public static final int NITRO_SECURE_MODULE = 33;
    public static final int I2C_ADAPTER = 34;
    public static final int WATCHDOG = 35;
    public static final int CAN = 36;
    public static final int PARAMETER_SERVER = 38;
    public static final int AUDIO_POLICY = 39;
    public static final int BLUETOOTH = 40;
    public static final int GPIO = 41;

    private DeviceIds() {
    }

    /** The name of a device type, e.g. "ENTROPY", or "device type N" if unknown. */
    public static String name(int id) {
        switch (id) {
            case NONE: return "NONE";
            case NET: return "NET";
            case BLOCK: return "BLOCK";
            case CONSOLE: return "CONSOLE";
            case ENTROPY: return "ENTROPY";
            case TRADITIONAL_MEMORY_BALLOON: return "TRADITIONAL_MEMORY_BALLOON";
            case IOMEM: return "IOMEM";
            case RPMSG: return "RPMSG";
            case SCSI_HOST: return "SCSI_HOST";
            case NINE_P: return "NINE_P";
            case MAC80211_WLAN: return "MAC80211_WLAN";
            case RPROC_SERIAL: return "RPROC_SERIAL";
            case CAIF: return "CAIF";
            case MEMORY_BALLOON: return "MEMORY_BALLOON";
            case GPU: return "GPU";
            case TIMER: return "TIMER";
            case INPUT: return "INPUT";
            case VSOCK: return "VSOCK";
            case CRYPTO: return "CRYPTO";
            case SIGNAL_DISTRIBUTION: return "SIGNAL_DISTRIBUTION";
            case PSTORE: return "PSTORE";
            case IOMMU: return "IOMMU";
            case MEMORY: return "MEMORY";
            case SOUND: return "SOUND";
            case FILE_SYSTEM: return "FILE_SYSTEM";
            case PMEM: return "PMEM";
            case RPMB: return "RPMB";
            case MAC80211_HWSIM: return "MAC80211_HWSIM";
            case VIDEO_ENCODER: return "VIDEO_ENCODER";
            case VIDEO_DECODER: return "VIDEO_DECODER";
            case SCMI: return "SCMI";
            case NITRO_SECURE_MODULE: return "NITRO_SECURE_MODULE";
            case I2C_ADAPTER: return "I2C_ADAPTER";
            case WATCHDOG: return "WATCHDOG";
            case CAN: return "CAN";
            case PARAMETER_SERVER: return "PARAMETER_SERVER";
            case AUDIO_POLICY: return "AUDIO_POLICY";
            case BLUETOOTH: return "BLUETOOTH";
            case GPIO: return "GPIO";
            default: return "device type " + Integer.toUnsignedString(id);
        }
    }
}
