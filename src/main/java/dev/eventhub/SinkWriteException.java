package dev.eventhub;

import java.io.IOException;

/**
 * A sink that gathers records and writes several with one write says with this exception exactly how many of the
 * records it has not yet settled were not written (see {@link Sink#endOfBatch()}); the others were written.
 */
public class SinkWriteException extends IOException {
    private static final long serialVersionUID = 1L;

    /** Records not written. */
    private final long notWritten;

    /**
     * Creates the exception.
     *
     * @param message    what failed
     * @param cause      the failure of the write, or null
     * @param notWritten how many records were not written (at least 1)
     */
    public SinkWriteException(String message, Throwable cause, long notWritten) {
        super(message, cause);
        if (notWritten < 1) {
            throw new IllegalArgumentException("notWritten: " + notWritten + " (expected: at least 1)");
        }
        this.notWritten = notWritten;
    }

    /** {@return how many of the sink's unsettled records (the current one included, if thrown by accept) were not written} */
    public long notWritten() {
        return notWritten;
    }
}
