package dev.eventhub;

import java.lang.System.Logger.Level;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.LongSupplier;

/**
 * The hub's single consumer: a duty cycle that takes events from the {@link ClosableMpscQueue}, gives each a sequence and a
 * stamp, appends it to the {@link HistoryRing} and hands it to every subscription.
 *
 * <p><b>Duty cycle.</b> {@link #doWork()} does one bounded round and returns how much it did: apply subscription
 * changes, dispatch up to {@link #BATCH} events, end subscriptions whose {@code until} has passed, and finish
 * closing once everything accepted is dispatched. {@link #run()} loops over it and applies the
 * {@link IdleStrategy} when a round did nothing. Tests call {@code doWork()} by hand with no thread at all.
 *
 * <p><b>Ownership.</b> Everything not marked shared belongs to the thread running {@code doWork()} (the
 * <em>owner</em>): the subscriber array, the deadline heap, the ring, the sequence and the last stamp. Other
 * threads reach the dispatcher only through {@link #commands} (a subscription to register or to unlink), the
 * ingress, and the volatile fields below; docs/concurrency.md lists each.
 *
 * <p><b>Why registration runs here.</b> Replay and going live happen in one step on the owner, between two
 * events, so a replaying subscriber cannot miss or repeat an event at the seam, whatever producers do meanwhile.
 *
 * <p><b>Rounds and cancel.</b> Each round is one call of the {@link CallGate} {@link #roundGate}: its epoch is
 * odd while a round runs. {@link #awaitQuiescence()} uses it to make {@link Subscription#cancel()} final: a
 * canceller that reads an even epoch knows every later round will read the end; one that reads an odd epoch waits
 * for that round to finish.
 */
final class Dispatcher implements Runnable {
    private static final System.Logger LOG = System.getLogger("dev.eventhub");

    /** Events per round: bounds how long a subscription change or a deadline waits behind a busy stream. */
    static final int BATCH = 256;
    /**
     * Looks a round takes at an empty queue before it ends, when it has dispatched fewer than {@link #BATCH}: a
     * steady stream's next event is usually a few tens of nanoseconds away, and ending the round for it costs more
     * (a fence, a clock read, the round's bookkeeping) than waiting. Without it a consumer that has caught up with
     * its producer runs one round per event or two, and stays in that slow lockstep (see docs/benchmarks.md,
     * "stability"). About a microsecond at most.
     */
    static final int LINGER_SPINS = 32;
    /** Empty rounds a PARK dispatcher spins through before it yields: cheap cover for gaps of a microsecond. */
    static final int SPINS_BEFORE_PARK = 100;
    /**
     * Empty rounds a PARK dispatcher then yields through before it parks: some tens of microseconds, in which other
     * runnable threads get its CPU. Without them a publisher that comes every few microseconds (an ingest fed by the
     * network) found the dispatcher parked at about one event in twenty, and paid an unpark, and the dispatcher a
     * wake-up, each time. The Disruptor's SleepingWaitStrategy spins, yields, then sleeps in the same way.
     */
    static final int YIELDS_BEFORE_PARK = 100;
    /** With an injected clock, wall time says nothing about its deadlines: look at them this often when idle. */
    static final long INJECTED_CLOCK_MAX_PARK_NANOS = TimeUnit.MILLISECONDS.toNanos(10);
    /** How often a thread waiting on the dispatcher re-checks that it has not terminated meanwhile. */
    static final long COMMAND_POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(10);
    private static final int INITIAL_SUBSCRIBERS = 16;

    private static final int RUNNING = 0;
    private static final int CLOSING = 1;
    private static final int TERMINATED = 2;


    private static final VarHandle STATE =
            VarHandles.field(MethodHandles.lookup(), Dispatcher.class, "state", int.class);
    private static final VarHandle PUBLISHED =
            VarHandles.field(MethodHandles.lookup(), Dispatcher.class, "published", long.class);
    private static final VarHandle DELIVERED =
            VarHandles.field(MethodHandles.lookup(), Dispatcher.class, "delivered", long.class);
    private static final VarHandle ROUND_STARTED =
            VarHandles.field(MethodHandles.lookup(), Dispatcher.class, "roundStarted", long.class);
    private static final VarHandle ROUNDS =
            VarHandles.field(MethodHandles.lookup(), Dispatcher.class, "publishedRounds", long.class);

    private final String name;
    private final ClosableMpscQueue ingress;
    private final HistoryRing ring;
    private final LongSupplier clock;
    /** The clock, when it is the system's (not injected): read at a timer value the round already has. */
    private final SystemEpochClock systemClock;
    private final IdleStrategy idle;
    private final long slowHandlerNanos;
    private final Function<Object, String> topicFunction;
    /** Declared attributes (EventHub.Builder.attribute), in declaration order; immutable. */
    private final String[] attributeNames;
    private final Function<Object, Object>[] attributeFunctions;
    /** Odd while a round runs: the cancel handshake of inline subscriptions and schedules. */
    private final CallGate roundGate = new CallGate();

