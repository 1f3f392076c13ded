package dev.vmsg.bus.ffa.firmware;

/**
 * What the firmware calls in a partition: its direct-message entry point (run on the caller's
 * thread, as a partition switch runs on the caller's CPU) and its interrupt (run on the
 * partition's own interrupt thread, never on a caller's).
 */
public interface PartitionHandler {

    /**
     * An FFA_MSG_SEND_DIRECT_REQ2 from {@code sender}: 112 bytes of registers x4-x17 in, the
     * 112 bytes of the FFA_MSG_SEND_DIRECT_RESP2 out.
     */
    byte[] onDirectRequest(int sender, byte[] registers);

    /**
     * The schedule-receiver interrupt: notifications are pending (partition or framework ones,
     * such as "RX buffer full"); the partition calls {@link FfaConduit#notificationGet()}.
     */
    void onNotificationInterrupt();
}
