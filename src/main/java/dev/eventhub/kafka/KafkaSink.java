package dev.eventhub.kafka;

import dev.eventhub.Sink;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The {@code kafka} sink: each event becomes one record of one topic, sent by an idempotent producer. Options,
 * record layout and guarantees are described on {@link KafkaSinkFactory}. Open one through
 * {@code Sinks.open("kafka", options, encoder)}, or with a record key through
 * {@link #open(Map, Function, Function)}, then attach it: {@code hub.attach(sink)}.
 *
 * <p>Called by one thread at a time (the attachment's); the counters may be read from any thread.
 *
 * @param <T> the event type
 */
public final class KafkaSink<T> implements Sink<T> {
    private static final System.Logger LOG = System.getLogger("dev.eventhub");
    /** Header with the hub's sequence of the event, decimal text. */
    public static final String SEQ_HEADER = "eventhub-seq";
    /** Header with the hub's stamp of the event, nanoseconds since the epoch, decimal text. */
    public static final String TIME_HEADER = "eventhub-time";
    /** Header with the hub's name. */
    public static final String HUB_HEADER = "eventhub-hub";

    private final KafkaProducer<byte[], byte[]> producer;
    private final String topic;
    private final String servers;
    private final Function<? super T, String> encoder;
    private final Function<? super T, String> key;
    private final byte[] hub;
    private final Duration closeTimeout;

    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong acknowledged = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    /** Failures reported by callbacks and not yet counted by an {@code accept} that threw for them. */
    private final AtomicLong uncounted = new AtomicLong();
    private volatile Throwable lastFailure;
    private volatile long lastFailedSequence;
    private boolean closed;

    // The callback that runs inside send() on this thread when the producer refuses a record at once.
    private Thread sending;
    private Exception refused;

    private KafkaSink(KafkaSinkFactory.Settings settings, Function<? super T, String> encoder,
                      Function<? super T, String> key) {
        this.topic = settings.topic();
        this.servers = settings.bootstrapServers();
        this.encoder = encoder;
        this.key = key;
        this.hub = settings.hub().getBytes(StandardCharsets.UTF_8);
        this.closeTimeout = Duration.ofMillis(settings.closeTimeoutMs());
        this.producer = new KafkaProducer<>(producerConfig(settings), new ByteArraySerializer(),
                new ByteArraySerializer());
    }

    /**
     * Opens a {@code kafka} sink whose records carry a key, after checking the options as {@code Sinks.open} does.
     *
     * @param options the options described on {@link KafkaSinkFactory}
     * @param encoder turns an event into the record's value (sent as UTF-8)
     * @param key     turns an event into the record's key (sent as UTF-8), such as the hub's topic function; null
     *                for no key
     * @param <T>     the event type
     * @return the open sink
     * @throws NullPointerException     if {@code options}, an option or {@code encoder} is null
     * @throws IllegalArgumentException if an option is unknown, missing or invalid (named with its value)
     * @throws IllegalStateException    if kafka-clients is not on the class path
     */
    public static <T> KafkaSink<T> open(Map<String, String> options, Function<? super T, String> encoder,
                                        Function<? super T, String> key) {
        Objects.requireNonNull(options, "options: null (expected: the sink's options)");
        Objects.requireNonNull(encoder, "encoder: null (expected: a function from an event to its text)");
        KafkaSinkFactory.requireKafka("the kafka sink");
        KafkaSinkFactory factory = new KafkaSinkFactory();
        factory.check(options);
        return new KafkaSink<>(KafkaSinkFactory.Settings.of(options), encoder, key);
    }

    static Set<String> producerSettings() {
        return ProducerConfig.configNames();
    }

    static Map<String, Object> producerConfig(KafkaSinkFactory.Settings settings) {
        Map<String, Object> config = new HashMap<>(settings.passThrough());
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, settings.bootstrapServers());
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        config.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, settings.compression());
        config.put(ProducerConfig.LINGER_MS_CONFIG, Integer.toString(settings.lingerMs()));
        config.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        config.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        return config;
    }

    /** Parses the producer settings without connecting, naming a {@code kafka.} option Kafka rejects. */
    static void checkProducerSettings(KafkaSinkFactory.Settings settings) {
        try {
            new ProducerConfig(producerConfig(settings));
        } catch (ConfigException rejected) {
            String name = rejected.getMessage();
            for (Map.Entry<String, String> option : settings.passThrough().entrySet()) {
                if (name != null && name.contains(" " + option.getKey())) {
                    throw KafkaSinkFactory.invalid(KafkaSinkFactory.PASS_THROUGH + option.getKey(), option.getValue(),
                            "a value Kafka accepts: " + rejected.getMessage());
                }
            }
            throw new IllegalArgumentException("kafka.*: " + settings.passThrough() + " (expected: settings Kafka "
                    + "accepts: " + rejected.getMessage() + ")", rejected);
        }
    }

    @Override
    public void accept(T event, long sequence, long timestampNanos) throws IOException {
        if (closed) {
            throw new IOException("kafka sink for topic '" + topic + "' is closed");
        }
        byte[] value = encoder.apply(event).getBytes(StandardCharsets.UTF_8);
        String k = key == null ? null : key.apply(event);
        RecordHeaders headers = new RecordHeaders();
        headers.add(SEQ_HEADER, Long.toString(sequence).getBytes(StandardCharsets.US_ASCII));
        headers.add(TIME_HEADER, Long.toString(timestampNanos).getBytes(StandardCharsets.US_ASCII));
        headers.add(HUB_HEADER, hub);
        ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(topic, null,
                Math.floorDiv(timestampNanos, 1_000_000L), k == null ? null : k.getBytes(StandardCharsets.UTF_8),
                value, headers);
        refused = null;
        sending = Thread.currentThread();
        try {
            producer.send(record, new Sent(sequence));
        } catch (KafkaException | IllegalStateException e) {
            failed.incrementAndGet();
            lastFailure = e;
            throw new IOException("event " + sequence + " not sent to topic '" + topic + "' at " + servers + ": " + e,
                    e);
        } finally {
            sending = null;
        }
        if (refused != null) {
            throw new IOException("event " + sequence + " not sent to topic '" + topic + "' at " + servers + ": "
                    + refused, refused);
        }
        sent.incrementAndGet();
        if (uncounted.get() > 0 && uncounted.getAndDecrement() > 0) {
            Throwable cause = lastFailure;
            throw new IOException("an earlier event (the last that failed: " + lastFailedSequence + ") was not "
                    + "written to topic '" + topic + "': " + cause + "; it is counted here as not written, and this "
                    + "event " + sequence + " was sent in its place", cause);
        }
    }

    /** The producer's answer for one record. */
    private final class Sent implements Callback {
        private final long sequence;

        Sent(long sequence) {
            this.sequence = sequence;
        }

        @Override
        public void onCompletion(org.apache.kafka.clients.producer.RecordMetadata metadata, Exception exception) {
            if (exception == null) {
                acknowledged.incrementAndGet();
                return;
            }
            long count = failed.incrementAndGet();
            lastFailure = exception;
            lastFailedSequence = sequence;
            if (Thread.currentThread() == sending) {
                refused = exception; // inside send(): accept throws for it
                return;
            }
            uncounted.incrementAndGet();
            if (Long.bitCount(count) == 1) {
                LOG.log(Level.WARNING, "kafka sink: event " + sequence + " was not written to topic '" + topic
                        + "' at " + servers + " (" + count + " failed so far)", exception);
            }
        }
    }

    /**
     * Called by the attachment when it has caught up: does not wait. Every record accepted is already on its way
     * ({@code send} is asynchronous; the producer sends a batch within {@code linger.ms}), and its outcome is
     * counted by its callback: a failure is reported and counted by the next {@code accept}, or by {@code close}.
     * Waiting here for the broker's answers would stall the attachment a round trip per batch while its buffer
     * fills and pushes back on the hub's producers. Use {@link #sync()} to wait for them, {@link #close()} does.
     */
    @Override
    public void flush() {
    }

    /**
     * Sends what the producer holds and waits for the broker's answers to every record accepted so far (Kafka's
     * {@code flush}): for a caller that needs them durable now. Any thread may call it.
     *
     * @throws IOException if the producer could not flush (interrupted, or closed)
     */
    public void sync() throws IOException {
        try {
            producer.flush();
        } catch (KafkaException e) {
            throw new IOException("kafka sink for topic '" + topic + "': flush failed: " + e, e);
        }
    }

    /** Flushes, waiting at most {@code close.timeout.ms} for records in flight, and closes the producer. */
    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        try {
            producer.close(closeTimeout);
        } catch (KafkaException e) {
            throw new IOException("kafka sink for topic '" + topic + "': close failed: " + e, e);
        }
        long lost = uncounted.getAndSet(0);
        if (lost > 0) {
            LOG.log(Level.WARNING, "kafka sink: " + lost + " events failed after the last one written to topic '"
                    + topic + "'; counted in failed() (" + failed.get() + " in all)", lastFailure);
        }
    }

    /** {@return records handed to the producer} */
    public long sent() {
        return sent.get();
    }

    /** {@return records the broker acknowledged} */
    public long acknowledged() {
        return acknowledged.get();
    }

    /** {@return records Kafka did not take: refused at once or failed later} */
    public long failed() {
        return failed.get();
    }

    /** {@return the last failure, or null} */
    public Throwable lastFailure() {
        return lastFailure;
    }

    @Override
    public String toString() {
        return "KafkaSink{topic=" + topic + ", servers=" + servers + ", sent=" + sent + ", acknowledged="
                + acknowledged + ", failed=" + failed + '}';
    }
}
