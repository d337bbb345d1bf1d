package dev.eventhub;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Predicate;

/**
 * A subscription as the dispatcher keeps it: its selection (immutable), its cursor (dispatcher-owned) and its
 * outcome (shared).
 *
 * <p><b>Ending</b> is one CAS of {@link #end} from {@code null}: whoever wins (a canceller, the dispatcher, a
 * closer) completes {@link #endedFuture} and asks the dispatcher to unlink the subscription; everyone else sees
 * the end already decided. The dispatcher reads {@code end} (volatile) before every handler call, which with the
 * dispatcher's epoch makes {@link #cancel()} final (see {@link Dispatcher#awaitQuiescence()}).
 *
 * <p><b>Counters</b> ({@code delivered}, {@code dropped}, {@code lastSequence}) have one writer, the dispatcher,
 * which stores them with release semantics; readers on other threads load them with acquire semantics and see a
 * recent value. See docs/concurrency.md.
 */
final class DispatcherSubscription extends Deadline implements Subscription, OwnerCommand {

    private static final VarHandle END =
            VarHandles.field(MethodHandles.lookup(), DispatcherSubscription.class, "end", End.class);
    private static final VarHandle DELIVERED =
            VarHandles.field(MethodHandles.lookup(), DispatcherSubscription.class, "delivered", long.class);
    private static final VarHandle DROPPED =
            VarHandles.field(MethodHandles.lookup(), DispatcherSubscription.class, "dropped", long.class);
    private static final VarHandle LAST_SEQUENCE =
            VarHandles.field(MethodHandles.lookup(), DispatcherSubscription.class, "lastSequence", long.class);

    /** No {@code since}: every stamp passes. */
    static final long NO_SINCE = Long.MIN_VALUE;
    /** No {@code afterSequence}. */
    static final long NO_AFTER = -1;
    static final long NO_LIMIT = Long.MAX_VALUE;
    static final long NO_UNTIL = Long.MAX_VALUE;

    record End(EndReason reason, Throwable failure) {
    }

    // Selection: immutable, set by the subscribing thread before the subscription is handed to the dispatcher.
    final Dispatcher dispatcher;
    /** Given or generated; see {@link Subscription#name()}. */
    final String name;
    /** Creation order within the hub: the number in a generated name, and the order of {@code subscriptions()}. */
    final long ordinal;
    /** What it selects, in short, for {@code subscriptions()}. */
    final String selection;
    final EventHandler<Object> handler;
    final Predicate<Object> filter;
    final long sinceNanos;
    final long afterSequence;
    final boolean requireHistory;
    final long untilNanos;
    final long limit;
    /** The buffer and consumer of an isolated subscription; null for an inline one. */
    final AsyncDelivery async;
    /** Exact topics and patterns, either may be empty; an event matches if it matches any (both empty: all). */
    final String[] topics;
    final TopicPattern[] patterns;
    /**
     * where(...) clauses, ANDed: attribute indexes (the hub's declaration order) and, beside each, the values wanted
     * (ORed); both null when it selects by no attribute.
     */
    final int[] whereAttributes;
    final Object[][] whereValues;
    /**
     * Inline and served from the subscriber array (no topic, no where): the loop that hands it a batch, else null.
     * Chosen on the subscribing thread, so that the dispatcher never waits for a copy of the loop to be defined.
     */
    final InlineDelivery inlineDelivery;

    // Cursor: dispatcher thread only.
    /** First sequence this subscription may receive; later ones pass, earlier ones are skipped. */
    long fromSequence;
    /** Position in the dispatcher's subscriber array, or -1. */
    int slot = -1;
    /** Whether the dispatcher has registered it (it may have ended since). */
    boolean linked;
    /** Async only: the dispatcher will enqueue nothing more (until passed); the consumer is draining. */
    boolean inputClosed;
    /** Whether the owner has run its registration (once; later commands for it only unlink). */
    boolean registeredByOwner;
    /** Whether it lives in the topic index rather than the subscriber array. */
    boolean indexed;
    /** The last sequence an index matched it for: several topics, patterns or labels still mean one delivery. */
    long matchedSequence;
    /** Whether it lives in the attribute index, and under which of its clauses (an index into whereAttributes). */
    boolean attributeIndexed;
    int indexedClause = -1;
    /**
     * When the index found it by one clause and exactly one other clause of one value is left to check (Docker's
     * usual {@code type=container} and {@code name=web}): that clause's attribute and value, read from here instead
     * of from the clause arrays; -1 otherwise.
     */
    int otherAttribute = -1;
    Object otherValue;

    // Outcome: shared.
    private volatile End end;
    private volatile long delivered;
    private volatile long dropped;
    private volatile long lastSequence;
    private volatile boolean registered;
    private final Thread subscriber;
    private final CompletableFuture<EndReason> endedFuture = new CompletableFuture<>();

