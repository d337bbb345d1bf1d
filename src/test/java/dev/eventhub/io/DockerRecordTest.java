package dev.eventhub.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Records of Docker's json-file log driver, as Docker writes them, read by JsonRecord and JsonFileReader. */
class DockerRecordTest {
    /** Lines as dockerd writes them: Go's escaping of {@code < > &}, control characters, U+2028 and invalid UTF-8. */
    static final String[] DOCKER = {
            "{\"log\":\"hello\\n\",\"stream\":\"stdout\",\"time\":\"2026-12-02T05:00:00.123456789Z\"}",
            "{\"log\":\"\\u003chtml\\u003e \\u0026 \\\"quoted\\\"\\ttab \\u001b[31mred\\u001b[0m\\r\\n\","
                    + "\"stream\":\"stderr\",\"time\":\"2026-12-02T05:00:00.1Z\"}",
            "{\"log\":\"a partial line without its line break\",\"stream\":\"stdout\","
                    + "\"time\":\"2026-12-02T05:00:01Z\"}",
            "{\"log\":\"\\ufffd not UTF-8, \\u2028 separator, \uD83D\uDE00 emoji\\n\",\"stream\":\"stdout\","
                    + "\"attrs\":{\"tag\":\"web\"},\"time\":\"2026-12-02T05:00:02.5Z\"}",
    };

    @Test
    void dockersPublishedFormatParsesWithItsStreamTextAndTime() {
        JsonRecord whole = JsonRecord.parse(DOCKER[0]);
        assertThat(whole.isDocker()).isTrue();
        assertThat(whole.stream()).isEqualTo("stdout");
        assertThat(whole.log()).isEqualTo("hello\n");
        assertThat(whole.event()).isEqualTo("\"hello\\n\"");
        assertThat(whole.sequence()).isZero();
        assertThat(whole.time()).isEqualTo(Instant.parse("2026-12-02T05:00:00.123456789Z"));

        JsonRecord escaped = JsonRecord.parse(DOCKER[1]);
        assertThat(escaped.stream()).isEqualTo("stderr");
        assertThat(escaped.log()).isEqualTo("<html> & \"quoted\"\ttab \u001b[31mred\u001b[0m\r\n");
        assertThat(escaped.time()).isEqualTo(Instant.parse("2026-12-02T05:00:00.100Z"));

        JsonRecord partial = JsonRecord.parse(DOCKER[2]);
        assertThat(partial.log()).isEqualTo("a partial line without its line break");

        JsonRecord attrs = JsonRecord.parse(DOCKER[3]);
        assertThat(attrs.log()).isEqualTo("\ufffd not UTF-8, \u2028 separator, \uD83D\uDE00 emoji\n");
        assertThat(attrs.fields()).isEmpty();
    }

    @Test
    void anOffsetTimeIsAcceptedAndOurEnvelopeIsNotDocker() {
        JsonRecord offset = JsonRecord.parse("{\"log\":\"x\\n\",\"stream\":\"stdout\","
                + "\"time\":\"2026-12-02T06:00:00.5+01:00\"}");
        assertThat(offset.time()).isEqualTo(Instant.parse("2026-12-02T05:00:00.5Z"));
        JsonRecord ours = JsonRecord.parse("{\"seq\":3,\"time\":\"2026-12-02T05:00:00Z\",\"event\":\"x\"}");
        assertThat(ours.isDocker()).isFalse();
        assertThat(ours.stream()).isNull();
        assertThat(ours.log()).isEqualTo("x");
    }

    @Test
    void aBrokenDockerRecordIsRejectedSayingWhat() {
        String[][] bad = {
                {"{\"log\":1,\"stream\":\"stdout\",\"time\":\"2026-12-02T05:00:00Z\"}", "no string \"log\""},
                {"{\"log\":\"x\",\"time\":\"2026-12-02T05:00:00Z\"}", "no string \"stream\""},
                {"{\"log\":\"x\",\"stream\":\"\",\"time\":\"2026-12-02T05:00:00Z\"}", "no string \"stream\""},
                {"{\"log\":\"x\",\"stream\":\"stdout\"}", "no string \"time\""},
                {"{\"log\":\"x\",\"stream\":\"stdout\",\"time\":\"yesterday\"}", "bad \"time\": yesterday"},
                {"{\"log\":\"x\",\"stream\":\"stdout\",\"time\":\"2026-12-02T05:00:00Z\",\"seq\":1}",
                        "unexpected key \"seq\""},
                {"{\"log\":\"x\",\"stream\":\"stdout\",\"attrs\":[],\"time\":\"2026-12-02T05:00:00Z\"}",
                        "\"attrs\" is not an object"},
                {"{\"log\":\"x\",\"stream\":\"stdout\",\"time\":\"3000-01-01T00:00:00Z\"}", "between 1677 and 2262"},
                {"{\"log\":\"x\\u00\",\"stream\":\"stdout\",\"time\":\"2026-12-02T05:00:00Z\"}", "at column"},
        };
        for (String[] line : bad) {
            assertThatThrownBy(() -> JsonRecord.parse(line[0])).as(line[0])
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(line[1]);
        }
    }

    @Test
    void theReaderGivesDockerRecordsTheirOrdinalInTheReadAcrossRotatedFiles(@TempDir Path dir) throws IOException {
        Path log = dir.resolve("c-json.log");
        Files.writeString(dir.resolve("c-json.log.1"), DOCKER[0] + "\n" + DOCKER[1] + "\n");
        Files.writeString(log, DOCKER[2] + "\n" + DOCKER[3] + "\n"
                + "{\"seq\":7,\"time\":\"2026-12-02T05:00:03Z\",\"event\":{\"a\":1}}\n");
        List<JsonRecord> records = new ArrayList<>();
        JsonFileReader.Result result = JsonFileReader.of(log).read(records::add);
        assertThat(result.problems()).isEmpty();
        assertThat(records).extracting(JsonRecord::sequence).containsExactly(1L, 2L, 3L, 4L, 7L);
        assertThat(records).extracting(JsonRecord::stream).containsExactly("stdout", "stderr", "stdout", "stdout", null);

        // Ordinals count every Docker record read, selected or not.
        records.clear();
        JsonFileReader.of(log).since(Instant.parse("2026-12-02T05:00:01Z")).read(records::add);
        assertThat(records).extracting(JsonRecord::sequence).containsExactly(3L, 4L, 7L);
    }
}
