package dev.eventhub;

/**
 * A schedule made by {@link EventHub#every}: publishes a supplied event at a fixed period, on the dispatcher's own
 * deadline tracking (no timer thread). A tick that comes late is taken once and the missed ones are skipped, never
 * bunched; a supplier that throws is reported and the schedule goes on. Every method may be called from any thread.
 */
public interface Periodic {

    /** Stops the schedule; no tick begins after this returns (one already running may finish). Idempotent. */
    void cancel();

    /** {@return whether the schedule is still running: not cancelled, and the hub not closed} */
    boolean isActive();

    /**
     * {@return events published by this schedule so far} For a state view's resync schedule, the resyncs run.
     */
    long published();

    /**
     * {@return ticks that published nothing} A tick is skipped when the dispatcher was late by a whole period or more,
     * when the hub was full, or when the supplier threw or returned null.
     */
    long skipped();

    /** {@return ticks whose supplier threw or returned null} */
    long failures();
}
