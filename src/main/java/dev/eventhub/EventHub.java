package dev.eventhub;

import dev.eventhub.internal.Checks;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.LongSupplier;

/**
 * An in-process event hub: many threads publish, one dispatcher thread puts every event in one total order,
 * keeps the most recent ones for replay, and delivers them to subscriptions that carry their own filter and time
 * window.
 *
 * <pre>{@code
 * EventHub<String> hub = EventHub.<String>builder().name("containers").history(1024).build();
 * Subscription s = hub.events().filter(e -> e.startsWith("web")).subscribe(System.out::println);
 * hub.publish("web-1 start");
 * hub.close();                     // delivers everything accepted, ends s with HUB_CLOSED
 * }</pre>
 *
 * <p><b>Threading.</b> Every method may be called from any thread, including from inside a handler. Publishing
 * never takes a lock: a producer claims a slot in a bounded lock-free queue with one CAS. Writes a producer makes
 * before publishing an event are visible to every handler that receives it. Events from one producer thread keep
 * that thread's order; events from different threads are ordered by when the dispatcher takes them.
 *
 * <p><b>Order and time.</b> The dispatcher numbers events 1, 2, 3... with no gaps and stamps each with the hub's
 * clock (epoch nanoseconds) when it takes it; stamps never decrease along the sequence.
 *
 * <p><b>Closing.</b> {@link #close()} stops intake at once, delivers every accepted event, ends every
 * subscription with {@link EndReason#HUB_CLOSED} and stops the dispatcher thread. A hub holds a thread until it
 * is closed; it is a daemon thread, so a forgotten hub does not keep the JVM alive, but its events are then lost.
 *
 * @param <T> the event type
 */
public final class EventHub<T> implements AutoCloseable {

    /**
     * Back-off of a producer waiting for space: spin, then yield, then park. One waiting producer is woken by the
     * dispatcher once half of the ingress is free, and parks at most {@link #PUBLISH_WAKE_BOUND_NANOS}; any other
     * parks {@link #PUBLISH_PARK_NANOS} between tries.
     */
    private static final int PUBLISH_SPINS = 64;
    private static final int PUBLISH_YIELDS = 64;
    private static final long PUBLISH_PARK_NANOS = TimeUnit.MICROSECONDS.toNanos(50);
    /**
     * A safety net, not a poll: the wake-up comes from the dispatcher. One that its opaque look after a round
     * misses is made up by its next round, or by its fenced look before it parks; a dispatcher that does neither
     * (stalled on a full {@code BLOCK} subscriber) frees no room either.
     */
    private static final long PUBLISH_WAKE_BOUND_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

    private final String name;
    private final ClosableMpscQueue ingress;
    private final Dispatcher dispatcher;
    private final Shutdown shutdown;
    /** Refused offers and publishes; written only on the refusal path, so the adder is never hot. */
    private final LongAdder rejected = new LongAdder();

    private EventHub(Builder<T> builder, boolean startThread) {
        this.name = builder.name;
        this.ingress = new ClosableMpscQueue(builder.capacity);
        LongSupplier clock = builder.clock == null ? new SystemEpochClock() : builder.clock;
        this.dispatcher = new Dispatcher(name, ingress, builder.history, clock, builder.clock == null, builder.idle,
                Checks.toNanos(builder.slowHandlerThreshold), builder.topic,
                builder.attributes.keySet().toArray(new String[0]),
                builder.attributes.values().toArray(new Function<?, ?>[0]));
        Thread dispatcherThread = null;
        if (startThread) {
            dispatcherThread = new Thread(dispatcher, "eventhub-" + name + "-dispatcher");
            dispatcherThread.setDaemon(true);
            dispatcher.owner(dispatcherThread);
            ingress.consumerThread(dispatcherThread);
        }
        this.shutdown = new Shutdown(name, dispatcher, dispatcherThread, Checks.toNanos(builder.drainTimeout));
        if (dispatcherThread != null) {
            dispatcherThread.start();
        }
    }

    /**
     * A builder with the defaults: see each option.
     *
     * @param <T> the event type
     * @return a new builder with the defaults
     */
    public static <T> Builder<T> builder() {
        return new Builder<>();
    }

    /**
     * The hub's name, as given to the builder.
     *
     * @return the hub's name
     */
    public String name() {
        return name;
    }

