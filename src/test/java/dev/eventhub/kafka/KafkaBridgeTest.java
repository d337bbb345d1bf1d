package dev.eventhub.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.eventhub.EventHub;
import dev.eventhub.Sink;
import dev.eventhub.SinkSubscription;
import dev.eventhub.io.EventSource;
import dev.eventhub.io.Ingest;
import dev.eventhub.io.Sinks;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The bridge against one real KRaft broker, started once for the class. */
class KafkaBridgeTest {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final AtomicInteger TOPICS = new AtomicInteger();
    private static KafkaBroker broker;

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

    /** What the downstream hub receives: the record's place, its headers and its value. */
    record Received(String value, int partition, long offset, long seq, long time, String hub) {
        static Received of(ConsumerRecord<byte[], byte[]> r) {
            return new Received(new String(r.value(), StandardCharsets.UTF_8), r.partition(), r.offset(),
                    Long.parseLong(header(r, KafkaSink.SEQ_HEADER)), Long.parseLong(header(r, KafkaSink.TIME_HEADER)),
                    header(r, KafkaSink.HUB_HEADER));
        }

        private static String header(ConsumerRecord<byte[], byte[]> r, String name) {
            Header h = r.headers().lastHeader(name);
            return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
        }
    }

    private static String newTopic(int partitions) throws Exception {
        String topic = "t" + TOPICS.incrementAndGet();
        broker.createTopic(topic, partitions);
        return topic;
    }

    private static Map<String, String> sinkOptions(String topic, String... more) {
        Map<String, String> options = new HashMap<>(Map.of("bootstrap.servers", broker.servers(), "topic", topic,
                "hub", "upstream"));
        for (int i = 0; i < more.length; i += 2) {
            options.put(more[i], more[i + 1]);
        }
        return options;
    }

    private static String key(String event) {
        return event.substring(0, event.indexOf(':'));
    }

    @Test
    void aHundredThousandEventsGoRoundTripOnceInOrderPerPartitionWithTheirHeaders() throws Exception {
        String topic = newTopic(3);
        int n = 100_000;
        ConcurrentLinkedQueue<Received> received = new ConcurrentLinkedQueue<>();
        AtomicLong count = new AtomicLong();
        try (EventHub<String> upstream = EventHub.<String>builder().name("upstream").topic(KafkaBridgeTest::key)
                     .build();
             EventHub<Received> downstream = EventHub.<Received>builder().name("downstream").build()) {
            SinkSubscription sink = upstream.attach(KafkaSink.open(sinkOptions(topic), e -> e,
                    KafkaBridgeTest::key));
            downstream.subscribe(r -> {
                received.add(r);
                count.incrementAndGet();
            });
            Ingest<Received> ingest = Ingest.builder(downstream,
                    KafkaSource.builder(broker.servers(), topic, Received::of).fromBeginning().build()).start();
            try {
                for (int i = 0; i < n; i++) {
                    upstream.publish("k" + (i % 7) + ":" + i);
                }
                await().atMost(WAIT).until(() -> count.get() >= n);
            } finally {
                ingest.stop();
            }
            assertThat(sink.notWritten()).isZero();
            assertThat(sink.lastFailure()).isNull();
        }
        assertThat(received).hasSize(n);
        Set<Long> seqs = new HashSet<>();
        Map<Integer, Long> lastSeqPerPartition = new HashMap<>();
        Map<String, Integer> partitionOfKey = new HashMap<>();
        for (Received r : received) {
            assertThat(seqs.add(r.seq())).as("seq %d once", r.seq()).isTrue();
            assertThat(r.hub()).isEqualTo("upstream");
            assertThat(r.value()).endsWith(":" + (r.seq() - 1));
            assertThat(r.time()).isPositive();
            Long before = lastSeqPerPartition.put(r.partition(), r.seq());
            assertThat(before == null || before < r.seq()).as("order in partition %d", r.partition()).isTrue();
            assertThat(partitionOfKey.computeIfAbsent(key(r.value()), k -> r.partition())).isEqualTo(r.partition());
        }
        assertThat(lastSeqPerPartition).hasSizeGreaterThan(1);
    }