    // Shared.
    /**
     * Subscriptions to register or unlink, schedules to start or stop, and tasks to run on the owner (a state view's
     * relist); any thread offers, the owner polls. One entry per subscribe, end, schedule, cancel or relist, so
     * bounded by what callers do, never by events.
     */
    private final ConcurrentLinkedQueue<OwnerCommand> commands = new ConcurrentLinkedQueue<>();
    /** Subscriptions not yet ended; for stats and for a forced close. */
    private final Set<DispatcherSubscription> active = ConcurrentHashMap.newKeySet();
    private final CountDownLatch terminated = new CountDownLatch(1);
    /** Own threads of async subscriptions, joined by close(); each removes itself when it ends. */
    private final Set<Thread> consumerThreads = ConcurrentHashMap.newKeySet();
    /** Deliveries made by async consumers: each adds its batch count, so the adder is touched once per batch. */
    private final java.util.concurrent.atomic.LongAdder asyncDelivered = new java.util.concurrent.atomic.LongAdder();
    /** Creation order of subscriptions and watchers, for generated names and listing order; any thread. */
    private final java.util.concurrent.atomic.AtomicLong ordinals = new java.util.concurrent.atomic.AtomicLong();
    /**
     * Events lost by any subscription of this hub (the sum of their dropped counts, ended ones included): added on the
     * drop paths only (overflow, a disconnect, a close that timed out), never on delivery.
     */
    private final java.util.concurrent.atomic.LongAdder dropped = new java.util.concurrent.atomic.LongAdder();
    private volatile int state;
    /** Last sequence dispatched, published as each event is sequenced, for other threads. */
    private volatile long published;
    /** Handler calls made, published at the end of each round for other threads. */
    private volatile long delivered;
    /** Rounds that dispatched events, published at the end of each round (for the benchmarks' batch size). */
    private volatile long publishedRounds;
    /**
     * {@code System.nanoTime()} at which the current round began dispatching events, or {@link CallGate#NOT_CALLING}
     * between rounds: two release stores per round, for subscriptions() to see an inline handler stuck.
     */
    private volatile long roundStarted = CallGate.NOT_CALLING;
    /** State view watchers not yet ended, for subscriptions(); each adds itself when made and leaves when it ends. */
    private final Set<WatchDelivery<?, ?>> watches = ConcurrentHashMap.newKeySet();
    /** The thread running doWork(): the dispatcher thread, or in manual mode whoever steps it. */
    private volatile Thread owner;

    // Owner only.
    private DispatcherSubscription[] subscribers = new DispatcherSubscription[INITIAL_SUBSCRIBERS];
    private int subscriberCount;
    private final DeadlineHeap deadlines = new DeadlineHeap();
    private final TopicIndex topicIndex = new TopicIndex();
    private final AttributeIndex attributeIndex;
    /** Per attribute, its values for the event of sequence {@code attributeCacheFor[attribute]}. */
    private final Object[] attributeCache;
    private final long[] attributeCacheFor;
    /**
     * Per attribute, its values for each event of the batch being dispatched, when {@code batchValuesReady} says they
     * were computed for the whole batch at once (the attribute index does that for the attributes it looks up).
     */
    private final Object[][] batchValues;
    private final boolean[] batchValuesReady;
    private int batchCount;
    private final boolean[] attributeFailureLogged;
    private final java.util.Set<PeriodicTask> schedules = new java.util.HashSet<>();
    private boolean topicFailureLogged;
    private boolean clockFailureLogged;
    /** Async consumers to wake at the end of this round (each at most once). */
    private AsyncDelivery[] wakes = new AsyncDelivery[INITIAL_SUBSCRIBERS];
    private int wakeCount;
    /** Subscriptions made from inside a handler: registered before the next event is dispatched. */
    private final ArrayDeque<DispatcherSubscription> fromHandlers = new ArrayDeque<>();
    /** The events of the batch being dispatched: taken, sequenced and stamped before any is delivered. */
    private final Object[] batch = new Object[BATCH];
    /**
     * Events a batch takes at most: {@link #BATCH}, or the ingress's capacity if smaller, so that accepted but
     * undelivered events never exceed twice the capacity a user chose (the batch, and a full ingress behind it):
     * a small capacity still means tight backpressure.
     */
    private final int batchLimit;
    /** The sequence of {@code batch[0]} and the stamp all of the batch's events carry. */
    private long batchFirst;
    private long batchStamp;
    private long sequence;
    private long lastStamp = Long.MIN_VALUE;
    private long deliveredCount;
    /** Rounds that dispatched at least one event; published / rounds is the average batch (benchmarks read it). */
    private long rounds;
    private boolean inRound;
    /** Set after a round slower than the threshold: time each inline call until a round is fast again. */
    private boolean timeCalls;
    /** What the last {@link InlineDelivery#deliver} call did besides its count. Owner only. */
    private final InlineDelivery.Outcome outcome = new InlineDelivery.Outcome();
    /** A BLOCK buffer made this round wait (set by AsyncDelivery.makeRoom; dispatcher thread only). */
    boolean waitedForBlockBuffer;

    Dispatcher(String name, ClosableMpscQueue ingress, int history, LongSupplier clock, boolean systemClock,
               IdleStrategy idle, long slowHandlerNanos, Function<?, String> topicFunction,
               String[] attributeNames, Function<?, ?>[] attributeFunctions) {
        this.name = name;
        @SuppressWarnings("unchecked")
        Function<Object, String> function = (Function<Object, String>) topicFunction;
        this.topicFunction = function;
        this.attributeNames = attributeNames;
        @SuppressWarnings("unchecked")
        Function<Object, Object>[] functions = (Function<Object, Object>[]) attributeFunctions;
        this.attributeFunctions = functions;
        this.attributeIndex = new AttributeIndex(attributeNames.length);
        this.attributeCache = new Object[attributeNames.length];
        this.attributeCacheFor = new long[attributeNames.length];
        Arrays.fill(attributeCacheFor, -1); // sequences start at 1
        this.batchValues = new Object[attributeNames.length][];
        this.batchValuesReady = new boolean[attributeNames.length];
        this.attributeFailureLogged = new boolean[attributeNames.length];
        this.slowHandlerNanos = slowHandlerNanos;
        this.ingress = ingress;
        this.ring = new HistoryRing(history);
        this.batchLimit = Math.min(BATCH, ingress.capacity());
        this.clock = clock;
        this.systemClock = systemClock && clock instanceof SystemEpochClock system ? system : null;
        this.idle = idle;
        this.owner = Thread.currentThread();
    }

    String name() {
        return name;
    }

