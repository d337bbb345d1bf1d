package dev.eventhub;

import java.lang.System.Logger.Level;
import java.util.function.Consumer;

/**
 * Adapts a {@link Consumer} to an {@link EventHandler}. A consumer has no way to hear of a gap, so instead of the
 * default (ignore it) this logs one, so that truncated history and overflow drops are never silent.
 */
final class ConsumerHandler<T> implements EventHandler<T> {
    private static final System.Logger LOG = System.getLogger("dev.eventhub");

    private final Consumer<? super T> consumer;
    private final String hubName;
    private final String name;

    ConsumerHandler(Consumer<? super T> consumer, String hubName, String name) {
        this.consumer = consumer;
        this.hubName = hubName;
        this.name = name;
    }

    @Override
    public void onEvent(T event, long sequence, long timestampNanos) {
        consumer.accept(event);
    }

    @Override
    public void onGap(long missed) {
        LOG.log(Level.WARNING, "hub '" + hubName + "': subscription '" + name + "' (" + consumer.getClass().getName() + ") missed "
                + missed + " events (truncated history or overflow); subscribe an EventHandler to handle gaps");
    }

    Consumer<? super T> consumer() {
        return consumer;
    }

    @Override
    public String toString() {
        return consumer.toString();
    }
}
