package dev.vmsg.bus.ffa.firmware;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.ByteBuffer;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** Each FF-A rule the emulated firmware enforces, with the error real firmware would return. */
class FfaFirmwareTest {

    private static final UUID SP = UUID.fromString("c66028b5-2498-4aa1-9de7-77da6122abf0");
    private final FfaFirmware firmware = new FfaFirmware(0, w -> { });
    private final CountDownLatch interrupts = new CountDownLatch(1);

    private final PartitionHandler echo = new PartitionHandler() {
        @Override
        public byte[] onDirectRequest(int sender, byte[] registers) {
            return registers;
        }

        @Override
        public void onNotificationInterrupt() {
            interrupts.countDown();
        }
    };

    private final FfaConduit vm = firmware.addPartition(0x0001, new UUID(1, 1), false, true, 64 * 1024, echo);
    private final FfaConduit sp = firmware.addPartition(0x8001, SP, true, true, 0, echo);

    @AfterEach
    void close() {
        firmware.close();
    }

    private static void assertFfa(FfaError expected, Executable call) {
        FfaException e = assertThrows(FfaException.class, call);
        assertEquals(expected, e.error(), e.getMessage());
    }

    private long share(FfaConduit from, int receiver, long address, int pages) {
        return from.memShare(new MemoryRegionDescriptor(from.id(), receiver,
                MemoryRegionDescriptor.NORMAL_WB_INNER_SHAREABLE, MemoryRegionDescriptor.ACCESS_RW, 0, address, pages)
                .writeTo(from.txBuffer()));
    }

    @Test
    void discoversThePartitionByUuid() {
        assertEquals(0x8001, sp.id());
        assertEquals(1, vm.partitionInfoGet(SP).size());
        assertEquals(0x8001, vm.partitionInfoGet(SP).get(0).id());
        assertFfa(FfaError.INVALID_PARAMETERS, () -> vm.partitionInfoGet(UUID.randomUUID()));
    }

    @Test
    void directRequestCarriesFourteenRegisters() {
        byte[] regs = new byte[112];
        regs[0] = 7;
        regs[111] = 9;
        assertArrayEquals(regs, vm.msgSendDirectReq2(0x8001, regs));
    }

    @Test
    void rejectsBadPartitionId() {
        assertFfa(FfaError.INVALID_PARAMETERS, () -> vm.msgSendDirectReq2(0x1234, new byte[112]));
        assertFfa(FfaError.INVALID_PARAMETERS, () -> vm.notificationSet(0x1234, 0));
        assertFfa(FfaError.INVALID_PARAMETERS, () -> firmware.addPartition(0, SP, true, true, 0, echo));
        assertFfa(FfaError.INVALID_PARAMETERS, () -> firmware.addPartition(0x8001, SP, true, true, 0, echo));
    }

    @Test
    void rejectsSendToSelf() {
        assertFfa(FfaError.INVALID_PARAMETERS, () -> sp.msgSendDirectReq2(0x8001, new byte[112]));
        vm.rxTxMap(1);
        ByteBuffer tx = vm.txBuffer();
        tx.putInt(PartitionMessage.OFFSET, PartitionMessage.PAYLOAD_OFFSET);
        tx.putInt(PartitionMessage.SEND_RECV_ID, PartitionMessage.sendRecvId(0x0001, 0x0001));
        tx.putInt(PartitionMessage.SIZE, 8);
        assertFfa(FfaError.INVALID_PARAMETERS, vm::msgSend2);
    }

    @Test
    void rejectsOversizedMessages() {
        assertFfa(FfaError.INVALID_PARAMETERS, () -> vm.msgSendDirectReq2(0x8001, new byte[113]));
        vm.rxTxMap(1);
        sp.rxTxMap(1);
        ByteBuffer tx = vm.txBuffer();
        tx.putInt(PartitionMessage.OFFSET, PartitionMessage.PAYLOAD_OFFSET);
        tx.putInt(PartitionMessage.SEND_RECV_ID, PartitionMessage.sendRecvId(0x0001, 0x8001));
        tx.putInt(PartitionMessage.SIZE, 4096);
        assertFfa(FfaError.INVALID_PARAMETERS, vm::msgSend2);
    }

