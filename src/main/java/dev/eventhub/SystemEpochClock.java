package dev.eventhub;

import dev.eventhub.internal.Checks;
import java.time.Instant;
import java.util.function.LongSupplier;

/**
 * The default clock: epoch nanoseconds from {@link System#nanoTime()} plus an offset taken from the wall clock,
 * re-taken every second so the result stays within the wall clock's own precision (and well within 1 ms) of it.
 * Reading it costs one {@code nanoTime} and allocates nothing, except the one {@link Instant} of a re-calibration.
 * A re-calibration may move it backwards; the dispatcher never lets stamps decrease.
 *
 * <p>Confined to the thread that drives the dispatcher.
 */
final class SystemEpochClock implements LongSupplier {
    /** How often to re-align with the wall clock: often enough to follow NTP slews, rarely enough to cost nothing. */
    private static final long RECALIBRATE_NANOS = 1_000_000_000L;

    private long offset;
    private long calibratedAt;

    SystemEpochClock() {
        calibrate(System.nanoTime());
    }

    @Override
    public long getAsLong() {
        return at(System.nanoTime());
    }

    /** The epoch time at {@code nanoTime}, a {@link System#nanoTime()} value the caller has just read. */
    long at(long nanoTime) {
        if (nanoTime - calibratedAt >= RECALIBRATE_NANOS) {
            calibrate(nanoTime);
        }
        return offset + nanoTime;
    }

    private void calibrate(long now) {
        Instant wall = Instant.now();
        offset = Checks.epochNanos(wall) - now;
        calibratedAt = now;
    }
}
