package dev.vmsg.bus.ffa.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vmsg.bus.ffa.firmware.FfaError;
import dev.vmsg.bus.ffa.firmware.FfaException;
import dev.vmsg.bus.ffa.firmware.FfaFirmware;
import dev.vmsg.bus.ffa.firmware.PartitionHandler;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** HARDENING row 21: a device partition that only ever answers BUSY ends in a clear error, after the bound. */
class FfaBusyStormTest {

    private static final class AlwaysBusy implements PartitionHandler {
        final AtomicInteger calls = new AtomicInteger();
        final boolean sentinel;

        AlwaysBusy(boolean sentinel) {
            this.sentinel = sentinel;
        }

        @Override
        public byte[] onDirectRequest(int sender, byte[] registers) {
            calls.incrementAndGet();
            if (sentinel) {
                return new byte[112];
            }
            throw new FfaException(FfaError.BUSY, "test partition is busy");
        }

        @Override
        public void onNotificationInterrupt() {
        }
    }

    private void stormEndsAfterBound(boolean sentinel) {
        FfaFirmware firmware = new FfaFirmware(0, w -> { });
        try {
            AlwaysBusy busy = new AlwaysBusy(sentinel);
            firmware.addPartition(0x8001, FfaFrames.DEVICE_UUID, true, true, 0, busy);
            FfaBusSettings s = FfaBusSettings.of("storm", FfaBusSettings.Messaging.DIRECT,
                    FfaBusSettings.EventMethod.POLL);
            DriverPartition driver = new DriverPartition(s, firmware, w -> { });
            FfaException e = assertThrows(FfaException.class, driver::start);
            assertEquals(FfaError.BUSY, e.error());
            assertTrue(e.getMessage().contains("answered BUSY 4 times") && e.getMessage().contains("retry bound 3"),
                    e.getMessage());
            assertEquals(4, busy.calls.get(), "1 try + 3 retries reached the device");
            assertEquals(4, driver.busyAnswers.get());
        } finally {
            firmware.close();
        }
    }

    @Test
    void allZeroRepliesEndInBusyAfterTheRetryBound() {
        stormEndsAfterBound(true);
    }

    @Test
    void firmwareBusyEndsInBusyAfterTheRetryBound() {
        stormEndsAfterBound(false);
    }
}