    @SuppressWarnings("unchecked")
    DispatcherSubscription(Dispatcher dispatcher, String name, long ordinal, String selection, EventHandler<?> handler,
                    Predicate<?> filter, long sinceNanos, long afterSequence, boolean requireHistory, long untilNanos,
                    long limit, Isolation isolation, String[] topics, TopicPattern[] patterns, int[] whereAttributes,
                    Object[][] whereValues) {
        this.dispatcher = dispatcher;
        this.name = name;
        this.ordinal = ordinal;
        this.selection = selection;
        this.handler = (EventHandler<Object>) handler;
        this.filter = (Predicate<Object>) filter;
        this.sinceNanos = sinceNanos;
        this.afterSequence = afterSequence;
        this.requireHistory = requireHistory;
        this.untilNanos = untilNanos;
        this.limit = limit;
        this.deadlineNanos = untilNanos;
        this.subscriber = Thread.currentThread();
        this.topics = topics;
        this.patterns = patterns;
        this.whereAttributes = whereAttributes;
        this.whereValues = whereValues;
        this.async = isolation == null ? null : new AsyncDelivery(this, isolation.executor(), isolation.buffer(),
                isolation.overflow(), dispatcher.slowHandlerNanos(), dispatcher.name(),
                isolation.flow() == null ? null : new FlowDemand(isolation.flow()));
        this.inlineDelivery = async == null && !hasTopicFilter() && whereAttributes == null
                ? InlineDelivery.forSubscriber(filter, handler) : null;
    }

    /**
     * How an async subscription is isolated: its executor (null: a thread of its own), its buffer, and the
     * Reactive Streams subscriber it serves, if any.
     */
    record Isolation(java.util.concurrent.Executor executor, int buffer, Overflow overflow,
                     java.util.concurrent.Flow.Subscriber<?> flow) {
    }

    boolean hasTopicFilter() {
        return topics.length > 0 || patterns.length > 0;
    }

    /** Whether an event with this topic passes the topic filter (replay; live events go through the index). */
    boolean matchesTopic(String topic) {
        if (topic == null) {
            return false;
        }
        for (String exact : topics) {
            if (exact.equals(topic)) {
                return true;
            }
        }
        for (TopicPattern pattern : patterns) {
            if (pattern.matches(topic)) {
                return true;
            }
        }
        return false;
    }

    boolean replays() {
        return sinceNanos != NO_SINCE || afterSequence != NO_AFTER;
    }

    /**
     * Reads a field from each part of the object that a delivery reads first (the end, the cursor, the other clause,
     * the handler), so that the attribute index's first pass brings those cache lines in for many subscriptions at
     * once, and the delivery of each finds them there. The value means nothing, so the end is read plainly.
     * Dispatcher thread only.
     */
    long touch() {
        return matchedSequence + (END.get(this) == null ? 0 : 1) + (otherValue == null ? 0 : 2)
                + (handler == null ? 0 : 4);
    }

    /** The dispatcher's check before each handler call: volatile, so it sees a cancel from any thread. */
    boolean isEnded() {
        return end != null;
    }

    /**
     * Decides the end, once. Any thread.
     *
     * @return whether this call decided it
     */
    boolean finish(EndReason reason, Throwable failure) {
        End decided = new End(reason, failure);
        if (!END.compareAndSet(this, null, decided)) {
            return false;
        }
        dispatcher.ended(this, decided);
        if (async != null) {
            async.wakeConsumer(); // so that it stops (and its own thread exits)
        }
        endedFuture.complete(reason);
        return true;
    }

    // Dispatcher-side counter updates: single writer, release stores.

    void recordDelivery(long sequence) {
        DELIVERED.setRelease(this, (long) DELIVERED.get(this) + 1);
        LAST_SEQUENCE.setRelease(this, sequence);
    }

    /** {@code count} more events handed over, the last of them {@code sequence}: once per batch, for many. */
    void recordDeliveries(long count, long sequence) {
        DELIVERED.setRelease(this, (long) DELIVERED.get(this) + count);
        LAST_SEQUENCE.setRelease(this, sequence);
    }

    long deliveredPlain() {
        return (long) DELIVERED.get(this);
    }

    void addDropped(long count) {
        DROPPED.getAndAdd(this, count);
        dispatcher.dropped(count);
    }

    void markRegistered() {
        registered = true;
        LockSupport.unpark(subscriber);
    }

