package dev.eventhub;

/**
 * A sink attached to a hub: the {@link Subscription} that feeds it, with what the sink did with the events. Every
 * event the subscription received is either written or counted in {@link #notWritten()}; none is lost silently.
 */
public interface SinkSubscription extends Subscription {

    /**
     * {@return events the sink accepted} A record is counted when {@code accept} returns; a sink that gathers records
     * and writes them at the end of a batch may then report some as not written, which moves them from here to
     * {@link #notWritten()}: {@code written() + notWritten()} only grows.
     */
    long written();

    /** {@return events the sink failed to write (its {@code accept} threw), each reported} */
    long notWritten();

    /** {@return the last exception the sink threw (accept, flush or close), or null} */
    Throwable lastFailure();
}