    /**
     * Offers an event without ever blocking.
     *
     * @param event the event; not null
     * @return {@code true} if the hub accepted it (it will be delivered, close included); {@code false} if the
     *         hub is full or closed, in which case the refusal is counted in {@link HubStats#rejected()}
     * @throws NullPointerException if {@code event} is null
     */
    public boolean offer(T event) {
        Checks.notNull("event", event);
        if (ingress.offer(event) == ClosableMpscQueue.OK) {
            return true;
        }
        rejected.increment();
        return false;
    }

    /**
     * Publishes an event, waiting while the hub is full (backpressure).
     *
     * <p>An interrupt matters only while waiting: if there is room the event is accepted at once and the thread's
     * interrupt status is left as it was; if the thread is interrupted before or while it waits, the event is not
     * accepted (counted as rejected) and {@code InterruptedException} is thrown with the interrupt status cleared,
     * as {@link java.util.concurrent.BlockingQueue#put} does.
     *
     * @param event the event; not null
     * @throws NullPointerException  if {@code event} is null
     * @throws HubClosedException    if the hub is closed, before or while waiting; the event was not accepted
     * @throws InterruptedException  if interrupted while waiting for space; the event was not accepted
     * @throws IllegalStateException if called from an inline handler while the hub is full: the dispatcher, which
     *                               would make the room, is the calling thread (nothing is accepted; counted as
     *                               rejected); use {@link #offer} or {@link #publish(Object, Duration)} there
     */
    public void publish(T event) throws InterruptedException {
        Checks.notNull("event", event);
        publishWithin(event, Long.MAX_VALUE);
    }

    /**
     * Publishes an event, waiting at most {@code timeout} while the hub is full.
     *
     * @param event the event; not null
     * @param timeout how long to wait at most
     * @return {@code true} if accepted; {@code false} if still full when the timeout passed (counted as rejected),
     *         or at once if called from an inline handler while the hub is full (the dispatcher cannot make room
     *         while it waits); interrupts are handled as by {@link #publish(Object)}
     * @throws NullPointerException     if an argument is null
     * @throws IllegalArgumentException if {@code timeout} is negative
     * @throws HubClosedException       if the hub is closed, before or while waiting
     * @throws InterruptedException     if interrupted while waiting for space
     */
    public boolean publish(T event, Duration timeout) throws InterruptedException {
        Checks.notNull("event", event);
        Checks.notNegative("timeout", timeout);
        return publishWithin(event, Checks.toNanos(timeout));
    }

    private boolean publishWithin(T event, long timeoutNanos) throws InterruptedException {
        return awaitAccepted(event, null, timeoutNanos);
    }

    /** Offers one event, or else a batch (when {@code event} is null): the status of {@link ClosableMpscQueue}. */
    private int tryOffer(Object event, java.util.List<?> batch) {
        return batch == null ? ingress.offer(event) : ingress.offerAll(batch);
    }

    /**
     * Offers {@code event}, or {@code batch} when {@code event} is null, waiting up to {@code timeoutNanos} while
     * the hub is full. What is refused is counted as rejected, one per event.
     */
    private boolean awaitAccepted(Object event, java.util.List<?> batch, long timeoutNanos)
            throws InterruptedException {
        int status = tryOffer(event, batch);
        if (status == ClosableMpscQueue.OK) {
            return true;
        }
        final int count = batch == null ? 1 : batch.size();
        final String operation = batch == null ? "publish" : "publishAll";
        if (status == ClosableMpscQueue.FULL && dispatcher.inRound()) {
            // A handler on the dispatcher: the only thread that makes room is this one, so waiting cannot end.
            rejected.add(count);
            if (timeoutNanos != Long.MAX_VALUE) {
                return false;
            }
            throw new IllegalStateException(operation + ": called from a handler of hub '" + name + "' while it is full "
                    + "(the dispatcher cannot wait for itself to make room; use offer or publish with a timeout)");
        }
        final long start = System.nanoTime();
        for (int attempt = 0; status == ClosableMpscQueue.FULL; attempt++) {
            if (timeoutNanos != Long.MAX_VALUE && System.nanoTime() - start >= timeoutNanos) {
                rejected.add(count);
                return false;
            }
            if (Thread.interrupted()) {
                rejected.add(count);
                throw new InterruptedException("interrupted while waiting for space in hub '" + name + "'");
            }
            if (attempt < PUBLISH_SPINS) {
                Thread.onSpinWait();
            } else if (attempt < PUBLISH_SPINS + PUBLISH_YIELDS) {
                Thread.yield();
            } else {
                long bound = PUBLISH_WAKE_BOUND_NANOS;
                if (timeoutNanos != Long.MAX_VALUE) {
                    bound = Math.min(bound, Math.max(1, timeoutNanos - (System.nanoTime() - start)));
                }
                ingress.parkProducer(count, bound, PUBLISH_PARK_NANOS);
            }
            status = tryOffer(event, batch);
        }
        if (status == ClosableMpscQueue.OK) {
            return true;
        }
        rejected.add(count);
        throw new HubClosedException(name, operation);
    }