    @Test
    void sinceReplaysExactlyTheRecordsFromThatTime() throws Exception {
        String topic = newTopic(2);
        List<String> events = java.util.stream.IntStream.range(0, 100).mapToObj(i -> "e:" + i).toList();
        Map<String, Long> stamps = publishASecondApart(Sinks.open("kafka", sinkOptions(topic), e -> e), events);
        // From the hub's own stamp of e:59 (the dispatcher may read the clock a step early: use what it wrote).
        Instant since = Instant.ofEpochSecond(0, stamps.get("e:59"));
        List<String> expected = stampedFrom(stamps, since);
        assertThat(expected).hasSizeBetween(1, 99); // a real subset: the older records must be left out
        assertThat(ingestSince(topic, since, expected.size())).extracting(Received::value)
                .containsExactlyInAnyOrderElementsOf(expected);
    }

    /**
     * Publishes {@code events} through {@code sink} from a hub whose clock moves a second before each (so the time
     * index tells each from the next), closes the hub once all are written, and returns each event's stamp.
     */
    private static Map<String, Long> publishASecondApart(Sink<String> sink, List<String> events) throws Exception {
        AtomicLong clock = new AtomicLong(Instant.parse("2026-01-01T00:00:00Z").toEpochMilli() * 1_000_000L);
        Map<String, Long> stamps = new java.util.concurrent.ConcurrentHashMap<>();
        try (EventHub<String> upstream = EventHub.<String>builder().name("up").clock(clock::get).build()) {
            SinkSubscription attached = upstream.attach(sink);
            java.util.concurrent.Semaphore stamped = new java.util.concurrent.Semaphore(0);
            upstream.subscribe((e, seq, nanos) -> {
                stamps.put(e, nanos);
                stamped.release();
            });
            for (String event : events) {
                clock.addAndGet(1_000_000_000L);
                upstream.publish(event);
                stamped.acquire(); // stamped before the clock moves on
            }
            upstream.close();
            assertThat(attached.written()).isEqualTo(events.size());
        }
        return stamps;
    }

    /** The events stamped at or after {@code since}, to the millisecond of a Kafka timestamp. */
    private static List<String> stampedFrom(Map<String, Long> stamps, Instant since) {
        return stamps.entrySet().stream().filter(e -> e.getValue() / 1_000_000 >= since.toEpochMilli())
                .map(Map.Entry::getKey).toList();
    }

    /** What an ingest from {@code since} brings into a new hub, once it has brought {@code count} records. */
    private static List<Received> ingestSince(String topic, Instant since, int count) throws Exception {
        List<Received> got = new java.util.concurrent.CopyOnWriteArrayList<>();
        try (EventHub<Received> downstream = EventHub.<Received>builder().name("down").build()) {
            downstream.subscribe(got::add);
            Ingest<Received> ingest = Ingest.builder(downstream,
                    KafkaSource.builder(broker.servers(), topic, Received::of).since(since).build()).start();
            try {
                await().atMost(WAIT).until(() -> ingest.ingested() >= count);
            } finally {
                ingest.stop();
            }
        }
        return got;
    }

    @Test
    void sinceFindsItsPlaceInEveryPartitionWhenEachHasRecordsFromThatTime() throws Exception {
        // Every partition has records both before and after `since`, so the time index finds an offset in each and
        // none is left to start at its end (an empty list handed to the consumer's seekToEnd means all of them).
        String topic = newTopic(3);
        List<String> events = java.util.stream.IntStream.range(0, 60).mapToObj(i -> "k" + (i % 20) + ":e" + i)
                .toList();
        Map<String, Long> stamps = publishASecondApart(
                KafkaSink.open(sinkOptions(topic), e -> e, KafkaBridgeTest::key), events);
        Instant since = Instant.ofEpochSecond(0, stamps.get("k10:e30"));
        List<String> expected = stampedFrom(stamps, since);
        List<Received> got = ingestSince(topic, since, expected.size());
        assertThat(got).extracting(Received::value).containsExactlyInAnyOrderElementsOf(expected);
        assertThat(got).extracting(Received::partition).as("records from that time in every partition")
                .containsOnly(0, 1, 2);
    }

