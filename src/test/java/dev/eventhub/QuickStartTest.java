package dev.eventhub;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The README's quick start, verbatim but for System.out, so it cannot drift from the API. */
class QuickStartTest {
    @Test
    void theReadmeQuickStartCompilesAndDoesWhatItSays() throws Exception {
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(buffer, true, StandardCharsets.UTF_8);

        try (EventHub<String> hub = EventHub.<String>builder().name("containers").history(1024).build()) {
            Subscription web = hub.events()
                    .filter(e -> e.startsWith("web"))                      // only what you want
                    .subscribe((e, sequence, nanos) -> out.println(sequence + " " + e));
            hub.publish("web-1 start");                                    // waits if the hub is full
            hub.offer("db-1 start");                                       // never waits; false if full
            Subscription replay = hub.events().afterSequence(0)            // history first, then live
                    .until(Instant.now().plusSeconds(5))                   // ends by itself at that time
                    .subscribe(e -> out.println("replayed " + e));
            assertThat(web.isActive()).isTrue();
            assertThat(replay.isActive()).isTrue();
        }                                                                  // close: everything accepted is delivered

        assertThat(buffer.toString(StandardCharsets.UTF_8).lines())
                .contains("1 web-1 start", "replayed web-1 start", "replayed db-1 start")
                .doesNotContain("2 db-1 start");
    }
}
