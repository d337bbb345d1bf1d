package dev.eventhub.cli;

import dev.eventhub.io.JsonRecord;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * {@code events --kafka <servers> --topic <topic>}: prints the records a {@code kafka} sink wrote, every partition
 * (in order within each), under the same {@code --since}/{@code --until}/{@code --filter}/{@code --format} rules as
 * for files. Without {@code --follow} it reads up to the end offsets it found at start and exits; with it, it goes
 * on until the clock passes {@code --until}. Kafka's classes are touched only by {@link Reader}, after checking
 * that kafka-clients is there, so the command fails with one line, not a stack trace, without it.
 */
final class KafkaEvents {
    private static final Duration TIMEOUT = Duration.ofSeconds(15);
    private static final Duration POLL = Duration.ofMillis(100);

    private final String servers;
    private final String topic;
    private final Events events;
    private final PrintStream err;

    private KafkaEvents(String servers, String topic, Events events, PrintStream err) {
        this.servers = servers;
        this.topic = topic;
        this.events = events;
        this.err = err;
    }

    /** Checks {@code --kafka} and {@code --topic} (given as option to value); throws {@link UsageException}. */
    static KafkaEvents of(Path path, Map<String, String> options, Events events, PrintStream err) {
        String servers = options.get("--kafka");
        String topic = options.get("--topic");
        if (path != null) {
            throw new UsageException("--path and --kafka: give one of them");
        }
        if (servers == null || servers.isBlank()) {
            throw new UsageException("missing --kafka <servers> (the bootstrap servers, host:port[,host:port])");
        }
        if (topic == null || !topic.matches("[a-zA-Z0-9._-]{1,249}")) {
            throw new UsageException(topic == null ? "missing --topic <topic> (with --kafka)"
                    : "--topic: '" + topic + "' (expected: a Kafka topic name: letters, digits, '.', '_', '-')");
        }
        return new KafkaEvents(servers, topic, events, err);
    }

    int run(long sinceNanos, long untilNanos, boolean follow, Clock clock) {
        try {
            Class.forName("org.apache.kafka.clients.consumer.KafkaConsumer", false,
                    KafkaEvents.class.getClassLoader());
        } catch (ClassNotFoundException | LinkageError absent) {
            err.println("eventhub events: --kafka needs org.apache.kafka:kafka-clients (4.x) on the class path; run "
                    + "with -cp eventhub.jar:<kafka-clients and its dependencies> dev.eventhub.cli.Main events ...");
            return 1;
        }
        return new Reader().read(sinceNanos, untilNanos, follow, clock);
    }

    /** {@code text} as a JSON string. */
    static String quote(String text) {
        StringBuilder json = new StringBuilder(text.length() + 2).append('"');
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '"' -> json.append("\\\"");
                case '\\' -> json.append("\\\\");
                case '\n' -> json.append("\\n");
                case '\r' -> json.append("\\r");
                case '\t' -> json.append("\\t");
                default -> {
                    if (c < 0x20) {
                        json.append(String.format("\\u%04x", (int) c));
                    } else {
                        json.append(c);
                    }
                }
            }
        }
        return json.append('"').toString();
    }

    /** The part that uses kafka-clients. */
    private final class Reader {
        int read(long sinceNanos, long untilNanos, boolean follow, Clock clock) {
            Map<String, Object> config = new HashMap<>();
            config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, servers);
            config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
            config.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, "false");
            config.put(ConsumerConfig.CLIENT_ID_CONFIG, "eventhub-events");
            config.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, Long.toString(TIMEOUT.toMillis()));
            try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(config, new ByteArrayDeserializer(),
                    new ByteArrayDeserializer())) {
                List<PartitionInfo> infos = consumer.partitionsFor(topic, TIMEOUT);
                if (infos == null || infos.isEmpty()) {
                    err.println("eventhub events: no topic '" + topic + "' at " + servers);
                    return 1;
                }
                List<TopicPartition> partitions = new ArrayList<>();
                infos.forEach(p -> partitions.add(new TopicPartition(topic, p.partition())));
                consumer.assign(partitions);
                Map<TopicPartition, Long> ends = consumer.endOffsets(partitions, TIMEOUT);
                if (sinceNanos == Long.MIN_VALUE) {
                    consumer.seekToBeginning(partitions);
                } else {
                    // The first record at or after the millisecond of --since (the sink stamps records with the
                    // hub's time, floored to milliseconds); the exact --since is applied to the eventhub-time header.
                    Map<TopicPartition, Long> query = new HashMap<>();
                    long millis = Math.max(0, Math.floorDiv(sinceNanos, 1_000_000L));
                    partitions.forEach(p -> query.put(p, millis));
                    Map<TopicPartition, OffsetAndTimestamp> found = consumer.offsetsForTimes(query, TIMEOUT);
                    for (TopicPartition p : partitions) {
                        OffsetAndTimestamp at = found.get(p);
                        consumer.seek(p, at == null ? ends.get(p) : at.offset());
                    }
                }
                while (true) {
                    if (!follow && caughtUp(consumer, partitions, ends)) {
                        break;
                    }
                    if (follow && clock.instant().isAfter(instant(untilNanos))) {
                        break;
                    }
                    for (ConsumerRecord<byte[], byte[]> r : consumer.poll(POLL)) {
                        if (follow || r.offset() < ends.get(new TopicPartition(r.topic(), r.partition()))) {
                            print(r);
                        }
                    }
                }
                return 0;
            } catch (KafkaException e) {
                err.println("eventhub events: topic '" + topic + "' at " + servers + ": " + e);
                return 1;
            }
        }

        private boolean caughtUp(KafkaConsumer<byte[], byte[]> consumer, List<TopicPartition> partitions,
                                 Map<TopicPartition, Long> ends) {
            for (TopicPartition p : partitions) {
                if (consumer.position(p, TIMEOUT) < ends.get(p)) {
                    return false;
                }
            }
            return true;
        }

        /** A record as the line a json-file sink would have written; a value that is not JSON as a JSON string. */
        private void print(ConsumerRecord<byte[], byte[]> r) {
            long seq = number(r, "eventhub-seq", r.offset());
            long time = number(r, "eventhub-time", Math.multiplyExact(r.timestamp(), 1_000_000L));
            String value = r.value() == null ? "null" : new String(r.value(), StandardCharsets.UTF_8);
            JsonRecord record = new JsonRecord(seq, time, value);
            try {
                record.fields(); // the value alone must be one JSON value
            } catch (RuntimeException notJson) {
                record = new JsonRecord(seq, time, quote(value));
            }
            events.print(record, "{\"seq\":" + seq + ",\"time\":\"" + instant(time) + "\",\"event\":"
                    + record.event() + "}");
        }

        private long number(ConsumerRecord<byte[], byte[]> r, String name, long otherwise) {
            Header header = r.headers().lastHeader(name);
            if (header == null || header.value() == null) {
                return otherwise;
            }
            try {
                return Long.parseLong(new String(header.value(), StandardCharsets.US_ASCII));
            } catch (NumberFormatException notOurs) {
                return otherwise;
            }
        }
    }

    private static Instant instant(long nanos) {
        return Instant.ofEpochSecond(Math.floorDiv(nanos, 1_000_000_000L), Math.floorMod(nanos, 1_000_000_000L));
    }
}