    @Test
    void aReconnectResumesEveryPartitionRightAfterTheLastPublishedRecord() throws Exception {
        String topic = newTopic(3);
        try (EventHub<String> upstream = EventHub.<String>builder().name("up").build()) {
            upstream.attach(KafkaSink.open(sinkOptions(topic), e -> e, KafkaBridgeTest::key));
            for (int i = 0; i < 300; i++) {
                upstream.publish("k" + (i % 5) + ":" + i);
            }
        }
        KafkaSource<Received> source = KafkaSource.builder(broker.servers(), topic, Received::of).fromBeginning()
                .pollTimeout(Duration.ofMillis(100)).build();
        Set<Long> seen = new HashSet<>();
        Received last = null;
        Received notPublished;
        try (EventSource.Connection<Received> connection = source.open(null)) {
            for (int i = 0; i < 120; i++) {
                last = connection.next();
                assertThat(seen.add(last.seq())).isTrue();
            }
            notPublished = connection.next(); // handed out, but the "ingest" failed before publishing it
        }
        // Resumed after `last`: `notPublished` comes again, nothing is skipped or repeated.
        try (EventSource.Connection<Received> connection = source.open(last)) {
            Received again = null;
            while (seen.size() < 300) {
                Received r = connection.next();
                if (r.seq() == notPublished.seq()) {
                    again = r;
                }
                assertThat(seen.add(r.seq())).as("seq %d once", r.seq()).isTrue();
                last = r;
            }
            assertThat(again).isNotNull();
        }
        // Nothing is repeated after the last record: five new records, one per key (so in every partition the old
        // ones went to), are the next five read, and a repeated old record would have come before its partition's.
        List<String> markers = new ArrayList<>();
        try (EventHub<String> upstream = EventHub.<String>builder().name("up-again").build()) {
            upstream.attach(KafkaSink.open(sinkOptions(topic), e -> e, KafkaBridgeTest::key));
            for (int k = 0; k < 5; k++) {
                markers.add("k" + k + ":marker");
                upstream.publish("k" + k + ":marker");
            }
        }
        try (EventSource.Connection<Received> connection = source.open(last)) {
            List<String> next = new ArrayList<>();
            for (int i = 0; i < markers.size(); i++) {
                next.add(connection.next().value());
            }
            assertThat(next).containsExactlyInAnyOrderElementsOf(markers);
        }
    }

    @Test
    void whereEachPartitionStartsHoldsForAReconnectBeforeAnythingOfItWasPublished() throws Exception {
        String topic = newTopic(3);
        List<String> old = publish(topic, "old", 30);
        KafkaSource<Received> fromEnd = KafkaSource.builder(broker.servers(), topic, Received::of).fromEnd()
                .pollTimeout(Duration.ofMillis(100)).build();
        KafkaSource<Received> fromBeginning = KafkaSource.builder(broker.servers(), topic, Received::of)
                .fromBeginning().pollTimeout(Duration.ofMillis(100)).build();
        fromEnd.open(null).close(); // connected, then failed before anything was read
        fromBeginning.open(null).close();
        List<String> later = publish(topic, "new", 30);
        // The end was fixed at the first connection: the reconnect reads what came after it, not from a later end
        // (which would wait for records that never come: hence the timeout).
        assertTimeoutPreemptively(WAIT, () -> {
            try (EventSource.Connection<Received> connection = fromEnd.open(null)) {
                assertThat(read(connection, later.size())).containsExactlyInAnyOrderElementsOf(later);
            }
        });
        // The beginning is the beginning again: nothing of any partition was published before.
        List<String> all = new ArrayList<>(old);
        all.addAll(later);
        assertTimeoutPreemptively(WAIT, () -> {
            try (EventSource.Connection<Received> connection = fromBeginning.open(null)) {
                assertThat(read(connection, all.size())).containsExactlyInAnyOrderElementsOf(all);
            }
        });
    }