    /** The next creation ordinal of a subscription or watcher of this hub (1, 2, 3...). Any thread. */
    long nextOrdinal() {
        return ordinals.incrementAndGet();
    }

    long slowHandlerNanos() {
        return slowHandlerNanos;
    }

    // ------------------------------------------------------------------ duty cycle (owner)

    /**
     * One round of work. Owner only: one thread at a time, and in thread mode only the dispatcher thread.
     *
     * @return a positive number if anything was done
     */
    int doWork() {
        Thread current = Thread.currentThread();
        if (owner != current) {
            owner = current;
        }
        if (state == TERMINATED || isIdle()) {
            return 0;
        }
        final long round = roundGate.enter();
        inRound = true;
        try {
            int work = runCommands();
            // One read of the system timer serves both the stamp and the slow-round measurement.
            final long started = System.nanoTime();
            final long now = systemClock != null ? systemClock.at(started) : now();
            ROUND_STARTED.setRelease(this, started);
            if (state == CLOSING) {
                // close() closed the ingress before it set CLOSING: the accepted count is final.
                work += dispatch(now, started, Integer.MAX_VALUE, true);
                expire(Math.max(now, lastStamp));
                terminate();
                return work + 1;
            }
            work += dispatch(now, started, BATCH, false);
            if (deadlines.next() < now) {
                work += expire(now);
            }
            return work;
        } finally {
            ROUND_STARTED.setRelease(this, CallGate.NOT_CALLING);
            flushWakes();
            inRound = false;
            DELIVERED.setRelease(this, deliveredCount);
            ROUNDS.setRelease(this, rounds);
            roundGate.exit(round);
        }
    }

    /**
     * Nothing to do and nothing due: an idle SPIN or YIELD loop then costs two loads, not a round with its two
     * volatile epoch stores and a clock read. A round still runs whenever a deadline is pending (it needs the clock).
     */
    private boolean isIdle() {
        return state == RUNNING && ingress.isEmpty() && commands.isEmpty() && deadlines.next() == Long.MAX_VALUE;
    }

    @Override
    public void run() {
        owner = Thread.currentThread();
        try {
            int idleRounds = 0;
            while (state != TERMINATED) {
                if (doWork() > 0) {
                    idleRounds = 0;
                } else {
                    idle(idleRounds++);
                }
            }
        } catch (Throwable bug) {
            // Handlers cannot get here (every call is guarded); this is a fault in the hub itself. Fail loudly
            // and end every subscription so that nobody waits for events that will never come.
            LOG.log(Level.ERROR, "hub '" + name + "': dispatcher failed; ending every subscription", bug);
            ingress.close();
            STATE.setVolatile(this, TERMINATED);
            endAll(EndReason.HUB_CLOSED, true);
            terminated.countDown();
        }
    }

    private void idle(int idleRounds) {
        switch (idle) {
            case SPIN -> Thread.onSpinWait();
            case YIELD -> Thread.yield();
            case PARK -> {
                if (idleRounds < SPINS_BEFORE_PARK) {
                    Thread.onSpinWait();
                } else if (idleRounds < SPINS_BEFORE_PARK + YIELDS_BEFORE_PARK) {
                    Thread.yield();
                } else if (commands.isEmpty()) {
                    long nanos = parkNanos();
                    if (nanos > 0) {
                        ingress.parkConsumer(nanos);
                    }
                }
            }
            default -> throw new AssertionError(idle);
        }
    }

    /**
     * The clock's time. An injected clock that throws must not kill the dispatcher (accepted events would be lost):
     * its failure is logged once and time stands still at the last stamp until the clock works again. Owner only.
     */
    private long now() {
        try {
            return clock.getAsLong();
        } catch (Throwable failure) {
            if (!clockFailureLogged) {
                clockFailureLogged = true;
                LOG.log(Level.ERROR, "hub '" + name + "': the clock threw; time stands still at the last stamp until "
                        + "it works again (logged once)", failure);
            }
            return lastStamp == Long.MIN_VALUE ? 0 : lastStamp;
        }
    }

    /** How long an idle dispatcher may sleep without missing a deadline. */
    private long parkNanos() {
        long next = deadlines.next();
        if (next == Long.MAX_VALUE) {
            return Long.MAX_VALUE;
        }
        long untilDue = next - now() + 1; // deadlines fire strictly after their time
        if (untilDue <= 0) {
            return 0;
        }
        return systemClock != null ? untilDue : Math.min(untilDue, INJECTED_CLOCK_MAX_PARK_NANOS);
    }

    private int runCommands() {
        int work = 0;
        OwnerCommand command;
        while ((command = commands.poll()) != null) {
            command.applyOn(this);
            runFromHandlers();
            work++;
        }
        return work;
    }

    /** Registers a subscription not yet registered, or unlinks one that ended. Owner only. */
    void reconcile(DispatcherSubscription subscription) {
        if (subscription.linked) {
            if (subscription.isEnded() || subscription.inputClosed) {
                unlink(subscription);
            }
        } else if (!subscription.registeredByOwner && !subscription.isEnded()) {
            register(subscription);
        } else {
            subscription.markRegistered();
        }
    }

    /** Starts a new schedule or removes a cancelled one. Owner only. */
    void schedule(PeriodicTask task) {
        if (!task.isActive()) {
            deadlines.remove(task);
            schedules.remove(task);
        } else if (task.heapIndex < 0 && schedules.add(task)) {
            task.start(Math.max(now(), lastStamp));
            deadlines.add(task);
        }
    }

    private void runFromHandlers() {
        DispatcherSubscription subscription;
        while ((subscription = fromHandlers.poll()) != null) {
            register(subscription);
        }
    }

