package dev.eventhub.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.eventhub.kafka.KafkaBroker;
import dev.eventhub.kafka.KafkaSink;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@code events --kafka <servers> --topic <t>} against a real broker (one for the class). */
class KafkaEventsTest {
    private static final Instant T0 = Instant.parse("2026-11-23T10:00:00Z");
    private static final String[] NAMES = {"web", "db", "cache"};
    private static final String[] ACTIONS = {"create", "start", "die", "stop", "destroy"};
    private static final AtomicInteger TOPICS = new AtomicInteger();
    private static KafkaBroker broker;

    private final AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-11-23T11:00:00Z"));
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
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

    @BeforeAll
    static void startBroker() throws Exception {
        broker = new KafkaBroker();
    }

    @AfterAll
    static void stopBroker() throws Exception {
        if (broker != null) {
            broker.close();
        }
    }

    /** Event i at T0 + i seconds: container NAMES[i % 3], action ACTIONS[i % 5]. */
    private static String encode(Integer i) {
        return "{\"type\":\"container\",\"action\":\"" + ACTIONS[i % 5] + "\",\"id\":\"c" + (i % 3) + "\",\"name\":\""
                + NAMES[i % 3] + "\",\"n\":" + i + "}";
    }

    /** Events from..to into a topic of 3 partitions, keyed by container, each stamped T0 + i seconds. */
    private static void publish(String topic, int from, int to) throws Exception {
        try (KafkaSink<Integer> sink = KafkaSink.open(Map.of("bootstrap.servers", broker.servers(), "topic", topic,
                "hub", "cli"), KafkaEventsTest::encode, i -> "c" + (i % 3))) {
            for (int i = from; i <= to; i++) {
                sink.accept(i, i, T0.plusSeconds(i).getEpochSecond() * 1_000_000_000L);
            }
        }
    }

    private static String newTopic() throws Exception {
        String topic = "cli" + TOPICS.incrementAndGet();
        broker.createTopic(topic, 3);
        return topic;
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

    private static int n(String line) {
        return Integer.parseInt(line.replaceAll(".*\\bn=(\\d+).*", "$1"));
    }

    @Test
    void readsTheWholeTopicUpToTheEndOffsetsAtStartAndExits() throws Exception {
        String topic = newTopic();
        publish(topic, 1, 60);
        assertThat(run("--kafka", broker.servers(), "--topic", topic)).as(err.toString()).isZero();
        List<String> lines = lines();
        assertThat(lines).hasSize(60);
        assertThat(lines.stream().map(KafkaEventsTest::n)).containsExactlyInAnyOrderElementsOf(
                java.util.stream.IntStream.rangeClosed(1, 60).boxed().toList());
        for (String name : NAMES) { // in order within each container's partition
            List<Integer> ns = lines.stream().filter(l -> l.contains("name=" + name)).map(KafkaEventsTest::n).toList();
            assertThat(ns).isSorted().hasSize(20);
        }
        assertThat(lines.get(0)).matches("2026-11-23T10:0\\d:\\d\\d\\.000000000\\+00:00 container \\w+ c\\d \\(name=.*");
        assertThat(err.toString(StandardCharsets.UTF_8)).isEmpty();
    }

    @Test
    void sinceUntilFilterAndFormatJsonFollowTheFileRules() throws Exception {
        String topic = newTopic();
        publish(topic, 1, 60);
        assertThat(run("--kafka", broker.servers(), "--topic", topic, "--since", "2026-11-23T10:00:10Z", "--until",
                "2026-11-23T10:00:20Z", "--filter", "name=web", "--filter", "name=db")).isZero();
        assertThat(lines().stream().map(KafkaEventsTest::n).sorted().toList())
                .containsExactly(10, 12, 13, 15, 16, 18, 19); // db: i % 3 == 1, web: i % 3 == 0
        out.reset();
        String since = String.valueOf(T0.getEpochSecond() + 59);
        assertThat(run("--kafka", broker.servers(), "--topic", topic, "--since", since, "--format", "json")).isZero();
        assertThat(lines()).containsExactlyInAnyOrder(
                "{\"seq\":59,\"time\":\"2026-11-23T10:00:59Z\",\"event\":" + encode(59) + "}",
                "{\"seq\":60,\"time\":\"2026-11-23T10:01:00Z\",\"event\":" + encode(60) + "}");
    }

    @Test
    void followPrintsWhatComesLaterUntilTheUntilTime() throws Exception {
        String topic = newTopic();
        publish(topic, 1, 5);
        AtomicInteger exit = new AtomicInteger(-1);
        Thread follower = new Thread(() -> {
            try {
                exit.set(run("--kafka", broker.servers(), "--topic", topic, "--follow", "--until",
                        "2026-11-23T12:00:00Z"));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        follower.start();
        try {
            await().atMost(Duration.ofSeconds(30)).until(() -> lines().size() == 5);
            publish(topic, 6, 30);
            await().atMost(Duration.ofSeconds(30)).until(() -> lines().size() == 30);
        } finally {
            now.set(Instant.parse("2026-11-23T12:00:01Z"));
            follower.join(30_000);
        }
        assertThat(follower.isAlive()).isFalse();
        assertThat(exit.get()).isZero();
    }

    @Test
    void badArgumentsAreUsageErrorsAndAMissingTopicIsAnError() throws Exception {
        assertThat(run("--kafka", broker.servers())).isEqualTo(2);
        assertThat(run("--topic", "t")).isEqualTo(2);
        assertThat(run("--kafka", broker.servers(), "--topic", "a/b")).isEqualTo(2);
        assertThat(run("--kafka", broker.servers(), "--topic", "t", "--path", "x.log")).isEqualTo(2);
        assertThat(run("--kafka")).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("missing --topic", "missing --kafka",
                "--topic: 'a/b'", "--path and --kafka");
        err.reset();
        assertThat(run("--kafka", broker.servers(), "--topic", "no-such-topic")).isEqualTo(1);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("no topic 'no-such-topic'");
    }
}
