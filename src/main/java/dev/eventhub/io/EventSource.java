package dev.eventhub.io;

import dev.eventhub.internal.Checks;

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
         * Adds the next items to {@code batch}: waits for the first as {@link #next()} does, then adds those already
         * at hand, without waiting, up to {@code max} in all. The ingest publishes them together, in order, and asks
         * again only after publishing all of them: a source that counts an item as published when asked for more
         * counts the whole batch. A failure after the first item is for the next call to report. By default, one
         * call to {@link #next()}.
         *
         * @param batch where to add the items (the ingest hands it over empty)
         * @param max   the most items to add, 1 or more
         * @return false when the stream ended cleanly before any item (nothing added; the ingest reconnects)
         * @throws NullPointerException     if {@code batch} is null
         * @throws IllegalArgumentException if {@code max} is less than 1
         * @throws Exception                if the stream failed before any item (the ingest backs off and
         *                                  reconnects)
         */
        default boolean next(java.util.List<? super T> batch, int max) throws Exception {
            Checks.notNull("batch", batch);
            Checks.positive("max", max);
            T item = next();
            if (item == null) {
                return false;
            }
            batch.add(item);
            return true;
        }

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