    /**
     * Dispatches up to {@code max} events stamped {@code now}.
     *
     * @param drain wait for claimed slots and stop only when everything accepted is dispatched (closing)
     */
    private int dispatch(long now, long started, int max, boolean drain) {
        int count = 0;
        int taken;
        while (count < max && (taken = take(now, Math.min(batchLimit, max - count), drain)) > 0) {
            fanOut(taken);
            count += taken;
            if (!drain) {
                break; // one batch per round: commands and deadlines get their turn
            }
        }
        if (count == 0) {
            return 0;
        }
        ingress.releaseConsumed();
        rounds++;
        long took = System.nanoTime() - started;
        boolean waitedForBlockBuffer = this.waitedForBlockBuffer;
        this.waitedForBlockBuffer = false;
        if (took >= slowHandlerNanos) {
            if (!timeCalls || waitedForBlockBuffer) {
                Diagnostics.slowRound(name, count, subscriberCount, took, waitedForBlockBuffer);
            }
            timeCalls = true;
        } else {
            timeCalls = false;
        }
        return count;
    }

    /**
     * Takes up to {@code max} events into the batch, gives them the next sequences and one stamp, and appends them to
     * the history ring. Owner only.
     *
     * @return how many it took
     */
    private int take(long now, int max, boolean drain) {
        final ClosableMpscQueue ingress = this.ingress;
        Object event = drain ? ingress.pollBlocking() : ingress.poll();
        if (event == null) {
            return 0;
        }
        final Object[] batch = this.batch;
        final long stamp = Math.max(now, lastStamp);
        lastStamp = stamp;
        batchStamp = stamp;
        final long first = sequence + 1;
        batchFirst = first;
        batch[0] = event;
        int count = 1;
        if (drain) {
            while (count < max && (event = ingress.pollBlocking()) != null) {
                batch[count++] = event;
            }
        } else {
            while (count < max) {
                count += ingress.drain(batch, count, max - count);
                if (count == max || (event = next(ingress)) == null) {
                    break; // full, or nothing came while lingering at the empty slot
                }
                batch[count++] = event;
            }
        }
        ring.appendAll(first, batch, count, stamp);
        final long sequence = first + count - 1;
        this.sequence = sequence;
        // Once per batch: stats() may lag the batch being delivered, never the dispatcher's taking of it. A release
        // store is a plain store on x86 and ARM's stlr; nobody on the hot path reads it.
        PUBLISHED.setRelease(this, sequence);
        return count;
    }

    /** The next event of a round, waiting {@link #LINGER_SPINS} looks for it at an empty queue. Owner only. */
    private static Object next(ClosableMpscQueue ingress) {
        Object event = ingress.poll();
        for (int spins = 0; event == null && spins < LINGER_SPINS; spins++) {
            Thread.onSpinWait();
            event = ingress.poll();
        }
        return event;
    }

    /**
     * Hands the batch to every subscription, one subscription at a time: each checks its window once, then runs its
     * filter over the whole batch in one loop with one call target, which the processor predicts (event by event,
     * the target changed with every subscriber and every call was mispredicted); for an inline subscription that loop
     * is its classes' own copy of {@link InlineDeliveryLoop}, in which the JIT inlines the filter and the handler.
     * Then the topic index, event by event, where cost follows the matches. Subscriptions made by handlers meanwhile are registered after the
     * batch, outside every iteration. Owner only.
     */
    private void fanOut(int count) {
        final Object[] batch = this.batch;
        final long first = batchFirst;
        final long stamp = batchStamp;
        final DispatcherSubscription[] subscribers = this.subscribers;
        final int subscriberCount = this.subscriberCount;
        final boolean byAttribute = !attributeIndex.isEmpty();
        if (byAttribute) {
            batchCount = count;
            attributeIndex.lookUp(this, batch, count); // before any delivery: each function once per event
        }
        for (int i = 0; i < subscriberCount; i++) {
            deliverBatch(subscribers[i], batch, count, first, stamp);
        }
        if (!topicIndex.isEmpty()) {
            for (int i = 0; i < count; i++) {
                String topic = topicOf(batch[i]);
                if (topic != null) {
                    topicIndex.dispatch(topic, this, batch[i], first + i, stamp);
                }
            }
        }
        if (byAttribute) {
            attributeIndex.deliver(this, batch, count, first, stamp);
            clearBatchValues(count);
        }
        Arrays.fill(batch, 0, count, null); // the ring keeps what history needs; the batch keeps nothing alive
        if (!fromHandlers.isEmpty()) {
            runFromHandlers();
        }
    }

    /**
     * Hands the batch's events (sequences {@code first}, {@code first + 1}... all stamped {@code stamp}) to one
     * subscription of the array: its window is checked once; its end before each call (a cancel, a limit, a failure
     * may come from any call). Its delivered count and last sequence are published once, when it has had the batch
     * (or ends within it), not after every call. User code is guarded. Owner only.
     */
    private void deliverBatch(DispatcherSubscription subscription, Object[] batch, int count, long first,
                              long stamp) {
        if (subscription.isEnded() || subscription.inputClosed || stamp < subscription.sinceNanos) {
            return;
        }
        if (stamp > subscription.untilNanos) {
            untilPassed(subscription);
            return;
        }
        int from = subscription.fromSequence <= first ? 0 : (int) Math.min(count, subscription.fromSequence - first);
        final boolean timed = timeCalls; // set between rounds only
        final long left = subscription.limit - subscription.deliveredPlain(); // calls before the limit ends it
        final InlineDelivery inline = subscription.inlineDelivery;
        if (inline != null && !timed) {
            final InlineDelivery.Outcome outcome = this.outcome;
            final long delivered = inline.deliver(subscription, batch, from, count, first, stamp, left, outcome);
            delivered(subscription, delivered, outcome.last);
            final Throwable failure = outcome.failure;
            if (failure != null) {
                outcome.failure = null;
                fail(subscription, failure);
            } else if (delivered >= left) {
                subscription.finish(EndReason.LIMIT_REACHED, null);
            }
            return;
        }
        // Here: an async subscription, or an inline one while calls are timed.
        final java.util.function.Predicate<Object> filter = subscription.filter;
        final AsyncDelivery async = subscription.async;
        long delivered = 0;
        long last = 0;
        for (int i = from; i < count; i++) {
            if (subscription.isEnded()) {
                break;
            }
            final Object event = batch[i];
            final long sequence = first + i;
            try {
                if (filter != null && !filter.test(event)) {
                    continue;
                }
                if (async == null) {
                    timedCall(subscription, event, sequence, stamp);
                }
            } catch (Throwable failure) {
                delivered(subscription, delivered, last);
                fail(subscription, failure);
                return;
            }
            if (async != null) {
                async.enqueue(event, sequence, stamp, this);
                continue;
            }
            last = sequence;
            if (++delivered >= left) {
                delivered(subscription, delivered, sequence);
                subscription.finish(EndReason.LIMIT_REACHED, null);
                return;
            }
        }
        delivered(subscription, delivered, last);
    }

