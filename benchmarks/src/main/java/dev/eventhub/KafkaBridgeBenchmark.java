package dev.eventhub;

import dev.eventhub.io.Ingest;
import dev.eventhub.kafka.KafkaSink;
import dev.eventhub.kafka.KafkaSource;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Target P9: the Kafka bridge beside plain Kafka clients, same broker, same settings, same run.
 *
 * <p>Each fork starts its own one-node KRaft broker in its JVM (loopback, free port), with one topic of 3
 * partitions. Records are 100-byte values with the three eventhub headers, idempotent producer, {@code acks=all},
 * {@code linger.ms=5}, no compression, for both sides of each comparison.
 * <ul>
 *   <li>{@code producerLoop}: {@code KafkaProducer.send} of {@value #WRITE_BATCH} records, then {@code flush()}; every
 *       record acknowledged.</li>
 *   <li>{@code kafkaSink}: {@value #WRITE_BATCH} events published into a hub with the {@code kafka} sink attached; the
 *       invocation ends when the sink has sent them all and {@code KafkaSink.sync()} (the producer's flush, as in
 *       {@code producerLoop}) saw every one acknowledged. P9: &ge; 0.9&times; {@code producerLoop}.</li>
 *   <li>{@code pollLoop}: a new {@code KafkaConsumer} finds the topic's partitions, assigns them, reads
 *       {@value #READ_BATCH} records from the beginning of a pre-filled topic with {@code poll} (500 ms, the default
 *       {@code max.poll.records}), checking each value's length as the ingest's decoder does, and closes without
 *       waiting for the fetch it has in flight, as {@code Ingest.stop} closes the ingest's consumer.</li>
 *   <li>{@code ingest}: an {@code Ingest} with a new {@code KafkaSource} (so a new consumer, as in {@code pollLoop})
 *       reads the same records into a hub, counted by a subscriber, and is stopped. The hub is the application's,
 *       made once per fork as the producers are: a plain poll loop has no hub to make either. P9: &ge;
 *       0.9&times; {@code pollLoop}.</li>
 * </ul>
 * The score is records per second. The writers ({@link #write}) keep their producer or hub for the whole fork; the
 * readers ({@link #read}) connect, read and close in every invocation.
 *
 * <p><b>Why {@value #READ_BATCH} records per connection.</b> With 20,000 (the writers' batch), connecting took about
 * two thirds of an invocation on both sides (a consumer's creation, metadata and the first fetch: some 8 ms of 12),
 * so the readers' score said more about setting up a consumer than about reading. Kafka's own consumer performance
 * tool reads a long run of records with one consumer and reports its fetch rate apart from the time to join. Here
 * each invocation still pays its connection, on both sides alike, over ten times as many records. The ratio was the
 * same both ways (0.86&times; at 20,000, 0.86&times; at 200,000, on the same code): it is the reading, not the
 * connecting, that costs the ingest.
 *
 * <p><b>Warm-up.</b> The broker runs in the benchmark's JVM, and it and the Kafka clients take about 20 s of this
 * load to be compiled: with 3 s of warm-up, both sides of each pair were measured on their way up (their
 * iterations spread over 4 to 5 times), and the ratio said more about which fork compiled first than about the
 * bridge. Hence 15 warm-up iterations of 2 s, which {@code benchmarks/run} keeps for this benchmark alone. Run:
 * {@code java -jar benchmarks/target/benchmarks.jar KafkaBridgeBenchmark}.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 15, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
public class KafkaBridgeBenchmark {
    /** Records per invocation of the writers: the producer loop sends them, then flushes. */
    static final int WRITE_BATCH = 20_000;
    /** Records per invocation of the readers: each connects, reads them all, and closes. */
    static final int READ_BATCH = 200_000;
    static final byte[] VALUE = "x".repeat(100).getBytes(StandardCharsets.UTF_8);
    static final String TEXT = "x".repeat(100);

    /** One KRaft broker in the fork's JVM, with the topic {@code p9} of 3 partitions. */
    abstract static class Broker {
        KafkaClusterTestKit cluster;
        String servers;

        void startBroker() throws Exception {
            TestKitNodes nodes = new TestKitNodes.Builder().setCombined(true).setNumBrokerNodes(1)
                    .setNumControllerNodes(1).build();
            cluster = new KafkaClusterTestKit.Builder(nodes)
                    .setConfigProp("offsets.topic.replication.factor", "1")
                    .setConfigProp("transaction.state.log.replication.factor", "1")
                    .setConfigProp("transaction.state.log.min.isr", "1")
                    .setConfigProp("group.initial.rebalance.delay.ms", "0")
                    .build();
            cluster.format();
            cluster.startup();
            cluster.waitForReadyBrokers();
            servers = cluster.bootstrapServers();
            try (Admin admin = Admin.create(Map.of("bootstrap.servers", servers))) {
                admin.createTopics(List.of(new NewTopic("p9", 3, (short) 1))).all().get();
            }
        }

        KafkaProducer<byte[], byte[]> producer() {
            Map<String, Object> config = new HashMap<>();
            config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, servers);
            config.put(ProducerConfig.ACKS_CONFIG, "all");
            config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
            config.put(ProducerConfig.LINGER_MS_CONFIG, "5");
            config.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "none");
            return new KafkaProducer<>(config, new ByteArraySerializer(), new ByteArraySerializer());
        }
    }

    private static ProducerRecord<byte[], byte[]> record(long seq) {
        RecordHeaders headers = new RecordHeaders();
        headers.add(KafkaSink.SEQ_HEADER, Long.toString(seq).getBytes(StandardCharsets.US_ASCII));
        headers.add(KafkaSink.TIME_HEADER, Long.toString(System.currentTimeMillis() * 1_000_000L)
                .getBytes(StandardCharsets.US_ASCII));
        headers.add(KafkaSink.HUB_HEADER, "p9".getBytes(StandardCharsets.UTF_8));
        return new ProducerRecord<>("p9", null, System.currentTimeMillis(), null, VALUE, headers);
    }

    /** The writers: a plain producer loop, and a hub with the {@code kafka} sink attached. */
    @State(Scope.Benchmark)
    public static class Writers extends Broker {
        @Param({"producerLoop", "kafkaSink"})
        public String impl;

        private KafkaProducer<byte[], byte[]> producer;
        private EventHub<String> hub;
        private KafkaSink<String> sink;
        private long sinkTarget;
        private volatile CountDownLatch sinkDone;
        private final AtomicLong acked = new AtomicLong();
        private long seq;

        @Setup(Level.Trial)
        public void setUp() throws Exception {
            startBroker();
            if (impl.equals("producerLoop")) {
                producer = producer();
            } else {
                hub = EventHub.<String>builder().name("p9").capacity(1 << 14).build();
                sink = KafkaSink.open(Map.of("bootstrap.servers", servers, "topic", "p9", "linger.ms", "5",
                        "hub", "p9"), e -> e, null);
                hub.attach(new Counted(sink));
            }
        }

        long producerLoop() {
            long before = acked.get();
            for (int i = 0; i < WRITE_BATCH; i++) {
                producer.send(record(++seq), (metadata, failure) -> {
                    if (failure == null) {
                        acked.incrementAndGet();
                    }
                });
            }
            producer.flush();
            return check(acked.get() - before, WRITE_BATCH);
        }

        long kafkaSink() throws InterruptedException {
            sinkDone = new CountDownLatch(1);
            for (int i = 0; i < WRITE_BATCH; i++) {
                hub.publish(TEXT);
            }
            sinkTarget += WRITE_BATCH;
            // Once the sink has handed the last record to the producer, wait for the acks as producerLoop does (its
            // flush()): sync() is the producer's flush. Waiting on a latch, not polling a counter: on 2 cores a
            // thread waking every 100 us took CPU from the sink, the producer's I/O thread and the broker, which
            // producerLoop does not have beside it.
            sinkDone.await();
            try {
                sink.sync();
            } catch (java.io.IOException e) {
                throw new IllegalStateException(e);
            }
            if (sink.failed() > 0 || sink.acknowledged() != sinkTarget) {
                throw new IllegalStateException("kafka sink: " + sink.acknowledged() + " of " + sinkTarget
                        + " acknowledged: " + sink.lastFailure());
            }
            return check(WRITE_BATCH, WRITE_BATCH);
        }

        /** The kafka sink, counting what it was handed: the invocation's end is known without polling. */
        private final class Counted implements Sink<String> {
            private final Sink<String> sink;
            private long accepted;

            Counted(Sink<String> sink) {
                this.sink = sink;
            }

            @Override
            public void accept(String event, long sequence, long timestampNanos) throws java.io.IOException {
                try {
                    sink.accept(event, sequence, timestampNanos);
                } finally { // a record the producer refused counts too: the check after sync() reports it
                    if (++accepted % WRITE_BATCH == 0) {
                        sinkDone.countDown();
                    }
                }
            }

            @Override
            public void flush() throws java.io.IOException {
                sink.flush();
            }

            @Override
            public void close() throws java.io.IOException {
                sink.close();
            }
        }

        @TearDown(Level.Trial)
        public void tearDown() throws Exception {
            if (producer != null) {
                producer.close();
            }
            if (hub != null) {
                hub.close();
            }
            cluster.close();
        }
    }

    /** The readers: a plain poll loop, and an ingest into a hub; the topic is filled once. */
    @State(Scope.Benchmark)
    public static class Readers extends Broker {
        @Param({"pollLoop", "ingest"})
        public String impl;

        private EventHub<String> into;
        private volatile CountDownLatch ingestDone;
        /** Written by the dispatcher of {@code into} only; read by the benchmark thread after the latch. */
        private long ingested;

        @Setup(Level.Trial)
        public void setUp() throws Exception {
            startBroker();
            try (KafkaProducer<byte[], byte[]> filler = producer()) {
                for (int i = 0; i < READ_BATCH; i++) {
                    filler.send(record(i));
                }
                filler.flush();
            }
            if (impl.equals("ingest")) {
                // The application's hub, made once as the producers are; each invocation connects an Ingest (a new
                // KafkaSource, so a new consumer, as pollLoop makes one) and stops it.
                into = EventHub.<String>builder().name("p9in").capacity(1 << 14).build();
                into.subscribe(e -> {
                    if (++ingested % READ_BATCH == 0) { // the dispatcher's thread only
                        ingestDone.countDown();
                    }
                });
            }
        }

        long pollLoop() {
            Map<String, Object> config = new HashMap<>();
            config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, servers);
            config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
            long read = 0;
            KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(config, new ByteArrayDeserializer(),
                    new ByteArrayDeserializer());
            try {
                // What a user writes, and what KafkaSource does: find the topic's partitions, assign them all, start
                // at the beginning, poll with the same timeout (500 ms) and the default max.poll.records.
                List<TopicPartition> partitions = consumer.partitionsFor("p9").stream()
                        .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
                consumer.assign(partitions);
                consumer.seekToBeginning(partitions);
                while (read < READ_BATCH) {
                    for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(500))) {
                        if (record.value().length == VALUE.length) { // touch it, as a decoder would
                            read++;
                        }
                    }
                }
            } finally {
                // Without waiting for the fetch the consumer has in flight (it waits fetch.max.wait.ms, 500 ms, on a
                // topic with nothing more): the ingest's consumer is closed the same way. A plain close() here made
                // this baseline ~5x slower than the ingest by timing that wait.
                consumer.close(Duration.ZERO);
            }
            return check(read, READ_BATCH);
        }

        long ingest() throws InterruptedException {
            CountDownLatch all = new CountDownLatch(1);
            ingestDone = all;
            long before = ingested;
            KafkaSource<String> source = KafkaSource.builder(servers, "p9",
                    r -> r.value().length == VALUE.length ? TEXT : null).fromBeginning().build();
            Ingest<String> ingest = Ingest.builder(into, source).start();
            // A latch, not a poll of the count: on two cores a thread waking every few microseconds takes CPU from
            // the ingest and the broker, which the poll loop it is compared with does not have beside it.
            all.await();
            ingest.stop();
            return check(ingested - before, READ_BATCH);
        }

        @TearDown(Level.Trial)
        public void tearDown() throws Exception {
            if (into != null) {
                into.close();
            }
            cluster.close();
        }
    }

    @Benchmark
    @OperationsPerInvocation(WRITE_BATCH)
    public long write(Writers w) throws Exception {
        return switch (w.impl) {
            case "producerLoop" -> w.producerLoop();
            case "kafkaSink" -> w.kafkaSink();
            default -> throw new IllegalStateException(w.impl);
        };
    }

    @Benchmark
    @OperationsPerInvocation(READ_BATCH)
    public long read(Readers r) throws Exception {
        return switch (r.impl) {
            case "pollLoop" -> r.pollLoop();
            case "ingest" -> r.ingest();
            default -> throw new IllegalStateException(r.impl);
        };
    }

    private static long check(long n, long expected) {
        if (n != expected) {
            throw new IllegalStateException("expected " + expected + " records, got " + n);
        }
        return n;
    }
}
