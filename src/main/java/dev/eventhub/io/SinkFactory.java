package dev.eventhub.io;

import dev.eventhub.Sink;
import java.io.IOException;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * Makes sinks of one kind, for the {@link Sinks} registry (Docker's log-driver creator and option validator in one).
 * The registry rejects unknown and missing options before {@link #validate} sees them.
 */
public interface SinkFactory {

    /** {@return every option this kind of sink accepts, each with a one-line description} */
    Map<String, String> options();

    /** {@return the options that must be given} */
    default Set<String> required() {
        return Set.of();
    }

    /**
     * Checks the options' values before anything is opened.
     *
     * @param options the options, all known and every required one present
     * @throws IllegalArgumentException naming the option and the value, and what was expected
     */
    default void validate(Map<String, String> options) {
    }

    /**
     * Opens a sink with validated options.
     *
     * @param options the options, validated
     * @param encoder turns an event into the text the sink writes (for {@code json-file}: one JSON value)
     * @param <T>     the event type
     * @return the sink, ready to accept events
     * @throws IOException if it cannot be opened
     */
    <T> Sink<T> open(Map<String, String> options, Function<? super T, String> encoder) throws IOException;
}
