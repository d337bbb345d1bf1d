package dev.eventhub.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Fuzzed command-line values: durations, {@code --since}/{@code --until} and {@code --max-line}. Any text either
 * parses to the right value or ends in a {@link UsageException} naming the option and the value (exit code 2);
 * nothing else escapes. Tries: {@code jqwik.tries.default}, more with {@code -Pstress}.
 */
class CommandLineFuzzProperties {
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-12-02T05:00:00Z"), ZoneOffset.UTC);
    private static final String[] UNITS = {"ns", "us", "µs", "ms", "s", "m", "h", "d"};
    private static final long[] NANOS = {1, 1_000, 1_000, 1_000_000, 1_000_000_000L, 60_000_000_000L,
            3_600_000_000_000L, 86_400_000_000_000L};

    @Provide
    Arbitrary<String> text() {
        Arbitrary<String> alphabet = Arbitraries.strings().withChars("0123456789.:-+TZtzsmhdnuµ e").ofMaxLength(30);
        Arbitrary<String> any = Arbitraries.strings().all().ofMaxLength(30);
        Arbitrary<String> times = Arbitraries.of("2026-11-23T10:00:00Z", "1763892000.25", "10m", "1h30m",
                "2026-11-23T11:00:00+01:00", "999999999999.999999999", "9999-12-31T23:59:59Z", "0001-01-01T00:00:00Z",
                "99999999999999999999d", "1.5s", "0s", "292y", "106751d", "106752d", "1e3s")
                .flatMap(seed -> Arbitraries.integers().between(0, seed.length()).map(cut -> seed.substring(0, cut)));
        return Arbitraries.oneOf(alphabet, any, times);
    }

    @Property
    void durationsParseOrFailNamingTheOptionAndValue(@ForAll("text") String text) {
        try {
            Duration parsed = Durations.parse("--every", text);
            assertThat(parsed.isNegative()).isFalse();
        } catch (UsageException expected) {
            assertThat(expected).hasMessageStartingWith("--every: '" + text + "' (expected: ");
        }
    }

    @Property
    void durationsOfRandomPartsAreExact(@ForAll("parts") List<int[]> parts) {
        StringBuilder text = new StringBuilder();
        BigDecimal nanos = BigDecimal.ZERO;
        for (int[] part : parts) {
            text.append(part[0]).append(UNITS[part[1]]);
            nanos = nanos.add(BigDecimal.valueOf(part[0]).multiply(BigDecimal.valueOf(NANOS[part[1]])));
        }
        if (nanos.compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) > 0) {
            try {
                Durations.parse("--every", text.toString());
                throw new AssertionError("accepted " + text);
            } catch (UsageException expected) {
                assertThat(expected).hasMessageContaining("below 292 years");
            }
            return;
        }
        assertThat(Durations.parse("--every", text.toString())).isEqualTo(Duration.ofNanos(nanos.longValueExact()));
    }

    @Provide
    Arbitrary<List<int[]>> parts() {
        return Combinators.combine(Arbitraries.integers().between(0, Integer.MAX_VALUE),
                Arbitraries.integers().between(0, UNITS.length - 1)).as((n, u) -> new int[] {n, u})
                .list().ofMinSize(1).ofMaxSize(4);
    }

    @Property
    void sinceAndUntilParseOrFailNamingTheOptionAndValue(@ForAll("text") String text) {
        try {
            long nanos = Events.time("--since", text, CLOCK);
            if (text.matches("\\d{1,12}(\\.\\d{1,9})?")) {
                assertThat(BigDecimal.valueOf(nanos, 9).compareTo(new BigDecimal(text))).isZero();
            }
        } catch (UsageException expected) {
            assertThat(expected).hasMessageStartingWith("--since: '" + text + "' (expected: ");
        }
    }

    @Property
    void lineLimitsParseOrFailNamingTheOptionAndValue(@ForAll("text") String text) {
        try {
            int bytes = Events.size("--max-line", text);
            assertThat(bytes).isBetween(16, 1 << 30);
        } catch (UsageException expected) {
            assertThat(expected).hasMessageStartingWith("--max-line: '" + text + "' (expected: ");
        }
    }
}