    private void delivered(DispatcherSubscription subscription, long count, long lastSequence) {
        if (count > 0) {
            subscription.recordDeliveries(count, lastSequence);
            deliveredCount += count;
        }
    }

    /** Queues an async consumer's wake-up for the end of the round. Owner only. */
    void deferWake(AsyncDelivery consumer) {
        if (wakeCount == wakes.length) {
            wakes = Arrays.copyOf(wakes, wakeCount * 2);
        }
        wakes[wakeCount++] = consumer;
    }

    /** Wakes the async consumers that were handed events this round. Owner only. */
    void flushWakes() {
        final AsyncDelivery[] wakes = this.wakes;
        for (int i = 0, n = wakeCount; i < n; i++) {
            wakes[i].deferredWake();
            wakes[i] = null;
        }
        wakeCount = 0;
    }

    /** Called by the topic index for each subscription an event matches; once per subscription and event. */
    void deliverIndexed(DispatcherSubscription subscription, Object event, long sequence, long stamp) {
        if (subscription.matchedSequence != sequence) {
            subscription.matchedSequence = sequence;
            deliver(subscription, event, sequence, stamp, -1);
        }
    }

    /**
     * Called by the attribute index for each subscription an event's value found under the subscription's indexed
     * clause, which therefore holds: only its other clauses are checked. Once per subscription and event.
     */
    void deliverByAttribute(DispatcherSubscription subscription, Object event, long sequence, long stamp) {
        if (subscription.matchedSequence != sequence) {
            subscription.matchedSequence = sequence;
            deliver(subscription, event, sequence, stamp, subscription.indexedClause);
        }
    }

    /** The event's topic, or null if it has none (no function, or the function failed). User code, guarded. */
    private String topicOf(Object event) {
        if (topicFunction == null) {
            return null;
        }
        try {
            return topicFunction.apply(event);
        } catch (Throwable failure) {
            if (!topicFailureLogged) {
                topicFailureLogged = true;
                LOG.log(Level.WARNING, "hub '" + name + "': the topic function threw; such events match no topic "
                        + "filter (logged once)", failure);
            }
            return null;
        }
    }

    boolean hasTopics() {
        return topicFunction != null;
    }

    /** The index of a declared attribute, or -1. Any thread (immutable). */
    int attributeIndex(String name) {
        for (int i = 0; i < attributeNames.length; i++) {
            if (attributeNames[i].equals(name)) {
                return i;
            }
        }
        return -1;
    }

    /** The declared attributes, in order. Any thread. */
    String[] attributeNames() {
        return attributeNames.clone();
    }

    /** Whether the event passes every where clause of the subscription but {@code holds} (Docker's rule). Owner. */
    private boolean matchesWhere(DispatcherSubscription subscription, Object event, long sequence, int holds) {
        if (holds >= 0 && subscription.otherAttribute >= 0) { // found by the index, one clause of one value left
            return dev.eventhub.internal.Clauses.acceptsValue(
                    attributeValues(subscription.otherAttribute, event, sequence), subscription.otherValue);
        }
        final int[] attributes = subscription.whereAttributes;
        final Object[][] values = subscription.whereValues;
        for (int clause = 0; clause < attributes.length; clause++) {
            if (clause != holds && !dev.eventhub.internal.Clauses.accepts(attributeValues(attributes[clause], event, sequence),
                    values[clause])) {
                return false;
            }
        }
        return true;
    }

    /**
     * The event's values for an attribute: its function is called at most once per event dispatched (the values are
     * cached for the event being dispatched or replayed). User code, guarded: a function that throws gives no value,
     * logged once per attribute. Owner only.
     */
    Object attributeValues(int attribute, Object event, long sequence) {
        if (batchValuesReady[attribute]) {
            long index = sequence - batchFirst;
            if (index >= 0 && index < batchCount) {
                return batchValues[attribute][(int) index];
            }
        }
        if (attributeCacheFor[attribute] != sequence) {
            attributeCache[attribute] = computeAttribute(attribute, event);
            attributeCacheFor[attribute] = sequence;
        }
        return attributeCache[attribute];
    }

    /**
     * The values of an attribute for every event of the batch being dispatched, computed now in one loop (the loads of
     * different events overlap, where one event at a time waits for each in turn), and read back by
     * {@link #attributeValues} until the batch is delivered. Called by the attribute index before any event of the
     * batch is delivered, so that no function runs twice for an event. Owner only.
     */
    Object[] batchAttributeValues(int attribute, Object[] batch, int count) {
        Object[] values = batchValues[attribute];
        if (values == null) {
            values = batchValues[attribute] = new Object[batch.length];
        }
        if (!batchValuesReady[attribute]) {
            for (int i = 0; i < count; i++) {
                values[i] = computeAttribute(attribute, batch[i]);
            }
            batchValuesReady[attribute] = true;
        }
        return values;
    }