    /**
     * Offers a batch of events without ever blocking: all of them or none. Accepted, they take consecutive
     * sequences in list order, and no other producer's event comes between two of them.
     *
     * <p>The list is read, not kept; it must not be changed while this call runs (as with
     * {@link java.util.Collection#addAll}).
     *
     * @param events the events, in order; not null, no null element, at most {@link Builder#capacity} of them
     * @return {@code true} if the hub accepted the whole batch (an empty one included); {@code false} if the hub has
     *         fewer free slots than the batch has events, or is closed, in which case the batch's events are counted
     *         in {@link HubStats#rejected()}
     * @throws NullPointerException     if {@code events} or one of its elements is null; nothing is offered
     * @throws IllegalArgumentException if the batch is larger than the hub's capacity; nothing is offered
     */
    public boolean offerAll(java.util.List<? extends T> events) {
        checkBatch(events);
        if (ingress.offerAll(events) == ClosableMpscQueue.OK) {
            return true;
        }
        rejected.add(events.size());
        return false;
    }

    /**
     * Publishes a batch of events, waiting while the hub has too few free slots for all of them (backpressure).
     * The batch is accepted whole or not at all: it takes consecutive sequences in list order with one claim, and no
     * other producer's event comes between two of them. A close racing the call accepts all of it or none.
     *
     * <p>The list is read, not kept; it must not be changed while this call runs. Interrupts, a full hub inside an
     * inline handler and a closed hub are handled as by {@link #publish(Object)}, for the whole batch.
     *
     * @param events the events, in order; not null, no null element, at most {@link Builder#capacity} of them
     * @throws NullPointerException     if {@code events} or one of its elements is null; nothing is published
     * @throws IllegalArgumentException if the batch is larger than the hub's capacity (it could never fit)
     * @throws HubClosedException       if the hub is closed, before or while waiting; nothing was accepted
     * @throws InterruptedException     if interrupted while waiting for space; nothing was accepted
     * @throws IllegalStateException    if called from an inline handler while the hub is too full for the batch
     */
    public void publishAll(java.util.List<? extends T> events) throws InterruptedException {
        checkBatch(events);
        awaitAccepted(null, events, Long.MAX_VALUE);
    }

    private void checkBatch(java.util.List<? extends T> events) {
        Checks.notNull("events", events);
        int size = events.size();
        if (size > ingress.capacity()) {
            throw new IllegalArgumentException("events: " + size + " elements (expected: at most the capacity of hub '"
                    + name + "', " + ingress.capacity() + ")");
        }
        if (events instanceof java.util.RandomAccess) {
            for (int i = 0; i < size; i++) { // no iterator: publishing a batch allocates nothing
                if (events.get(i) == null) {
                    throw new NullPointerException("events[" + i + "]: null (expected: not null)");
                }
            }
            return;
        }
        int index = 0;
        for (T event : events) {
            if (event == null) {
                throw new NullPointerException("events[" + index + "]: null (expected: not null)");
            }
            index++;
        }
    }

    /**
     * Subscribes a consumer to live events, called inline on the dispatcher. Same as {@code events().subscribe}.
     *
     * @param consumer called with each event
     * @return the subscription, registered
     */
    public Subscription subscribe(Consumer<? super T> consumer) {
        return events().subscribe(consumer);
    }

    /**
     * Subscribes a handler to live events, called inline on the dispatcher. Same as {@code events().subscribe}.
     *
     * @param handler called with each event, its sequence and its stamp
     * @return the subscription, registered
     */
    public Subscription subscribe(EventHandler<? super T> handler) {
        return events().subscribe(handler);
    }

    /**
     * Starts a subscription with options: filter, replay, deadlines.
     *
     * @return a new subscription builder for this hub
     */
    public SubscriptionBuilder<T> events() {
        return new SubscriptionBuilder<>(this);
    }

