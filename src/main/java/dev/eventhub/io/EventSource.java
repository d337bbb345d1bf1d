package dev.eventhub.io;

/**
 * Where an {@link Ingest} pulls events from: a remote event stream (Swarm's engine event monitor), a broker, a
 * file. A source is opened again after every failure, handed the last item it delivered so that it can resume
 * instead of losing what happened while it was down.
 *
 * @param <T> the event type
 */
@FunctionalInterface
public interface EventSource<T> {

    /**
     * Connects and returns a stream of items.
     *
     * @param resumeAfter the last item this source delivered before, or null the first time: a source that can
     *                    resume starts right after it
     * @return the open connection
     * @throws Exception if it cannot connect; the ingest backs off and tries again
     */
    Connection<T> open(T resumeAfter) throws Exception;

    /**
     * One open stream of items.
     *
     * @param <T> the event type
     */
    interface Connection<T> extends AutoCloseable {

        /**
         * Waits for the next item.
         *
         * @return the item, or null when the stream ended cleanly (the ingest reconnects)
         * @throws Exception if the stream failed (the ingest backs off and reconnects)
         */
        T next() throws Exception;

        /**
         * Closes the stream; may be called from another thread while {@link #next()} waits, and must make it return
         * or throw promptly. Must be idempotent: {@link Ingest#stop()} and the ingest's own thread may both call it.
         *
         * @throws Exception if closing failed (ignored)
         */
        @Override
        void close() throws Exception;
    }
}
