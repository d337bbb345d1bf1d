package dev.eventhub.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Fuzzed parsers of outside data: {@link Json}, {@link JsonRecord} (this library's envelope and Docker's record) and
 * the json-file sink's option values. Random and mutated inputs end only in an {@link IllegalArgumentException}
 * saying what is wrong (with the column, for JSON syntax), never another throwable, a hang or a silent wrong value;
 * quoting then parsing gives back every string.
 *
 * <p>The number of tries is jqwik's default, {@code jqwik.tries.default}: a few hundred in {@code mvn verify}, many
 * more with {@code -Pstress} (see pom.xml).
 */
class ParserFuzzProperties {
    private static final List<String> SEEDS = List.of(
            "{\"seq\":7,\"time\":\"2026-11-23T23:20:34.661862100Z\",\"event\":{\"a\":[1,2.5e3,-0,true,null,\"x\"]}}",
            "{\"log\":\"\\u003chtml\\u003e \\\"q\\\"\\ttab\\n\",\"stream\":\"stderr\",\"time\":\"2026-12-02T05:00:00.1Z\"}",
            "{\"log\":\"partial\",\"stream\":\"stdout\",\"attrs\":{\"tag\":\"web\"},\"time\":\"2026-12-02T05:00:02.5Z\"}",
            "[1,{\"k\":[[[]]],\"\\ud83d\\ude00\":\"\\/\"},-12.5E-7]");

    /** Any string: every UTF-16 unit (unpaired surrogates and control characters included), and code points. */
    @Provide
    Arbitrary<String> anyString() {
        Arbitrary<String> units = Arbitraries.strings().all().ofMaxLength(40);
        Arbitrary<String> codePoints = Arbitraries.integers().between(0, Character.MAX_CODE_POINT)
                .filter(cp -> cp < 0xD800 || cp > 0xDFFF).list().ofMaxSize(20)
                .map(list -> list.stream().collect(StringBuilder::new, StringBuilder::appendCodePoint,
                        StringBuilder::append).toString());
        Arbitrary<String> controls = Arbitraries.strings().withCharRange('\0', '\u001f').withChars('"', '\\', '/')
                .ofMaxLength(20);
        return Arbitraries.oneOf(units, codePoints, controls);
    }

    /** A seed line with a few random edits: characters inserted, deleted or replaced, or the line cut. */
    @Provide
    Arbitrary<String> mutated() {
        Arbitrary<String> seed = Arbitraries.of(SEEDS);
        Arbitrary<List<int[]>> edits = Combinators.combine(Arbitraries.integers().between(0, 3),
                Arbitraries.integers().between(0, 1000), Arbitraries.integers().between(0, 0xFFFF))
                .as((kind, at, c) -> new int[] {kind, at, c}).list().ofMinSize(1).ofMaxSize(4);
        Arbitrary<Character> syntax = Arbitraries.of('{', '}', '[', ']', '"', '\\', ',', ':', '-', 'e', '.', '0', 'u',
                ' ', '\n', '\u0000', '\uD800');
        return Combinators.combine(seed, edits, syntax.list().ofSize(4)).as((line, list, chars) -> {
            StringBuilder text = new StringBuilder(line);
            int i = 0;
            for (int[] edit : list) {
                int at = text.length() == 0 ? 0 : edit[1] % (text.length() + 1);
                char c = (edit[2] & 1) == 0 ? chars.get(i++ % chars.size()) : (char) edit[2];
                switch (edit[0]) {
                    case 0 -> text.insert(at, c);
                    case 1 -> {
                        if (at < text.length()) {
                            text.deleteCharAt(at);
                        }
                    }
                    case 2 -> {
                        if (at < text.length()) {
                            text.setCharAt(at, c);
                        }
                    }
                    default -> text.setLength(at);
                }
            }
            return text.toString();
        });
    }

    @Property
    void quotingThenParsingIsTheIdentityEvenThroughUtf8(@ForAll("anyString") String value) {
        String quoted = Json.quote(new StringBuilder(), value).toString();
        assertThat(Json.parse(quoted)).isEqualTo(value);
        // Unpaired surrogates are escaped, so the quoted text is valid UTF-16 and survives encoding to bytes.
        String throughBytes = new String(quoted.getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8);
        assertThat(throughBytes).isEqualTo(quoted);
        assertThat(Json.parse(throughBytes)).isEqualTo(value);
        assertThat(quoted.chars().noneMatch(c -> c < 0x20)).isTrue();
    }

    @Property
    void randomTextParsesOrFailsWithAColumn(@ForAll("anyString") String text) {
        parsesOrFailsWithAColumn(text);
    }