    /**
     * Publishes {@code supplier.get()} every {@code period}, first one period from now, through the normal path
     * (sequence, stamp, history, routing) — the model is KubeEdge's periodic pod-status sync. Driven by the
     * dispatcher's own deadline tracking, so no thread is added; the supplier runs on the dispatcher and should be
     * quick. A tick that comes a whole period or more late is taken once and the missed ones skipped (counted), never
     * bunched; a tick that finds the hub full is skipped (counted); a supplier that throws or returns null is
     * reported and the schedule goes on. {@link #close()} cancels every schedule.
     *
     * @param period the time between ticks
     * @param supplier makes each tick's event, on the dispatcher
     * @return a handle to cancel the schedule and read its counters
     * @throws NullPointerException     if an argument is null
     * @throws IllegalArgumentException if {@code period} is not positive
     * @throws HubClosedException       if the hub is closed
     */
    public Periodic every(Duration period, java.util.function.Supplier<? extends T> supplier) {
        Checks.positive("period", period);
        Checks.notNull("supplier", supplier);
        if (dispatcher.isClosing()) {
            throw new HubClosedException(name, "every");
        }
        PeriodicTask task = new PeriodicTask(dispatcher, Checks.toNanos(period), supplier);
        dispatcher.submit(task);
        return task;
    }

    /**
     * Attaches a sink to every event from now on: {@code events().attach(sink)}; see
     * {@link SubscriptionBuilder#attach(Sink)} for the guarantees and for selecting, replaying and bounding what the
     * sink gets.
     *
     * @param sink where the events go
     * @return the subscription feeding the sink, with the sink's counters
     * @throws NullPointerException if {@code sink} is null
     * @throws HubClosedException   if the hub is closed
     */
    public SinkSubscription attach(Sink<? super T> sink) {
        return events().attach(sink);
    }

    /**
     * A keyed view of this hub's events: the last known state of every object, kept on the dispatcher in event
     * order, with secondary indexes, relists and watchers (client-go's informer, with bounded buffers). See
     * {@link StateView}. It starts from the retained history; {@link StateView#close()} detaches it.
     *
     * @param key        gives an event's key; never null (an event it fails on is skipped and counted)
     * @param isDeletion tells whether an event removes its key rather than setting it
     * @param <K> the key type
     * @return the view, registered, its replay of the history done
     * @throws NullPointerException if an argument is null
     * @throws HubClosedException   if the hub is closed
     */
    public <K> StateView<K, T> stateView(Function<? super T, ? extends K> key,
                                         java.util.function.Predicate<? super T> isDeletion) {
        Checks.notNull("key", key);
        Checks.notNull("isDeletion", isDeletion);
        if (dispatcher.isClosing()) {
            throw new HubClosedException(name, "stateView");
        }
        return new StateView<>(this, key, isDeletion);
    }

    /**
     * A Reactive Streams subscriber that publishes what it receives into this hub. It requests no more than the hub
     * has room for, so nothing is dropped and nothing is buffered outside the hub; an item that still finds the hub
     * full waits, which holds back the upstream publisher. Subscribe it to one publisher; when the hub closes it
     * cancels its upstream subscription.
     *
     * @return a subscriber that publishes into this hub
     */
    public java.util.concurrent.Flow.Subscriber<T> flowSubscriber() {
        return new FlowFeed<>(this, ingress.capacity());
    }

    /**
     * {@return the most accepted, not yet dispatched events the hub holds: its builder's capacity, and so the
     * largest batch {@link #publishAll} takes}
     */
    public int capacity() {
        return ingress.capacity();
    }

    /** Free ingress slots now: an estimate, since producers and the dispatcher move while it is read. */
    long freeCapacity() {
        return ingress.capacity() - ingress.size();
    }

    Subscription subscribe(DispatcherSubscription subscription) {
        if (dispatcher.isClosing()) {
            throw new HubClosedException(name, "subscribe");
        }
        dispatcher.subscribe(subscription, !subscription.replays());
        return subscription;
    }

    Dispatcher dispatcher() {
        return dispatcher;
    }

    /**
     * Counters of the hub now; see {@link HubStats} for what each means and how exact it is.
     *
     * @return the hub's counters now
     */
    public HubStats stats() {
        long published = dispatcher.published();
        return new HubStats(name, published, rejected.sum(), dispatcher.delivered(), dispatcher.dropped(),
                dispatcher.activeSubscriptions(), ingress.size(), dispatcher.firstRetained(published),
                dispatcher.historyCapacity() == 0 ? 0 : published, dispatcher.isClosing());
    }