    /** Waits, uninterruptibly, until the dispatcher has registered this subscription or the hub is gone. */
    void awaitRegistration() {
        boolean interrupted = false;
        while (!registered) {
            if (dispatcher.isTerminated()) {
                // Registration can no longer happen; end it here so the caller gets a decided subscription.
                finish(EndReason.HUB_CLOSED, null);
                break;
            }
            LockSupport.parkNanos(this, Dispatcher.COMMAND_POLL_NANOS);
            if (Thread.interrupted()) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    // Monitoring

    /**
     * This subscription as {@code subscriptions()} shows it. Any thread; reads only fields kept anyway (see
     * {@link SubscriptionInfo} for how exact each figure is).
     *
     * @param head           the hub's last dispatched sequence
     * @param now            {@code System.nanoTime()} of the snapshot
     * @param roundStartedAt when the dispatcher's current round began dispatching, or {@link CallGate#NOT_CALLING}
     * @param slowNanos      the hub's slow-handler threshold
     */
    SubscriptionInfo info(long head, long now, long roundStartedAt, long slowNanos) {
        final long last = lastSequence;
        final AsyncDelivery async = this.async;
        if (async == null) {
            long round = roundStartedAt == CallGate.NOT_CALLING ? 0 : Math.max(0, now - roundStartedAt);
            boolean held = round >= slowNanos && last < head;
            return new SubscriptionInfo(name, SubscriptionInfo.Kind.INLINE, selection, delivered, dropped, 0, 0,
                    held ? 1 : 0, last, held, Duration.ofNanos(held ? round : 0));
        }
        SubscriptionInfo.Kind kind = async.isFlow() ? SubscriptionInfo.Kind.FLOW
                : handler instanceof SinkAttachment<?> ? SubscriptionInfo.Kind.SINK : SubscriptionInfo.Kind.ASYNC;
        long buffered = Math.min(async.backlog(), async.size());
        long oldest = async.oldestBuffered();
        long lag = buffered == 0 ? 0 : oldest > 0 ? Math.max(buffered, head - oldest + 1) : buffered;
        long since = async.callingSince();
        long inCall = since == CallGate.NOT_CALLING ? 0 : Math.max(0, now - since);
        return new SubscriptionInfo(name, kind, selection, delivered, dropped, buffered, async.size(), lag, last,
                inCall >= slowNanos, Duration.ofNanos(inCall));
    }

    // OwnerCommand: queued to be registered, or to be unlinked once ended

    @Override
    public void applyOn(Dispatcher owner) {
        owner.reconcile(this);
    }

    @Override
    public void abandon() {
        finish(EndReason.HUB_CLOSED, null);
        markRegistered();
    }

    // Subscription

    @Override
    public String name() {
        return name;
    }

    @Override
    public void cancel() {
        finish(EndReason.CANCELLED, null);
        if (async != null) {
            async.awaitQuiescence();
        } else {
            dispatcher.awaitQuiescence();
        }
    }

    @Override
    public boolean isActive() {
        return end == null;
    }

    @Override
    public EndReason await() throws InterruptedException {
        if (end == null && async == null && dispatcher.inRound()) {
            throw new IllegalStateException("await: called from a handler of hub '" + dispatcher.name() + "' on an "
                    + "inline subscription that has not ended (the dispatcher would wait for itself); use ended() "
                    + "or await(timeout)");
        }
        return Ends.await(endedFuture);
    }

    @Override
    public boolean await(Duration timeout) throws InterruptedException {
        return Ends.await(endedFuture, timeout);
    }

    @Override
    public boolean await(long timeout, TimeUnit unit) throws InterruptedException {
        return Ends.await(endedFuture, timeout, unit);
    }

    @Override
    public CompletionStage<EndReason> ended() {
        return endedFuture.minimalCompletionStage();
    }

    @Override
    public EndReason endReason() {
        End decided = end;
        return decided == null ? null : decided.reason();
    }

    @Override
    public Throwable failure() {
        End decided = end;
        return decided == null ? null : decided.failure();
    }

    @Override
    public long delivered() {
        return delivered;
    }

    @Override
    public long dropped() {
        return dropped;
    }

    @Override
    public long lastSequence() {
        return lastSequence;
    }

    /**
     * The creation ordinal's hash, not the identity hash: the registry ({@code Dispatcher.active}) is a hash set, and
     * a hash that is the same on every run keeps its iteration order the same, which lincheck's model checker needs
     * to replay an interleaving ({@code RegistryLincheckTest}). Equality stays identity; ordinals are unique within a
     * hub, so equal subscriptions have equal hashes.
     */
    @Override
    public int hashCode() {
        return Long.hashCode(ordinal);
    }

    @Override
    public boolean equals(Object other) {
        return this == other;
    }

    @Override
    public String toString() {
        End decided = end;
        return "Subscription{hub=" + dispatcher.name() + ", name=" + name + ", delivered=" + delivered + ", dropped=" + dropped
                + ", lastSequence=" + lastSequence + (decided == null ? ", active" : ", " + decided.reason())
                + '}';
    }
}
