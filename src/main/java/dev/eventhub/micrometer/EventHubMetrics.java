package dev.eventhub.micrometer;

import dev.eventhub.EventHub;
import dev.eventhub.HubStats;
import dev.eventhub.SubscriptionInfo;
import dev.eventhub.internal.Checks;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Binds one hub's metrics to a Micrometer {@link MeterRegistry}, as Caffeine's and Kafka's binders do:
 *
 * <pre>{@code
 * new EventHubMetrics(hub).bindTo(registry);
 * }</pre>
 *
 * <table>
 *   <caption>Meters, each tagged {@code hub} (the hub's name) and any tags given to the constructor</caption>
 *   <tr><th>name</th><th>type</th><th>what</th></tr>
 *   <tr><td>{@code eventhub.published}</td><td>function counter</td><td>events the dispatcher has sequenced</td></tr>
 *   <tr><td>{@code eventhub.delivered}</td><td>function counter</td><td>handler calls made, across subscriptions</td></tr>
 *   <tr><td>{@code eventhub.rejected}</td><td>function counter</td><td>offers and publishes refused (full or closed)</td></tr>
 *   <tr><td>{@code eventhub.dropped}</td><td>function counter</td><td>events subscriptions lost, ended ones included</td></tr>
 *   <tr><td>{@code eventhub.queue.depth}</td><td>gauge</td><td>events accepted, not yet sequenced</td></tr>
 *   <tr><td>{@code eventhub.subscribers}</td><td>gauge</td><td>active subscriptions and watchers</td></tr>
 *   <tr><td>{@code eventhub.history.retained}</td><td>gauge</td><td>events kept for replay</td></tr>
 *   <tr><td>{@code eventhub.subscription.lag}</td><td>gauge, also tagged {@code subscription}</td><td>events behind the
 *       hub's head ({@link SubscriptionInfo} defines it)</td></tr>
 *   <tr><td>{@code eventhub.subscription.buffered}</td><td>gauge, also tagged {@code subscription}</td><td>events in
 *       its buffer</td></tr>
 *   <tr><td>{@code eventhub.subscription.dropped}</td><td>function counter, also tagged {@code subscription}</td>
 *       <td>events it lost</td></tr>
 * </table>
 *
 * <p><b>Subscriptions come and go.</b> The per-subscription meters follow {@link EventHub#subscriptions()}, read at
 * most once per refresh interval (default 1 s), when the registry reads one of these meters (a scrape, a push) or
 * when {@link #refresh()} is called: a subscription that appeared since gets its meters, and the meters of one that
 * ended are removed from every registry this binder is bound to, so the registry does not grow with the number of
 * subscriptions ever made. The {@code subscription} tag is the subscription's name ({@link
 * dev.eventhub.Subscription#name()}); subscriptions that share a name share its meters, which then report the sum
 * of their buffers and drops and the largest lag. Name subscriptions whose metrics you watch.
 *
 * <p><b>Cost.</b> Reading these meters reads what the hub keeps anyway ({@link EventHub#stats()},
 * {@link EventHub#subscriptions()}): nothing is added to publishing or delivering. A reading of a meter never waits
 * for a refresh that another thread is doing; it reports the values of the last one.
 *
 * <p><b>Threading.</b> Safe for use from any thread; may be bound to several registries.
 */
public final class EventHubMetrics implements MeterBinder {
    /** How often, at most, the per-subscription meters are brought up to date when the registry reads them. */
    public static final Duration DEFAULT_REFRESH = Duration.ofSeconds(1);

    private static final String EVENTS = "events";

    private final EventHub<?> hub;
    private final Tags tags;
    private final long refreshNanos;
    /** Guards everything below; a meter read only tries it (see {@link #refreshIfDue()}). */
    private final ReentrantLock lock = new ReentrantLock();
    private final List<MeterRegistry> registries = new ArrayList<>();
    /** Per subscription name: its meters in each registry and its last values. */
    private final Map<String, Row> rows = new HashMap<>();
    private long refreshedAt;
    private boolean refreshed;
    /** Active subscriptions and watchers at the last refresh; read by a gauge without the lock. */
    private volatile int subscribers;

    /** One subscription name's meters and values. Values are written under the lock and read by gauges without it. */
    private static final class Row {
        final List<Meter> meters = new ArrayList<>();
        final List<MeterRegistry> in = new ArrayList<>();
        volatile double lag;
        volatile double buffered;
        volatile double dropped;
    }

    /**
     * Metrics of {@code hub}, tagged {@code hub} with its name.
     *
     * @param hub the hub to measure
     */
    public EventHubMetrics(EventHub<?> hub) {
        this(hub, Tags.empty(), DEFAULT_REFRESH);
    }

    /**
     * Metrics of {@code hub}, tagged {@code hub} with its name and with {@code tags}.
     *
     * @param hub  the hub to measure
     * @param tags more tags for every meter
     */
    public EventHubMetrics(EventHub<?> hub, Iterable<Tag> tags) {
        this(hub, tags, DEFAULT_REFRESH);
    }

    /**
     * Metrics of {@code hub}, tagged {@code hub} with its name and with {@code tags}, whose per-subscription meters
     * are brought up to date at most once per {@code refresh} when the registry reads them.
     *
     * @param hub     the hub to measure
     * @param tags    more tags for every meter
     * @param refresh how long a snapshot of the subscriptions serves meter reads; zero: every read takes a new one
     * @throws NullPointerException     if an argument is null
     * @throws IllegalArgumentException if {@code refresh} is negative
     */
    public EventHubMetrics(EventHub<?> hub, Iterable<Tag> tags, Duration refresh) {
        this.hub = Checks.notNull("hub", hub);
        this.tags = Tags.of(Checks.notNull("tags", tags)).and("hub", hub.name());
        this.refreshNanos = Checks.toNanos(Checks.notNegative("refresh", refresh));
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        Checks.notNull("registry", registry);
        EventHub<?> hub = this.hub;
        counter(registry, "eventhub.published", "Events the dispatcher has sequenced", h -> h.stats().published());
        counter(registry, "eventhub.delivered", "Handler calls made, across subscriptions", h -> h.stats().delivered());
        counter(registry, "eventhub.rejected", "Offers and publishes refused because the hub was full or closed",
                h -> h.stats().rejected());
        counter(registry, "eventhub.dropped", "Events subscriptions lost (overflow, close timeouts)",
                h -> h.stats().dropped());
        Gauge.builder("eventhub.queue.depth", hub, h -> h.stats().queueDepth()).tags(tags).baseUnit(EVENTS)
                .description("Events accepted and not yet sequenced (an estimate)").register(registry);
        Gauge.builder("eventhub.history.retained", hub, h -> retained(h.stats())).tags(tags).baseUnit(EVENTS)
                .description("Events kept for replay").register(registry);
        // Held strongly by the registry: this binder (and the rows it keeps) lives as long as its meters.
        Gauge.builder("eventhub.subscribers", this, EventHubMetrics::subscribersNow).tags(tags)
                .description("Active subscriptions and state view watchers").strongReference(true).register(registry);
        lock.lock();
        try {
            registries.add(registry);
            for (Map.Entry<String, Row> entry : rows.entrySet()) {
                register(registry, entry.getKey(), entry.getValue());
            }
            refreshLocked();
        } finally {
            lock.unlock();
        }
    }

    private void counter(MeterRegistry registry, String name, String description,
                         java.util.function.ToDoubleFunction<EventHub<?>> value) {
        FunctionCounter.builder(name, hub, value).tags(tags).baseUnit(EVENTS).description(description)
                .register(registry);
    }

    private static double retained(HubStats stats) {
        return stats.lastRetainedSequence() == 0 ? 0
                : stats.lastRetainedSequence() - stats.firstRetainedSequence() + 1;
    }

    private double subscribersNow() {
        refreshIfDue();
        return subscribers;
    }

    /**
     * Brings the per-subscription meters up to date now: meters for subscriptions made since the last refresh,
     * and the removal of those of subscriptions that ended. Meter reads do this by themselves at most once per
     * refresh interval; call it to make it happen at a moment of your choosing.
     */
    public void refresh() {
        lock.lock();
        try {
            refreshLocked();
        } finally {
            lock.unlock();
        }
    }

    /** From a meter read: refreshes if the last refresh is old, unless another thread is refreshing (never waits). */
    private void refreshIfDue() {
        if (!lock.tryLock()) {
            return;
        }
        try {
            if (!refreshed || System.nanoTime() - refreshedAt >= refreshNanos) {
                refreshLocked();
            }
        } finally {
            lock.unlock();
        }
    }

    private void refreshLocked() {
        refreshed = true;
        refreshedAt = System.nanoTime();
        List<SubscriptionInfo> infos = hub.subscriptions();
        subscribers = infos.size();
        Map<String, double[]> current = new HashMap<>();
        for (SubscriptionInfo info : infos) {
            double[] values = current.computeIfAbsent(info.name(), name -> new double[3]);
            values[0] = Math.max(values[0], info.lag());
            values[1] += info.buffered();
            values[2] += info.dropped();
        }
        for (Iterator<Map.Entry<String, Row>> it = rows.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<String, Row> entry = it.next();
            if (!current.containsKey(entry.getKey())) {
                Row row = entry.getValue();
                for (int i = 0; i < row.meters.size(); i++) {
                    row.in.get(i).remove(row.meters.get(i));
                }
                it.remove();
            }
        }
        for (Map.Entry<String, double[]> entry : current.entrySet()) {
            Row row = rows.get(entry.getKey());
            double[] values = entry.getValue();
            if (row == null) {
                row = new Row();
                set(row, values);
                rows.put(entry.getKey(), row);
                for (MeterRegistry registry : registries) {
                    register(registry, entry.getKey(), row);
                }
            } else {
                set(row, values);
            }
        }
    }

    private static void set(Row row, double[] values) {
        row.lag = values[0];
        row.buffered = values[1];
        row.dropped = Math.max(row.dropped, values[2]); // a counter: a sharer that ended must not make it go back
    }

    private void register(MeterRegistry registry, String name, Row row) {
        Tags subscription = tags.and("subscription", name);
        add(row, registry, Gauge.builder("eventhub.subscription.lag", row, r -> {
                    refreshIfDue();
                    return r.lag;
                }).tags(subscription).baseUnit(EVENTS).description("Events behind the hub's head")
                .strongReference(true).register(registry));
        add(row, registry, Gauge.builder("eventhub.subscription.buffered", row, r -> {
                    refreshIfDue();
                    return r.buffered;
                }).tags(subscription).baseUnit(EVENTS).description("Events in the subscription's buffer")
                .strongReference(true).register(registry));
        add(row, registry, FunctionCounter.builder("eventhub.subscription.dropped", row, r -> {
                    refreshIfDue();
                    return r.dropped;
                }).tags(subscription).baseUnit(EVENTS).description("Events the subscription lost").register(registry));
    }

    private static void add(Row row, MeterRegistry registry, Meter meter) {
        row.meters.add(meter);
        row.in.add(registry);
    }

    @Override
    public String toString() {
        return "EventHubMetrics{hub=" + hub.name() + '}';
    }
}
