package dev.vmsg.bus.ffa.firmware;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.UUID;

/**
 * The FF-A ABI as one partition calls it (the caller is implicit, as on hardware where the
 * firmware knows which partition trapped). The emulated firmware implements it; a conduit making
 * real SMC/HVC calls could implement it too. Every method either succeeds or throws
 * {@link FfaException} with the FF-A error the call returned.
 */
public interface FfaConduit {

    /** FF-A v1.2, as returned by FFA_VERSION: major in bits 30..16, minor in 15..0. */
    int FFA_VERSION_1_2 = 0x0001_0002;

    /** Size of the FFA_MSG_SEND_DIRECT_REQ2 payload: registers x4..x17, 14 x 64 bits. */
    int DIRECT_PAYLOAD_SIZE = 112;

    /** The FF-A page (translation granule of memory descriptors). */
    int PAGE_SIZE = 4096;

    /** FFA_ID_GET: the caller's 16-bit endpoint id. */
    int id();

    /** FFA_VERSION. */
    int version();

    /** FFA_PARTITION_INFO_GET: the partitions with {@code uuid} (nil UUID: all). */
    List<PartitionInfo> partitionInfoGet(UUID uuid);

    /** FFA_MSG_SEND_DIRECT_REQ2 to {@code receiver}; returns the 112-byte RESP2 payload. */
    byte[] msgSendDirectReq2(int receiver, byte[] registers);

    /** FFA_RXTX_MAP: gives the partition an RX and a TX buffer of {@code pages} pages each. */
    void rxTxMap(int pages);

    /** FFA_RXTX_UNMAP. */
    void rxTxUnmap();

    /** The caller's TX buffer (it writes messages and descriptors here). */
    ByteBuffer txBuffer();

    /** The caller's RX buffer (read-only to the caller; valid until {@link #rxRelease()}). */
    ByteBuffer rxBuffer();

    /** FFA_RX_RELEASE: the caller is done with its RX buffer; the firmware may fill it again. */
    void rxRelease();

    /** FFA_MSG_SEND2: sends the partition message (header + payload) in the caller's TX buffer. */
    void msgSend2();

    /** FFA_NOTIFICATION_BIND: lets {@code sender} signal the caller's notifications in {@code bitmap}. */
    void notificationBind(int sender, long bitmap);

    /** FFA_NOTIFICATION_UNBIND. */
    void notificationUnbind(int sender, long bitmap);

    /** FFA_NOTIFICATION_SET: signals notification {@code notificationId} (0..63) of {@code receiver}. */
    void notificationSet(int receiver, int notificationId);

    /** FFA_NOTIFICATION_GET: returns and clears the caller's pending notifications. */
    Notifications notificationGet();

    /**
     * FFA_MEM_SHARE with the memory transaction descriptor of {@code length} bytes at the start of
     * the caller's TX buffer; returns the global memory handle.
     */
    long memShare(int length);

    /** FFA_MEM_RETRIEVE_REQ (simplified to the handle): maps memory shared with the caller. */
    MemoryMapping memRetrieve(long handle);

    /** FFA_MEM_RELINQUISH: the borrower gives the memory back. */
    void memRelinquish(long handle);

    /** FFA_MEM_RECLAIM: the owner takes the memory back; refused while a borrower still holds it. */
    void memReclaim(long handle);

    /** The caller's own memory (its RAM); memory descriptors address it by byte offset. */
    ByteBuffer memory();
}
