package dev.vmsg.shell.internal;

/**
 * A command that cannot do what was asked: its message is the one line the user sees (Gogo
 * prints it); it carries no stack trace.
 */
final class CommandException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    CommandException(String message) {
        super(message, null, false, false);
    }

    /** Just the message: Gogo prints {@code $exception} with toString. */
    @Override
    public String toString() {
        return getMessage();
    }
}
