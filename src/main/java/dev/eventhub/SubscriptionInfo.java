package dev.eventhub;

import java.time.Duration;

/**
 * One active subscription as {@link EventHub#subscriptions()} saw it: what it is, what it selects, how far it got and
 * whether its handler is stuck.
 *
 * <p><b>How exact.</b> Each figure is read without stopping the hub, from fields the dispatcher and the consumers
 * keep anyway, so a snapshot is not one point in time: figures of one record may be a few events apart, and
 * {@code buffered}, {@code lag} and {@code inHandler} are estimates while events flow. Counters
 * ({@code delivered}, {@code dropped}, {@code lastSequence}) are the subscription's own, as {@link Subscription}
 * reports them.
 *
 * <p><b>Lag</b> counts events behind the hub's head, the last sequence the dispatcher has taken
 * ({@link HubStats#published()}):
 * <ul>
 *   <li>{@link Kind#ASYNC}, {@link Kind#FLOW}, {@link Kind#SINK}: {@code head - s + 1} where {@code s} is the sequence
 *       of the oldest event still in its buffer, or 0 when the buffer is empty. A subscription whose buffer holds
 *       event 90 while the head is 100 is 11 events behind, whatever its filter let through;</li>
 *   <li>{@link Kind#INLINE}: 0, or 1 while the dispatcher has been inside one round of inline calls for at least the
 *       hub's {@code slowHandlerThreshold} and this subscription has not yet had the event in flight (it is the stuck
 *       one, or waits behind it: inline handlers run one after another on the dispatcher);</li>
 *   <li>{@link Kind#WATCHER}: while it has changes pending or in flight, {@code head - v}, where {@code v} is the
 *       view's sequence when the watcher last took its changes (an upper bound: a watcher gets changes coalesced per
 *       key, not events); otherwise 0.</li>
 * </ul>
 *
 * @param name         the subscription's name ({@link Subscription#name()})
 * @param kind         how it is delivered
 * @param selection    what it selects, in short: {@code all}, or its topics, patterns, filter, replay, until and
 *                     limit, such as {@code topics=[web-1] filter since=2026-01-01T00:00:00Z limit=10}
 * @param delivered    events handed to its handler (for a watcher: calls made)
 * @param dropped      events it lost (overflow, a close that timed out); always 0 for a watcher, which coalesces
 * @param buffered     events in its buffer now (for a watcher: keys with a change pending or in flight); 0 inline
 * @param capacity     its buffer's size; 0 for inline subscriptions and watchers (a watcher's backlog is bounded by
 *                     the number of keys, not by a buffer)
 * @param lag          events behind the hub's head, as defined above
 * @param lastSequence the sequence of the last event handed to its handler (for a watcher: the view's sequence when
 *                     it last took its changes), or 0
 * @param stuck        whether {@code inHandler} is at least the hub's {@code slowHandlerThreshold}
 * @param inHandler    how long its current handler call has been running, or zero when none is; for an inline
 *                     subscription the time the dispatcher's current round has run, reported as for {@code lag}
 */
public record SubscriptionInfo(String name, Kind kind, String selection, long delivered, long dropped,
                               long buffered, long capacity, long lag, long lastSequence, boolean stuck,
                               Duration inHandler) {

    /** How a subscription is delivered. */
    public enum Kind {
        /** Its handler runs on the dispatcher. */
        INLINE,
        /** Its handler runs on its own thread or executor, behind a bounded buffer ({@code async()}). */
        ASYNC,
        /** A Reactive Streams subscriber of {@link SubscriptionBuilder#publisher()}. */
        FLOW,
        /** A sink attached with {@link SubscriptionBuilder#attach(Sink)}. */
        SINK,
        /** A watcher of a {@link StateView}. */
        WATCHER
    }
}
