package dev.vmsg.bus.ffa.firmware;

/** An FF-A call returned FFA_ERROR. Says which call, which error and why. */
public final class FfaException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final FfaError error;

    public FfaException(FfaError error, String message) {
        super(error + " (" + error.code() + "): " + message);
        this.error = error;
    }

    public FfaError error() {
        return error;
    }
}