    /**
     * A snapshot of every active subscription of this hub (async, inline, Flow subscribers, attached sinks and state
     * view watchers), in the order they were made: name, kind, selection, counters, buffer, lag behind the hub's
     * head, and whether a handler is stuck. See {@link SubscriptionInfo} for what each figure means and how exact it
     * is.
     *
     * <p>Cheap enough to call every second from a monitoring thread: it reads fields the hub keeps anyway and adds
     * nothing to publishing, dispatching or delivering; it allocates only the list and its records. It takes no lock
     * the dispatcher needs (a watcher's figures take that watcher's monitor for a moment).
     *
     * @return an immutable list, in creation order; empty once the hub has closed
     */
    public java.util.List<SubscriptionInfo> subscriptions() {
        return dispatcher.subscriptions();
    }

    /**
     * Whether {@link #close()} has been called.
     *
     * @return whether close() has been called
     */
    public boolean isClosed() {
        return dispatcher.isClosing();
    }

    /**
     * Closes the hub: intake stops at once (later publishes fail, later offers return false), every accepted
     * event is delivered, every subscription ends with {@link EndReason#HUB_CLOSED}, and the dispatcher thread
     * stops. Waits for that at most the builder's {@code drainTimeout}; if an inline handler is stuck or too slow,
     * the remaining subscriptions are ended with what they missed counted as dropped, and close returns.
     * Idempotent. Called from inside a handler, it returns at once and the hub finishes closing when the handler
     * returns.
     */
    @Override
    public void close() {
        shutdown.close();
    }

    /**
     * Waits until the hub has terminated: closed, with every subscription ended and the dispatcher stopped.
     *
     * @param timeout how long to wait at most
     * @return whether it terminated within the timeout
     * @throws IllegalArgumentException if {@code timeout} is negative
     * @throws IllegalStateException    if called from a handler, which the dispatcher would wait on forever
     * @throws InterruptedException     if interrupted while waiting
     */
    public boolean awaitTermination(Duration timeout) throws InterruptedException {
        Checks.notNegative("timeout", timeout);
        if (dispatcher.inRound()) {
            throw new IllegalStateException("awaitTermination: called from a handler of hub '" + name
                    + "' (the dispatcher cannot wait for itself)");
        }
        return shutdown.awaitTermination(Checks.toNanos(timeout));
    }

    @Override
    public String toString() {
        return "EventHub{" + name + '}';
    }

    /**
     * Configures and builds an {@link EventHub}. Each option is checked when it is set, with a message naming the
     * option and the value; {@link #build()} starts the dispatcher thread.
     *
     * @param <T> the event type
     */
    public static final class Builder<T> {
        /** Largest ingress or history: arrays of this many references are as large as a JVM comfortably allows. */
        static final int MAX_CAPACITY = 1 << 30;

        private String name = "eventhub";
        private int capacity = 1 << 16;
        private int history = 1 << 12;
        private IdleStrategy idle = IdleStrategy.PARK;
        private LongSupplier clock;
        private Duration drainTimeout = Duration.ofSeconds(10);
        private Duration slowHandlerThreshold = Duration.ofMillis(100);
        private Function<? super T, String> topic;
        /** Declared attributes, in declaration order: name to its function. */
        private final java.util.LinkedHashMap<String, Function<? super T, ?>> attributes =
                new java.util.LinkedHashMap<>();

        private Builder() {
        }

        /**
         * Declares an attribute that subscriptions can select by with {@code events().where(name, values...)}, the way
         * {@code docker events --filter type=container --filter name=web} selects: for example
         * {@code attribute("type", ContainerEvent::type)} or {@code attribute("label", ContainerEvent::labels)}.
         * Subscriptions that select only by attributes are served by an index, so an event costs what it matches, not
         * what is subscribed.
         *
         * <p>The function gives an event's values for the attribute: one value, a {@link java.util.Collection} of
         * values (labels), or null (none). It is called on the dispatcher at most once per event while some
         * subscription selects by this attribute (and again for an event replayed to a new subscription), and must be
         * quick and pure: the dispatcher may call it for a whole batch of events before it delivers the first of them,
         * so that the lookups of many events overlap. One that throws gives the event no value for the attribute, and the failure is logged once.
         * Values are compared with {@code equals}.
         *
         * @param name   the attribute's name, as {@code where} will use it
         * @param values gives an event's values for the attribute
         * @return this builder
         * @throws NullPointerException     if an argument is null
         * @throws IllegalArgumentException if the name is blank, has control characters, or is declared already
         */
        public Builder<T> attribute(String name, Function<? super T, ?> values) {
            Checks.name("name", name);
            Checks.notNull("values", values);
            if (attributes.containsKey(name)) {
                throw new IllegalArgumentException("name: \"" + name + "\" (expected: an attribute not declared yet; "
                        + "declared: " + attributes.keySet() + ")");
            }
            attributes.put(name, values);
            return this;
        }

