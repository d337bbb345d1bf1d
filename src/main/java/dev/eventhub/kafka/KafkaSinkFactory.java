package dev.eventhub.kafka;

import dev.eventhub.Sink;
import dev.eventhub.io.SinkFactory;
import dev.eventhub.io.Sinks;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * The {@code kafka} sink kind of {@link Sinks}: sends each event to one topic through an idempotent producer.
 *
 * <p><b>Options.</b> {@code bootstrap.servers} ({@code host:port[,host:port...]}) and {@code topic} are required;
 * {@code acks} ({@code all}, the default, or {@code -1}), {@code compression.type} ({@code none}, {@code gzip},
 * {@code snappy}, {@code lz4}, {@code zstd}), {@code linger.ms} (0 or more), {@code hub} (the value of the
 * {@code eventhub-hub} header, default {@code eventhub}), {@code close.timeout.ms} (how long closing waits for
 * records in flight, default 5000) and {@code kafka.<property>} (any other producer setting, passed on) are optional.
 * Every value is checked before anything connects; a wrong one is named in the exception with its value.
 *
 * <p><b>Records.</b> The value is the encoder's text in UTF-8; the key is null (the producer spreads records over
 * the partitions), or, through {@link KafkaSink#open(Map, Function, Function)}, the key function's text, such as
 * the hub's topic, which keeps each key's events in order in one partition. The record's timestamp is the hub's
 * stamp (milliseconds), so a reader's {@code since} means the same time as the hub's. Headers: {@code eventhub-seq}
 * (the hub's sequence), {@code eventhub-time} (its stamp in nanoseconds since the epoch), both as decimal text, and
 * {@code eventhub-hub}.
 *
 * <p><b>Guarantees.</b> The producer is idempotent ({@code enable.idempotence=true}, {@code acks=all}), so a retry
 * never duplicates a record. Attached with {@code hub.attach(sink)} the sink is a lossless async ({@code BLOCK})
 * subscription: a slow broker pushes back on the hub's producers instead of filling memory. Sends are
 * asynchronous: when the attachment has caught up the sink does not wait for the broker's answers (that would stall
 * it a round trip per batch); each record leaves within {@code linger.ms}, and {@link KafkaSink#sync()} waits for
 * the answers when a caller needs them. A record the producer refuses at once (no metadata within
 * {@code kafka.max.block.ms}, too large) makes {@code accept} throw; one that fails later (its
 * {@code kafka.delivery.timeout.ms} ran out) is reported and counted by the next {@code accept}, which throws for
 * it after sending its own record: so {@code notWritten()} of the attachment counts every record Kafka did not take,
 * and {@link KafkaSink#failed()} too. Closing flushes and waits at most {@code close.timeout.ms}.
 *
 * <p>This class touches no Kafka class until a sink is opened (or a {@code kafka.} option is checked), so it loads
 * without kafka-clients.
 */
public final class KafkaSinkFactory implements SinkFactory {
    /** The name of the kind in {@link Sinks}. */
    public static final String NAME = "kafka";
    /** The prefix of producer settings passed on as they are. */
    public static final String PASS_THROUGH = "kafka.";

    static final Set<String> COMPRESSION = Set.of("none", "gzip", "snappy", "lz4", "zstd");
    /** Settings the sink decides and a {@code kafka.} option may not change. */
    static final Set<String> RESERVED = Set.of("bootstrap.servers", "acks", "compression.type", "linger.ms",
            "enable.idempotence", "key.serializer", "value.serializer");
    private static final Pattern TOPIC = Pattern.compile("[a-zA-Z0-9._-]{1,249}");
    private static final Pattern SERVER = Pattern.compile("\\[?([^\\s,\\[\\]]+?)]?:(\\d{1,5})");

    /** Whether kafka-clients can be loaded; checked by name, so that this class loads without it. */
    static final boolean KAFKA_PRESENT = present();

    /** A factory; {@link Sinks} registers one as {@code kafka}. */
    public KafkaSinkFactory() {
    }

    @Override
    public Map<String, String> options() {
        Map<String, String> options = new LinkedHashMap<>();
        options.put("bootstrap.servers", "the brokers to start from: host:port[,host:port...] (required)");
        options.put("topic", "the topic to write to (required)");
        options.put("acks", "all or -1: the producer is idempotent and waits for every in-sync replica (default all)");
        options.put("compression.type", "none, gzip, snappy, lz4 or zstd (default none)");
        options.put("linger.ms", "how long the producer waits to fill a batch, 0 or more (default 5)");
        options.put("hub", "the value of the eventhub-hub header (default eventhub)");
        options.put("close.timeout.ms", "how long closing waits for records in flight, 0 or more (default 5000)");
        if (KAFKA_PRESENT) {
            for (String name : new TreeSet<>(KafkaSink.producerSettings())) {
                if (!RESERVED.contains(name)) {
                    options.put(PASS_THROUGH + name, "the producer setting " + name + ", passed on");
                }
            }
        }
        return options;
    }

    @Override
    public Set<String> required() {
        return Set.of("bootstrap.servers", "topic");
    }

    @Override
    public void validate(Map<String, String> options) {
        Settings.of(options);
    }

    @Override
    public <T> Sink<T> open(Map<String, String> options, Function<? super T, String> encoder) throws IOException {
        requireKafka("the kafka sink");
        return KafkaSink.open(options, encoder, null);
    }

    /** Checks what the registry checks (unknown, missing, null), for {@link KafkaSink#open} called directly. */
    void check(Map<String, String> options) {
        Map<String, String> known = options();
        options.forEach((option, value) -> {
            if (option == null) {
                throw new NullPointerException("option name: null for sink 'kafka'");
            }
            if (!known.containsKey(option)) {
                throw new IllegalArgumentException("unknown option '" + option + "' for sink 'kafka' (known: "
                        + new TreeSet<>(known.keySet()) + ")");
            }
            if (value == null) {
                throw new NullPointerException(option + ": null for sink 'kafka' (expected: a value)");
            }
        });
        for (String option : new TreeSet<>(required())) {
            if (!options.containsKey(option)) {
                throw new IllegalArgumentException("missing option '" + option + "' for sink 'kafka' ("
                        + known.get(option) + ")");
            }
        }
    }

    private static boolean present() {
        try {
            Class.forName("org.apache.kafka.clients.producer.KafkaProducer", false,
                    KafkaSinkFactory.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException | LinkageError absent) {
            return false;
        }
    }

    /** Fails clearly when kafka-clients is missing. */
    static void requireKafka(String what) {
        if (!KAFKA_PRESENT) {
            throw new IllegalStateException(what + " needs org.apache.kafka:kafka-clients (4.x) on the class path or "
                    + "module path; it is an optional dependency of eventhub, add it to use the Kafka bridge");
        }
    }

    static IllegalArgumentException invalid(String option, String value, String expected) {
        return new IllegalArgumentException(option + ": \"" + value + "\" (expected: " + expected + ")");
    }

    /** The validated options. */
    record Settings(String bootstrapServers, String topic, String acks, String compression, int lingerMs, String hub,
                    long closeTimeoutMs, Map<String, String> passThrough) {
        static Settings of(Map<String, String> options) {
            String servers = options.get("bootstrap.servers");
            if (servers == null || servers.isBlank()) {
                throw invalid("bootstrap.servers", servers, "host:port[,host:port...]");
            }
            for (String server : servers.split(",", -1)) {
                var m = SERVER.matcher(server.trim());
                if (!m.matches() || Integer.parseInt(m.group(2)) < 1 || Integer.parseInt(m.group(2)) > 65_535) {
                    throw invalid("bootstrap.servers", servers, "host:port[,host:port...] with ports from 1 to 65535; "
                            + "'" + server + "' is not one");
                }
            }
            String topic = options.get("topic");
            if (topic == null || !TOPIC.matcher(topic).matches() || topic.equals(".") || topic.equals("..")) {
                throw invalid("topic", topic, "a Kafka topic name: 1 to 249 of a-z A-Z 0-9 . _ -, not . or ..");
            }
            String acks = options.getOrDefault("acks", "all");
            if (!acks.equals("all") && !acks.equals("-1")) {
                throw invalid("acks", acks, "all or -1: the sink's producer is idempotent");
            }
            String compression = options.getOrDefault("compression.type", "none");
            if (!COMPRESSION.contains(compression)) {
                throw invalid("compression.type", compression, "one of " + new TreeSet<>(COMPRESSION));
            }
            int linger = (int) number("linger.ms", options.getOrDefault("linger.ms", "5"), Integer.MAX_VALUE);
            String hub = options.getOrDefault("hub", "eventhub");
            if (hub.isBlank() || hub.chars().anyMatch(Character::isISOControl)) {
                throw invalid("hub", hub, "a non-blank name without control characters");
            }
            long close = number("close.timeout.ms", options.getOrDefault("close.timeout.ms", "5000"), Long.MAX_VALUE);
            Map<String, String> passThrough = new LinkedHashMap<>();
            options.forEach((option, value) -> {
                if (option.startsWith(PASS_THROUGH)) {
                    String name = option.substring(PASS_THROUGH.length());
                    if (RESERVED.contains(name)) {
                        throw invalid(option, value, "not set through kafka.: the sink decides " + name);
                    }
                    passThrough.put(name, value);
                }
            });
            Settings settings = new Settings(servers, topic, acks, compression, linger, hub, close, passThrough);
            if (!passThrough.isEmpty() && KAFKA_PRESENT) {
                KafkaSink.checkProducerSettings(settings);
            }
            return settings;
        }

        private static long number(String option, String value, long max) {
            try {
                long n = Long.parseLong(value);
                if (n >= 0 && n <= max) {
                    return n;
                }
            } catch (NumberFormatException notANumber) {
                // below
            }
            throw invalid(option, value, "a whole number from 0 to " + max);
        }
    }
}
