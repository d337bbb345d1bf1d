package dev.eventhub;

/**
 * What the dispatcher thread does when it finds no work. A trade between latency and the CPU an idle hub uses.
 */
public enum IdleStrategy {
    /** Busy-spin ({@link Thread#onSpinWait()}): lowest latency, one core fully used even when idle. */
    SPIN,
    /** {@link Thread#yield()}: low latency, gives the core to other runnable threads, still busy when idle. */
    YIELD,
    /**
     * Spin briefly (about a hundred empty rounds), yield the CPU for about as many, then park until a publish, a
     * subscription change, close, or the next deadline: some tens of microseconds busy after the last work. A
     * publish wakes the parked dispatcher at once (the cost is one {@code unpark} for the publisher that finds it
     * asleep). Uses no CPU when idle; adds a thread wake-up to the latency of the first event after a quiet spell.
     * The default.
     */
    PARK
}
