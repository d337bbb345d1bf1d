package dev.eventhub.kafka;

import dev.eventhub.internal.Checks;
import dev.eventhub.io.EventSource;
import dev.eventhub.io.Ingest;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * An {@link EventSource} that reads one Kafka topic, for {@link Ingest}: {@code Ingest.builder(hub,
 * KafkaSource.builder(servers, topic, decoder).fromBeginning().build()).start()}.
 *
 * <p><b>Where it starts.</b> On the first connection, each partition starts at the consumer group's committed
 * offset if a {@link Builder#group group} is given and has one; otherwise at the {@link Builder#since time} given
 * (the first record whose timestamp is at or after it, found with the broker's time index; the end of the partition
 * if there is none), at the {@link Builder#fromBeginning beginning}, or at the {@link Builder#fromEnd end} (the
 * default: like a plain hub subscription, only what comes next).
 *
 * <p><b>Resume.</b> The source remembers, per partition, the last record whose item the ingest published into the
 * hub (the ingest asks for more only after publishing what it was given: an item, or the batch of
 * items at hand that {@link Connection#next(List, int)} hands over, published together). Every reconnect starts each
 * partition right after it: within the process, nothing is lost or repeated.
 *
 * <p><b>Consumer group.</b> With a group, the source commits those same offsets, only what the hub accepted, after
 * each poll and when the connection closes. Across restarts of the process this is <em>at least once</em>: what
 * the hub accepted after the last commit is read again. Partitions are assigned by the source, not by the group
 * (no rebalancing): the group only stores the offsets.
 *
 * <p><b>Records the decoder rejects</b> (it throws, or returns null) are reported with topic, partition and offset,
 * then skipped ({@link OnDecodeFailure#SKIP}, the default; counted in {@link #skipped()}) or, with
 * {@link OnDecodeFailure#FAIL}, fatal: the connection fails with a {@link DecodeException}, and every later
 * {@code open} fails with it too, so the ingest goes no further than that record and reports it.
 *
 * <p>One source feeds one ingest.
 *
 * @param <T> the event type
 */
public final class KafkaSource<T> implements EventSource<T> {
    private static final System.Logger LOG = System.getLogger("dev.eventhub");
    private static final Pattern TOPIC = Pattern.compile("[a-zA-Z0-9._-]{1,249}");
    private static final Duration METADATA_TIMEOUT = Duration.ofSeconds(30);

    /** What a record the decoder rejects does. */
    public enum OnDecodeFailure {
        /** Reported and skipped. */
        SKIP,
        /** Reported, then the source fails and goes no further. */
        FAIL
    }

    /**
     * Turns a record into an item.
     *
     * @param <T> the event type
     */
    @FunctionalInterface
    public interface Decoder<T> {
        /**
         * Decodes one record.
         *
         * @param record the record, with its key, value, headers, partition and offset
         * @return the item; null counts as a rejection
         * @throws Exception if the record cannot be decoded
         */
        T decode(ConsumerRecord<byte[], byte[]> record) throws Exception;
    }

    /** A record the decoder rejected, with where it is. */
    public static final class DecodeException extends IOException {
        private static final long serialVersionUID = 1L;

        DecodeException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private enum Start { BEGINNING, END, TIME }

    private final String servers;
    private final String topic;
    private final Decoder<? extends T> decoder;
    private final int[] partitions;
    private final Start start;
    private final Instant since;
    private final String group;
    private final OnDecodeFailure onDecodeFailure;
    private final Duration pollTimeout;
    private final Map<String, String> properties;

    /**
     * By partition number, the next offset to read: right after the last record published (or skipped); -1 where
     * none is fixed yet. An array, not a map: the ingest's thread writes it once per record.
     */
    private long[] next = new long[0];
    private boolean resolved;
    /**
     * The last item handed to the ingest, and where the partitions of its batch go on once the ingest has published
     * it: by partition, the offset after the batch's last record (published or skipped). {@code pendingCount}
     * entries; the records of one poll come partition by partition, so there are few.
     */
    private T pendingItem;
    private int[] pendingPartitions = new int[4];
    private long[] pendingOffsets = new long[4];
    private int pendingCount;
    /** Whether {@code next} moved since the last commit to the group. */
    private boolean uncommitted;
    private volatile DecodeException fatal;
    private final AtomicLong skipped = new AtomicLong();

    private KafkaSource(Builder<T> builder) {
        this.servers = builder.servers;
        this.topic = builder.topic;
        this.decoder = builder.decoder;
        this.partitions = builder.partitions;
        this.start = builder.start;
        this.since = builder.since;
        this.group = builder.group;
        this.onDecodeFailure = builder.onDecodeFailure;
        this.pollTimeout = builder.pollTimeout;
        this.properties = Map.copyOf(builder.properties);
    }

    /**
     * A source to configure.
     *
     * @param bootstrapServers {@code host:port[,host:port...]}
     * @param topic            the topic to read
     * @param decoder          turns a record into an item
     * @param <T>              the event type
     * @return the builder
     * @throws NullPointerException     if an argument is null
     * @throws IllegalArgumentException if {@code bootstrapServers} or {@code topic} is malformed
     * @throws IllegalStateException    if kafka-clients is not on the class path
     */
    public static <T> Builder<T> builder(String bootstrapServers, String topic, Decoder<? extends T> decoder) {
        KafkaSinkFactory.requireKafka("KafkaSource");
        Objects.requireNonNull(bootstrapServers, "bootstrapServers: null (expected: host:port[,host:port...])");
        Objects.requireNonNull(topic, "topic: null (expected: a Kafka topic name)");
        Objects.requireNonNull(decoder, "decoder: null (expected: a function from a record to an item)");
        KafkaSinkFactory.Settings.of(Map.of("bootstrap.servers", bootstrapServers, "topic", "t"));
        if (!TOPIC.matcher(topic).matches() || topic.equals(".") || topic.equals("..")) {
            throw KafkaSinkFactory.invalid("topic", topic, "a Kafka topic name: 1 to 249 of a-z A-Z 0-9 . _ -, "
                    + "not . or ..");
        }
        return new Builder<>(bootstrapServers, topic, decoder);
    }

    /**
     * Options of a {@link KafkaSource}.
     *
     * @param <T> the event type
     */
    public static final class Builder<T> {
        private final String servers;
        private final String topic;
        private final Decoder<? extends T> decoder;
        private int[] partitions;
        private Start start = Start.END;
        private Instant since;
        private String group;
        private OnDecodeFailure onDecodeFailure = OnDecodeFailure.SKIP;
        private Duration pollTimeout = Duration.ofMillis(500);
        private final Map<String, String> properties = new LinkedHashMap<>();

        private Builder(String servers, String topic, Decoder<? extends T> decoder) {
            this.servers = servers;
            this.topic = topic;
            this.decoder = decoder;
        }

        /**
         * Reads only these partitions (default: all of the topic's).
         *
         * @param partitions partition numbers, 0 or more each, at least one, no repeats
         * @return this builder
         * @throws NullPointerException     if {@code partitions} is null
         * @throws IllegalArgumentException if empty, negative or repeated
         */
        public Builder<T> partitions(int... partitions) {
            Objects.requireNonNull(partitions, "partitions: null (expected: partition numbers)");
            if (partitions.length == 0 || Arrays.stream(partitions).anyMatch(p -> p < 0)
                    || Arrays.stream(partitions).distinct().count() != partitions.length) {
                throw new IllegalArgumentException("partitions: " + Arrays.toString(partitions)
                        + " (expected: at least one partition number, each 0 or more, no repeats)");
            }
            this.partitions = partitions.clone();
            return this;
        }

        /**
         * Starts with the oldest record each partition still has.
         *
         * @return this builder
         */
        public Builder<T> fromBeginning() {
            this.start = Start.BEGINNING;
            this.since = null;
            return this;
        }

        /**
         * Starts with the records written after the first connection (the default).
         *
         * @return this builder
         */
        public Builder<T> fromEnd() {
            this.start = Start.END;
            this.since = null;
            return this;
        }

        /**
         * Starts, in each partition, at the first record whose timestamp is at or after {@code time} (inclusive, as
         * the hub's {@code since}); the timestamp is the hub's stamp for records written by the {@code kafka} sink.
         *
         * @param time where to start
         * @return this builder
         * @throws NullPointerException     if {@code time} is null
         * @throws IllegalArgumentException if before the epoch
         */
        public Builder<T> since(Instant time) {
            Objects.requireNonNull(time, "since: null (expected: an instant)");
            if (time.isBefore(Instant.EPOCH)) {
                throw new IllegalArgumentException("since: " + time + " (expected: at or after " + Instant.EPOCH
                        + "; Kafka timestamps are milliseconds since the epoch)");
            }
            this.start = Start.TIME;
            this.since = time;
            return this;
        }

        /**
         * Stores the offsets of what the hub accepted in this consumer group, and starts from them when it has some.
         *
         * @param groupId the group
         * @return this builder
         * @throws NullPointerException     if {@code groupId} is null
         * @throws IllegalArgumentException if blank or with control characters
         */
        public Builder<T> group(String groupId) {
            Objects.requireNonNull(groupId, "group: null (expected: a consumer group id)");
            if (groupId.isBlank() || groupId.chars().anyMatch(Character::isISOControl)) {
                throw new IllegalArgumentException("group: \"" + groupId
                        + "\" (expected: a non-blank group id without control characters)");
            }
            this.group = groupId;
            return this;
        }

        /**
         * What a record the decoder rejects does (default {@link OnDecodeFailure#SKIP}).
         *
         * @param policy skip or fail
         * @return this builder
         * @throws NullPointerException if {@code policy} is null
         */
        public Builder<T> onDecodeFailure(OnDecodeFailure policy) {
            this.onDecodeFailure = Objects.requireNonNull(policy,
                    "onDecodeFailure: null (expected: SKIP or FAIL)");
            return this;
        }

        /**
         * How long one poll waits for records (default 500 ms).
         *
         * @param timeout positive
         * @return this builder
         * @throws NullPointerException     if {@code timeout} is null
         * @throws IllegalArgumentException if not positive
         */
        public Builder<T> pollTimeout(Duration timeout) {
            Objects.requireNonNull(timeout, "pollTimeout: null (expected: a positive duration)");
            if (timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("pollTimeout: " + timeout + " (expected: > 0)");
            }
            this.pollTimeout = timeout;
            return this;
        }

        /**
         * Passes a consumer setting on (such as {@code max.poll.records} or security settings).
         *
         * @param name  a consumer setting other than the ones the source decides (bootstrap servers, group,
         *              deserializers, auto commit)
         * @param value its value
         * @return this builder
         * @throws NullPointerException     if an argument is null
         * @throws IllegalArgumentException if Kafka does not know the setting, rejects the value, or the source
         *                                  decides it
         */
        public Builder<T> property(String name, String value) {
            Objects.requireNonNull(name, "property name: null (expected: a consumer setting)");
            Objects.requireNonNull(value, name + ": null (expected: a value)");
            if (!ConsumerConfig.configNames().contains(name)) {
                throw new IllegalArgumentException("property: \"" + name + "\" (expected: a Kafka consumer setting)");
            }
            if (List.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, ConsumerConfig.GROUP_ID_CONFIG,
                    ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG,
                    ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG).contains(name)) {
                throw new IllegalArgumentException("property: \"" + name + "\" (expected: a setting the source does "
                        + "not decide; use the builder's own methods)");
            }
            Map<String, Object> config = new HashMap<>(Map.of(
                    ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, servers,
                    ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName(),
                    ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName()));
            config.put(name, value);
            try {
                new ConsumerConfig(config);
            } catch (ConfigException rejected) {
                throw new IllegalArgumentException(name + ": \"" + value + "\" (expected: a value Kafka accepts: "
                        + rejected.getMessage() + ")", rejected);
            }
            properties.put(name, value);
            return this;
        }

        /** {@return the source} */
        public KafkaSource<T> build() {
            return new KafkaSource<>(this);
        }
    }

    /** {@return records the decoder rejected and the source skipped} */
    public long skipped() {
        return skipped.get();
    }

    @Override
    public synchronized Connection<T> open(T resumeAfter) throws Exception {
        DecodeException stop = fatal;
        if (stop != null) {
            throw stop;
        }
        if (pendingItem != null && resumeAfter == pendingItem) {
            settle(); // the ingest published the last batch before the last connection ended
        }
        pendingItem = null;
        pendingCount = 0;
        Map<String, Object> config = new HashMap<>(properties);
        config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, servers);
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        config.putIfAbsent(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        if (group != null) {
            config.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        }
        KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(config, new ByteArrayDeserializer(),
                new ByteArrayDeserializer());
        try {
            List<TopicPartition> assigned = partitions(consumer);
            consumer.assign(assigned);
            position(consumer, assigned);
            return new KafkaConnection(consumer);
        } catch (Exception | Error failure) {
            consumer.close(Duration.ZERO);
            throw failure;
        }
    }

    private List<TopicPartition> partitions(KafkaConsumer<byte[], byte[]> consumer) throws IOException {
        List<PartitionInfo> infos = consumer.partitionsFor(topic, METADATA_TIMEOUT);
        if (infos == null || infos.isEmpty()) {
            throw new IOException("topic '" + topic + "' at " + servers + " has no partitions (does it exist?)");
        }
        TreeSet<Integer> existing = new TreeSet<>();
        infos.forEach(info -> existing.add(info.partition()));
        List<TopicPartition> assigned = new ArrayList<>();
        if (partitions == null) {
            existing.forEach(p -> assigned.add(new TopicPartition(topic, p)));
        } else {
            for (int p : partitions) {
                if (!existing.contains(p)) {
                    throw new IOException("partition " + p + " of topic '" + topic + "' does not exist (it has "
                            + existing + ")");
                }
                assigned.add(new TopicPartition(topic, p));
            }
        }
        return assigned;
    }

    /** Seeks every partition: where the last connection left it, or where the options say the first time. */
    private void position(KafkaConsumer<byte[], byte[]> consumer, List<TopicPartition> assigned) {
        List<TopicPartition> fresh = new ArrayList<>();
        for (TopicPartition tp : assigned) {
            long offset = tp.partition() < next.length ? next[tp.partition()] : -1;
            if (offset >= 0) {
                consumer.seek(tp, offset);
            } else {
                fresh.add(tp);
            }
        }
        if (fresh.isEmpty()) {
            return;
        }
        List<TopicPartition> unset = new ArrayList<>(fresh);
        if (group != null && !resolved) {
            Map<TopicPartition, OffsetAndMetadata> committed = consumer.committed(new java.util.HashSet<>(fresh),
                    METADATA_TIMEOUT);
            committed.forEach((tp, at) -> {
                if (at != null) {
                    consumer.seek(tp, at.offset());
                    setNext(tp.partition(), at.offset());
                    unset.remove(tp);
                }
            });
        }
        // Where a partition starts is fixed now, so that a reconnect resumes there and not at a later end: from the
        // committed offsets and the time index, as found; at the beginning or the end, by asking the broker (one
        // round trip for all of them, which the first poll would otherwise make).
        List<TopicPartition> asked = new ArrayList<>();
        List<TopicPartition> atEnd = new ArrayList<>();
        if (!unset.isEmpty()) {
            switch (start) {
                case BEGINNING -> {
                    consumer.seekToBeginning(unset);
                    asked.addAll(unset);
                }
                case END -> atEnd.addAll(unset);
                case TIME -> {
                    Map<TopicPartition, Long> query = new HashMap<>();
                    unset.forEach(tp -> query.put(tp, since.toEpochMilli()));
                    Map<TopicPartition, OffsetAndTimestamp> found = consumer.offsetsForTimes(query, METADATA_TIMEOUT);
                    for (TopicPartition tp : unset) {
                        OffsetAndTimestamp at = found.get(tp);
                        if (at == null) {
                            atEnd.add(tp); // no record from that time yet: what comes next
                        } else {
                            consumer.seek(tp, at.offset());
                            setNext(tp.partition(), at.offset());
                        }
                    }
                }
            }
        }
        if (!atEnd.isEmpty()) { // an empty list would move every assigned partition to its end
            consumer.seekToEnd(atEnd);
            asked.addAll(atEnd);
        }
        for (TopicPartition tp : asked) {
            setNext(tp.partition(), consumer.position(tp, METADATA_TIMEOUT));
        }
        resolved = true;
    }

    /** The last batch was published (or skipped): its partitions go on after it. Under the source's lock. */
    private void settle() {
        for (int i = 0; i < pendingCount; i++) {
            setNext(pendingPartitions[i], pendingOffsets[i]);
        }
        if (pendingCount > 0) {
            uncommitted = true;
        }
        pendingCount = 0;
        pendingItem = null;
    }

    /** Fixes where a partition goes on: the next offset to read. Under the source's lock. */
    private void setNext(int partition, long offset) {
        if (partition >= next.length) {
            long[] grown = Arrays.copyOf(next, Math.max(partition + 1, 2 * next.length));
            Arrays.fill(grown, next.length, grown.length, -1L);
            next = grown;
        }
        next[partition] = offset;
    }

    /** One consumer; used by the ingest's thread only, but for {@link #close()} from {@code Ingest.stop()}. */
    private final class KafkaConnection implements Connection<T> {
        private final KafkaConsumer<byte[], byte[]> consumer;
        private final Thread owner = Thread.currentThread();
        private Iterator<ConsumerRecord<byte[], byte[]>> records = Collections.emptyIterator();
        private volatile boolean closed;
        private boolean released;

        KafkaConnection(KafkaConsumer<byte[], byte[]> consumer) {
            this.consumer = consumer;
        }

        @Override
        public T next() throws Exception {
            synchronized (KafkaSource.this) {
                return take(null, 1);
            }
        }

        @Override
        public boolean next(List<? super T> batch, int max) throws Exception {
            Checks.notNull("batch", batch);
            Checks.positive("max", max);
            synchronized (KafkaSource.this) {
                take(batch, max);
                return true;
            }
        }

        /**
         * Confirms the last batch (the ingest asked for more: it published it), then takes up to {@code max} items
         * from the records at hand, polling only while there are none. Adds them to {@code batch} unless it is null
         * (then {@code max} is 1); returns the last, which becomes {@code pendingItem}. Under the source's lock.
         */
        private T take(List<? super T> batch, int max) throws Exception {
            settle();
            DecodeException stop = fatal;
            if (stop != null) {
                throw stop;
            }
            T last = null;
            int added = 0;
            while (true) {
                while (added < max && records.hasNext()) {
                    ConsumerRecord<byte[], byte[]> record = records.next();
                    T item;
                    try {
                        item = decode(record);
                    } catch (DecodeException fatalRecord) {
                        if (added > 0) {
                            pendingItem = last;
                            return last; // these first; the next call throws it (fatal is set)
                        }
                        throw fatalRecord;
                    }
                    mark(record.partition(), record.offset() + 1);
                    if (item != null) {
                        last = item;
                        added++;
                        if (batch != null) {
                            batch.add(item);
                        }
                    }
                }
                if (added > 0) {
                    pendingItem = last;
                    return last;
                }
                settle(); // only skipped records so far: nothing of them waits for the ingest
                commit(false);
                if (closed) {
                    throw new IOException("the connection to topic '" + topic + "' was closed");
                }
                records = consumer.poll(pollTimeout).iterator();
            }
        }

        /** Notes where a partition goes on once the current batch is published. Under the source's lock. */
        private void mark(int partition, long offset) {
            for (int i = pendingCount - 1; i >= 0; i--) {
                if (pendingPartitions[i] == partition) {
                    pendingOffsets[i] = offset;
                    return;
                }
            }
            if (pendingCount == pendingPartitions.length) {
                pendingPartitions = Arrays.copyOf(pendingPartitions, 2 * pendingCount);
                pendingOffsets = Arrays.copyOf(pendingOffsets, 2 * pendingCount);
            }
            pendingPartitions[pendingCount] = partition;
            pendingOffsets[pendingCount++] = offset;
        }

        private T decode(ConsumerRecord<byte[], byte[]> record) throws DecodeException {
            T item;
            Exception failure = null;
            try {
                item = decoder.decode(record);
            } catch (Exception e) {
                item = null;
                failure = e;
            }
            if (item != null) {
                return item;
            }
            String where = "topic '" + record.topic() + "' partition " + record.partition() + " offset "
                    + record.offset();
            String why = failure == null ? "the decoder returned null" : "the decoder failed: " + failure;
            if (onDecodeFailure == OnDecodeFailure.FAIL) {
                DecodeException stop = new DecodeException("record at " + where + " rejected (" + why
                        + "); the source stops here (onDecodeFailure FAIL)", failure);
                fatal = stop;
                LOG.log(Level.ERROR, stop.getMessage(), failure);
                throw stop;
            }
            long count = skipped.incrementAndGet();
            LOG.log(Level.WARNING, "record at " + where + " skipped: " + why + " (" + count + " skipped so far)",
                    failure);
            return null;
        }

        private void commit(boolean sync) {
            if (group == null || !uncommitted) {
                return;
            }
            Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
            for (int p = 0; p < next.length; p++) {
                if (next[p] >= 0) {
                    offsets.put(new TopicPartition(topic, p), new OffsetAndMetadata(next[p]));
                }
            }
            uncommitted = false;
            if (sync) {
                consumer.commitSync(offsets, Duration.ofSeconds(5));
            } else {
                consumer.commitAsync(offsets, (done, failure) -> {
                    if (failure != null) {
                        LOG.log(Level.DEBUG, "commit to group '" + group + "' failed; the next one carries it on",
                                failure);
                    }
                });
            }
        }

        @Override
        public void close() {
            closed = true;
            if (Thread.currentThread() != owner) {
                consumer.wakeup(); // the owner's poll throws, and the owner closes the consumer
                return;
            }
            synchronized (KafkaSource.this) {
                if (released) {
                    return;
                }
                released = true;
                try {
                    commit(true);
                } catch (RuntimeException e) {
                    if (!(e instanceof WakeupException)) {
                        LOG.log(Level.WARNING, "closing: commit to group '" + group + "' failed", e);
                    }
                } finally {
                    // Nothing left to wait for: the offsets were committed just above, synchronously, and an
                    // assigned consumer has no group membership to leave. A longer timeout only waits for the fetch
                    // in flight (up to fetch.max.wait.ms, 500 ms) and for the answers to closing its fetch sessions,
                    // which the broker expires by itself: Ingest.stop() took half a second that way.
                    consumer.close(Duration.ZERO);
                }
            }
        }
    }

    @Override
    public String toString() {
        StringBuilder offsets = new StringBuilder("{");
        synchronized (this) {
            for (int p = 0; p < next.length; p++) {
                if (next[p] >= 0) {
                    offsets.append(offsets.length() > 1 ? ", " : "").append(p).append('=').append(next[p]);
                }
            }
        }
        return "KafkaSource{topic=" + topic + ", servers=" + servers + ", next=" + offsets.append('}') + '}';
    }
}
