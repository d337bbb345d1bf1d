package dev.eventhub.cli;

import dev.eventhub.io.Ingest;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class MainTest {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... args) {
        return Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    private String out() {
        return out.toString(StandardCharsets.UTF_8);
    }

    private String err() {
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void demoShowsLiveFilteredReplayedAndBoundedSubscriptions() {
        assertThat(run("demo")).isZero();
        String output = out();
        List<String> lines = output.lines().toList();
        // isula events format: RFC 3339 time with nanoseconds and offset, "container", action, id, attributes.
        String isula = "\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{9}[+-]\\d\\d:\\d\\d container "
                + "(create|start|die|stop|destroy) [0-9a-f]{24} \\(image=[^,]+, name=\\w+.*\\)";
        assertThat(lines.stream().filter(l -> l.matches(isula)).count()).isEqualTo(20 + 5 + 2);
        assertThat(lines.stream().filter(l -> l.matches("#\\d+ " + isula)).count()).isEqualTo(20);
        assertThat(output).contains("container start", "pid=", "exitCode=137", "name=web")
                .contains("ended with UNTIL_REACHED").contains("published=70");
        int filtered = lines.indexOf("== 2. The same stream as seen by a subscriber with a name filter (name=web) ==");
        assertThat(lines.subList(filtered + 1, filtered + 6)).allMatch(l -> l.contains("name=web"));
        int informer = lines.indexOf("== 5. Informer: a state view keyed by container name, and a watcher that joins "
                + "late ==");
        assertThat(lines.get(informer + 1)).isEqualTo("view: synced=true, 4 containers, by image nginx:1.25 -> [web]");
        assertThat(lines.subList(informer + 2, informer + 6)).allMatch(l -> l.matches("watch: add +\\w+ \\(start, "
                + "initial\\)"));
        assertThat(lines.subList(informer + 6, informer + 9)).containsExactly("watch: update web (start -> die)",
                "watch: delete db (last: start)", "view: [cache, web, worker]");
        int logDriver = lines.indexOf("== 6. Log driver: a json-file sink on the hub, then `events` reading the files "
                + "back ==");
        assertThat(lines.get(logDriver + 1)).matches("sink: 20 records written, 0 not written, files \\[containers"
                + "\\.log\\.1\\.gz, containers\\.log]");
        assertThat(lines.get(logDriver + 2)).startsWith("$ java -jar eventhub.jar events --path ");
        assertThat(lines.subList(logDriver + 3, logDriver + 5)).allMatch(l -> l.matches(isula))
                .allMatch(l -> l.contains(" die ") && l.endsWith(", exitCode=137)") && l.contains(", pid="))
                .anyMatch(l -> l.contains("name=web")).anyMatch(l -> l.contains("name=db"));
        int ingest = lines.indexOf("== 7. Ingest: a remote stream that keeps dropping the connection, resumed each time ==");
        assertThat(lines.subList(ingest + 1, ingest + 3)).containsExactly(
                "server: 30 events as JSON lines, dropping the connection after every 7",
                "ingest: 30 of 30 events, each once and in order, over 5 connections; each reconnect resumed after the "
                        + "last event received");
        assertThat(err()).isEmpty();
    }

    @Test
    void usageErrorsExitWithTwoAndOneLine() {
        assertThat(run()).isEqualTo(2);
        assertThat(err()).isEqualTo("eventhub: missing command (try: demo, events, bench, top, help)" + System.lineSeparator());
        err.reset();
        assertThat(run("bogus")).isEqualTo(2);
        assertThat(err()).isEqualTo("eventhub: unknown command 'bogus' (try: demo, events, bench, top, help)" + System.lineSeparator());
        err.reset();
        assertThat(run("demo", "extra")).isEqualTo(2);
        assertThat(err()).isEqualTo("eventhub demo: unexpected argument 'extra'" + System.lineSeparator());
    }

    @Test
    void helpForTheToolAndForDemo() {
        assertThat(run("--help")).isZero();
        assertThat(out()).contains("usage: java -jar eventhub.jar <command>").contains("demo");
        out.reset();
        assertThat(run("demo", "--help")).isZero();
        assertThat(out()).startsWith("usage: java -jar eventhub.jar demo");
    }

    @Test
    void benchPrintsARowPerProducerCountWithTheRatioToTheBaseline() {
        assertThat(run("bench", "--duration", "600ms", "--producers", "1,2")).isZero();
        List<String> lines = out().lines().toList();
        assertThat(lines.get(0)).matches("eventhub bench: 600ms in all, \\d+ cores, Java .+");
        assertThat(lines.get(1)).startsWith("producers").contains("eventhub").contains("ArrayBlockingQueue");
        String row = "\\s+%d\\s+[\\d.]+ [Mk]\\s+[\\d.]+ [Mk]\\s+\\d+\\.\\d\\dx";
        assertThat(lines.get(2)).matches(String.format(row, 1));
        assertThat(lines.get(3)).matches(String.format(row, 2));
        assertThat(lines.get(4)).startsWith("ratio = eventhub / baseline");
        assertThat(err()).isEmpty();
    }

    @Test
    void topPrintsEverySubscriptionOfTheDemoHubEachInterval() {
        assertThat(run("top", "--duration", "500ms", "--interval", "200ms")).isZero();
        String printed = out();
        assertThat(printed.lines().filter(l -> l.startsWith("eventhub top: hub 'demo' at ")).count()).isEqualTo(2);
        assertThat(printed).contains("NAME", "KIND", "LAG", "IN HANDLER", "SELECTION");
        for (String row : new String[] {"counter +INLINE", "web-only +ASYNC .*topics=\\[web-1, web-2\\]",
                "slow-consumer +ASYNC", "feed +FLOW", "archive +SINK", "cache +WATCHER"}) {
            assertThat(printed.lines().anyMatch(l -> l.matches(row + ".*"))).as(row).isTrue();
        }
        assertThat(err()).isEmpty();
        assertThat(run("top", "--interval", "10ms")).isEqualTo(2);
        assertThat(err()).contains("eventhub top: --interval: 10ms (expected: at least 100ms)");
    }

    @Test
    void benchRejectsBadArgumentsWithOneLine() {
        assertThat(run("bench", "--duration", "10x")).isEqualTo(2);
        assertThat(err()).isEqualTo("eventhub bench: --duration: '10x' (expected: a duration such as 10s, 500ms, "
                + "2h, 1h30m)" + System.lineSeparator());
        err.reset();
        assertThat(run("bench", "--duration", "100ms")).isEqualTo(2);
        assertThat(err()).contains("--duration: 100ms (expected: at least 600ms)");
        err.reset();
        assertThat(run("bench", "--producers", "1,0")).isEqualTo(2);
        assertThat(err()).contains("--producers: '1,0' (expected: counts from 1 to 64");
        err.reset();
        assertThat(run("bench", "--producers")).isEqualTo(2);
        assertThat(err()).contains("--producers: missing value");
        err.reset();
        assertThat(run("bench", "--fast")).isEqualTo(2);
        assertThat(err()).contains("unexpected argument '--fast'");
        err.reset();
        assertThat(run("bench", "--help")).isZero();
        assertThat(out()).contains("usage: java -jar eventhub.jar bench");
    }

    @Test
    void durationsReadLikeGoDurations() {
        assertThat(Durations.parse("x", "10s")).isEqualTo(java.time.Duration.ofSeconds(10));
        assertThat(Durations.parse("x", "1h30m")).isEqualTo(java.time.Duration.ofMinutes(90));
        assertThat(Durations.parse("x", "1.5s")).isEqualTo(java.time.Duration.ofMillis(1500));
        assertThat(Durations.parse("x", "250us")).isEqualTo(java.time.Duration.ofNanos(250_000));
        for (String bad : new String[] {"", "10", "s", "1x", "1s2", "-1s", "1.s", " 1s"}) {
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> Durations.parse("--since", bad))
                    .isInstanceOf(UsageException.class).hasMessageStartingWith("--since: '" + bad + "'");
        }
        assertThat(Durations.format(java.time.Duration.ofMillis(1500))).isEqualTo("1.5s");
    }
}
