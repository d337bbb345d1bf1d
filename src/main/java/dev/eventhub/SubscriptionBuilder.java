package dev.eventhub;

import dev.eventhub.internal.Checks;
import java.time.Instant;
import java.util.concurrent.Executor;
import java.util.concurrent.Flow;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * Chooses what a subscription receives and when it ends, then subscribes. Obtained from {@link EventHub#events()}.
 *
 * <p>Without options a subscription receives every event accepted after {@code subscribe} is called, for as long
 * as it is active. Options combine:
 * <ul>
 *   <li>{@link #filter} — only events the predicate accepts (several filters must all accept);</li>
 *   <li>{@link #since} or {@link #afterSequence} — first the retained history from that point, then live events,
 *       each matching event exactly once, with no gap or repeat at the hand-over; a gap in history is reported
 *       through {@link EventHandler#onGap(long)}, or with {@link #requireHistory()} ends the subscription with
 *       {@link EndReason#HISTORY_TRUNCATED} before anything is delivered;</li>
 *   <li>{@link #until} — no event stamped after that instant; the subscription ends with
 *       {@link EndReason#UNTIL_REACHED} at that time even if no event comes;</li>
 *   <li>{@link #limit} — ends with {@link EndReason#LIMIT_REACHED} after that many deliveries;</li>
 *   <li>{@link #topics} and {@link #topicPattern} — only events whose topic matches (on a hub built with a topic
 *       function), served by an index rather than a scan;</li>
 *   <li>{@link #async()}, {@link #async(Executor)} and {@link #buffer(int, Overflow)} — the handler runs isolated
 *       behind a bounded buffer instead of on the dispatcher;</li>
 *   <li>{@link #publisher()} — the same selection as a Reactive Streams {@code Flow.Publisher};</li>
 *   <li>{@link #name(String)} — what logs, JFR events, thread names, {@link EventHub#subscriptions()} and metrics
 *       call the subscription (otherwise a generated {@code sub-<n>}).</li>
 * </ul>
 * Each option is checked when set, with a message naming it and the value. A builder may subscribe several times;
 * each subscription takes the options as they are at that moment.
 *
 * @param <T> the event type
 */
public final class SubscriptionBuilder<T> {
    private final EventHub<T> hub;
    /** Given by {@link #name(String)}; null: each subscription gets a generated one. */
    private String name;
    private Predicate<? super T> filter;
    private Instant since;
    private long afterSequence = DispatcherSubscription.NO_AFTER;
    private boolean requireHistory;
    private Instant until;
    private long limit = DispatcherSubscription.NO_LIMIT;
    private boolean async;
    private Executor executor;
    private int buffer = AsyncDelivery.DEFAULT_BUFFER;
    private Overflow overflow = Overflow.DROP_OLDEST;
    private boolean bufferSet;
    private final java.util.List<String> topics = new java.util.ArrayList<>();
    private final java.util.List<TopicPattern> patterns = new java.util.ArrayList<>();
    /** where(...) clauses: attribute index (the hub's declaration order) to accepted values, in insertion order. */
    private final java.util.Map<Integer, java.util.LinkedHashSet<Object>> where = new java.util.TreeMap<>();

    SubscriptionBuilder(EventHub<T> hub) {
        this.hub = hub;
    }

    /**
     * Names the subscription: the name shows in log lines, JFR events, the thread name of an async subscription
     * ({@code eventhub-<hub>-<name>}), {@link EventHub#subscriptions()} and metrics. Without it, each subscription
     * gets a name the hub generates, stable and unique within the hub ({@code sub-7}). A Flow publisher's first
     * subscriber gets this name and the n-th, for n &gt; 1, the name followed by {@code -n}; a sink attached with
     * {@link #attach(Sink)} keeps it. Names need not be unique.
     *
     * @param name a non-blank name without control characters
     * @return this builder
     */
    public SubscriptionBuilder<T> name(String name) {
        this.name = Checks.name("name", name);
        return this;
    }

    /**
     * Only events the predicate accepts. The predicate runs on the dispatcher; one that throws ends the
     * subscription with {@link EndReason#HANDLER_FAILED}. Called again, both predicates must accept.
     *
     * @param filter accepts the events wanted
     * @return this builder
     */
    public SubscriptionBuilder<T> filter(Predicate<? super T> filter) {
        Checks.notNull("filter", filter);
        if (this.filter == null) {
            this.filter = filter;
        } else {
            Predicate<? super T> first = this.filter;
            this.filter = event -> first.test(event) && filter.test(event);
        }
        return this;
    }

    /**
     * Only events whose topic (the hub's {@code topic} function) is one of these. Looked up in a hash index, so it
     * costs the same with ten thousand such subscriptions as with one. May be combined with {@link #topicPattern}
     * and called again: an event matches if it matches any topic or pattern, and {@link #filter} must also accept
     * it.
     *
     * @param topics the topics wanted
     * @return this builder
     * @throws IllegalStateException if the hub was built without a topic function
     */
    public SubscriptionBuilder<T> topics(String... topics) {
        Checks.notNull("topics", topics);
        if (topics.length == 0) {
            throw new IllegalArgumentException("topics: [] (expected: at least one topic)");
        }
        for (int i = 0; i < topics.length; i++) {
            Checks.notNull("topics[" + i + "]", topics[i]);
        }
        requireTopicFunction("topics", java.util.Arrays.toString(topics));
        this.topics.addAll(java.util.Arrays.asList(topics));
        return this;
    }

    /**
     * Only events whose attribute {@code name} (declared with {@link EventHub.Builder#attribute}) has one of
     * {@code values}: Docker's filter rule. Calls with the same name add values, which are ORed; different names are
     * ANDed; and the result is ANDed with {@link #topics}/{@link #topicPattern} and {@link #filter}. An event with
     * several values for the name (labels) matches if any of them is wanted; one with none matches no clause on it.
     * So {@code where("type", "container").where("name", "web", "db")} selects container events of web or db.
     *
     * <p>A subscription that selects only by attributes (no topics) is served by an index: an event costs what it
     * matches, not how many such subscriptions there are. Replay ({@code since}/{@code afterSequence}) selects the
     * same way.
     *
     * @param name   a declared attribute
     * @param values the values wanted; at least one, none null; compared with {@code equals}
     * @return this builder
     * @throws NullPointerException     if {@code name}, {@code values} or a value is null
     * @throws IllegalArgumentException if {@code name} is not a declared attribute (the message lists those that
     *                                  are), or {@code values} is empty
     */
    public SubscriptionBuilder<T> where(String name, Object... values) {
        Checks.notNull("name", name);
        Checks.notNull("values", values);
        int attribute = hub.dispatcher().attributeIndex(name);
        if (attribute < 0) {
            throw new IllegalArgumentException("name: \"" + name + "\" (expected: an attribute declared with "
                    + "EventHub.Builder.attribute; declared: " + java.util.Arrays.toString(
                    hub.dispatcher().attributeNames()) + ")");
        }
        if (values.length == 0) {
            throw new IllegalArgumentException("values: [] (expected: at least one value for '" + name + "')");
        }
        for (int i = 0; i < values.length; i++) {
            Checks.notNull("values[" + i + "]", values[i]);
        }
        where.computeIfAbsent(attribute, a -> new java.util.LinkedHashSet<>())
                .addAll(java.util.Arrays.asList(values));
        return this;
    }

    /**
     * Only events whose topic matches a pattern of {@code /}-separated segments: {@code *} is exactly one segment,
     * {@code **} (last only) any number including none, so {@code default/pod/*} matches {@code default/pod/web-1}
     * and {@code default/**} matches {@code default} and everything below. Matched through a segment trie, not by
     * scanning subscriptions. Combines with {@link #topics} (OR) and {@link #filter} (AND).
     *
     * @param pattern a topic pattern
     * @return this builder
     * @throws IllegalArgumentException if the pattern has an empty segment, {@code **} before the end, or
     *                                  {@code *} inside a segment
     * @throws IllegalStateException    if the hub was built without a topic function
     */
    public SubscriptionBuilder<T> topicPattern(String pattern) {
        TopicPattern parsed = TopicPattern.parse("topicPattern", pattern);
        requireTopicFunction("topicPattern", "\"" + pattern + "\"");
        this.patterns.add(parsed);
        return this;
    }

    private void requireTopicFunction(String argument, String value) {
        if (!hub.dispatcher().hasTopics()) {
            throw new IllegalStateException(argument + ": " + value + " (expected: a hub built with topic(fn); hub '"
                    + hub.name() + "' has no topic function)");
        }
    }

    /**
     * Replays retained events stamped at or after {@code since} (inclusive), then continues live. A {@code since}
     * in the future delivers only events stamped from then on. If the hub evicted events that may have been
     * stamped after {@code since}, the handler's {@code onGap} gets the number evicted (an upper bound).
     *
     * @param since the earliest stamp wanted, inclusive
     * @return this builder
     */
    public SubscriptionBuilder<T> since(Instant since) {
        Checks.notNull("since", since);
        if (afterSequence != DispatcherSubscription.NO_AFTER) {
            throw new IllegalArgumentException("since: " + since + " (expected: not together with afterSequence: "
                    + afterSequence + ")");
        }
        if (until != null && since.isAfter(until)) {
            throw new IllegalArgumentException("since: " + since + " (expected: not after until: " + until + ")");
        }
        this.since = since;
        return this;
    }

    /**
     * Replays retained events with a sequence greater than {@code sequence}, then continues live. 0 means from the
     * first event. If some of those were evicted, the handler's {@code onGap} gets exactly how many.
     *
     * @param sequence the last sequence not wanted
     * @return this builder
     */
    public SubscriptionBuilder<T> afterSequence(long sequence) {
        Checks.notNegative("afterSequence", sequence);
        if (since != null) {
            throw new IllegalArgumentException("afterSequence: " + sequence + " (expected: not together with since: "
                    + since + ")");
        }
        this.afterSequence = sequence;
        return this;
    }

    /**
     * With a replay, end with {@link EndReason#HISTORY_TRUNCATED} instead of reporting a gap.
     *
     * @return this builder
     */
    public SubscriptionBuilder<T> requireHistory() {
        this.requireHistory = true;
        return this;
    }

    /**
     * Delivers no event stamped after {@code until} (inclusive) and ends with {@link EndReason#UNTIL_REACHED} once
     * the hub's clock passes it, whether or not events come. An {@code until} already past delivers the selected
     * history, then ends.
     *
     * @param until the latest stamp wanted, inclusive
     * @return this builder
     */
    public SubscriptionBuilder<T> until(Instant until) {
        Checks.notNull("until", until);
        if (since != null && since.isAfter(until)) {
            throw new IllegalArgumentException("until: " + until + " (expected: not before since: " + since + ")");
        }
        this.until = until;
        return this;
    }

    /**
     * Ends with {@link EndReason#LIMIT_REACHED} after {@code limit} deliveries; at least 1.
     *
     * @param limit how many deliveries at most
     * @return this builder
     */
    public SubscriptionBuilder<T> limit(long limit) {
        this.limit = Checks.positive("limit", limit);
        return this;
    }

    /**
     * Isolates the subscription on a thread of its own ({@code eventhub-<hub>-<name>}, a daemon that ends
     * with the subscription): the dispatcher only puts matching events into its buffer, so a slow or stuck handler
     * holds up nobody else. What happens when the buffer is full is set by {@link #buffer(int, Overflow)};
     * by default 1024 events, {@link Overflow#DROP_OLDEST}.
     *
     * @return this builder
     */
    public SubscriptionBuilder<T> async() {
        this.async = true;
        this.executor = null;
        return this;
    }

    /**
     * Isolates the subscription like {@link #async()}, with its handler run by tasks on {@code executor} (a task
     * delivers up to 256 events, then gives the thread back). An executor that rejects a task (or throws anything
     * from {@code execute}) ends the subscription with {@link EndReason#HANDLER_FAILED}, its exception in
     * {@link Subscription#failure()}; the events still buffered are counted in {@link Subscription#dropped()} and
     * the end is logged at WARNING. Close waits for the tasks, not for the executor.
     *
     * @param executor runs the handler's tasks
     * @return this builder
     */
    public SubscriptionBuilder<T> async(Executor executor) {
        this.executor = Checks.notNull("executor", executor);
        this.async = true;
        return this;
    }

    /**
     * The buffer of an async subscription: how many matched events it may hold undelivered (1 to 2^30), and what
     * to do when it is full. Memory per subscriber is bounded by this size.
     *
     * @param overflow what to do when the buffer is full
     * @param size the buffer's size, in events
     * @return this builder
     */
    public SubscriptionBuilder<T> buffer(int size, Overflow overflow) {
        if (size < 1 || size > EventHub.Builder.MAX_CAPACITY) {
            throw new IllegalArgumentException("size: " + size + " (expected: from 1 to "
                    + EventHub.Builder.MAX_CAPACITY + ")");
        }
        this.overflow = Checks.notNull("overflow", overflow);
        this.buffer = size;
        this.bufferSet = true;
        return this;
    }

    /**
     * Subscribes the handler, called inline on the dispatcher thread. Returns once the subscription is registered:
     * from then on it receives every selected event that is published. A replay is delivered in the same step on
     * the dispatcher, so it may still be running when this returns. With {@link #async()} the handler is called on
     * the subscription's own consumer instead.
     *
     * @param handler called with each selected event
     * @return the subscription, registered
     * @throws NullPointerException  if {@code handler} is null
     * @throws IllegalStateException if a buffer was set without {@code async}
     * @throws HubClosedException    if the hub is closed
     */
    public Subscription subscribe(EventHandler<? super T> handler) {
        Checks.notNull("handler", handler);
        long ordinal = hub.dispatcher().nextOrdinal();
        return subscribe(handler, ordinal, nameFor(ordinal));
    }

    private Subscription subscribe(EventHandler<? super T> handler, long ordinal, String name) {
        if (bufferSet && !async) {
            throw new IllegalStateException("buffer: " + buffer + ", " + overflow
                    + " (expected: with async() or async(executor); an inline subscription has no buffer)");
        }
        return hub.subscribe(newSubscription(handler,
                async ? new DispatcherSubscription.Isolation(executor, buffer, overflow, null) : null,
                requireHistory, ordinal, name));
    }

    /** What this builder selects, in short, for {@link EventHub#subscriptions()}; "all" when nothing narrows it. */
    private String selection() {
        StringBuilder out = new StringBuilder();
        if (!topics.isEmpty()) {
            out.append(" topics=").append(topics);
        }
        if (!patterns.isEmpty()) {
            out.append(" patterns=").append(patterns);
        }
        String[] attributes = hub.dispatcher().attributeNames();
        where.forEach((attribute, values) -> out.append(" where ").append(attributes[attribute]).append('=')
                .append(values));
        if (filter != null) {
            out.append(" filter");
        }
        if (since != null) {
            out.append(" since=").append(since);
        }
        if (afterSequence != DispatcherSubscription.NO_AFTER) {
            out.append(" afterSequence=").append(afterSequence);
        }
        if (requireHistory) {
            out.append(" requireHistory");
        }
        if (until != null) {
            out.append(" until=").append(until);
        }
        if (limit != DispatcherSubscription.NO_LIMIT) {
            out.append(" limit=").append(limit);
        }
        return out.length() == 0 ? "all" : out.substring(1);
    }

    /** The given name, or the generated one for a subscription with this ordinal. */
    private String nameFor(long ordinal) {
        return name != null ? name : "sub-" + ordinal;
    }

    /**
     * Attaches a sink to this selection (Docker's log driver): a lossless async subscription, on its own thread or
     * on {@code async(executor)} if one was given, with this builder's buffer size and {@link Overflow#BLOCK} (a full
     * buffer holds back producers rather than lose a record). The sink is called on that thread only; it is flushed
     * when the subscription has caught up and closed once when it ends (cancel, until, limit, hub close). A record
     * the sink fails to write is counted in {@link SinkSubscription#notWritten()} and reported; the subscription,
     * the hub and the other subscribers go on.
     *
     * @param sink where the events go
     * @return the subscription feeding the sink, with the sink's counters
     * @throws NullPointerException  if {@code sink} is null
     * @throws IllegalStateException if a buffer was set with an overflow policy other than {@code BLOCK}
     * @throws HubClosedException    if the hub is closed
     */
    public SinkSubscription attach(Sink<? super T> sink) {
        Checks.notNull("sink", sink);
        if (bufferSet && overflow != Overflow.BLOCK) {
            throw new IllegalStateException("overflow: " + overflow + " (expected: BLOCK; a sink is lossless, so "
                    + "attach(sink) takes only the buffer size)");
        }
        long ordinal = hub.dispatcher().nextOrdinal();
        String attachmentName = nameFor(ordinal);
        SinkAttachment<T> attachment = new SinkAttachment<>(sink, hub.name(), attachmentName);
        Subscription feeding = hub.subscribe(newSubscription(attachment,
                new DispatcherSubscription.Isolation(executor, buffer, Overflow.BLOCK, null), requireHistory,
                ordinal, attachmentName));
        return attachment.bind(feeding);
    }

    /**
     * A Reactive Streams view of this selection: each {@code Flow.Subscriber} gets its own subscription with these
     * options, isolated like {@link #async()} (on {@code async(executor)} if one was given), receiving no more than
     * it requested. It completes when the subscription reaches its {@code until} or {@code limit} or the hub closes,
     * and gets {@code onError} if it falls a whole buffer behind its demand: the default buffer is 1024 events with
     * {@link Overflow#DISCONNECT}, and {@link #buffer(int, Overflow)} changes it (a lossy policy then drops instead,
     * counted in the subscription's {@code dropped()}). A Flow subscriber cannot be told of a gap, so a replay
     * ({@code since}/{@code afterSequence}) that history no longer covers ends with {@code onError}, as with
     * {@link #requireHistory()}. Subscribing to a closed hub signals {@code onError} with a
     * {@link HubClosedException}.
     *
     * @return a publisher of this selection
     */
    public Flow.Publisher<T> publisher() {
        final SubscriptionBuilder<T> settings = copy();
        return new FlowPublisher<>(hub, settings);
    }

    private SubscriptionBuilder<T> copy() {
        SubscriptionBuilder<T> copy = new SubscriptionBuilder<>(hub);
        copy.name = name;
        copy.filter = filter;
        copy.since = since;
        copy.afterSequence = afterSequence;
        copy.requireHistory = requireHistory;
        copy.until = until;
        copy.limit = limit;
        copy.topics.addAll(topics);
        copy.patterns.addAll(patterns);
        where.forEach((attribute, values) -> copy.where.put(attribute, new java.util.LinkedHashSet<>(values)));
        copy.async = true;
        copy.executor = executor;
        copy.buffer = buffer;
        copy.overflow = bufferSet ? overflow : Overflow.DISCONNECT;
        copy.bufferSet = true;
        return copy;
    }

    /**
     * A subscription for the {@code n}-th Flow subscriber of a publisher (from 1), with this builder's options; not
     * yet registered. Named as {@link #name(String)} says.
     */
    DispatcherSubscription newFlowSubscription(EventHandler<? super T> handler, Flow.Subscriber<? super T> subscriber,
                                               long n) {
        long ordinal = hub.dispatcher().nextOrdinal();
        String flowName = name == null ? "sub-" + ordinal : n == 1 ? name : name + "-" + n;
        // A Flow subscriber has no way to be told of a gap, so a truncated replay must end its stream (onError):
        // for it, complete history is always required.
        return newSubscription(handler, new DispatcherSubscription.Isolation(executor, buffer, overflow, subscriber),
                true, ordinal, flowName);
    }

    /** An inline subscription with this builder's options; not yet registered. */
    DispatcherSubscription newInlineSubscription(EventHandler<? super T> handler) {
        long ordinal = hub.dispatcher().nextOrdinal();
        return newSubscription(handler, null, requireHistory, ordinal, nameFor(ordinal));
    }

    private DispatcherSubscription newSubscription(EventHandler<? super T> handler,
                                                   DispatcherSubscription.Isolation isolation,
                                                   boolean requireHistory, long ordinal, String name) {
        return new DispatcherSubscription(hub.dispatcher(), name, ordinal, selection(), handler, filter,
                // An instant before the nanosecond range (Instant.MIN) saturates to one above the "no since" marker.
                since == null ? DispatcherSubscription.NO_SINCE : Math.max(DispatcherSubscription.NO_SINCE + 1,
                        Checks.epochNanos(since)), afterSequence, requireHistory,
                until == null ? DispatcherSubscription.NO_UNTIL : Checks.epochNanos(until), limit, isolation,
                topics.toArray(new String[0]), patterns.toArray(new TopicPattern[0]), whereAttributes(), whereValues());
    }

    private int[] whereAttributes() {
        return where.isEmpty() ? null : where.keySet().stream().mapToInt(Integer::intValue).toArray();
    }

    private Object[][] whereValues() {
        return where.isEmpty() ? null : where.values().stream().map(java.util.Set::toArray).toArray(Object[][]::new);
    }

    /**
     * Subscribes a consumer of events alone; see {@link #subscribe(EventHandler)}. A consumer cannot be told of a
     * gap (truncated history, overflow drops), so gaps are logged at WARNING level and counted in
     * {@link Subscription#dropped()} where they are drops; subscribe an {@link EventHandler} to act on them.
     *
     * @param consumer called with each selected event
     * @return the subscription, registered
     */
    public Subscription subscribe(Consumer<? super T> consumer) {
        Checks.notNull("consumer", consumer);
        long ordinal = hub.dispatcher().nextOrdinal();
        String resolved = nameFor(ordinal);
        return subscribe(new ConsumerHandler<T>(consumer, hub.name(), resolved), ordinal, resolved);
    }
}
