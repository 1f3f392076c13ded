package dev.vmsg.feature.internal;

/** A feature operation that cannot be done; the message is one line meant for the operator. */
public final class FeatureException extends Exception {

    private static final long serialVersionUID = 1L;

    public FeatureException(String message) {
        super(message);
    }

    public FeatureException(String message, Throwable cause) {
        super(message, cause);
    }
}
