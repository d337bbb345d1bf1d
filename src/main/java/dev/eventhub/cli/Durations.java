package dev.eventhub.cli;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Durations as people type them on a command line: {@code 10s}, {@code 500ms}, {@code 1h30m}, {@code 1.5s}. */
final class Durations {
    private static final Pattern PART = Pattern.compile("(\\d+(?:\\.\\d+)?)(ns|us|µs|ms|s|m|h|d)");

    private Durations() {
    }

    /**
     * Parses one or more number-unit pairs (units ns, us, ms, s, m, h, d).
     *
     * @throws UsageException naming {@code option} and the value when it is not such a duration
     */
    static Duration parse(String option, String text) {
        Matcher part = PART.matcher(text);
        Duration total = Duration.ZERO;
        int at = 0;
        while (at < text.length() && part.find(at) && part.start() == at) {
            BigDecimal number = new BigDecimal(part.group(1));
            long nanosPerUnit = switch (part.group(2)) {
                case "ns" -> 1L;
                case "us", "µs" -> 1_000L;
                case "ms" -> 1_000_000L;
                case "s" -> 1_000_000_000L;
                case "m" -> 60_000_000_000L;
                case "h" -> 3_600_000_000_000L;
                default -> 86_400_000_000_000L;
            };
            try {
                total = total.plusNanos(number.multiply(BigDecimal.valueOf(nanosPerUnit)).longValueExact());
                total.toNanos(); // the sum too must fit in 64 bits of nanoseconds
            } catch (ArithmeticException tooLarge) {
                throw new UsageException(option + ": '" + text + "' (expected: a duration below 292 years)");
            }
            at = part.end();
        }
        if (at == 0 || at != text.length()) {
            throw new UsageException(option + ": '" + text + "' (expected: a duration such as 10s, 500ms, 2h, 1h30m)");
        }
        return total;
    }

    /** A short human form: {@code 10s}, {@code 1.5s}, {@code 600ms}. */
    static String format(Duration duration) {
        long millis = duration.toMillis();
        if (millis % 1000 == 0) {
            return millis / 1000 + "s";
        }
        return millis >= 1000 ? BigDecimal.valueOf(millis, 3).stripTrailingZeros().toPlainString() + "s" : millis + "ms";
    }
}
