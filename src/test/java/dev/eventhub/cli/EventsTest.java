package dev.eventhub.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.eventhub.EventHub;
import dev.eventhub.Sink;
import dev.eventhub.io.Sinks;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EventsTest {
    private static final Instant T0 = Instant.parse("2026-11-23T10:00:00Z");
    private static final String[] NAMES = {"web", "db", "cache"};
    private static final String[] ACTIONS = {"create", "start", "die", "stop", "destroy"};

    @TempDir
    Path dir;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private final AtomicReference<Instant> now = new AtomicReference<>(T0.plusSeconds(3600));

    /** A clock the test moves: --since 10m and --follow's end are read from it. */
    private final Clock clock = new Clock() {
        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
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

    /** Event i (1-based) at T0 + i seconds: container NAMES[i % 3], action ACTIONS[i % 5]. */
    private static String encode(Integer i) {
        return "{\"type\":\"container\",\"action\":\"" + ACTIONS[i % 5] + "\",\"id\":\"c" + (i % 3) + "\",\"name\":\""
                + NAMES[i % 3] + "\",\"image\":\"img" + (i % 3) + "\"}";
    }

    private void write(Sink<Integer> sink, int from, int to) throws IOException {
        for (int i = from; i <= to; i++) {
            sink.accept(i, i, T0.plusSeconds(i).getEpochSecond() * 1_000_000_000L);
        }
        sink.flush(); // a sink gathers a batch and writes it at the batch's end: this is one
    }

    private Sink<Integer> sink() throws IOException {
        return Sinks.open("json-file", Map.of("path", log().toString(), "max-size", "2k", "max-file", "100",
                "compress", "true"), EventsTest::encode);
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

    @Test
    void printsTheRotatedSetOldestFirstLikeDockerEvents() throws Exception {
        try (Sink<Integer> sink = sink()) {
            write(sink, 1, 60);
        }
        assertThat(Files.list(dir).filter(p -> p.toString().endsWith(".gz")).count()).isGreaterThan(2);
        assertThat(run("--path", log().toString())).isZero();
        List<String> lines = lines();
        assertThat(lines).hasSize(60);
        assertThat(lines.get(0)).isEqualTo("2026-11-23T10:00:01.000000000+00:00 container start c1 (image=img1, name=db)");
        assertThat(lines.get(59)).isEqualTo("2026-11-23T10:01:00.000000000+00:00 container create c0 (image=img0, "
                + "name=web)");
        assertThat(err.toString(StandardCharsets.UTF_8)).isEmpty();
    }

    @Test
    void sinceAndUntilTakeRfc3339UnixSecondsAndDurationsAgo() throws Exception {
        try (Sink<Integer> sink = sink()) {
            write(sink, 1, 60);
        }
        assertThat(run("--path", log().toString(), "--since", "2026-11-23T10:00:10Z", "--until",
                "2026-11-23T11:00:12+01:00")).isZero();
        assertThat(lines()).hasSize(3).allMatch(l -> l.startsWith("2026-11-23T10:00:1"));
        out.reset();
        long t10 = T0.getEpochSecond() + 10;
        assertThat(run("--path", log().toString(), "--since", t10 + ".5", "--until", String.valueOf(t10 + 2)))
                .isZero();
        assertThat(lines()).hasSize(2);
        out.reset();
        now.set(T0.plusSeconds(60).plus(Duration.ofMinutes(10)));
        assertThat(run("--path", log().toString(), "--since", "10m30s")).isZero(); // 10:00:30 onwards
        assertThat(lines()).hasSize(31);
    }

    @Test
    void filtersOrTheSameKeyAndAndDifferentKeys() throws Exception {
        try (Sink<Integer> sink = sink()) {
            write(sink, 1, 30);
        }
        assertThat(run("--path", log().toString(), "--filter", "name=web", "--filter", "name=db", "--filter",
                "event=start")).isZero();
        // i % 5 == 1 (start) and i % 3 in {0, 1}: 1, 6, 16, 21 (11 and 26 are cache)
        assertThat(lines()).hasSize(4).allMatch(l -> l.contains(" start ") && !l.contains("name=cache"));
        out.reset();
        assertThat(run("--path", log().toString(), "--filter", "container=cache", "--filter", "container=c0",
                "--filter", "type=container", "--filter", "image=img0")).isZero();
        assertThat(lines()).hasSize(10).allMatch(l -> l.contains("name=web"));
    }

    @Test
    void formatJsonPrintsTheRecordsAsWritten() throws Exception {
        try (Sink<Integer> sink = sink()) {
            write(sink, 1, 2);
        }
        assertThat(run("--path", log().toString(), "--format", "json")).isZero();
        assertThat(lines()).containsExactly(Files.readAllLines(log()).toArray(new String[0]));
    }

    @Test
    void badUsageExitsWithTwoAndOneLineIoErrorsWithOne() throws Exception {
        String[][] bad = {
                {}, {"--path"}, {"--path", "x", "--filter", "colour=red"}, {"--path", "x", "--filter", "name"},
                {"--path", "x", "--since", "yesterday"}, {"--path", "x", "--format", "yaml"}, {"--path", "x", "--nope"},
                {"--path", "x", "--since", "2026-11-23T10:00:10Z", "--until", "2026-11-23T10:00:00Z"}};
        String[] reasons = {
                "missing --path <file>", "--path: missing value", "--filter: unknown key 'colour' (expected one of "
                + "[action, container, event, id, image, name, type])", "--filter: 'name' (expected: key=value)",
                "--since: 'yesterday' (expected: an RFC 3339 time", "--format: 'yaml' (expected: json)",
                "unexpected argument '--nope'", "--since is after --until"};
        for (int i = 0; i < bad.length; i++) {
            err.reset();
            assertThat(run(bad[i])).as(String.join(" ", bad[i])).isEqualTo(2);
            assertThat(err.toString(StandardCharsets.UTF_8)).startsWith("eventhub events: " + reasons[i])
                    .hasLineCount(1);
        }
        err.reset();
        assertThat(run("--path", dir.resolve("missing.log").toString())).isEqualTo(1);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("no such file");
    }

    @Test
    void aTornTailAndABadLineAreReportedAndSkipped() throws Exception {
        try (Sink<Integer> sink = sink()) {
            write(sink, 1, 3);
        }
        Files.writeString(log(), "garbage\n{\"seq\":4,\"ti", StandardOpenOption.APPEND);
        assertThat(run("--path", log().toString())).isZero();
        assertThat(lines()).hasSize(3);
        String errors = err.toString(StandardCharsets.UTF_8);
        assertThat(errors).contains(log() + ":4: not a record").contains(log() + ":5: torn last line");
    }

    @Test
    void followKeepsPrintingAcrossRotationUntilTheUntilTime() throws Exception {
        Sink<Integer> sink = sink();
        write(sink, 1, 5);
        AtomicInteger exit = new AtomicInteger(-1);
        Thread follower = new Thread(() -> {
            try {
                exit.set(run("--path", log().toString(), "--follow", "--until", "2026-11-23T12:00:00Z"));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        follower.start();
        await().atMost(Duration.ofSeconds(10)).until(() -> lines().size() == 5);
        write(sink, 6, 80); // several rotations while following
        try {
            await().atMost(Duration.ofSeconds(10)).until(() -> lines().size() == 80);
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            throw new AssertionError("printed " + lines().size() + ": " + String.join("\n", lines()) + "\nerr: "
                    + err.toString(StandardCharsets.UTF_8) + "\nfiles: " + java.util.Arrays.toString(
                    dir.toFile().list()), e);
        }
        sink.close();
        now.set(Instant.parse("2026-11-23T12:00:01Z"));
        follower.join(10_000);
        assertThat(follower.isAlive()).isFalse();
        assertThat(exit.get()).isZero();
        List<String> lines = lines();
        for (int i = 0; i < 80; i++) {
            assertThat(lines.get(i)).startsWith("2026-11-23T10:")
                    .contains(" " + ACTIONS[(i + 1) % 5] + " c" + ((i + 1) % 3) + " ");
        }
    }
}
