package dev.eventhub;

import dev.eventhub.internal.Checks;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/** A clock the test moves by hand, in epoch nanoseconds. */
final class ManualClock implements LongSupplier {
    static final Instant START = Instant.parse("2022-05-10T09:20:34.661862100Z");

    private final AtomicLong nanos = new AtomicLong(Checks.epochNanos(START));

    @Override
    public long getAsLong() {
        return nanos.get();
    }

    Instant instant() {
        long value = nanos.get();
        return Instant.ofEpochSecond(Math.floorDiv(value, 1_000_000_000L), Math.floorMod(value, 1_000_000_000L));
    }

    Instant plus(Duration duration) {
        return instant().plus(duration);
    }

    void advance(Duration duration) {
        nanos.addAndGet(duration.toNanos());
    }

    void set(Instant instant) {
        nanos.set(Checks.epochNanos(instant));
    }
}
