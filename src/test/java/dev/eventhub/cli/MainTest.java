package dev.eventhub.cli;

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
        assertThat(lines.stream().filter(l -> l.matches(isula)).count()).isEqualTo(20 + 5);
        assertThat(lines.stream().filter(l -> l.matches("#\\d+ " + isula)).count()).isEqualTo(20);
        assertThat(output).contains("container start", "pid=", "exitCode=137", "name=web")
                .contains("ended with UNTIL_REACHED").contains("published=40");
        int filtered = lines.indexOf("== 2. The same stream as seen by a subscriber with a name filter (name=web) ==");
        assertThat(lines.subList(filtered + 1, filtered + 6)).allMatch(l -> l.contains("name=web"));
        assertThat(err()).isEmpty();
    }

    @Test
    void usageErrorsExitWithTwoAndOneLine() {
        assertThat(run()).isEqualTo(2);
        assertThat(err()).isEqualTo("eventhub: missing command (try: demo, help)" + System.lineSeparator());
        err.reset();
        assertThat(run("bogus")).isEqualTo(2);
        assertThat(err()).isEqualTo("eventhub: unknown command 'bogus' (try: demo, help)" + System.lineSeparator());
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
}
