package dev.eventhub;

/**
 * What an isolated (async) subscription does when its buffer is full because its handler cannot keep up. Every
 * event it does not deliver because of this is counted in {@link Subscription#dropped()}; for each subscription,
 * delivered + dropped equals what its selection matched while it was active.
 */
public enum Overflow {
    /**
     * Lossless: the dispatcher waits for space, so backpressure reaches producers ({@code publish} waits,
     * {@code offer} returns false) and every other subscriber waits too. For consumers that must see everything.
     */
    BLOCK,
    /**
     * Drop the oldest buffered event to make room; the handler's {@code onGap} is told the exact number skipped
     * before its next event. The subscriber stays current. The default.
     */
    DROP_OLDEST,
    /** Drop the event that does not fit; the handler's {@code onGap} is told the exact number before the next one. */
    DROP_NEWEST,
    /**
     * End the subscription with {@link EndReason#OVERFLOW}; what it had buffered is counted as dropped. For
     * consumers that would rather start over (relist, reconnect) than see a gap.
     */
    DISCONNECT
}
