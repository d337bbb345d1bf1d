package dev.eventhub.io;

import dev.eventhub.Sink;
import dev.eventhub.internal.Checks;
import java.io.IOException;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * The registry of sink kinds by name, like Docker's log-driver registry. {@code json-file} and {@code kafka} (see
 * {@link dev.eventhub.kafka.KafkaSinkFactory}) are registered from the start; {@code kafka} validates its options
 * without kafka-clients, and opening one needs it. Thread-safe.
 */
public final class Sinks {
    private static final Map<String, SinkFactory> FACTORIES = new ConcurrentHashMap<>();

    static {
        FACTORIES.put(JsonFileSink.NAME, new JsonFileSink.Factory());
        // Touches no Kafka class until a kafka sink is opened, so this registry loads without kafka-clients.
        FACTORIES.put(dev.eventhub.kafka.KafkaSinkFactory.NAME, new dev.eventhub.kafka.KafkaSinkFactory());
    }

    private Sinks() {
    }

    /**
     * Registers a kind of sink.
     *
     * @param name    its name, as given to {@link #open}
     * @param factory makes and validates it
     * @throws NullPointerException     if an argument is null
     * @throws IllegalArgumentException if {@code name} is blank or already registered
     */
    public static void register(String name, SinkFactory factory) {
        Checks.name("name", name);
        Checks.notNull("factory", factory);
        if (FACTORIES.putIfAbsent(name, factory) != null) {
            throw new IllegalArgumentException("name: \"" + name + "\" (expected: a name not yet registered; a sink "
                    + "named '" + name + "' is already registered)");
        }
    }

    /** {@return the names of the registered kinds of sink, in alphabetical order} */
    public static Set<String> names() {
        // Not Set.copyOf: its iteration order changes from one JVM to the next, and callers print this set.
        return java.util.Collections.unmodifiableSortedSet(new TreeSet<>(FACTORIES.keySet()));
    }

    /**
     * Opens a sink of a registered kind after checking its options: every option must be known to that kind, every
     * required one present, and each value valid.
     *
     * @param name    the kind, such as {@code json-file}
     * @param options option name to value
     * @param encoder turns an event into the text the sink writes
     * @param <T>     the event type
     * @return the open sink
     * @throws NullPointerException     if an argument, an option name or a value is null
     * @throws IllegalArgumentException if no such kind is registered, or an option is unknown, missing or invalid
     * @throws IOException              if the sink cannot be opened
     */
    public static <T> Sink<T> open(String name, Map<String, String> options, Function<? super T, String> encoder)
            throws IOException {
        Checks.notNull("name", name);
        Checks.notNull("options", options);
        Checks.notNull("encoder", encoder);
        SinkFactory factory = FACTORIES.get(name);
        if (factory == null) {
            throw new IllegalArgumentException("name: \"" + name + "\" (expected: a registered sink, one of "
                    + new TreeSet<>(FACTORIES.keySet()) + ")");
        }
        Map<String, String> known = factory.options();
        options.forEach((option, value) -> {
            Checks.notNull("option name", option);
            if (!known.containsKey(option)) {
                throw new IllegalArgumentException("unknown option '" + option + "' for sink '" + name + "' (known: "
                        + new TreeSet<>(known.keySet()) + ")");
            }
            if (value == null) {
                throw new NullPointerException(option + ": null for sink '" + name + "' (expected: a value)");
            }
        });
        for (String option : new TreeSet<>(factory.required())) {
            if (!options.containsKey(option)) {
                throw new IllegalArgumentException("missing option '" + option + "' for sink '" + name + "' ("
                        + known.get(option) + ")");
            }
        }
        Map<String, String> copy = Map.copyOf(options);
        factory.validate(copy);
        return factory.open(copy, encoder);
    }
}
