package dev.eventhub.cli;

/** Bad command-line usage: the message is the one-line reason printed before exiting with 2. */
final class UsageException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    UsageException(String reason) {
        super(reason, null, false, false);
    }
}