    @Test
    void directRequestToARunningPartitionIsBusy() throws Exception {
        CountDownLatch inside = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        FfaConduit slow = firmware.addPartition(0x8002, SP, true, false, 0, new PartitionHandler() {
            @Override
            public byte[] onDirectRequest(int sender, byte[] registers) {
                inside.countDown();
                try {
                    release.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return registers;
            }

            @Override
            public void onNotificationInterrupt() {
            }
        });
        Thread t = new Thread(() -> vm.msgSendDirectReq2(slow.id(), new byte[112]));
        t.start();
        inside.await(10, TimeUnit.SECONDS);
        assertFfa(FfaError.BUSY, () -> sp.msgSendDirectReq2(0x8002, new byte[112]));
        release.countDown();
        t.join(10_000);
    }

    @Test
    void indirectMessageNeedsBuffersAndWaitsForRxRelease() throws Exception {
        assertFfa(FfaError.DENIED, vm::msgSend2);
        vm.rxTxMap(1);
        ByteBuffer tx = vm.txBuffer();
        tx.putInt(PartitionMessage.OFFSET, PartitionMessage.PAYLOAD_OFFSET);
        tx.putInt(PartitionMessage.SEND_RECV_ID, PartitionMessage.sendRecvId(0x0001, 0x8001));
        tx.putInt(PartitionMessage.SIZE, 4);
        tx.putInt(PartitionMessage.PAYLOAD_OFFSET, 0xCAFE);
        assertFfa(FfaError.DENIED, vm::msgSend2);
        sp.rxTxMap(1);
        vm.msgSend2();
        assertFfa(FfaError.BUSY, vm::msgSend2);
        interrupts.await(10, TimeUnit.SECONDS);
        Notifications n = sp.notificationGet();
        assertEquals(true, n.rxBufferFull());
        assertEquals(0xCAFE, sp.rxBuffer().getInt(PartitionMessage.PAYLOAD_OFFSET));
        assertFfa(FfaError.BUSY, vm::msgSend2);
        sp.rxRelease();
        vm.msgSend2();
        assertFfa(FfaError.DENIED, vm::rxRelease);
    }

    @Test
    void notificationToAnUnboundIdIsDenied() throws Exception {
        assertFfa(FfaError.DENIED, () -> sp.notificationSet(0x0001, 5));
        vm.notificationBind(0x8001, 1L << 5);
        assertFfa(FfaError.DENIED, () -> sp.notificationSet(0x0001, 6));
        assertFfa(FfaError.INVALID_PARAMETERS, () -> sp.notificationSet(0x0001, 64));
        sp.notificationSet(0x0001, 5);
        interrupts.await(10, TimeUnit.SECONDS);
        assertEquals(1L << 5, vm.notificationGet().partitionBitmap());
        assertEquals(0L, vm.notificationGet().partitionBitmap(), "GET clears");
        FfaConduit other = firmware.addPartition(0x8003, SP, true, true, 0, echo);
        assertFfa(FfaError.DENIED, () -> other.notificationSet(0x0001, 5));
        assertFfa(FfaError.DENIED, () -> vm.notificationBind(0x8003, 1L << 5));
        vm.notificationUnbind(0x8001, 1L << 5);
        assertFfa(FfaError.DENIED, () -> sp.notificationSet(0x0001, 5));
    }

    @Test
    void reclaimWhileSharedIsDenied() {
        vm.rxTxMap(1);
        long handle = share(vm, 0x8001, 0, 2);
        MemoryMapping m = sp.memRetrieve(handle);
        assertEquals(8192, m.size());
        assertFfa(FfaError.DENIED, () -> vm.memReclaim(handle));
        assertFfa(FfaError.INVALID_PARAMETERS, () -> sp.memReclaim(handle));
        sp.memRelinquish(handle);
        vm.memReclaim(handle);
    }

    @Test
    void accessOutsideASharedAreaFaults() {
        vm.rxTxMap(1);
        long handle = share(vm, 0x8001, 4096, 1);
        MemoryMapping m = sp.memRetrieve(handle);
        vm.memory().putInt(4096 + 16, 0x1234_5678);
        assertEquals(0x1234_5678, m.slice(16, 4).getInt(0), "the borrower sees the lender's page");
        assertFfa(FfaError.DENIED, () -> m.slice(4093, 4));
        assertFfa(FfaError.DENIED, () -> m.slice(-1, 1));
        FfaConduit stranger = firmware.addPartition(0x8004, SP, true, true, 0, echo);
        assertFfa(FfaError.DENIED, () -> stranger.memRetrieve(handle));
        sp.memRelinquish(handle);
        assertFfa(FfaError.DENIED, () -> m.slice(0, 4));
        assertFfa(FfaError.INVALID_PARAMETERS, () -> share(vm, 0x8001, 60 * 1024, 2));
        assertFfa(FfaError.INVALID_PARAMETERS, () -> share(vm, 0x8001, 100, 1));
    }

    @Test
    void sharingSharedPagesAgainIsDenied() {
        vm.rxTxMap(1);
        share(vm, 0x8001, 0, 2);
        assertFfa(FfaError.DENIED, () -> share(vm, 0x8001, 4096, 1));
        assertFfa(FfaError.INVALID_PARAMETERS, () -> share(vm, 0x0001, 16384, 1));
    }

    @Test
    void aReclaimedHandleIsNeverReused() {
        vm.rxTxMap(1);
        long first = share(vm, 0x8001, 0, 1);
        vm.memReclaim(first);
        assertFfa(FfaError.INVALID_PARAMETERS, () -> sp.memRetrieve(first));
        assertFfa(FfaError.INVALID_PARAMETERS, () -> vm.memReclaim(first));
        long second = share(vm, 0x8001, 0, 1);
        assertNotEquals(first, second, "the same pages shared again get a fresh handle");
        assertFfa(FfaError.INVALID_PARAMETERS, () -> sp.memRelinquish(first));
        sp.memRetrieve(second);
    }

    @Test
    void injectedDelayIsPaidPerCall() {
        FfaFirmware slow = new FfaFirmware(200_000, w -> { });
        try {
            FfaConduit a = slow.addPartition(1, new UUID(0, 1), false, false, 0, echo);
            long t0 = System.nanoTime();
            for (int i = 0; i < 10; i++) {
                a.version();
            }
            long took = System.nanoTime() - t0;
            assertEquals(true, took >= 10 * 200_000, "10 calls at 200 us took " + took + " ns");
        } finally {
            slow.close();
        }
    }

    /** Found by FfaMemoryDescriptorFuzzTarget: address + length wrapped past 2^63 and passed the bound. */
    @Test
    void rejectsARangeWhoseEndWrapsPastTheLargestAddress() {
        vm.rxTxMap(1);
        assertFfa(FfaError.INVALID_PARAMETERS, () -> share(vm, 0x8001, 0x7FFF_FFFF_FFFF_C000L, 16));
        assertEquals(0, firmware.sharedHandles());
    }
}