        /**
         * Gives each event a routing key, such as a KubeEdge-style resource path {@code default/pod/web-1}, which
         * enables {@code events().topics(...)} and {@code events().topicPattern(...)}. Called once per event on the
         * dispatcher, and only while some subscription filters by topic. A function that throws or returns null
         * gives the event no topic: it matches no topic filter (the failure is logged once).
         *
         * @param topic gives an event's routing key (null: none)
         * @return this builder
         */
        public Builder<T> topic(Function<? super T, String> topic) {
            this.topic = Checks.notNull("topic", topic);
            return this;
        }

        /**
         * Used in the dispatcher thread's name and in messages. Default {@code "eventhub"}.
         *
         * @param name used in thread names and messages
         * @return this builder
         */
        public Builder<T> name(String name) {
            this.name = Checks.name("name", name);
            return this;
        }

        /**
         * How many accepted, not yet dispatched events the hub holds: a power of two, 2 to 2^30. Default 65536.
         *
         * @param capacity the ingress bound, a power of two
         * @return this builder
         */
        public Builder<T> capacity(int capacity) {
            this.capacity = Checks.powerOfTwo("capacity", capacity, 2, MAX_CAPACITY);
            return this;
        }

        /**
         * How many recent events the hub keeps for replay: 0, or a power of two up to 2^30. Default 4096. The hub
         * keeps these events reachable.
         *
         * @param history events kept for replay; 0 for none
         * @return this builder
         */
        public Builder<T> history(int history) {
            if (history != 0) {
                Checks.powerOfTwo("history", history, 1, MAX_CAPACITY);
            }
            this.history = history;
            return this;
        }

        /**
         * What the dispatcher does when idle. Default {@link IdleStrategy#PARK}.
         *
         * @param idle what the dispatcher does when it has nothing to do
         * @return this builder
         */
        public Builder<T> idle(IdleStrategy idle) {
            this.idle = Checks.notNull("idle", idle);
            return this;
        }

        /**
         * The time source for stamps and deadlines, in nanoseconds since the epoch; called only by the dispatcher.
         * Default: the system clock, within 1 ms of {@link java.time.Instant#now()}. Inject one to test deadlines
         * without waiting.
         *
         * @param epochNanos the time in nanoseconds since the epoch
         * @return this builder
         */
        public Builder<T> clock(LongSupplier epochNanos) {
            this.clock = Checks.notNull("clock", epochNanos);
            return this;
        }

        /**
         * The time source as a {@link Clock}; see {@link #clock(LongSupplier)}.
         *
         * @param clock the time source
         * @return this builder
         */
        public Builder<T> clock(Clock clock) {
            Checks.notNull("clock", clock);
            this.clock = () -> Checks.epochNanos(clock.instant());
            return this;
        }

        /**
         * How long {@link EventHub#close()} waits for subscribers to take what was accepted. Default 10 s.
         *
         * @param drainTimeout how long close() waits for lossless subscribers
         * @return this builder
         */
        public Builder<T> drainTimeout(Duration drainTimeout) {
            this.drainTimeout = Checks.positive("drainTimeout", drainTimeout);
            return this;
        }

        /**
         * A handler call that takes at least this long is reported (a {@code System.Logger} warning and a
         * {@code dev.eventhub.SlowHandler} JFR event), and so is an async buffer that stays above three quarters
         * full for this long. Default 100 ms. Inline calls are timed only after a dispatcher round took this long,
         * so that fast handlers pay nothing for the check.
         *
         * @param threshold a handler call at least this long is reported
         * @return this builder
         */
        public Builder<T> slowHandlerThreshold(Duration threshold) {
            this.slowHandlerThreshold = Checks.positive("slowHandlerThreshold", threshold);
            return this;
        }

        /**
         * Builds the hub and starts its dispatcher thread.
         *
         * @return the running hub
         */
        public EventHub<T> build() {
            return new EventHub<>(this, true);
        }

        /**
         * Builds a hub with no dispatcher thread: the calling thread drives it with
         * {@code hub.dispatcher().doWork()}. For tests that step the duty cycle by hand.
         */
        EventHub<T> buildManual() {
            return new EventHub<>(this, false);
        }
    }
}