    @Property
    void mutatedJsonParsesOrFailsWithAColumn(@ForAll("mutated") String text) {
        parsesOrFailsWithAColumn(text);
    }

    private static void parsesOrFailsWithAColumn(String text) {
        long start = System.nanoTime();
        try {
            Json.parse(text);
        } catch (IllegalArgumentException expected) {
            assertThat(expected).hasMessageMatching("(?s).* at column \\d+");
            int column = Integer.parseInt(expected.getMessage().replaceAll("(?s).* at column ", ""));
            assertThat(column).isBetween(1, text.length() + 1);
        }
        assertThat(System.nanoTime() - start).as("time to parse").isLessThan(1_000_000_000L);
    }

    @Property
    void mutatedRecordsParseConsistentlyOrFailClearly(@ForAll("mutated") String line) {
        JsonRecord record;
        try {
            record = JsonRecord.parse(line);
        } catch (IllegalArgumentException expected) {
            assertThat(expected.getMessage()).isNotBlank();
            return;
        }
        // No silent wrong value: what was parsed is what the line says.
        Map<?, ?> object = (Map<?, ?>) Json.parse(line);
        Instant time = java.time.OffsetDateTime.parse((String) object.get("time")).toInstant();
        assertThat(record.time()).isEqualTo(time);
        if (record.isDocker()) {
            assertThat(record.stream()).isEqualTo(object.get("stream"));
            assertThat(record.log()).isEqualTo(object.get("log"));
            assertThat(record.sequence()).isZero();
        } else {
            assertThat(BigDecimal.valueOf(record.sequence()).compareTo((BigDecimal) object.get("seq"))).isZero();
            assertThat(Json.parse(record.event())).isEqualTo(object.get("event") instanceof List<?> || object.get("event")
                    instanceof Map<?, ?> ? Json.parse(record.event()) : object.get("event"));
        }
    }

    /** The fast path for the sink's own lines gives exactly what the general parser gives, or leaves it to it. */
    @Property
    void theFastPathAgreesWithTheGeneralParser(@ForAll("envelopes") String line) {
        agree(line, JsonRecord.envelope(line));
        // The reader's path works on the line's UTF-8 bytes, as they are in the file.
        byte[] bytes = ("xx" + line + "yy").getBytes(StandardCharsets.UTF_8);
        agree(new String(bytes, 2, bytes.length - 4, StandardCharsets.UTF_8),
                JsonRecord.envelope(bytes, 2, bytes.length - 2));
    }

    /**
     * The reader keeps the last minute it parsed and parses only the seconds of a line with the same 16 bytes: over
     * any run of lines (many sharing a minute, some not, some broken), one cache gives what no cache gives.
     */
    @Property
    void theMinuteCacheChangesNoRecord(@ForAll("sameMinuteRuns") List<String> lines) {
        JsonRecord.Reading minutes = new JsonRecord.Reading();
        for (String line : lines) {
            byte[] bytes = line.getBytes(StandardCharsets.UTF_8);
            assertThat(JsonRecord.envelope(bytes, 0, bytes.length, minutes)).as(line)
                    .isEqualTo(JsonRecord.envelope(bytes, 0, bytes.length));
        }
    }

    /** Envelopes of a few minutes with random seconds and fractions, and some of the random envelopes mixed in. */
    @Provide
    Arbitrary<List<String>> sameMinuteRuns() {
        Arbitrary<String> minute = Arbitraries.of("2026-12-02T07:05", "2024-02-29T23:59", "2026-12-02T07:06",
                "2026-13-02T07:05", "2023-02-29T00:00");
        Arbitrary<String> rest = Arbitraries.oneOf(Arbitraries.strings().withChars("0123456789").ofLength(2),
                Arbitraries.of("60", "5x", "-1", "00.", "59.123456789", "59.1234567890", "07"));
        Arbitrary<String> fraction = Arbitraries.oneOf(Arbitraries.just(""),
                Arbitraries.strings().withChars("0123456789").ofMinLength(1).ofMaxLength(10).map(f -> "." + f));
        Arbitrary<String> line = Combinators.combine(Arbitraries.longs().between(0, 1_000_000), minute, rest, fraction)
                .as((seq, m, r, f) -> "{\"seq\":" + seq + ",\"time\":\"" + m + ":" + r + f + "Z\",\"event\":{\"a\":1}}");
        return Arbitraries.oneOf(line, line, line, envelopes()).list().ofMaxSize(20);
    }

