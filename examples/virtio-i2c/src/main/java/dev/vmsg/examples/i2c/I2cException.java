package dev.vmsg.examples.i2c;

/** An I2C transfer that failed: {@code message} is the index of the first message that failed. */
public final class I2cException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final int message;

    public I2cException(int message, String text) {
        super(text);
        this.message = message;
    }

    public I2cException(int message, String text, Throwable cause) {
        super(text, cause);
        this.message = message;
    }

    /** Index of the first message of the transfer that failed (-1: the transfer was not started). */
    public int message() {
        return message;
    }
}
