package dev.eventhub.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The events command on hostile input: one clear line on standard error and a documented exit code, no trace. */
class EventsHostileInputTest {
    private static final Instant T0 = Instant.parse("2026-12-02T05:00:00Z");

    /** Lines as dockerd writes them (the same as DockerRecordTest's). */
    private static final String[] DOCKER = {
            "{\"log\":\"hello\\n\",\"stream\":\"stdout\",\"time\":\"2026-12-02T05:00:00.123456789Z\"}",
            "{\"log\":\"\\u003chtml\\u003e \\u0026 \\\"quoted\\\"\\ttab \\u001b[31mred\\u001b[0m\\r\\n\","
                    + "\"stream\":\"stderr\",\"time\":\"2026-12-02T05:00:00.1Z\"}",
            "{\"log\":\"a partial line without its line break\",\"stream\":\"stdout\","
                    + "\"time\":\"2026-12-02T05:00:01Z\"}",
            "{\"log\":\"\\ufffd not UTF-8, \\u2028 separator, \uD83D\uDE00 emoji\\n\",\"stream\":\"stdout\","
                    + "\"attrs\":{\"tag\":\"web\"},\"time\":\"2026-12-02T05:00:02.5Z\"}",
    };

    @TempDir
    Path dir;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private final AtomicReference<Instant> now = new AtomicReference<>(T0.plusSeconds(3600));
    private final Clock clock = new Clock() {
        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now.get();
        }
    };

    private Path log() {
        return dir.resolve("events.log");
    }

    private static String record(long seq) {
        return "{\"seq\":" + seq + ",\"time\":\"" + T0.plusSeconds(seq) + "\",\"event\":{\"type\":\"container\","
                + "\"action\":\"start\",\"id\":\"c" + seq + "\"}}\n";
    }

    private int run(String... args) throws InterruptedException {
        PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
        PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8);
        try {
            return Events.parse(List.of(args), o, e, clock).run();
        } catch (UsageException usage) {
            e.println("eventhub events: " + usage.getMessage());
            return 2;
        }
    }

    private List<String> lines() {
        return out.toString(StandardCharsets.UTF_8).lines().toList();
    }

    private String errors() {
        return err.toString(StandardCharsets.UTF_8);
    }

    /** Standard error is exactly one line starting with {@code prefix}, with no stack trace. */
    private void oneLine(String prefix) {
        assertThat(errors()).startsWith("eventhub events: " + prefix).hasLineCount(1).doesNotContain("\tat ")
                .doesNotContain("Exception");
    }

    @Test
    void aDirectoryInsteadOfAFileIsOneLineAndExitOne() throws Exception {
        Files.createDirectory(log());
        assertThat(run("--path", log().toString())).isEqualTo(1);
        oneLine(log() + ": is a directory, not a json-file log");
    }

    @Test
    void anUnreadableFileIsOneLineAndExitOne() throws Exception {
        Files.writeString(log(), record(1));
        Files.setPosixFilePermissions(log(), PosixFilePermissions.fromString("---------"));
        Assumptions.assumeFalse(Files.isReadable(log()), "running as root: every file is readable");
        assertThat(run("--path", log().toString())).isEqualTo(1);
        oneLine(log() + ": permission denied");
    }

    @Test
    void binaryGarbageIsOneLineAndExitOneAfterTheRecordsBeforeIt() throws Exception {
        byte[] garbage = new byte[1 << 16];
        new Random(18).nextBytes(garbage);
        garbage[100] = 0; // at least one NUL
        garbage[200] = '\n';
        Files.writeString(log(), record(1) + record(2));
        Files.write(log(), garbage, StandardOpenOption.APPEND);
        assertThat(run("--path", log().toString())).isEqualTo(1);
        assertThat(lines()).hasSize(2);
        oneLine(log() + ":3: binary data, not a json-file log");
    }

    @Test
    void aRotatedFileThatIsNotGzipIsOneLineAndExitOne() throws Exception {
        Files.write(dir.resolve("events.log.1.gz"), "not gzip at all\n".getBytes(StandardCharsets.UTF_8));
        Files.writeString(log(), record(5));
        assertThat(run("--path", log().toString())).isEqualTo(1);
        oneLine("a .gz file is not valid gzip data");
    }

    @Test
    void aGiantLineIsSkippedAndReportedWithItsOffsetAndTheRecordsAroundItPrinted() throws Exception {
        char[] giant = new char[200_000];
        Arrays.fill(giant, 'x');
        Files.writeString(log(), record(1) + new String(giant) + "\n" + record(2));
        assertThat(run("--path", log().toString(), "--max-line", "64k")).isZero();
        assertThat(lines()).hasSize(2);
        oneLine(log() + ":2: line longer than 65536 bytes (200000 bytes at offset " + record(1).length()
                + "), skipped");
    }

    @Test
    void badLineLimitsAndTimesOutOfRangeAreUsageErrors() throws Exception {
        String[][] bad = {
                {"--max-line", "0"}, {"--max-line", "15"}, {"--max-line", "2g"}, {"--max-line", "-1"},
                {"--max-line", "99999999999"}, {"--max-line", "1.5m"},
                {"--since", "999999999999.5"}, {"--since", "200000d"}, {"--until", "9999-01-01T00:00:00Z"}};
        String[] reasons = {
                "--max-line: '0' (expected: a size from 16 bytes to 1g", "--max-line: '15' (expected: ",
                "--max-line: '2g' (expected: ", "--max-line: '-1' (expected: ", "--max-line: '99999999999' (expected: ",
                "--max-line: '1.5m' (expected: ", "--since: '999999999999.5' (expected: a time between",
                "--since: '200000d' (expected: a duration below 292 years", "--until: '9999-01-01T00:00:00Z' (expected: a time between"};
        for (int i = 0; i < bad.length; i++) {
            err.reset();
            List<String> args = new java.util.ArrayList<>(List.of("--path", log().toString()));
            args.addAll(List.of(bad[i]));
            assertThat(run(args.toArray(String[]::new))).as(String.join(" ", bad[i])).isEqualTo(2);
            oneLine(reasons[i]);
        }
    }

    @Test
    void dockersRecordsPrintAsTimeStreamAndText() throws Exception {
        Files.writeString(log(), String.join("\n", DOCKER) + "\n");
        assertThat(run("--path", log().toString())).isZero();
        assertThat(errors()).isEmpty();
        assertThat(lines()).containsExactly(
                "2026-12-02T05:00:00.123456789+00:00 stdout hello",
                "2026-12-02T05:00:00.100000000+00:00 stderr <html> & \"quoted\"\ttab \\u001b[31mred\\u001b[0m\\u000d",
                "2026-12-02T05:00:01.000000000+00:00 stdout a partial line without its line break",
                "2026-12-02T05:00:02.500000000+00:00 stdout \ufffd not UTF-8, \u2028 separator, \uD83D\uDE00 emoji");
        out.reset();
        assertThat(run("--path", log().toString(), "--format", "json", "--since", "2026-12-02T05:00:01Z")).isZero();
        assertThat(lines()).containsExactly(DOCKER[2], DOCKER[3]);
    }

    @Test
    void aFollowTargetRemovedMidReadIsOneLineAndEndsAtUntil() throws Exception {
        Files.writeString(log(), record(1));
        AtomicInteger exit = new AtomicInteger(-1);
        Thread follower = new Thread(() -> {
            try {
                exit.set(run("--path", log().toString(), "--follow", "--until", T0.plusSeconds(7200).toString()));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        follower.start();
        await().atMost(Duration.ofSeconds(10)).until(() -> lines().size() == 1);
        Files.delete(log());
        await().atMost(Duration.ofSeconds(10)).until(() -> errors().contains("removed"));
        now.set(T0.plusSeconds(7201));
        follower.join(10_000);
        assertThat(follower.isAlive()).isFalse();
        assertThat(exit.get()).isZero();
        oneLine(log() + ": removed while being followed; what it held was read, waiting for it to come back");
    }

    @Test
    void aFollowTargetReplacedByASymbolicLinkIsOneLineAndExitOne() throws Exception {
        Files.writeString(log(), record(1));
        Path secret = Files.writeString(dir.resolve("secret"), record(2) + record(3));
        AtomicInteger exit = new AtomicInteger(-1);
        Thread follower = new Thread(() -> {
            try {
                exit.set(run("--path", log().toString(), "--follow"));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        follower.start();
        await().atMost(Duration.ofSeconds(10)).until(() -> lines().size() == 1);
        Path link = dir.resolve("link");
        Files.createSymbolicLink(link, secret);
        Files.move(link, log(), java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        follower.join(10_000);
        assertThat(follower.isAlive()).isFalse();
        assertThat(exit.get()).isEqualTo(1);
        assertThat(lines()).hasSize(1);
        oneLine(log() + ": replaced by a symbolic link while following; stopping");
    }
}
