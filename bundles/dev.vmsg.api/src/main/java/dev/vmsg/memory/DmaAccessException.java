package dev.vmsg.memory;

/**
 * An access to bus addresses that are not wholly inside a {@link DmaWindow}, or a misaligned
 * access where alignment is required. Nothing was read or written when this is thrown.
 */
public final class DmaAccessException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final long address;
    private final long length;

    public DmaAccessException(String message, long address, long length) {
        super(message);
        this.address = address;
        this.length = length;
    }

    /** The bus address of the rejected access. */
    public long address() {
        return address;
    }

    /** The length of the rejected access, as an unsigned 64-bit value. */
    public long length() {
        return length;
    }
}
