package dev.eventhub.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.eventhub.EventHub;
import dev.eventhub.io.Ingest;
import dev.eventhub.io.Sinks;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The README's "When one JVM is not enough", verbatim but for System.out and the wait, against a real broker. */
class KafkaReadmeTest {
    @Test
    void theReadmeKafkaExampleCompilesAndDoesWhatItSays() throws Exception {
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(buffer, true, StandardCharsets.UTF_8);
        try (KafkaBroker broker = new KafkaBroker()) {
            String servers = broker.servers();
            broker.createTopic("containers", 1);

            try (EventHub<String> hub = EventHub.<String>builder().name("containers").build();
                 EventHub<String> copy = EventHub.<String>builder().name("elsewhere").build()) {
                hub.attach(Sinks.open("kafka", Map.of(                          // lossless, pushes back on a slow broker
                        "bootstrap.servers", servers, "topic", "containers", "hub", "containers"), e -> e));
                copy.subscribe(e -> out.println("from kafka: " + e));
                Ingest<String> ingest = Ingest.builder(copy, KafkaSource.builder(servers, "containers",
                                r -> new String(r.value(), StandardCharsets.UTF_8))
                        .fromBeginning()                                         // or .since(instant), .fromEnd()
                        .build()).start();                                       // reconnects resume each partition exactly
                hub.publish("web-1 start");
                await().atMost(Duration.ofSeconds(60)).until(() -> ingest.ingested() == 1);
                ingest.stop();
            }
        }
        assertThat(buffer.toString(StandardCharsets.UTF_8).lines()).containsExactly("from kafka: web-1 start");
    }
}
