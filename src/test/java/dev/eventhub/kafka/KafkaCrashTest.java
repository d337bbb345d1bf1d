package dev.eventhub.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.eventhub.EventHub;
import dev.eventhub.SinkSubscription;
import dev.eventhub.io.Ingest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.logging.FileHandler;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The broker is killed hard (SIGKILL) mid-stream and restarted on the same log directory: with the {@code BLOCK}
 * sink, the idempotent producer and the source's resume, the downstream hub receives every event exactly once, in
 * order per partition. The broker runs in a child JVM (it must be killable), on loopback.
 */
class KafkaCrashTest {
    private static final Duration WAIT = Duration.ofSeconds(60);
    /** The clients' log while the test runs (the producer's in detail), for the message of a failure. */
    private static final Path CLIENT_LOG = Path.of("target", "kafka-crash-clients.log");
    private static final Path BROKER_LOG = Path.of("target", "kafka-crash-broker.log");
    // java.util.logging holds its loggers weakly: these keep the levels set here.
    private static final Logger CLIENTS = Logger.getLogger("org.apache.kafka.clients");
    private static final Logger PRODUCER = Logger.getLogger("org.apache.kafka.clients.producer.internals");
    private static ForkedKafkaBroker broker;
    private static FileHandler clientLog;

    @BeforeAll
    static void startBroker() throws Exception {
        Files.createDirectories(CLIENT_LOG.getParent());
        clientLog = new FileHandler(CLIENT_LOG.toString());
        clientLog.setFormatter(new SimpleFormatter());
        clientLog.setLevel(Level.ALL);
        CLIENTS.setLevel(Level.INFO);
        PRODUCER.setLevel(Level.FINE);
        CLIENTS.addHandler(clientLog);
        broker = new ForkedKafkaBroker();
    }

    @AfterAll
    static void stopBroker() throws Exception {
        CLIENTS.removeHandler(clientLog);
        CLIENTS.setLevel(null);
        PRODUCER.setLevel(null);
        clientLog.close();
        if (broker != null) {
            try {
                broker.keepLog(BROKER_LOG); // beside the clients' log, whatever the outcome
            } finally {
                broker.close();
            }
        }
    }

    @Test
    void aBrokerKilledHardMidStreamAndRestartedLosesAndRepeatsNothing() throws Exception {
        String topic = "crash";
        int partitions = 3;
        int n = 20_000;
        broker.createTopic(topic, partitions);
        ConcurrentLinkedQueue<KafkaBridgeTest.Received> received = new ConcurrentLinkedQueue<>();
        Map<String, String> options = Map.of("bootstrap.servers", broker.servers(), "topic", topic, "hub", "up",
                // Longer than a restart: the producer retries (idempotently) instead of giving up.
                "kafka.delivery.timeout.ms", "120000", "kafka.request.timeout.ms", "5000",
                "kafka.reconnect.backoff.max.ms", "200", "close.timeout.ms", "30000");
        AtomicReference<Throwable> publishing = new AtomicReference<>();
        KafkaSink<String> kafka;
        SinkSubscription sink;
        try (EventHub<String> upstream = EventHub.<String>builder().name("up").topic(KafkaCrashTest::key).build();
             EventHub<KafkaBridgeTest.Received> downstream = EventHub.<KafkaBridgeTest.Received>builder()
                     .name("down").build()) {
            kafka = KafkaSink.open(options, e -> e, KafkaCrashTest::key);
            sink = upstream.attach(kafka);
            downstream.subscribe(received::add);
            Ingest<KafkaBridgeTest.Received> ingest = Ingest.builder(downstream,
                            KafkaSource.builder(broker.servers(), topic, KafkaBridgeTest.Received::of).fromBeginning()
                                    .pollTimeout(Duration.ofMillis(100)).build())
                    .backoff(Duration.ofMillis(50), Duration.ofMillis(500), 2).start();
            Thread publisher = new Thread(() -> {
                try {
                    for (int i = 0; i < n; i++) {
                        upstream.publish("k" + (i % 7) + ":" + i); // BLOCK: waits while the broker is down
                    }
                } catch (Throwable e) {
                    publishing.set(e);
                }
            }, "crash-test-publisher");
            publisher.start();
            try {
                await().atMost(WAIT).until(() -> kafka.acknowledged() >= 2_000);
                broker.kill(); // mid-stream: more is queued in the hub and in flight in the producer
                long atKill = kafka.acknowledged();
                broker.start();
                try {
                    await().atMost(WAIT).until(() -> received.size() >= n);
                } catch (org.awaitility.core.ConditionTimeoutException stuck) {
                    // Say which side stopped: the producer (sent, not acknowledged), the ingest, or the broker.
                    throw new AssertionError(received.size() + " of " + n + " received; the sink sent " + kafka.sent()
                            + ", acknowledged " + kafka.acknowledged() + ", failed " + kafka.failed() + " (last: "
                            + kafka.lastFailure() + "); " + ingest + "; the publisher "
                            + (publisher.isAlive() ? "is still publishing" : "is done") + "\n" + broker.describe(80)
                            + "\nthe broker's whole log: " + broker.keepLog(BROKER_LOG)
                            + "\nthe last lines of " + CLIENT_LOG.toAbsolutePath() + ":\n" + tail(CLIENT_LOG, 80),
                            stuck);
                }
                publisher.join(TimeUnit.SECONDS.toMillis(60));
                assertThat(atKill).as("killed mid-stream").isLessThan(n);
            } finally {
                publisher.join(TimeUnit.SECONDS.toMillis(60));
                ingest.stop();
            }
            assertThat(publishing.get()).isNull();
            upstream.close();
            assertThat(upstream.awaitTermination(WAIT)).isTrue();
        }
        assertThat(sink.notWritten()).isZero();
        assertThat(kafka.failed()).isZero();
        assertThat(kafka.acknowledged()).isEqualTo(n);
        assertThat(recordsIn(topic, partitions)).as("records in the topic: no duplicate written").isEqualTo(n);

        assertThat(received).hasSize(n);
        Set<Long> seqs = new HashSet<>();
        Map<Integer, Long> lastSeqPerPartition = new HashMap<>();
        for (KafkaBridgeTest.Received r : received) {
            assertThat(seqs.add(r.seq())).as("seq %d once", r.seq()).isTrue();
            assertThat(r.value()).endsWith(":" + (r.seq() - 1));
            Long before = lastSeqPerPartition.put(r.partition(), r.seq());
            assertThat(before == null || before < r.seq()).as("order in partition %d", r.partition()).isTrue();
        }
        assertThat(lastSeqPerPartition).hasSize(partitions);
    }

    private static String tail(Path file, int lines) throws IOException {
        clientLog.flush();
        List<String> all = new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1).lines().toList();
        return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    }

    private static String key(String event) {
        return event.substring(0, event.indexOf(':'));
    }

    private static long recordsIn(String topic, int partitions) throws Exception {
        try (Admin admin = Admin.create(Map.<String, Object>of("bootstrap.servers", broker.servers()))) {
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            List<TopicPartition> all = new ArrayList<>();
            for (int p = 0; p < partitions; p++) {
                all.add(new TopicPartition(topic, p));
                latest.put(all.get(p), OffsetSpec.latest());
            }
            return admin.listOffsets(latest).all().get(30, TimeUnit.SECONDS).values().stream()
                    .mapToLong(info -> info.offset()).sum();
        }
    }
}