    /** User code, guarded: a function that throws gives no value, logged once per attribute. Owner only. */
    private Object computeAttribute(int attribute, Object event) {
        try {
            return attributeFunctions[attribute].apply(event);
        } catch (Throwable failure) {
            if (!attributeFailureLogged[attribute]) {
                attributeFailureLogged[attribute] = true;
                LOG.log(Level.WARNING, "hub '" + name + "': the function of attribute '" + attributeNames[attribute]
                        + "' threw; such events have no value for it (logged once)", failure);
            }
            return null;
        }
    }

    /** Forgets the batch's attribute values: the batch is delivered. Owner only. */
    private void clearBatchValues(int count) {
        for (int attribute = 0; attribute < batchValues.length; attribute++) {
            if (batchValuesReady[attribute]) {
                batchValuesReady[attribute] = false;
                Arrays.fill(batchValues[attribute], 0, count, null); // keep no event's values alive
            }
        }
        batchCount = 0;
    }

    int indexedSubscriptions() {
        return topicIndex.size();
    }

    /** Subscriptions in the attribute index now. Owner only (tests step a manual hub). */
    int attributeIndexedSubscriptions() {
        return attributeIndex.size();
    }

    /**
     * Hands one event to one subscription if it is still active and selects it; {@code holds} is a where clause known to
     * hold (the attribute index found it by that clause), or -1. User code is guarded.
     */
    private void deliver(DispatcherSubscription subscription, Object event, long sequence, long stamp, int holds) {
        if (subscription.isEnded() || subscription.inputClosed) {
            return;
        }
        if (stamp > subscription.untilNanos) {
            untilPassed(subscription);
            return;
        }
        if (sequence < subscription.fromSequence || stamp < subscription.sinceNanos) {
            return;
        }
        if (subscription.whereAttributes != null && !matchesWhere(subscription, event, sequence, holds)) {
            return;
        }
        final AsyncDelivery async = subscription.async;
        try {
            if (subscription.filter != null && !subscription.filter.test(event)) {
                return;
            }
            if (async == null) {
                if (timeCalls) {
                    timedCall(subscription, event, sequence, stamp);
                } else {
                    subscription.handler.onEvent(event, sequence, stamp);
                }
            }
        } catch (Throwable failure) {
            fail(subscription, failure);
            return;
        }
        if (async != null) {
            async.enqueue(event, sequence, stamp, this);
            return;
        }
        subscription.recordDelivery(sequence);
        deliveredCount++;
        if (subscription.deliveredPlain() >= subscription.limit) {
            subscription.finish(EndReason.LIMIT_REACHED, null);
        }
    }

    private void timedCall(DispatcherSubscription subscription, Object event, long sequence, long stamp)
            throws Exception {
        long start = System.nanoTime();
        subscription.handler.onEvent(event, sequence, stamp);
        long took = System.nanoTime() - start;
        if (took >= slowHandlerNanos) {
            Diagnostics.slowHandler(name, subscription, sequence, took);
        }
    }

    /**
     * A subscription's until has passed. An inline one ends now; an async one gets nothing more and ends once its
     * consumer has delivered what it buffered.
     */
    private void untilPassed(DispatcherSubscription subscription) {
        if (subscription.async == null) {
            subscription.finish(EndReason.UNTIL_REACHED, null);
        } else if (!subscription.inputClosed) {
            subscription.inputClosed = true;
            subscription.async.endInput(EndReason.UNTIL_REACHED);
            if (subscription.linked) {
                commands.offer(subscription); // unlinked at the next round, outside any iteration
            }
        }
    }

    private void fail(DispatcherSubscription subscription, Throwable failure) {
        if (subscription.finish(EndReason.HANDLER_FAILED, failure)) {
            Diagnostics.handlerFailed(name, "the handler of subscription " + Diagnostics.describe(subscription),
                    failure);
        }
    }

    private int expire(long now) {
        int count = 0;
        while (deadlines.next() < now) {
            Deadline due = deadlines.poll();
            if (due instanceof PeriodicTask task) {
                if (task.fire(now, ingress, name)) {
                    deadlines.add(task);
                } else {
                    schedules.remove(task);
                }
            } else {
                untilPassed((DispatcherSubscription) due);
            }
            count++;
        }
        return count;
    }

    // ------------------------------------------------------------------ registration (owner)

