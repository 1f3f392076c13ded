package dev.vmsg.hardening;

import dev.vmsg.bus.ffa.firmware.PartitionHandler;

/** A partition that echoes direct requests and ignores interrupts: the passive side of the FF-A targets. */
public final class QuietPartition implements PartitionHandler {
    public static final QuietPartition INSTANCE = new QuietPartition();

    private QuietPartition() {
    }

    @Override
    public byte[] onDirectRequest(int sender, byte[] registers) {
        return registers;
    }

    @Override
    public void onNotificationInterrupt() {
    }
}