    private static void agree(String line, JsonRecord fast) {
        JsonRecord general;
        try {
            general = JsonRecord.general(line);
        } catch (IllegalArgumentException rejected) {
            assertThat(fast).as("accepted by the fast path only").isNull();
            return;
        }
        if (fast != null) {
            assertThat(fast).isEqualTo(general);
        }
    }

    @Example
    void aNonDigitInTheTimeIsLeftToTheGeneralParser() {
        assertThat(JsonRecord.envelope("{\"seq\":7,\"time\":\"2026-11-23T{3:20:34.661862100Z\",\"event\":1}")).isNull();
        assertThatThrownBy(() -> JsonRecord.parse("{\"seq\":7,\"time\":\"2026-11-23T{3:20:34Z\",\"event\":1}"))
                .hasMessageStartingWith("bad \"time\"");
    }

    /** Lines in the sink's form with random seq, time and event text, some of them mutated. */
    @Provide
    Arbitrary<String> envelopes() {
        Arbitrary<String> seq = Arbitraries.oneOf(Arbitraries.longs().map(String::valueOf),
                Arbitraries.of("0", "-0", "01", "1.0", "1e3", "9223372036854775807", "9223372036854775808",
                        "-9223372036854775808", "123456789012345678", "1234567890123456789"));
        Arbitrary<String> time = Arbitraries.oneOf(
                nanos().map(n -> Instant.ofEpochSecond(Math.floorDiv(n, 1_000_000_000L),
                        Math.floorMod(n, 1_000_000_000L)).toString()),
                Arbitraries.strings().withChars("0123456789-:T.Z").ofMinLength(18).ofMaxLength(32),
                Arbitraries.of("2024-02-29T00:00:00Z", "2023-02-29T00:00:00Z", "2026-04-31T00:00:00Z",
                        "2026-12-02T23:59:60Z", "2026-12-02T05:00:00.Z", "2026-12-02T05:00:00.1234567890Z",
                        "1677-12-31T23:59:59Z", "2262-01-01T00:00:00Z", "2026-12-02t05:00:00z"));
        Arbitrary<String> event = Arbitraries.oneOf(Arbitraries.of(SEEDS), anyString().map(
                text -> Json.quote(new StringBuilder(), text).toString()), mutated(),
                Arbitraries.integers().between(250, 260).map(d -> "[".repeat(d) + "]".repeat(d)));
        Arbitrary<String> line = Combinators.combine(seq, time, event)
                .as((s, t, e) -> "{\"seq\":" + s + ",\"time\":\"" + t + "\",\"event\":" + e + "}");
        return Arbitraries.oneOf(line, line, mutated());
    }

    @Property
    void envelopeAndDockerRecordsRoundTrip(@ForAll("anyString") String text,
                                           @ForAll long sequence,
                                           @ForAll("nanos") long nanos,
                                           @ForAll boolean stderr) {
        String time = Instant.ofEpochSecond(Math.floorDiv(nanos, 1_000_000_000L), Math.floorMod(nanos, 1_000_000_000L))
                .toString();
        String event = Json.quote(new StringBuilder(), text).toString();
        JsonRecord ours = JsonRecord.parse("{\"seq\":" + sequence + ",\"time\":\"" + time + "\",\"event\":" + event
                + "}");
        assertThat(ours).isEqualTo(new JsonRecord(sequence, nanos, event));
        String stream = stderr ? "stderr" : "stdout";
        JsonRecord docker = JsonRecord.parse("{\"log\":" + event + ",\"stream\":\"" + stream + "\",\"time\":\"" + time
                + "\"}");
        assertThat(docker.log()).isEqualTo(text);
        assertThat(docker.stream()).isEqualTo(stream);
        assertThat(docker.timeNanos()).isEqualTo(nanos);
    }

    @Provide
    Arbitrary<Long> nanos() {
        return Arbitraries.longs().between(Long.MIN_VALUE / 1_000_000_000L * 1_000_000_000L + 1_000_000_000L,
                Long.MAX_VALUE / 1_000_000_000L * 1_000_000_000L - 1);
    }

