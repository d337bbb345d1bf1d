package dev.eventhub;

import java.io.IOException;

/**
 * Where a hub's events go to stay: a file, a socket, a log system (Docker's log driver). Attached with
 * {@link EventHub#attach(Sink)} or {@link SubscriptionBuilder#attach(Sink)}, a sink runs as a lossless async
 * subscription: it is called from that subscription's consumer, one call at a time, never on the dispatcher.
 *
 * <p>A call that throws does not end the attachment: the record is counted as not written and reported, and the
 * next record is tried again (a full disk can clear). So {@code accept} must either write its record or throw, and
 * leave nothing half-written behind. {@link #flush()} is called when the attachment has caught up with the hub,
 * {@link #close()} once when it ends.
 *
 * <p><b>Batches.</b> A sink may gather the records it accepts and write them together: the attachment calls
 * {@link #endOfBatch()} after the last record of each batch it takes from its buffer (at least every 1024 records,
 * and before {@code flush} and {@code close}), and the records accepted since the previous call are <i>unsettled</i>
 * until then. A sink that must write early (a buffer limit, a rotation) may do so in {@code accept}. Whatever call
 * fails says how many unsettled records it lost: a {@link SinkWriteException} gives the exact number (the other
 * unsettled records were written), any other exception from {@code accept} means that one record, and any other
 * exception from {@code endOfBatch} means every unsettled record. Either way no half record is left behind.
 *
 * @param <T> the event type
 */
public interface Sink<T> extends AutoCloseable {

    /**
     * Writes one event.
     *
     * @param event          the event
     * @param sequence       its sequence in the hub
     * @param timestampNanos its stamp, in nanoseconds since the epoch
     * @throws IOException if it could not be written; it is counted as not written
     */
    void accept(T event, long sequence, long timestampNanos) throws IOException;

    /**
     * Ends a batch: writes what {@link #accept} gathered since the previous call, if the sink gathers. Called on the
     * attachment's consumer after the last record of each batch; the default writes nothing (every record was
     * written by its {@code accept}).
     *
     * @throws IOException if records could not be written: a {@link SinkWriteException} says how many (the other
     *                     unsettled records were written), any other exception means every unsettled record
     */
    default void endOfBatch() throws IOException {
    }

    /**
     * Makes what was written durable, or pushes it on; called when the attachment has nothing more queued. A sink
     * that buffers records across calls must write them in {@code accept}'s terms: each record written or thrown.
     *
     * @throws IOException if that failed (reported; the records were already counted as written)
     */
    default void flush() throws IOException {
    }

    /**
     * Flushes and releases the sink. Called once, when the attachment ends; must be harmless if called again.
     *
     * @throws IOException if that failed (reported)
     */
    @Override
    void close() throws IOException;
}
