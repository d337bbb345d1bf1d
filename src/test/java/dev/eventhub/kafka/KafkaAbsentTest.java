package dev.eventhub.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Without kafka-clients the jar works as before: a child JVM whose class path is only the compiled classes runs
 * the demo, lists the sink kinds, validates kafka options and says clearly what opening a kafka sink needs.
 */
class KafkaAbsentTest {
    private static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    private static String run(Path dir, List<String> command) throws Exception {
        Path out = dir.resolve("out.txt");
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile()).start();
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("the child JVM ends").isTrue();
        String text = Files.readString(out, StandardCharsets.UTF_8);
        assertThat(process.exitValue()).as(text).isZero();
        return text;
    }

    @Test
    void theDemoRunsWithOnlyTheJarsOwnClasses(@TempDir Path dir) throws Exception {
        String text = run(dir, List.of(java(), "-cp", Path.of("target/classes").toAbsolutePath().toString(),
                "dev.eventhub.cli.Main", "demo"));
        assertThat(text).doesNotContainIgnoringCase("exception").doesNotContain("NoClassDefFound");
    }

    @Test
    void theKafkaKindIsListedAndOpeningOneSaysWhatIsMissing(@TempDir Path dir) throws Exception {
        Path source = dir.resolve("Probe.java");
        Files.writeString(source, """
                import java.util.Map;
                public class Probe {
                    public static void main(String[] args) throws Exception {
                        System.out.println("kinds " + dev.eventhub.io.Sinks.names());
                        try {
                            dev.eventhub.io.Sinks.open("kafka", Map.of("bootstrap.servers", "h:1", "topic", "t",
                                    "linger.ms", "-1"), e -> "x");
                        } catch (IllegalArgumentException e) {
                            System.out.println("rejected " + e.getMessage());
                        }
                        try {
                            dev.eventhub.io.Sinks.open("kafka", Map.of("bootstrap.servers", "h:1", "topic", "t"),
                                    e -> "x");
                        } catch (IllegalStateException e) {
                            System.out.println("missing " + e.getMessage());
                        }
                    }
                }
                """);
        String classes = Path.of("target/classes").toAbsolutePath().toString();
        run(dir, List.of(Path.of(System.getProperty("java.home"), "bin", "javac").toString(), "-cp", classes,
                "-d", dir.toString(), source.toString()));
        String text = run(dir, List.of(java(), "-cp", classes + File.pathSeparator + dir, "Probe"));
        assertThat(text).contains("kafka", "json-file", "rejected linger.ms: \"-1\"",
                "missing the kafka sink needs org.apache.kafka:kafka-clients");
    }

    @Test
    void eventsFromKafkaSaysInOneLineWhatIsMissingAndExitsOne(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("out.txt");
        Process process = new ProcessBuilder(java(), "-cp", Path.of("target/classes").toAbsolutePath().toString(),
                "dev.eventhub.cli.Main", "events", "--kafka", "127.0.0.1:1", "--topic", "t")
                .redirectErrorStream(true).redirectOutput(out.toFile()).start();
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("the child JVM ends").isTrue();
        String text = Files.readString(out, StandardCharsets.UTF_8);
        assertThat(process.exitValue()).as(text).isEqualTo(1);
        assertThat(text.lines().toList()).singleElement().asString()
                .contains("--kafka needs org.apache.kafka:kafka-clients");
    }
}
