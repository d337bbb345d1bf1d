package dev.eventhub.io;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/**
 * The reader parses the sink's lines where they start, before it has found their line break, and leaves every other
 * line to the scanner and the general parser. Whatever a file holds, that must give exactly what the plain way gives:
 * split the bytes at every {@code '\n'}, skip lines over the limit, parse each line alone.
 */
class JsonFileReaderProperties {
    private final ParserFuzzProperties parsers = new ParserFuzzProperties();

    @Property(tries = 300)
    void readingGivesWhatSplittingAndParsingEachLineGives(@ForAll("files") List<String> lines,
                                                          @ForAll boolean tornTail,
                                                          @ForAll @IntRange(min = 16, max = 400) int maxLineBytes)
            throws IOException {
        String text = String.join("\n", lines) + (tornTail || lines.isEmpty() ? "" : "\n");
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        Path dir = Files.createTempDirectory("eventhub-reader-property");
        Path file = dir.resolve("events.log");
        try {
            Files.write(file, bytes);
            List<JsonRecord> read = new ArrayList<>();
            JsonFileReader.Result result = JsonFileReader.of(file).maxLineBytes(maxLineBytes).read(read::add);

            List<JsonRecord> expected = new ArrayList<>();
            int problems = 0;
            long dockerOrdinal = 0;
            int from = 0;
            while (from < bytes.length) {
                int newline = from;
                while (newline < bytes.length && bytes[newline] != '\n') {
                    newline++;
                }
                if (newline == bytes.length || newline - from > maxLineBytes) {
                    problems++; // a torn tail, or a line over the limit
                } else {
                    try {
                        JsonRecord record = JsonRecord.parse(new String(bytes, from, newline - from,
                                StandardCharsets.UTF_8));
                        expected.add(record.isDocker() ? record.withSequence(++dockerOrdinal) : record);
                    } catch (IllegalArgumentException notARecord) {
                        problems++;
                    }
                }
                from = newline + 1;
            }
            assertThat(read).isEqualTo(expected);
            assertThat(result.records()).isEqualTo(expected.size());
            assertThat(result.problems()).hasSize(problems);
        } finally {
            Files.deleteIfExists(file);
            Files.delete(dir);
        }
    }

    /**
     * Lines of the sink's form (random and mutated), Docker's records, and lines with a line break put where the
     * envelope allows whitespace, or anywhere.
     */
    @Provide
    Arbitrary<List<String>> files() {
        Arbitrary<String> envelope = parsers.envelopes();
        Arbitrary<String> broken = Combinators.combine(envelope, Arbitraries.integers().between(0, 400),
                Arbitraries.of("\n", " \n ", "\r\n", "\t")).as((line, at, insert) -> {
                    int cut = Math.min(at, line.length());
                    return line.substring(0, cut) + insert + line.substring(cut);
                });
        Arbitrary<String> docker = Arbitraries.of(
                "{\"log\":\"text\\n\",\"stream\":\"stdout\",\"time\":\"2026-12-02T05:00:00.1Z\"}",
                "{\"seq\":3,\"time\":\"2026-12-02T07:05:01Z\",\"event\":{\"a\":\n1}}");
        return Arbitraries.frequencyOf(net.jqwik.api.Tuple.of(6, envelope), net.jqwik.api.Tuple.of(2, broken),
                net.jqwik.api.Tuple.of(1, docker), net.jqwik.api.Tuple.of(1, parsers.sameMinuteRuns()
                        .map(run -> String.join("\n", run)))).list().ofMaxSize(30);
    }
}
