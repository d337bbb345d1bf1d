package dev.eventhub.internal;

import java.time.Duration;
import java.time.Instant;

/**
 * Internal: public only so that every package of the module can share it; {@code module-info} does not export
 * this package, so it is no API. Argument checks whose messages name the argument and the value, as {@code capacity: 1000 (expected: a power of
 * two)}. Every public entry point validates through these before it changes anything.
 */
public final class Checks {
    private Checks() {
    }

    public static <V> V notNull(String argument, V value) {
        if (value == null) {
            throw new NullPointerException(argument + ": null (expected: not null)");
        }
        return value;
    }

    public static int powerOfTwo(String argument, int value, int min, int max) {
        if (value < min || value > max || Integer.bitCount(value) != 1) {
            throw new IllegalArgumentException(argument + ": " + value + " (expected: a power of two from "
                    + min + " to " + max + ")");
        }
        return value;
    }

    public static long positive(String argument, long value) {
        if (value <= 0) {
            throw new IllegalArgumentException(argument + ": " + value + " (expected: > 0)");
        }
        return value;
    }

    public static long notNegative(String argument, long value) {
        if (value < 0) {
            throw new IllegalArgumentException(argument + ": " + value + " (expected: >= 0)");
        }
        return value;
    }

    public static Duration notNegative(String argument, Duration value) {
        notNull(argument, value);
        if (value.isNegative()) {
            throw new IllegalArgumentException(argument + ": " + value + " (expected: >= 0)");
        }
        return value;
    }

    public static Duration positive(String argument, Duration value) {
        notNull(argument, value);
        if (value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException(argument + ": " + value + " (expected: > 0)");
        }
        return value;
    }

    public static String name(String argument, String value) {
        notNull(argument, value);
        if (value.isBlank() || value.chars().anyMatch(Character::isISOControl)) {
            throw new IllegalArgumentException(argument + ": \"" + value
                    + "\" (expected: a non-blank name without control characters)");
        }
        return value;
    }

    /** Nanoseconds since the epoch, saturated at the ends of {@code long} (about the years 1677 and 2262). */
    public static long epochNanos(Instant instant) {
        long seconds = instant.getEpochSecond();
        if (seconds >= Long.MAX_VALUE / 1_000_000_000L) {
            return Long.MAX_VALUE;
        }
        if (seconds <= Long.MIN_VALUE / 1_000_000_000L) {
            return Long.MIN_VALUE;
        }
        return seconds * 1_000_000_000L + instant.getNano();
    }

    /** Saturating conversion for waits: a huge timeout means "practically forever", not an overflow. */
    public static long toNanos(Duration duration) {
        try {
            return duration.toNanos();
        } catch (ArithmeticException overflow) {
            return Long.MAX_VALUE;
        }
    }
}