    private void register(DispatcherSubscription subscription) {
        subscription.registeredByOwner = true;
        try {
            if (subscription.async != null) {
                // The consumer runs first: a BLOCK replay larger than the buffer needs it, and whatever ends the
                // subscription below, the consumer is the one that tells a Flow subscriber.
                subscription.async.start("eventhub-" + name + "-" + subscription.name, this);
            }
            if (state == TERMINATED || subscription.isEnded()) {
                subscription.finish(EndReason.HUB_CLOSED, null);
                return;
            }
            final long current = sequence;
            final long now = Math.max(now(), lastStamp);
            long first = current + 1; // first sequence to replay; current + 1 means "nothing"
            long missed = 0;
            if (subscription.afterSequence != DispatcherSubscription.NO_AFTER) {
                // Saturating: afterSequence(Long.MAX_VALUE) selects nothing, rather than wrapping to everything.
                long wanted = subscription.afterSequence == Long.MAX_VALUE ? Long.MAX_VALUE
                        : subscription.afterSequence + 1;
                long retained = ring.firstRetained(current);
                if (wanted < retained) {
                    missed = retained - wanted; // exact: those sequences existed and were evicted
                    first = retained;
                } else {
                    first = wanted;
                }
                subscription.fromSequence = wanted;
            } else if (subscription.sinceNanos != DispatcherSubscription.NO_SINCE) {
                long retained = ring.firstRetained(current);
                if (current > 0 && subscription.sinceNanos <= lastStamp) {
                    if (ring.evictedStamp() >= subscription.sinceNanos) {
                        missed = retained - 1; // upper bound: every evicted event might have been in range
                    }
                    first = ring.firstAtOrAfter(subscription.sinceNanos, retained, current);
                }
            } else {
                subscription.fromSequence = Math.max(subscription.fromSequence, current + 1);
            }
            if (missed > 0 && subscription.requireHistory) {
                subscription.finish(EndReason.HISTORY_TRUNCATED, null);
                return;
            }
            if (missed > 0) {
                if (subscription.async != null) {
                    subscription.async.gapBeforeNext(missed);
                } else {
                    try {
                        Diagnostics.gap(name, subscription, missed);
                        subscription.handler.onGap(missed);
                    } catch (Throwable failure) {
                        fail(subscription, failure);
                        return;
                    }
                }
            }
            final boolean byTopic = subscription.hasTopicFilter();
            for (long s = first; s <= current && !subscription.isEnded(); s++) {
                Object event = ring.event(s);
                if (!byTopic || subscription.matchesTopic(topicOf(event))) {
                    deliver(subscription, event, s, ring.stamp(s), -1);
                }
            }
            if (subscription.isEnded() || subscription.inputClosed) {
                return;
            }
            if (now > subscription.untilNanos) {
                untilPassed(subscription);
                return;
            }
            link(subscription);
        } finally {
            if (!inRound) {
                flushWakes(); // registered outside a round (a manual hub): nobody else will wake its consumer
            }
            if (subscription.handler instanceof RegistrationHook hook) {
                hook.registered(subscription);
            }
            subscription.markRegistered();
        }
    }

    private void link(DispatcherSubscription subscription) {
        subscription.linked = true;
        if (subscription.untilNanos != DispatcherSubscription.NO_UNTIL) {
            deadlines.add(subscription);
        }
        if (subscription.hasTopicFilter()) {
            subscription.indexed = true;
            topicIndex.add(subscription);
            return;
        }
        if (subscription.whereAttributes != null) {
            subscription.attributeIndexed = true;
            attributeIndex.add(subscription);
            return;
        }
        if (subscriberCount == subscribers.length) {
            subscribers = Arrays.copyOf(subscribers, subscriberCount * 2);
        }
        subscription.slot = subscriberCount;
        subscribers[subscriberCount++] = subscription;
    }

    /** Removes an ended subscription. Never called while the array is being iterated (only from commands). */
    private void unlink(DispatcherSubscription subscription) {
        subscription.linked = false;
        deadlines.remove(subscription);
        if (subscription.indexed) {
            subscription.indexed = false;
            topicIndex.remove(subscription);
            return;
        }
        if (subscription.attributeIndexed) {
            subscription.attributeIndexed = false;
            attributeIndex.remove(subscription);
            return;
        }
        int slot = subscription.slot;
        int last = --subscriberCount;
        DispatcherSubscription moved = subscribers[last];
        subscribers[slot] = moved;
        moved.slot = slot;
        subscribers[last] = null;
        subscription.slot = -1;
    }

    private void terminate() {
        STATE.setVolatile(this, TERMINATED);
        // Async subscriptions deliver what they buffered, then end themselves; close() waits for them.
        for (DispatcherSubscription subscription : active) {
            if (subscription.async != null && subscription.linked && !subscription.isEnded()) {
                subscription.inputClosed = true;
                subscription.async.endInput(EndReason.HUB_CLOSED);
            }
        }
        endAll(EndReason.HUB_CLOSED, false);
        Arrays.fill(subscribers, null);
        subscriberCount = 0;
        schedules.forEach(PeriodicTask::stop);
        schedules.clear();
        deadlines.clear();
        ring.clear();
        // Counters before the latch: close() returns as soon as it opens, and stats() must be final by then.
        DELIVERED.setRelease(this, deliveredCount);
        ROUNDS.setRelease(this, rounds);
        terminated.countDown();
    }

    /**
     * Ends every subscription still active (async ones still draining only if {@code evenDraining}), and
     * releases callers waiting for a registration. Any thread.
     */
    void endAll(EndReason reason, boolean evenDraining) {
        for (DispatcherSubscription subscription : active) {
            if (evenDraining || subscription.async == null || !subscription.async.inputEnded()) {
                subscription.finish(reason, null);
            }
        }
        OwnerCommand pending;
        while ((pending = commands.poll()) != null) {
            pending.abandon();
        }
    }

    // ------------------------------------------------------------------ any thread

    /** Registers a subscription; returns once it is registered (replay included) or ended. Any thread. */
    void subscribe(DispatcherSubscription subscription, boolean live) {
        if (live) {
            // Events accepted before this call are never delivered to it, even if not yet dispatched.
            subscription.fromSequence = ingress.acceptedCount() + 1;
        }
        active.add(subscription);
        if (state != RUNNING) {
            subscription.finish(EndReason.HUB_CLOSED, null);
            subscription.markRegistered();
            return;
        }
        if (Thread.currentThread() == owner) {
            if (inRound) {
                fromHandlers.add(subscription);
            } else {
                register(subscription);
            }
            return;
        }
        commands.offer(subscription);
        ingress.wakeConsumer();
        subscription.awaitRegistration();
    }

    /**
     * Runs {@code task} on the owner: now if the caller is the owner, otherwise at the start of a coming round. A
     * task still queued when the hub terminates is dropped, so its submitter must also watch for the end (a state
     * view does, through its subscription). Any thread.
     */
    void execute(Runnable task) {
        if (Thread.currentThread() == owner) {
            task.run();
            return;
        }
        commands.offer(new OwnerCommand.Task(task));
        ingress.wakeConsumer();
    }

