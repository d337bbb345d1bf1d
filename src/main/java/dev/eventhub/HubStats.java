package dev.eventhub;

/**
 * A snapshot of a hub's counters. Each counter is read separately, so the values need not add up at one instant
 * while the hub is busy; each is exact on its own once the hub is idle or terminated.
 *
 * @param name                  the hub's name
 * @param published             events the dispatcher has sequenced: the sequence of the last one
 * @param rejected              offers and publishes refused because the hub was full or closed
 * @param delivered             handler calls made for events, across all subscriptions, replays included
 * @param dropped               events subscriptions lost, across all subscriptions, ended ones included: overflow
 *                              drops and what a close that timed out left undelivered (the sum of their
 *                              {@link Subscription#dropped()})
 * @param subscribers           subscriptions active now
 * @param queueDepth            events accepted but not yet sequenced: an estimate, since producers and the
 *                              dispatcher move while it is read
 * @param firstRetainedSequence the oldest event kept for replay, or 0 when none is kept
 * @param lastRetainedSequence  the newest event kept for replay, or 0 when none is kept
 * @param closed                whether close has begun
 */
public record HubStats(String name, long published, long rejected, long delivered, long dropped,
                       int subscribers,
                       long queueDepth, long firstRetainedSequence, long lastRetainedSequence, boolean closed) {
}
