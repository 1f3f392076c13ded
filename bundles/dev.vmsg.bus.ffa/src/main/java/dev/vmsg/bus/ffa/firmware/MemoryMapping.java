package dev.vmsg.bus.ffa.firmware;

import java.nio.ByteBuffer;

/**
 * The borrower's view of memory retrieved with FFA_MEM_RETRIEVE_REQ: the stage-2 mapping of the
 * lender's pages. Access outside the shared pages, or after the borrower relinquished them or
 * the lender reclaimed them, faults with {@link FfaError#DENIED}.
 */
public interface MemoryMapping {

    long handle();

    /** Bytes mapped (page count x 4096). */
    int size();

    /**
     * A view of {@code [offset, offset + length)} of the shared memory.
     *
     * @throws FfaException DENIED when the range is outside the shared pages or the mapping is gone
     */
    ByteBuffer slice(int offset, int length);
}