    /** Publishes {@code count} events with keys spread over five (so over the partitions) through the sink. */
    private static List<String> publish(String topic, String tag, int count) throws InterruptedException {
        List<String> events = new ArrayList<>();
        try (EventHub<String> upstream = EventHub.<String>builder().name("up-" + tag).build()) {
            upstream.attach(KafkaSink.open(sinkOptions(topic), e -> e, KafkaBridgeTest::key));
            for (int i = 0; i < count; i++) {
                String event = "k" + (i % 5) + ":" + tag + i;
                upstream.publish(event);
                events.add(event);
            }
        }
        return events;
    }

    private static List<String> read(EventSource.Connection<Received> connection, int count) throws Exception {
        List<String> values = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            values.add(connection.next().value());
        }
        return values;
    }

    @Test
    void aBatchCountsAsPublishedOnlyOnceTheIngestAsksAgainOrResumesAfterItsLastItem() throws Exception {
        String topic = newTopic(1);
        List<String> values = new ArrayList<>();
        for (String event : publish(topic, "b", 30)) {
            if (!event.endsWith(":b5")) {
                values.add(event);
            }
        }
        KafkaSource<String> source = KafkaSource.builder(broker.servers(), topic, r -> {
            String value = new String(r.value(), StandardCharsets.UTF_8);
            return value.endsWith(":b5") ? null : value; // skipped, inside the first batch
        }).fromBeginning().pollTimeout(Duration.ofMillis(100)).build();
        List<String> first = new ArrayList<>();
        try (EventSource.Connection<String> connection = source.open(null)) {
            assertThatThrownBy(() -> connection.next(null, 10)).isInstanceOf(NullPointerException.class)
                    .hasMessageContaining("batch: null");
            assertThatThrownBy(() -> connection.next(first, 0)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("max: 0");
            assertThat(connection.next(first, 10)).isTrue();
        }
        assertThat(first).hasSizeBetween(1, 10).isEqualTo(values.subList(0, first.size()));
        // Not published (the ingest failed before): the next connection hands the same batch out again.
        List<String> again = new ArrayList<>();
        try (EventSource.Connection<String> connection = source.open(null)) {
            while (again.size() < first.size()) {
                assertThat(connection.next(again, first.size() - again.size())).isTrue();
            }
        }
        assertThat(again).isEqualTo(first);
        // Published: the next connection goes on right after its last item, skipped record included.
        List<String> rest = new ArrayList<>();
        try (EventSource.Connection<String> connection = source.open(again.get(again.size() - 1))) {
            while (again.size() + rest.size() < values.size()) {
                assertThat(connection.next(rest, 100)).isTrue();
            }
        }
        List<String> all = new ArrayList<>(again);
        all.addAll(rest);
        assertThat(all).isEqualTo(values);
        assertThat(source.skipped()).isPositive();

        // Under FAIL, the items before the rejected record are handed out first; the call after them fails.
        KafkaSource<String> strict = KafkaSource.builder(broker.servers(), topic, r -> {
            String value = new String(r.value(), StandardCharsets.UTF_8);
            if (value.endsWith(":b5")) {
                throw new IllegalArgumentException("not an event: " + value);
            }
            return value;
        }).fromBeginning().onDecodeFailure(KafkaSource.OnDecodeFailure.FAIL).pollTimeout(Duration.ofMillis(100))
                .build();
        List<String> before = new ArrayList<>();
        try (EventSource.Connection<String> connection = strict.open(null)) {
            assertThatThrownBy(() -> {
                while (true) {
                    assertThat(connection.next(before, 100)).isTrue();
                }
            }).isInstanceOf(KafkaSource.DecodeException.class).hasMessageContaining("offset 5");
        }
        assertThat(before).isEqualTo(values.subList(0, 5));
        assertThatThrownBy(() -> strict.open(before.get(4))).isInstanceOf(KafkaSource.DecodeException.class);
    }

    @Test
    void aGroupCommitsOnlyWhatTheHubAcceptedAndTheNextProcessStartsThere() throws Exception {
        String topic = newTopic(1);
        try (EventHub<String> upstream = EventHub.<String>builder().name("up").build()) {
            upstream.attach(Sinks.open("kafka", sinkOptions(topic), e -> e));
            for (int i = 0; i < 50; i++) {
                upstream.publish("e:" + i);
            }
        }
        KafkaSource.Builder<Received> builder = KafkaSource.builder(broker.servers(), topic, Received::of)
                .fromBeginning().group("g-" + topic);
        Received last;
        try (EventSource.Connection<Received> connection = builder.build().open(null)) {
            for (int i = 0; i < 19; i++) {
                connection.next();
            }
            last = connection.next(); // e:19, published
            connection.next(); // e:20 handed out, never confirmed
        }
        assertThat(last.value()).isEqualTo("e:19");
        try (EventSource.Connection<Received> connection = builder.build().open(null)) { // a new process
            // e:19 was confirmed (the ingest asked for more after it) and committed; e:20 was handed out but never
            // confirmed, so a new process starts with it: nothing the hub did not accept is counted as read.
            assertThat(connection.next().value()).isEqualTo("e:20");
        }
    }

    @Test
    void aRecordTheDecoderRejectsIsSkippedOrFatalWithItsPlace() throws Exception {
        String topic = newTopic(1);
        try (EventHub<String> upstream = EventHub.<String>builder().name("up").build()) {
            upstream.attach(Sinks.open("kafka", sinkOptions(topic), e -> e));
            for (String e : List.of("a:1", "bad:2", "a:3")) {
                upstream.publish(e);
            }
        }
        KafkaSource.Decoder<String> decoder = r -> {
            String v = new String(r.value(), StandardCharsets.UTF_8);
            if (v.startsWith("bad")) {
                throw new IllegalArgumentException("not an event: " + v);
            }
            return v;
        };
        KafkaSource<String> skipping = KafkaSource.builder(broker.servers(), topic, decoder).fromBeginning().build();
        try (EventSource.Connection<String> c = skipping.open(null)) {
            assertThat(c.next()).isEqualTo("a:1");
            assertThat(c.next()).isEqualTo("a:3");
        }
        assertThat(skipping.skipped()).isEqualTo(1);

        KafkaSource<String> failing = KafkaSource.builder(broker.servers(), topic, decoder).fromBeginning()
                .onDecodeFailure(KafkaSource.OnDecodeFailure.FAIL).build();
        try (EventSource.Connection<String> c = failing.open(null)) {
            assertThat(c.next()).isEqualTo("a:1");
            org.assertj.core.api.Assertions.assertThatThrownBy(c::next)
                    .isInstanceOf(KafkaSource.DecodeException.class)
                    .hasMessageContaining("topic '" + topic + "' partition 0 offset 1")
                    .hasMessageContaining("not an event: bad:2");
        }
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> failing.open(null))
                .isInstanceOf(KafkaSource.DecodeException.class);
    }

    @Test
    void anUnreachableBrokerIsCountedInNotWrittenAndTheHubGoesOn() throws Exception {
        Map<String, String> options = Map.of("bootstrap.servers", "127.0.0.1:1", "topic", "nowhere",
                "kafka.max.block.ms", "200", "close.timeout.ms", "0");
        AtomicLong other = new AtomicLong();
        try (EventHub<String> hub = EventHub.<String>builder().name("lonely").build()) {
            SinkSubscription sink = hub.attach(Sinks.open("kafka", options, Function.identity()));
            hub.subscribe(e -> other.incrementAndGet());
            for (int i = 0; i < 3; i++) {
                hub.publish("e" + i);
            }
            await().atMost(WAIT).until(() -> sink.notWritten() == 3);
            assertThat(sink.written()).isZero();
            assertThat(sink.lastFailure()).hasMessageContaining("topic 'nowhere'").hasMessageContaining("127.0.0.1:1");
            assertThat(other.get()).isEqualTo(3);
            assertThat(sink.isActive()).isTrue();
        }
    }

    @Test
    void closeFlushesAndLeavesNoThreadOfOursBehind() throws Exception {
        String topic = newTopic(1);
        Set<Thread> before = Thread.getAllStackTraces().keySet();
        KafkaSink<String> kafka;
        try (EventHub<String> upstream = EventHub.<String>builder().name("closing").build()) {
            kafka = KafkaSink.open(sinkOptions(topic, "linger.ms", "60000"), e -> e, null);
            SinkSubscription sink = upstream.attach(kafka);
            Ingest<String> ingest = Ingest.builder(upstream, KafkaSource.builder(broker.servers(), "t-other-" + topic,
                    r -> "x").build()).start();
            for (int i = 0; i < 1000; i++) {
                upstream.publish("e:" + i);
            }
            upstream.close();
            assertThat(upstream.awaitTermination(WAIT)).isTrue();
            ingest.stop();
            assertThat(sink.written()).isEqualTo(1000);
        }
        assertThat(kafka.acknowledged()).isEqualTo(1000); // linger 60 s: only the flush sent them
        await().atMost(WAIT).untilAsserted(() -> assertThat(Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.isAlive() && !before.contains(t))
                .filter(t -> t.getName().startsWith("eventhub-") || t.getName().startsWith("kafka-producer")
                        || t.getName().contains("consumer"))
                .map(Thread::getName)).isEmpty());
    }

    /**
     * Ingest.stop() used to interrupt the ingest's thread while it closed its consumer: Kafka then logged "Failed to
     * close fetcher" at ERROR, with a stack trace, at every stop. The thread now closes its connection uninterrupted.
     */
    @Test
    void stoppingAnIngestLetsItsConsumerCloseWithoutAnError() throws Exception {
        String topic = newTopic(1);
        List<String> errors = new java.util.concurrent.CopyOnWriteArrayList<>();
        java.util.logging.Handler collect = new java.util.logging.Handler() {
            @Override
            public void publish(java.util.logging.LogRecord record) {
                if (record.getLevel().intValue() >= java.util.logging.Level.SEVERE.intValue()) {
                    errors.add(record.getLoggerName() + ": " + record.getMessage() + " " + record.getThrown());
                }
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        java.util.logging.Logger kafkaLog = java.util.logging.Logger.getLogger("org.apache.kafka");
        kafkaLog.addHandler(collect);
        try (EventHub<String> hub = EventHub.<String>builder().name("stopping").build()) {
            for (int round = 0; round < 3; round++) {
                Ingest<String> ingest = Ingest.builder(hub, KafkaSource.builder(broker.servers(), topic, r -> "x")
                        .build()).start();
                await().atMost(WAIT).until(() -> ingest.state() == Ingest.State.CONNECTED);
                ingest.stop();
                assertThat(ingest.failures()).isZero();
            }
        } finally {
            kafkaLog.removeHandler(collect);
        }
        assertThat(errors).as("what Kafka logged at ERROR while the ingests stopped").isEmpty();
    }

    @Test
    void catchingUpDoesNotWaitForTheBrokerAndSyncDoes() throws Exception {
        String topic = newTopic(1);
        try (EventHub<String> upstream = EventHub.<String>builder().name("async").build()) {
            KafkaSink<String> kafka = KafkaSink.open(sinkOptions(topic, "linger.ms", "60000"), e -> e, null);
            SinkSubscription sink = upstream.attach(kafka);
            for (int i = 0; i < 10; i++) {
                upstream.publish("e:" + i);
            }
            await().atMost(WAIT).until(() -> sink.written() == 10);
            // The attachment caught up without waiting for acks: with linger 60 s nothing has been sent yet.
            assertThat(kafka.acknowledged()).isZero();
            kafka.sync();
            assertThat(kafka.acknowledged()).isEqualTo(10);
            assertThat(sink.notWritten()).isZero();
        }
    }
}
