package dev.eventhub.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.eventhub.io.Sinks;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Every option of the kafka sink and of KafkaSource rejects a wrong value with a message naming the option and the
 * value, before anything connects: no broker runs here, and the servers given would accept no connection.
 */
class KafkaOptionsTest {
    private static final Function<String, String> ENCODER = s -> s;

    private static Map<String, String> options(String... pairs) {
        Map<String, String> options = new HashMap<>(Map.of("bootstrap.servers", "127.0.0.1:1", "topic", "events"));
        for (int i = 0; i < pairs.length; i += 2) {
            if (pairs[i + 1] == null) {
                options.remove(pairs[i]);
            } else {
                options.put(pairs[i], pairs[i + 1]);
            }
        }
        return options;
    }

    @Test
    void theKafkaKindIsRegistered() {
        assertThat(Sinks.names()).contains("kafka", "json-file");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "bootstrap.servers | ''             | bootstrap.servers: \"\"",
        "bootstrap.servers | localhost      | bootstrap.servers: \"localhost\"",
        "bootstrap.servers | localhost:0    | bootstrap.servers: \"localhost:0\"",
        "bootstrap.servers | h:1,h:99999    | bootstrap.servers: \"h:1,h:99999\"",
        "topic             | ''             | topic: \"\"",
        "topic             | 'a b'          | topic: \"a b\"",
        "topic             | ..             | topic: \"..\"",
        "acks              | 1              | acks: \"1\"",
        "acks              | 0              | acks: \"0\"",
        "compression.type  | brotli         | compression.type: \"brotli\"",
        "linger.ms         | -1             | linger.ms: \"-1\"",
        "linger.ms         | soon           | linger.ms: \"soon\"",
        "hub               | ' '            | hub: \" \"",
        "close.timeout.ms  | 1.5            | close.timeout.ms: \"1.5\"",
        "kafka.batch.size  | big            | kafka.batch.size: \"big\"",
        "kafka.max.block.ms | -5            | kafka.max.block.ms: \"-5\"",
    })
    void aWrongValueIsNamedWithTheValue(String option, String value, String message) {
        assertThatThrownBy(() -> Sinks.open("kafka", options(option, value), ENCODER))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(message);
        assertThatThrownBy(() -> KafkaSink.open(options(option, value), ENCODER, ENCODER))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(message);
    }

    @Test
    void missingUnknownAndReservedOptionsAreNamed() {
        assertThatThrownBy(() -> Sinks.open("kafka", options("topic", null), ENCODER))
                .hasMessageContaining("missing option 'topic'");
        assertThatThrownBy(() -> KafkaSink.open(options("bootstrap.servers", null), ENCODER, null))
                .hasMessageContaining("missing option 'bootstrap.servers'");
        assertThatThrownBy(() -> Sinks.open("kafka", options("kafka.no.such.setting", "1"), ENCODER))
                .hasMessageContaining("unknown option 'kafka.no.such.setting'");
        assertThatThrownBy(() -> Sinks.open("kafka", options("kafka.enable.idempotence", "false"), ENCODER))
                .hasMessageContaining("unknown option 'kafka.enable.idempotence'");
        assertThatThrownBy(() -> KafkaSink.open(options("kafka.acks", "1"), ENCODER, null))
                .hasMessageContaining("unknown option 'kafka.acks'");
        assertThatThrownBy(() -> KafkaSink.open(options(), null, null)).isInstanceOf(NullPointerException.class)
                .hasMessageContaining("encoder");
    }

    @Test
    void goodOptionsPassValidationWithoutABroker() {
        new KafkaSinkFactory().validate(options("acks", "-1", "compression.type", "zstd", "linger.ms", "0",
                "hub", "containers", "close.timeout.ms", "0", "kafka.batch.size", "65536"));
    }

    @Test
    void sourceOptionsAreCheckedWithTheirValues() {
        KafkaSource.Decoder<String> decoder = r -> "x";
        assertThatThrownBy(() -> KafkaSource.builder("nohost", "t", decoder))
                .hasMessageContaining("bootstrap.servers: \"nohost\"");
        assertThatThrownBy(() -> KafkaSource.builder("h:1", "a/b", decoder)).hasMessageContaining("topic: \"a/b\"");
        assertThatThrownBy(() -> KafkaSource.builder(null, "t", decoder)).isInstanceOf(NullPointerException.class)
                .hasMessageContaining("bootstrapServers");
        assertThatThrownBy(() -> KafkaSource.builder("h:1", "t", null)).isInstanceOf(NullPointerException.class)
                .hasMessageContaining("decoder");
        KafkaSource.Builder<String> builder = KafkaSource.builder("h:1", "t", decoder);
        assertThatThrownBy(() -> builder.partitions()).hasMessageContaining("partitions: []");
        assertThatThrownBy(() -> builder.partitions(0, -1)).hasMessageContaining("partitions: [0, -1]");
        assertThatThrownBy(() -> builder.partitions(1, 1)).hasMessageContaining("partitions: [1, 1]");
        assertThatThrownBy(() -> builder.since(Instant.EPOCH.minusMillis(1)))
                .hasMessageContaining("since: 1969-12-31T23:59:59.999Z");
        assertThatThrownBy(() -> builder.since(null)).isInstanceOf(NullPointerException.class)
                .hasMessageContaining("since");
        assertThatThrownBy(() -> builder.group(" ")).hasMessageContaining("group: \" \"");
        assertThatThrownBy(() -> builder.onDecodeFailure(null)).hasMessageContaining("onDecodeFailure");
        assertThatThrownBy(() -> builder.pollTimeout(Duration.ZERO)).hasMessageContaining("pollTimeout: PT0S");
        assertThatThrownBy(() -> builder.property("no.such.setting", "1"))
                .hasMessageContaining("property: \"no.such.setting\"");
        assertThatThrownBy(() -> builder.property("group.id", "g")).hasMessageContaining("property: \"group.id\"");
        assertThatThrownBy(() -> builder.property("max.poll.records", "many"))
                .hasMessageContaining("max.poll.records: \"many\"");
        builder.property("max.poll.records", "100").partitions(0, 2).group("g").since(Instant.now()).build();
    }
}
