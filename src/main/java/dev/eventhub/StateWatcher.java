package dev.eventhub;

/**
 * Told how a {@link StateView} changes: client-go's {@code ResourceEventHandler}, with a bounded backlog.
 *
 * <p>Each watcher is called on its own thread (or its executor), one call at a time, never on the hub's dispatcher.
 * Changes to the same key arrive in order. A watcher that falls behind does not queue every change: its pending
 * changes are coalesced per key, so it may skip intermediate values, but the calls it gets always move its picture
 * of the view from what it last saw to what the view holds now — replaying them into a map gives exactly
 * {@link StateView#snapshot()} once the watcher has caught up. Concretely, for one key not yet delivered: an add then
 * updates arrive as one add with the latest value; updates then a delete as one delete; an add then a delete as
 * nothing; a delete then an add as one update.
 *
 * <p>A method that throws ends this watcher ({@link EndReason#HANDLER_FAILED}, reported); the view and the other
 * watchers go on. Every method does nothing by default.
 *
 * @param <K> the key type
 * @param <T> the value type: the hub's events
 */
public interface StateWatcher<K, T> {

    /**
     * A key appeared.
     *
     * @param key     the key
     * @param value   its value now
     * @param initial true when the key was already in the view when this watcher joined (the synthetic add a late
     *                watcher gets for each current entry), false for a key added since
     * @throws Exception to end this watcher
     */
    default void onAdd(K key, T value, boolean initial) throws Exception {
    }

    /**
     * A key's value changed, or a resync re-delivers it (then {@code old == now}).
     *
     * @param key the key
     * @param old the value this watcher last saw for it
     * @param now its value now
     * @throws Exception to end this watcher
     */
    default void onUpdate(K key, T old, T now) throws Exception {
    }

    /**
     * A key was removed.
     *
     * @param key  the key
     * @param last its last value in the view (which this watcher may not have seen, if it was behind)
     * @throws Exception to end this watcher
     */
    default void onDelete(K key, T last) throws Exception {
    }
}