    @Example
    void deepNestingHugeNumbersAndLongLinesFailClearly() {
        String deep = "[".repeat(100_000) + "]".repeat(100_000);
        assertThatThrownBy(() -> Json.parse(deep)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("nested deeper than 256 at column ");
        String deepObject = "{\"a\":".repeat(100_000);
        assertThatThrownBy(() -> Json.parse(deepObject)).hasMessageStartingWith("nested deeper than 256");
        assertThatThrownBy(() -> Json.parse("1e9999999999")).hasMessage("number out of range at column 1");
        assertThatThrownBy(() -> JsonRecord.parse("{\"seq\":1e999999999,\"time\":\"2026-12-02T05:00:00Z\",\"event\":1}"))
                .hasMessageStartingWith("bad \"seq\": 1E+999999999 (expected: a whole number that fits in 64 bits)");
        assertThatThrownBy(() -> JsonRecord.parse("{\"seq\":1e-999999999,\"time\":\"2026-12-02T05:00:00Z\",\"event\":1}"))
                .hasMessageStartingWith("bad \"seq\"");
        assertThatThrownBy(() -> JsonRecord.parse("{\"seq\":9223372036854775808,\"time\":\"2026-12-02T05:00:00Z\","
                + "\"event\":1}")).hasMessageStartingWith("bad \"seq\"");
        assertThatThrownBy(() -> Json.parse("\"\\u+123\"")).hasMessageStartingWith("bad \\u escape at column");
        assertThat(Json.parse("\"" + "x".repeat(1 << 20) + "\"")).asString().hasSize(1 << 20);
    }

    @Example
    void unpairedSurrogatesAreEscapedAndComeBack() {
        assertThat(Json.quote(new StringBuilder(), "a\uD800b\uDC00\uD83D\uDE00").toString())
                .isEqualTo("\"a\\ud800b\\udc00\uD83D\uDE00\"");
        assertThat(Json.parse("\"a\\ud800b\\udc00\uD83D\uDE00\"")).isEqualTo("a\uD800b\uDC00\uD83D\uDE00");
    }

    @Property
    void sinkOptionsAreAcceptedExactlyOrRejectedNamingTheOptionAndValue(
            @ForAll("optionName") String option, @ForAll("optionValue") String value) {
        Map<String, String> options = new HashMap<>();
        options.put("path", "/tmp/never-opened.log");
        if (option.equals("compress")) {
            options.put("max-size", "1m");
            options.put("max-file", "2");
        }
        options.put(option, value);
        JsonFileSink.Settings settings;
        try {
            settings = JsonFileSink.Settings.of(options);
        } catch (IllegalArgumentException expected) {
            assertThat(expected).hasMessageStartingWith(option + ": '" + value + "' for sink 'json-file' (expected: ");
            return;
        }
        switch (option) {
            case "max-size" -> assertThat(settings.maxSize()).isEqualTo(referenceSize(value));
            case "max-file" -> assertThat(settings.maxFile()).isEqualTo(Integer.parseInt(value));
            case "compress" -> assertThat(value).isIn("true", "false");
            case "fsync" -> assertThat(value).isIn("never", "flush", "record");
            default -> assertThat(settings.path().toString()).isEqualTo(value);
        }
    }

    /** Found by the property above: "ﬂush" (a ligature) upper-cases to FLUSH and is taken for flush. */
    @Example
    void fsyncTakesNoLookAlikeSpelling() {
        Map<String, String> options = Map.of("path", "/tmp/never-opened.log", "fsync", "\uFB02ush");
        assertThatThrownBy(() -> JsonFileSink.Settings.of(options)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("fsync: '\uFB02ush' for sink 'json-file' (expected: ");
    }

    private static long referenceSize(String value) {
        String lower = value.toLowerCase(java.util.Locale.ROOT);
        int shift = lower.endsWith("k") ? 10 : lower.endsWith("m") ? 20 : lower.endsWith("g") ? 30 : 0;
        String digits = shift == 0 ? value : value.substring(0, value.length() - 1);
        assertThat(digits).matches("[0-9]+");
        return Long.parseLong(digits) << shift;
    }

    @Provide
    Arbitrary<String> optionName() {
        return Arbitraries.of("max-size", "max-file", "compress", "fsync", "path");
    }

    @Provide
    Arbitrary<String> optionValue() {
        Arbitrary<String> plausible = Combinators.combine(
                Arbitraries.of("", "-", "+", "0", "00", " "),
                Arbitraries.longs().between(0, Long.MAX_VALUE).map(String::valueOf),
                Arbitraries.of("", "k", "K", "m", "g", "G", "t", "kb", " ", ".5"))
                .as((a, b, c) -> a + b + c);
        Arbitrary<String> words = Arbitraries.of("true", "false", "TRUE", "never", "flush", "record", "Never",
                "\uFB02ush", "recor\u0111", "flu\u017Fh", "1000", "1001", "1", "2147483648", "\u0661\u0662");
        return Arbitraries.oneOf(plausible, words, Arbitraries.strings().all().ofMaxLength(12));
    }
}