    /** The last sequence the ingress has accepted: the sequence the latest accepted event gets. Any thread. */
    long acceptedCount() {
        return ingress.acceptedCount();
    }

    /** Hands a new schedule to the owner. Any thread. */
    void submit(PeriodicTask task) {
        commands.offer(task);
        ingress.wakeConsumer();
    }

    /** A schedule was cancelled: take it out of the heap on the owner. Any thread. */
    void cancelled(PeriodicTask task) {
        if (state != TERMINATED) {
            commands.offer(task);
            ingress.wakeConsumer();
        }
    }

    /** Called by the thread that decided a subscription's end: unlink it on the owner. Any thread. */
    void ended(DispatcherSubscription subscription, DispatcherSubscription.End end) {
        active.remove(subscription);
        if (state != TERMINATED) {
            commands.offer(subscription);
            ingress.wakeConsumer();
        }
    }

    /** Returns once no handler call can begin that has not read the latest subscription ends. Any thread. */
    void awaitQuiescence() {
        if (Thread.currentThread() == owner) {
            return;
        }
        roundGate.awaitQuiescence(this::isTerminated);
    }

    /** Starts closing: the ingress takes nothing more, the owner drains and terminates. Any thread. */
    boolean beginClose() {
        ingress.close();
        boolean first = STATE.compareAndSet(this, RUNNING, CLOSING);
        ingress.wakeConsumer();
        return first;
    }

    /**
     * Gives up on a dispatcher that did not finish closing in time: it is marked terminated, so it starts no further
     * round. Any thread.
     *
     * @return whether this call did it (the dispatcher had not terminated by itself meanwhile)
     */
    boolean abandonClosing() {
        return STATE.compareAndSet(this, CLOSING, TERMINATED);
    }

    /** Opens the termination latch of a dispatcher given up on ({@link #abandonClosing()}). Any thread. */
    void releaseTerminationWaiters() {
        terminated.countDown();
    }

    /** The subscriptions not yet ended, now. Any thread. */
    DispatcherSubscription[] activeNow() {
        return active.toArray(new DispatcherSubscription[0]);
    }

    /** A watcher was made: list it in subscriptions(). Any thread. */
    void listed(WatchDelivery<?, ?> watch) {
        watches.add(watch);
    }

    /** A watcher ended. Any thread. */
    void unlisted(WatchDelivery<?, ?> watch) {
        watches.remove(watch);
    }

    /**
     * Every active subscription and watcher now, in creation order: see {@link SubscriptionInfo} for what each figure
     * means and how exact it is. Reads only what the hub keeps anyway; allocates the list and its records. Any thread.
     */
    java.util.List<SubscriptionInfo> subscriptions() {
        final long head = published;
        final long now = System.nanoTime();
        final long roundStartedAt = roundStarted;
        java.util.List<long[]> order = new java.util.ArrayList<>();
        java.util.List<SubscriptionInfo> infos = new java.util.ArrayList<>();
        for (DispatcherSubscription subscription : active) {
            if (subscription.isActive()) {
                order.add(new long[] {subscription.ordinal, infos.size()});
                infos.add(subscription.info(head, now, roundStartedAt, slowHandlerNanos));
            }
        }
        for (WatchDelivery<?, ?> watch : watches) {
            if (watch.isActive()) {
                order.add(new long[] {watch.ordinal, infos.size()});
                infos.add(watch.info(head, now, slowHandlerNanos));
            }
        }
        order.sort(java.util.Comparator.comparingLong(entry -> entry[0]));
        java.util.List<SubscriptionInfo> sorted = new java.util.ArrayList<>(infos.size());
        for (long[] entry : order) {
            sorted.add(infos.get((int) entry[1]));
        }
        return java.util.List.copyOf(sorted);
    }

    /** The own threads of async subscriptions and watchers still running. Any thread. */
    Set<Thread> consumerThreads() {
        return consumerThreads;
    }

    /** An async subscription's own consumer thread, to be joined on close. Any thread. */
    void consumerThread(Thread thread) {
        consumerThreads.add(thread);
    }

    void consumerThreadEnded(Thread thread) {
        consumerThreads.remove(thread);
    }

    boolean awaitTermination(long nanos) throws InterruptedException {
        return terminated.await(nanos, TimeUnit.NANOSECONDS);
    }

    boolean isTerminated() {
        return state == TERMINATED;
    }

    boolean isClosing() {
        return state != RUNNING;
    }

    boolean isOwner() {
        return Thread.currentThread() == owner;
    }

    /** Whether the calling thread is inside a round (a handler, typically). Any thread: the owner check comes
     *  first, so only the owner ever reads the owner-confined flag. */
    boolean inRound() {
        return isOwner() && inRound;
    }

    void owner(Thread thread) {
        owner = thread;
    }

    long published() {
        return published;
    }

    /** Handler calls made: inline ones (published each round) plus those of async consumers. Any thread. */
    long delivered() {
        return delivered + asyncDelivered.sum();
    }

    /** A subscription lost {@code count} events. Any thread; on drop paths only. */
    void dropped(long count) {
        dropped.add(count);
    }

    /** Events lost across all subscriptions so far. Any thread. */
    long dropped() {
        return dropped.sum();
    }

    /** An async consumer delivered {@code count} events. Any thread; called once per consumer batch. */
    void asyncDelivered(long count) {
        asyncDelivered.add(count);
    }

    /** Rounds that dispatched at least one event: published() / rounds() is the average batch. Any thread. */
    long rounds() {
        return publishedRounds;
    }

    int activeSubscriptions() {
        return active.size();
    }

    long firstRetained(long last) {
        return last == 0 || ring.capacity() == 0 ? 0 : ring.firstRetained(last);
    }

    int historyCapacity() {
        return ring.capacity();
    }
}
