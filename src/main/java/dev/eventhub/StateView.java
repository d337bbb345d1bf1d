package dev.eventhub;

import dev.eventhub.internal.Checks;
import java.lang.System.Logger.Level;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * The last known state of every object by key, kept from a hub's events: client-go's informer and {@code Indexer},
 * built on the hub's total order and without its unbounded buffers. Made by {@link EventHub#stateView}.
 *
 * <p><b>Maintenance.</b> The view is an inline subscription of its hub: on the dispatcher, in sequence order, each
 * event either sets the value of its key or, when the deletion test says so, removes the key. It starts by replaying
 * the hub's retained history from sequence 1; when the ring still holds all of it, the view is complete and
 * {@linkplain #hasSynced() synced} at once, otherwise it holds what was retained and becomes synced with the first
 * {@link #replace(Collection) relist}. The key and deletion functions run on the dispatcher: keep them quick and
 * pure. An event they throw on (or give a null key for) is skipped, counted in {@link #errors()} and logged.
 *
 * <p><b>Reads.</b> {@link #get} and {@link #size} read the live map without locking. {@link #snapshot()} and
 * {@link #byIndex} take the view's lock, which every change holds, so each sees the view at one point of the hub's
 * order, including never half a relist.
 *
 * <p><b>Watchers.</b> {@link #watch(StateWatcher)} adds a {@link StateWatcher}; see it for what a watcher is told
 * and how a slow one is coalesced so that its backlog is bounded by the number of keys, not events. A watcher joining
 * late first gets one {@code onAdd(key, value, true)} per current entry, then every later change: joining takes the
 * view's lock, so no change is missed or doubled at the seam.
 *
 * <p><b>End.</b> The view stops following the hub when the hub closes or on {@link #close()}. Its watchers then
 * deliver what they have pending and end with the same reason; the view keeps answering reads with its last state.
 *
 * <p><b>Threading.</b> Every method may be called from any thread, including from a watcher or a hub handler.
 *
 * @param <K> the key type (with sound {@code equals} and {@code hashCode})
 * @param <T> the hub's event type, stored as the value of its key
 */
public final class StateView<K, T> implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger("dev.eventhub");
    /** Marks "no value" in a change: a key that did not exist before, or no longer exists after. */
    static final Object ABSENT = new Object();

    private static final VarHandle APPLIED =
            VarHandles.field(MethodHandles.lookup(), StateView.class, "applied", long.class);
    private static final VarHandle ERRORS =
            VarHandles.field(MethodHandles.lookup(), StateView.class, "errors", long.class);

    /** A handle on one watcher: a {@link Subscription} that also tells how much it has pending. */
    public interface Watch extends Subscription {
        /**
         * {@return keys with a change this watcher has not been told of yet} At most the number of keys it knows plus
         * the number the view holds, however many events arrive meanwhile.
         */
        int backlog();
    }

    private final EventHub<T> hub;
    private final Dispatcher dispatcher;
    private final Function<? super T, ? extends K> keyOf;
    private final Predicate<? super T> isDeletion;
    private final String description;

    // Shared.
    /** The state: written by the owner under {@link #lock}, read by anyone without it. */
    private final ConcurrentHashMap<K, T> state = new ConcurrentHashMap<>();
    /** Held by every change, and by anything that needs the view at one point of the order. */
    private final Object lock = new Object();
    /** Whether the view holds the complete state; once true, stays true. */
    private volatile boolean synced;
    /** Counted down when synced, or when the view ends (to release waiters). */
    private final CountDownLatch settled = new CountDownLatch(1);
    /** Set on the owner by the registration replay when history did not reach back to sequence 1. */
    private volatile boolean truncated;
    /** The last sequence applied; written by the owner under the lock (release), read by anyone. */
    private volatile long applied;
    private volatile long errors;
    private final Subscription subscription;

    // Guarded by lock.
    private final Map<String, Index> indexes = new LinkedHashMap<>();
    private final List<WatchDelivery<K, T>> watchers = new ArrayList<>();
    /** Relists submitted and not yet applied, failed if the view ends first. */
    private final Set<Relist<K, T>> relists = new LinkedHashSet<>();
    private final List<Periodic> resyncs = new ArrayList<>();
    private EndReason end;

    // Owner only.
    /** Watchers to hand to their executor once the lock is released (a caller-runs executor must not run under it). */
    private final List<WatchDelivery<K, T>> toSubmit = new ArrayList<>();
    /** Relists that came before the view reached their place in the order. */
    private final List<Relist<K, T>> waiting = new ArrayList<>(1);

    StateView(EventHub<T> hub, Function<? super T, ? extends K> keyOf, Predicate<? super T> isDeletion) {
        this.hub = hub;
        this.dispatcher = hub.dispatcher();
        this.keyOf = keyOf;
        this.isDeletion = isDeletion;
        DispatcherSubscription subscription = hub.events().afterSequence(0).newInlineSubscription(new Applier());
        this.description = "state view of hub '" + hub.name() + "' (subscription '" + subscription.name + "')";
        this.subscription = hub.subscribe(subscription);
        this.subscription.ended().whenComplete((reason, impossible) -> end(reason));
    }

    // ------------------------------------------------------------------ reads

    /**
     * {@return the value of {@code key} now, or null if the view has none}
     *
     * @param key the key
     * @throws NullPointerException if {@code key} is null
     */
    public T get(K key) {
        return state.get(Checks.notNull("key", key));
    }

    /** {@return how many keys the view holds now} */
    public int size() {
        return state.size();
    }

    /** {@return an immutable copy of the whole view, at one point of the hub's order} */
    public Map<K, T> snapshot() {
        synchronized (lock) {
            return Map.copyOf(state);
        }
    }

    /**
     * {@return whether the view holds the complete state} It does when it replayed the hub's history from the first
     * event, or once a {@link #replace(Collection) relist} has been applied; once true, it stays true.
     */
    public boolean hasSynced() {
        return synced;
    }

    /**
     * Waits at most {@code timeout} for {@link #hasSynced()}.
     *
     * @param timeout how long to wait at most
     * @return whether the view is synced
     * @throws IllegalArgumentException if {@code timeout} is negative
     * @throws InterruptedException     if interrupted while waiting
     */
    public boolean awaitSynced(Duration timeout) throws InterruptedException {
        Checks.notNegative("timeout", timeout);
        settled.await(Checks.toNanos(timeout), TimeUnit.NANOSECONDS);
        return synced;
    }

    /** {@return the last hub sequence the view has applied: the view is the state after that event} */
    public long lastSequence() {
        return applied;
    }

    /**
     * {@return how many times a user function failed} That is events skipped because the key or deletion function
     * threw or gave a null key, and entries an index function threw on; each is logged.
     */
    public long errors() {
        return errors;
    }

    /** {@return whether the view still follows its hub (neither it nor the hub is closed)} */
    public boolean isActive() {
        return subscription.isActive();
    }

    // ------------------------------------------------------------------ indexes

    /**
     * Adds a secondary index, like client-go's {@code Indexer}: {@code function} gives an entry's index value, or a
     * {@link Collection} of values (each is indexed), or null for none. Built at once from the current entries and
     * kept up to date with every change. The function runs on the dispatcher under the view's lock: keep it quick
     * and pure. An entry it throws on is left out of the index and counted in {@link #errors()}.
     *
     * @param name     the index's name, for {@link #byIndex}
     * @param function gives an entry's index value or values
     * @return this view
     * @throws NullPointerException     if an argument is null
     * @throws IllegalArgumentException if {@code name} is blank or already names an index of this view
     */
    public StateView<K, T> index(String name, Function<? super T, ?> function) {
        Checks.name("name", name);
        Checks.notNull("function", function);
        synchronized (lock) {
            if (indexes.containsKey(name)) {
                throw new IllegalArgumentException("name: \"" + name + "\" (expected: a name no other index of this "
                        + "view has)");
            }
            Index index = new Index(name, function);
            state.forEach(index::add);
            indexes.put(name, index);
        }
        return this;
    }

    /**
     * {@return the values whose index {@code name} holds {@code value}} Read at one point of the order; in no
     * particular order; immutable.
     *
     * @param name  the index
     * @param value the index value
     * @throws NullPointerException     if an argument is null
     * @throws IllegalArgumentException if there is no index called {@code name}
     */
    public List<T> byIndex(String name, Object value) {
        Checks.notNull("name", name);
        Checks.notNull("value", value);
        synchronized (lock) {
            Index index = indexes.get(name);
            if (index == null) {
                throw new IllegalArgumentException("name: \"" + name + "\" (expected: one of the indexes of this view "
                        + indexes.keySet() + ")");
            }
            Set<K> keys = index.keys(value);
            List<T> values = new ArrayList<>(keys.size());
            for (K key : keys) {
                values.add(state.get(key));
            }
            return Collections.unmodifiableList(values);
        }
    }

    // ------------------------------------------------------------------ relist

    /**
     * Replaces the whole state with {@code items}, a full list from the source of truth (client-go's relist): keys
     * missing from it are deleted (watchers get {@code onDelete} with the last known value), new ones added, and
     * those whose value changed ({@code equals}) updated. It takes effect atomically at one point of the hub's
     * order: after every event accepted before this call and before any accepted after it. The view is then
     * {@linkplain #hasSynced() synced}.
     *
     * <p>Keys are computed here, on the calling thread, so a bad item fails this call before anything changes. When
     * two items have the same key, the later one wins. Called from outside the hub's dispatcher, returns once the
     * relist has been applied; called from a handler on the dispatcher, it cannot wait for events behind its own,
     * so it returns at once and the relist is applied in order.
     *
     * @param items the full list: every object that exists now
     * @throws NullPointerException     if {@code items} or one of them is null
     * @throws IllegalArgumentException if an item is a deletion, or the key function throws on it or gives null
     * @throws IllegalStateException    if the view has ended (closed, or its hub closed)
     * @throws InterruptedException     if interrupted while waiting (the relist is still applied)
     */
    public void replace(Collection<? extends T> items) throws InterruptedException {
        Checks.notNull("items", items);
        Map<K, T> list = new LinkedHashMap<>();
        int i = 0;
        for (T item : items) {
            if (item == null) {
                throw new NullPointerException("items[" + i + "]: null (expected: not null)");
            }
            K key;
            boolean deletion;
            try {
                deletion = isDeletion.test(item);
                key = keyOf.apply(item);
            } catch (RuntimeException failure) {
                throw new IllegalArgumentException("items[" + i + "]: " + item + " (the key or deletion function "
                        + "threw " + failure + ")", failure);
            }
            if (deletion) {
                throw new IllegalArgumentException("items[" + i + "]: " + item + " (expected: a state, not a "
                        + "deletion; a relist lists what exists)");
            }
            if (key == null) {
                throw new IllegalArgumentException("items[" + i + "]: " + item + " (expected: an item with a key; "
                        + "the key function gave null)");
            }
            list.put(key, item);
            i++;
        }
        Relist<K, T> relist = new Relist<>(list, dispatcher.acceptedCount());
        synchronized (lock) {
            if (end != null) {
                throw ended("replace");
            }
            relists.add(relist);
        }
        dispatcher.execute(() -> offerRelist(relist));
        if (dispatcher.isOwner()) {
            return;
        }
        try {
            relist.done.get();
        } catch (ExecutionException failure) {
            throw (IllegalStateException) failure.getCause();
        }
    }

    /** Owner: applies the relist now if the view has reached its place in the order, else when it does. */
    private void offerRelist(Relist<K, T> relist) {
        if (applied >= relist.after) {
            applyRelist(relist);
        } else {
            waiting.add(relist);
        }
    }

    /** Owner: applies the waiting relists whose place in the order has been reached, in the order they came. */
    private void applyDueRelists(long sequence) {
        if (waiting.isEmpty()) {
            return;
        }
        for (Iterator<Relist<K, T>> it = waiting.iterator(); it.hasNext(); ) {
            Relist<K, T> relist = it.next();
            if (relist.after <= sequence) {
                it.remove();
                applyRelist(relist);
            }
        }
    }

    private void applyRelist(Relist<K, T> relist) {
        synchronized (lock) {
            if (!relists.remove(relist)) {
                return; // failed by the end of the view meanwhile
            }
            if (end == null) {
                for (Iterator<Map.Entry<K, T>> it = state.entrySet().iterator(); it.hasNext(); ) {
                    Map.Entry<K, T> entry = it.next();
                    if (!relist.items.containsKey(entry.getKey())) {
                        it.remove();
                        unindex(entry.getKey());
                        changed(entry.getKey(), entry.getValue(), ABSENT);
                    }
                }
                relist.items.forEach((key, value) -> {
                    T old = state.get(key);
                    if (old == null || !old.equals(value)) { // an equal value keeps the instance watchers have seen
                        state.put(key, value);
                        reindex(key, value);
                        changed(key, old == null ? ABSENT : old, value);
                    }
                });
            }
        }
        submitWatchers();
        markSynced(); // before the caller is released: replace() promises a synced view when it returns
        relist.done.complete(null);
    }

    private void markSynced() {
        synced = true;
        settled.countDown();
    }

    // ------------------------------------------------------------------ watchers

    /**
     * Adds a watcher, called on a thread of its own (named {@code eventhub-<hub>-<name>}, joined by the hub's close),
     * with a generated name ({@code watcher-8}, unique within the hub). It first gets one
     * {@code onAdd(key, value, true)} per current entry, then every change.
     *
     * @param watcher told of the changes
     * @return its handle: cancel it (idempotent, safe from inside its own callbacks), read its counters
     * @throws NullPointerException  if {@code watcher} is null
     * @throws IllegalStateException if the view has ended
     */
    public Watch watch(StateWatcher<? super K, ? super T> watcher) {
        Checks.notNull("watcher", watcher);
        return add(null, watcher, null);
    }

    /**
     * Adds a named watcher, like {@link #watch(StateWatcher)}: the name shows in its thread's name
     * ({@code eventhub-<hub>-<name>}), log lines, {@link EventHub#subscriptions()} and metrics.
     *
     * @param name    a non-blank name without control characters
     * @param watcher told of the changes
     * @return its handle: cancel it (idempotent, safe from inside its own callbacks), read its counters
     * @throws NullPointerException     if an argument is null
     * @throws IllegalArgumentException if {@code name} is blank or has control characters
     * @throws IllegalStateException    if the view has ended
     */
    public Watch watch(String name, StateWatcher<? super K, ? super T> watcher) {
        Checks.name("name", name);
        Checks.notNull("watcher", watcher);
        return add(name, watcher, null);
    }

    /**
     * Adds a watcher whose calls run as tasks on {@code executor} (one task at a time per watcher, each bounded so
     * that watchers sharing a pool take turns), with a generated name. An executor that rejects a task ends the
     * watcher with {@link EndReason#HANDLER_FAILED} and the rejection as its failure, reported.
     *
     * @param watcher  told of the changes
     * @param executor runs the watcher's calls
     * @return its handle: cancel it, read its counters
     * @throws NullPointerException  if an argument is null
     * @throws IllegalStateException if the view has ended
     */
    public Watch watch(StateWatcher<? super K, ? super T> watcher, Executor executor) {
        Checks.notNull("watcher", watcher);
        Checks.notNull("executor", executor);
        return add(null, watcher, executor);
    }

    /**
     * Adds a named watcher whose calls run as tasks on {@code executor}, like
     * {@link #watch(StateWatcher, Executor)}.
     *
     * @param name     a non-blank name without control characters
     * @param watcher  told of the changes
     * @param executor runs the watcher's calls
     * @return its handle: cancel it, read its counters
     * @throws NullPointerException     if an argument is null
     * @throws IllegalArgumentException if {@code name} is blank or has control characters
     * @throws IllegalStateException    if the view has ended
     */
    public Watch watch(String name, StateWatcher<? super K, ? super T> watcher, Executor executor) {
        Checks.name("name", name);
        Checks.notNull("watcher", watcher);
        Checks.notNull("executor", executor);
        return add(name, watcher, executor);
    }

    private Watch add(String name, StateWatcher<? super K, ? super T> watcher, Executor executor) {
        WatchDelivery<K, T> watch;
        synchronized (lock) {
            if (end != null) {
                throw ended("watch");
            }
            long ordinal = dispatcher.nextOrdinal();
            String watchName = name != null ? name : "watcher-" + ordinal;
            watch = new WatchDelivery<>(this, watcher, executor, watchName, ordinal,
                    "eventhub-" + hub.name() + "-" + watchName);
            state.forEach(watch::initial);
            watchers.add(watch);
            dispatcher.listed(watch);
        }
        watch.start();
        return watch;
    }

    /**
     * Re-delivers the whole state to every watcher each {@code period}, as {@code onUpdate(key, value, value)} for
     * each key the watcher has nothing pending for: a watcher that acts on state (client-go's resync) gets to retry
     * what it failed to do. Runs on the dispatcher's deadline tracking, no thread added; stops when the view ends.
     *
     * @param period time between resyncs
     * @return a handle to cancel the schedule; its {@code published()} counts the resyncs
     * @throws NullPointerException     if {@code period} is null
     * @throws IllegalArgumentException if {@code period} is not positive
     * @throws IllegalStateException    if the view has ended
     */
    public Periodic resyncEvery(Duration period) {
        Checks.positive("period", period);
        PeriodicTask task = new PeriodicTask(dispatcher, Checks.toNanos(period), this::resync);
        synchronized (lock) {
            if (end != null) {
                throw ended("resyncEvery");
            }
            resyncs.add(task);
        }
        dispatcher.submit(task);
        return task;
    }

    /** Owner: queues the current state to every watcher as unchanged updates. */
    private void resync() {
        synchronized (lock) {
            if (end != null) {
                return;
            }
            for (WatchDelivery<K, T> watch : watchers) {
                if (watch.resync(state)) {
                    toSubmit.add(watch);
                }
            }
        }
        submitWatchers();
    }

    /** A watcher ended (cancelled, failed): it is told of nothing more. Any thread. */
    void remove(WatchDelivery<K, T> watch) {
        synchronized (lock) {
            watchers.remove(watch);
        }
    }

    /** Watchers of the view now (for tests and stats). */
    int watchers() {
        synchronized (lock) {
            return watchers.size();
        }
    }

    Dispatcher dispatcher() {
        return dispatcher;
    }

    String description() {
        return description;
    }

    String hubName() {
        return hub.name();
    }

    // ------------------------------------------------------------------ end

    /**
     * Stops following the hub: the view keeps its last state for reads, watchers deliver what is pending and end
     * with {@link EndReason#CANCELLED}, resync schedules stop. Idempotent. The hub is not closed.
     */
    @Override
    public void close() {
        subscription.cancel();
    }

    /** The view's subscription ended: pass the end on. Runs on whichever thread ended it. */
    private void end(EndReason reason) {
        List<Periodic> schedules;
        List<WatchDelivery<K, T>> submit = new ArrayList<>();
        synchronized (lock) {
            if (end != null) {
                return;
            }
            end = reason;
            for (WatchDelivery<K, T> watch : watchers) {
                if (watch.endInput(reason)) {
                    submit.add(watch);
                }
            }
            for (Relist<K, T> relist : relists) {
                relist.done.completeExceptionally(ended("replace"));
            }
            relists.clear();
            schedules = new ArrayList<>(resyncs);
        }
        schedules.forEach(Periodic::cancel);
        submit.forEach(WatchDelivery::submit);
        settled.countDown(); // releases awaitSynced callers; hasSynced() stays as it was
        if (reason == EndReason.HANDLER_FAILED) {
            LOG.log(Level.ERROR, description + " stopped following its hub", subscription.failure());
        }
    }

    private IllegalStateException ended(String operation) {
        return new IllegalStateException(description + ": " + operation + " after the view ended (" + end + ")");
    }

    // ------------------------------------------------------------------ applying events (owner)

    /** The view's inline handler: applies events in order, and decides at registration whether history was whole. */
    private final class Applier implements EventHandler<T>, RegistrationHook {
        @Override
        public void registered(Subscription subscription) {
            if (!truncated && subscription.isActive()) {
                markSynced();
            }
        }

        @Override
        public void onEvent(T event, long sequence, long timestampNanos) {
            apply(event, sequence);
            applyDueRelists(sequence);
        }

        @Override
        public void onGap(long missed) {
            truncated = true;
            LOG.log(Level.INFO, description + " starts from truncated history (" + missed + " events evicted); "
                    + "it is not synced until replace(...) relists the state");
        }
    }

    private void apply(T event, long sequence) {
        K key;
        boolean deletion;
        try {
            deletion = isDeletion.test(event);
            key = keyOf.apply(event);
            if (key == null) {
                throw new NullPointerException("the key function gave null");
            }
        } catch (Throwable failure) {
            error("event " + sequence + " skipped: the key or deletion function failed", failure);
            APPLIED.setRelease(this, sequence);
            return;
        }
        synchronized (lock) {
            if (deletion) {
                T old = state.remove(key);
                if (old != null) {
                    unindex(key);
                    changed(key, old, ABSENT);
                }
            } else {
                T old = state.put(key, event);
                reindex(key, event);
                changed(key, old == null ? ABSENT : old, event);
            }
            APPLIED.setRelease(this, sequence);
        }
        submitWatchers();
    }

    /** Under the lock: tells every watcher of one change; those to kick are handed to their executor after. */
    private void changed(K key, Object old, Object now) {
        for (int i = 0, n = watchers.size(); i < n; i++) {
            WatchDelivery<K, T> watch = watchers.get(i);
            if (watch.changed(key, old, now)) {
                toSubmit.add(watch);
            }
        }
    }

    /** Outside the lock: hands watchers that were idle to their executor. Owner only. */
    private void submitWatchers() {
        if (toSubmit.isEmpty()) {
            return;
        }
        for (WatchDelivery<K, T> watch : toSubmit) {
            watch.submit();
        }
        toSubmit.clear();
    }

    private void reindex(K key, T value) {
        if (!indexes.isEmpty()) {
            for (Index index : indexes.values()) {
                index.remove(key);
                index.add(key, value);
            }
        }
    }

    private void unindex(K key) {
        if (!indexes.isEmpty()) {
            for (Index index : indexes.values()) {
                index.remove(key);
            }
        }
    }

    void error(String what, Throwable failure) {
        long count = errors + 1;
        ERRORS.setRelease(this, count);
        if (Long.bitCount(count) == 1) { // 1st, 2nd, 4th, 8th...: visible without flooding the log
            LOG.log(Level.WARNING, description + ": " + what + " (" + count + " so far)", failure);
        }
    }

    @Override
    public String toString() {
        return "StateView{hub=" + hub.name() + ", size=" + state.size() + ", lastSequence=" + applied
                + ", synced=" + hasSynced() + (isActive() ? "" : ", ended") + '}';
    }

    // ------------------------------------------------------------------ parts

    /** A relist waiting for its place in the order: after sequence {@code after}. */
    private static final class Relist<K, T> {
        final Map<K, T> items;
        final long after;
        final CompletableFuture<Void> done = new CompletableFuture<>();

        Relist(Map<K, T> items, long after) {
            this.items = items;
            this.after = after;
        }
    }

    /** Several index values of one key (a user's single value may itself be an array, so it needs its own type). */
    private record Many(Object[] values) {
    }

    /** One secondary index: value to keys, and each key's values so that removal needs no recomputation. */
    private final class Index {
        private final String name;
        private final Function<? super T, ?> function;
        private final Map<Object, Set<K>> keysByValue = new HashMap<>();
        /** Each key's values as indexed: one value, or {@link Many}. */
        private final Map<K, Object> valuesByKey = new HashMap<>();

        Index(String name, Function<? super T, ?> function) {
            this.name = name;
            this.function = function;
        }

        void add(K key, T value) {
            Object values;
            try {
                values = function.apply(value);
            } catch (Throwable failure) {
                error("index \"" + name + "\" left out key " + key + ": its function failed", failure);
                return;
            }
            if (values instanceof Collection<?> many) {
                Object[] copy = many.stream().filter(Objects::nonNull).distinct().toArray(); // the caller's may change
                valuesByKey.put(key, new Many(copy));
                for (Object one : copy) {
                    keysByValue.computeIfAbsent(one, v -> new LinkedHashSet<>()).add(key);
                }
            } else if (values != null) {
                valuesByKey.put(key, values);
                keysByValue.computeIfAbsent(values, v -> new LinkedHashSet<>()).add(key);
            }
        }

        void remove(K key) {
            Object values = valuesByKey.remove(key);
            if (values instanceof Many many) {
                for (Object one : many.values) {
                    removeKey(one, key);
                }
            } else if (values != null) {
                removeKey(values, key);
            }
        }

        private void removeKey(Object value, K key) {
            Set<K> keys = keysByValue.get(value);
            if (keys != null && keys.remove(key) && keys.isEmpty()) {
                keysByValue.remove(value);
            }
        }

        Set<K> keys(Object value) {
            return keysByValue.getOrDefault(value, Set.of());
        }
    }
}
