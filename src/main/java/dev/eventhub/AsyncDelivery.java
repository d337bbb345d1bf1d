package dev.eventhub;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The buffer and the consumer of an isolated subscription. The dispatcher enqueues matching events; a consumer
 * (a thread of its own, or tasks on the user's executor) takes them and calls the handler. One slow or stuck
 * handler therefore holds up only its own buffer, and what happens when that buffer is full is the
 * subscription's {@link Overflow} policy.
 *
 * <p><b>Buffer.</b> A single-producer, single-consumer ring of parallel arrays (event, sequence, stamp, gap), so
 * nothing is allocated per event. The dispatcher writes a slot and then advances {@code tail} with a release
 * store; the consumer reads {@code tail}, then the slot, then advances {@code head}. Capacity is the requested
 * size; the arrays are rounded up to a power of two.
 *
 * <p><b>Overflow.</b> {@code BLOCK}: the dispatcher waits for space (backpressure reaches producers).
 * {@code DROP_NEWEST}: the event is counted and not stored; the count rides in the gap slot of the next stored
 * event (or in {@code trailingGap} if none comes), so {@code onGap} precedes the next delivery. {@code DROP_OLDEST}:
 * the dispatcher takes the oldest slot from the consumer by a CAS of {@code head}; the consumer also advances
 * {@code head} by CAS and discards a slot it lost, and learns how many it lost from the jump of {@code head}: the
 * gap is exact with no shared counter. {@code DISCONNECT}: the subscription ends with {@code OVERFLOW}; the event
 * and everything still buffered are counted as dropped.
 *
 * <p><b>End of input.</b> When the subscription's {@code until} passes or the hub closes, the dispatcher stops
 * enqueuing and sets {@code inputEnd}; the consumer delivers what is buffered and then ends the subscription with
 * that reason. A cancel, a handler failure, a limit or a disconnect ends it at once and the rest is discarded.
 *
 * <p><b>Final cancel.</b> Each handler call is one call of the {@link CallGate} {@code calls}: enter, check the
 * subscription's end, say it began, call, exit. A canceller waits only the few instructions between enter and
 * began; it never waits for a running handler. See docs/concurrency.md.
 */
final class AsyncDelivery implements Runnable {

    /**
     * A handler that wants to know when its consumer has caught up (the buffer is empty after a delivery): a sink
     * flushes there. Called on the consumer, between deliveries.
     */
    interface BatchEnd {
        void endOfBatch();
    }


    /** Events a consumer task takes before it gives its executor thread back (fairness between subscriptions). */
    static final int TASK_BATCH = 256;
    /** Default buffer of an async subscription that does not choose one. */
    static final int DEFAULT_BUFFER = 1024;
    /** Spins of a waiting party before it parks (a consumer thread yields first, as the dispatcher does). */
    private static final int SPINS = 100;
    /** Yields of an idle consumer thread after its spins, before it parks: see Dispatcher.YIELDS_BEFORE_PARK. */
    private static final int YIELDS = 100;
    private static final long PARK_NANOS = TimeUnit.MICROSECONDS.toNanos(50);
    /**
     * Longest park of a dispatcher waiting on a full BLOCK buffer. The consumer unparks it once half the buffer is
     * free; this bound is for what the consumer does not tell it: a cancel, the hub terminating.
     */
    private static final long BLOCKED_PARK_NANOS = TimeUnit.MILLISECONDS.toNanos(1);
    /** Buffer occupancy, as a fraction of its size, above which the subscriber counts as falling behind. */
    private static final double HIGH_WATERMARK = 0.75;


    private static final VarHandle HEAD =
            VarHandles.field(MethodHandles.lookup(), AsyncDelivery.class, "head", long.class);
    private static final VarHandle TAIL =
            VarHandles.field(MethodHandles.lookup(), AsyncDelivery.class, "tail", long.class);
    private static final VarHandle SCHEDULED =
            VarHandles.field(MethodHandles.lookup(), AsyncDelivery.class, "scheduled", boolean.class);
    private static final VarHandle STOLEN_GAP =
            VarHandles.field(MethodHandles.lookup(), AsyncDelivery.class, "stolenGap", long.class);
    private static final VarHandle STEALS =
            VarHandles.field(MethodHandles.lookup(), AsyncDelivery.class, "steals", long.class);
    private static final VarHandle WAITER =
            VarHandles.field(MethodHandles.lookup(), AsyncDelivery.class, "waiter", Thread.class);

    private final DispatcherSubscription subscription;
    private final Overflow overflow;
    private final int size;
    private final int mask;
    private final Object[] events;
    private final long[] sequences;
    private final long[] stamps;
    private final long[] gaps;
    private final Executor executor;
    private final long slowNanos;
    private final String hubName;
    private final long highWatermark;
    /** Deliveries of the current drain already added to the hub's count (consumer only). */
    private int countedEarly;
    /** The handler, if it wants to hear when the consumer has caught up; null otherwise (no cost then). */
    private final BatchEnd batchEnd;
    /** The Reactive Streams subscriber this delivery serves (demand, terminal signal); null otherwise. */
    private final FlowDemand flow;

    // Dispatcher side (owner only).
    private long cachedHead;
    /** A wake-up of the consumer is queued for the end of the dispatcher's round. */
    private boolean wakePending;
    private long pendingGap;
    /** Stamp at which occupancy last rose above the high watermark, or Long.MIN_VALUE while below it. */
    private long aboveSince = Long.MIN_VALUE;
    private boolean watermarkReported;
    /** The consumer's head when occupancy rose above the watermark: whether it moved since tells progress. */
    private long headAbove;

    // Shared.
    private volatile long tail;
    private volatile long head;
    private volatile EndReason inputEnd;
    private volatile long trailingGap;
    /** History gaps that rode on slots DROP_OLDEST took; added by the dispatcher, taken by the consumer. */
    private volatile long stolenGap;
    /**
     * Slots DROP_OLDEST took whose carried gap is already in {@code stolenGap}: the dispatcher takes a slot (CAS of
     * {@code head}) before it adds that slot's gap, so a consumer that sees {@code head} jump waits until this count has
     * caught up before it takes {@code stolenGap}. Dispatcher writes (release), consumer reads.
     */
    private volatile long steals;
    private volatile boolean consumerParked;
    private volatile boolean scheduled;
    /**
     * The dispatcher, parked on a full BLOCK buffer until the consumer has emptied half of it; null when nobody
     * waits. The dispatcher sets it and then re-reads {@code head}; the consumer, which stores {@code head} and then
     * reads it, takes it (CAS to null) and unparks it.
     */
    private volatile Thread waiter;
    /** The cancel handshake with cancellers: one call per handler call (see CallGate). */
    private final CallGate calls = new CallGate();
    /** The thread running the consumer now: the own thread, or the executor thread of the current task. */
    private volatile Thread consumer;
    private volatile boolean consumerDone;
    /** Whether the dispatcher started the consumer; one that never started cannot signal a Flow subscriber. */
    private volatile boolean started;

    // Consumer side.
    private long expectedHead;
    /** Slots the consumer has seen taken from it (the sum of the jumps of head). */
    private long stealsSeen;

    @SuppressWarnings("unchecked")
    AsyncDelivery(DispatcherSubscription subscription, Executor executor, int size, Overflow overflow, long slowNanos,
                  String hubName, FlowDemand flow) {
        this.subscription = subscription;
        this.flow = flow;
        this.executor = executor;
        this.size = size;
        this.overflow = overflow;
        int capacity = Integer.highestOneBit(Math.max(1, size - 1)) << 1;
        this.mask = capacity - 1;
        this.events = new Object[capacity];
        this.sequences = new long[capacity];
        this.stamps = new long[capacity];
        this.gaps = new long[capacity];
        this.slowNanos = slowNanos;
        this.hubName = hubName;
        this.highWatermark = Math.max(1, (long) (size * HIGH_WATERMARK));
        this.batchEnd = subscription.handler instanceof BatchEnd handler ? handler : null;
        Diagnostics.load();
    }

    /** Starts the own consumer thread, if this subscription has no executor. Called once, on registration. */
    void start(String threadName, Dispatcher dispatcher) {
        started = true;
        if (executor == null) {
            Thread thread = new Thread(() -> {
                try {
                    run();
                } finally {
                    dispatcher.consumerThreadEnded(Thread.currentThread());
                }
            }, threadName);
            thread.setDaemon(true);
            consumer = thread;
            dispatcher.consumerThread(thread);
            thread.start();
        }
    }

    // ------------------------------------------------------------------ dispatcher side

    /**
     * Enqueues one matching event, applying the overflow policy if the buffer is full. Dispatcher only.
     *
     * @param hub the dispatcher, to defer the wake-up and to tell a BLOCK wait to give up if it terminated
     */
    void enqueue(Object event, long sequence, long stamp, Dispatcher hub) {
        final long tail = this.tail;
        long used = tail - cachedHead;
        if (used >= highWatermark) {
            cachedHead = (long) HEAD.getVolatile(this);
            used = tail - cachedHead;
        }
        watchOccupancy(used, stamp);
        if (used >= size && !makeRoom(tail, hub)) {
            return;
        }
        final int index = (int) (tail & mask);
        events[index] = event;
        sequences[index] = sequence;
        stamps[index] = stamp;
        gaps[index] = pendingGap;
        pendingGap = 0;
        // Volatile, not just release: the wake-up check below must not read consumerParked/scheduled before
        // this store is visible (the consumer sets its flag and then re-reads tail).
        TAIL.setVolatile(this, tail + 1);
        if (!wakePending && consumerNeedsWaking()) {
            // Woken once at the end of the dispatcher's round, not once per event: an unpark or a task submission
            // is a system call's worth of work, and a round may hand this subscriber many events.
            wakePending = true;
            hub.deferWake(this);
        }
    }

    private boolean consumerNeedsWaking() {
        return executor == null ? consumerParked : !scheduled;
    }

    /** The dispatcher's end-of-round wake-up of a consumer it deferred. Owner only. */
    void deferredWake() {
        wakePending = false;
        wakeConsumer();
    }

    /**
     * Events the subscription missed before its next event (history truncated at registration); reported by the
     * consumer before that event. Dispatcher only.
     */
    void gapBeforeNext(long missed) {
        pendingGap += missed;
    }

    /** The buffer is full: apply the policy. Returns whether the event should still be stored. */
    private boolean makeRoom(long tail, Dispatcher hub) {
        switch (overflow) {
            case BLOCK -> {
                hub.waitedForBlockBuffer = true;
                hub.flushWakes(); // every consumer must run while the dispatcher waits for this one
                wakeConsumer();
                // Wait until half the buffer is free, not one slot: the dispatcher then refills it in one go, instead
                // of trading one event at a time with a consumer slower than itself, awake all the while.
                final long resume = tail - size + Math.max(1, size >>> 1); // head once half is free
                for (int spins = 0; (cachedHead = (long) HEAD.getVolatile(this)) < resume; spins++) {
                    if (subscription.isEnded() || hub.isTerminated()) {
                        return false;
                    }
                    if (spins < SPINS) {
                        Thread.onSpinWait();
                        continue;
                    }
                    waiter = Thread.currentThread(); // volatile: ordered before the re-read of head
                    if ((long) HEAD.getVolatile(this) < resume) {
                        wakeConsumer();
                        LockSupport.parkNanos(this, BLOCKED_PARK_NANOS);
                    }
                    waiter = null;
                }
                return true;
            }
            case DROP_NEWEST -> {
                pendingGap++;
                subscription.addDropped(1);
                Diagnostics.dropped(hubName, subscription, overflow, 1);
                return false;
            }
            case DROP_OLDEST -> {
                long oldest;
                while (tail - (oldest = (long) HEAD.getVolatile(this)) >= size) {
                    if (HEAD.compareAndSet(this, oldest, oldest + 1)) {
                        subscription.addDropped(1);
                        long carried = gaps[(int) (oldest & mask)];
                        if (carried > 0) {
                            // A history gap rode on the dropped slot: hand it to the consumer beside the slot count.
                            STOLEN_GAP.getAndAdd(this, carried);
                        }
                        STEALS.setRelease(this, steals + 1); // the consumer may now count this slot's gap
                        cachedHead = oldest + 1;
                        Diagnostics.dropped(hubName, subscription, overflow, 1);
                        return true;
                    }
                }
                cachedHead = oldest;
                return true;
            }
            case DISCONNECT -> {
                if (subscription.finish(EndReason.OVERFLOW, null)) {
                    subscription.addDropped(1);
                    Diagnostics.disconnected(hubName, subscription, size);
                }
                return false;
            }
            default -> throw new AssertionError(overflow);
        }
    }

    private void watchOccupancy(long used, long stamp) {
        if (used < highWatermark) {
            aboveSince = Long.MIN_VALUE;
            watermarkReported = false;
            return;
        }
        if (aboveSince == Long.MIN_VALUE) {
            aboveSince = stamp;
            headAbove = cachedHead;
        } else if (!watermarkReported && stamp - aboveSince >= slowNanos) {
            watermarkReported = true;
            Diagnostics.behind(hubName, subscription, used, size, stamp - aboveSince, overflow == Overflow.BLOCK,
                    (long) HEAD.getVolatile(this) != headAbove);
        }
    }

    /**
     * No more events will come: the consumer delivers what is buffered, then ends the subscription with
     * {@code reason}. Dispatcher only (or a closer after the dispatcher has stopped).
     */
    void endInput(EndReason reason) {
        if (inputEnd == null) {
            trailingGap = pendingGap;
            pendingGap = 0;
            inputEnd = reason;
        }
        wakeConsumer();
    }

    /** Makes the consumer look at its state: new events, end of input, or the subscription's end. Any thread. */
    void wakeConsumer() {
        if (consumerDone) {
            return;
        }
        if (executor == null) {
            if (consumerParked) {
                LockSupport.unpark(consumer);
            }
        } else if (!scheduled && SCHEDULED.compareAndSet(this, false, true)) {
            submit();
        }
    }

    private void submit() {
        try {
            executor.execute(this);
        } catch (Throwable failure) {
            executorFailed(failure);
        }
    }

    /**
     * The executor refused the consumer's task ({@link RejectedExecutionException}, or anything else it threw, such
     * as an {@code OutOfMemoryError} for a thread it could not create): nothing will deliver this subscription's
     * events again, so it ends with {@code HANDLER_FAILED} (the executor's exception in {@code failure()}), what it
     * had buffered is counted in {@code dropped()}, and the end is logged. No task is running (none could be
     * submitted), so the Flow subscriber's signal cannot overlap an {@code onNext}.
     */
    private void executorFailed(Throwable failure) {
        scheduled = false;
        consumerDone = true;
        if (flow != null) {
            flow.failWith(failure);
        }
        if (subscription.finish(EndReason.HANDLER_FAILED, failure)) {
            long left = backlog();
            if (left > 0) {
                subscription.addDropped(left);
            }
            Diagnostics.handlerFailed(hubName, "the executor of async subscription "
                    + Diagnostics.describe(subscription) + " (refusing its task; " + left
                    + " buffered events dropped)", failure);
            if (flow != null) {
                flow.signalTerminal(subscription, hubName, size);
            }
        }
        releaseReferences();
    }

    // ------------------------------------------------------------------ consumer side

    @Override
    public void run() {
        consumer = Thread.currentThread();
        if (executor == null) {
            runOwnThread();
        } else {
            runTask();
        }
    }

    private void runOwnThread() {
        int idle = 0;
        while (!consumerDone) {
            if (drainCounted(TASK_BATCH) > 0) {
                idle = 0;
            } else if (!consumerDone) {
                if (idle < SPINS) {
                    idle++;
                    Thread.onSpinWait();
                } else if (idle < SPINS + YIELDS) {
                    idle++;
                    Thread.yield();
                } else {
                    consumerParked = true;
                    if (!hasWork()) {
                        LockSupport.park(this);
                    }
                    consumerParked = false;
                }
            }
        }
    }

    private void runTask() {
        drainCounted(TASK_BATCH);
        if (consumerDone) {
            return;
        }
        scheduled = false;
        // Re-check after clearing the flag: an enqueue that saw it set did not submit.
        if (hasWork() && SCHEDULED.compareAndSet(this, false, true)) {
            submit();
        }
    }

    private int drainCounted(int max) {
        countedEarly = 0;
        int delivered = drain(max);
        if (delivered > countedEarly) {
            subscription.dispatcher.asyncDelivered(delivered - countedEarly);
        }
        return delivered;
    }

    /** Unparks a dispatcher waiting for room once half the buffer is free. Consumer only. */
    private void wakeWaiter(long head) {
        Thread owner = waiter;
        if (owner != null && tail - head <= size - Math.max(1, size >>> 1) && WAITER.compareAndSet(this, owner, null)) {
            LockSupport.unpark(owner);
        }
    }

    /** Whether the consumer can do something now: deliver, finish, or stop. */
    private boolean hasWork() {
        if (subscription.isEnded()) {
            return true;
        }
        if (head == tail) {
            return inputEnd != null;
        }
        return flow == null || flow.hasDemand();
    }

    /** Delivers up to {@code max} events; ends the consumer when the subscription or its input has ended. */
    private int drain(int max) {
        int delivered = 0;
        while (delivered < max) {
            if (subscription.isEnded()) {
                stop();
                return delivered;
            }
            final long head = (long) HEAD.getVolatile(this);
            if (head == tail) {
                // Caught up. Under BLOCK, a full fence, then the waiter: with the dispatcher's store of the waiter and
                // its re-read of head, one of the two sees the other (the per-event check below has no fence).
                if (overflow == Overflow.BLOCK) {
                    VarHandle.fullFence();
                    if (waiter != null) {
                        wakeWaiter(head);
                    }
                }
                if (batchEnd != null && delivered > 0) {
                    batchEnd.endOfBatch(); // caught up: a sink flushes here
                }
                EndReason end = inputEnd;
                if (end != null && head == tail) {
                    long gap = trailingGap;
                    if (gap > 0) {
                        call(null, 0, 0, gap, false);
                    }
                    if (delivered > 0) { // count them before the end is visible: close() may return right after
                        subscription.dispatcher.asyncDelivered(delivered);
                        countedEarly = delivered;
                    }
                    subscription.finish(end, null);
                    stop();
                }
                return delivered;
            }
            if (flow != null && !flow.hasDemand()) {
                return delivered; // a Flow subscriber gets nothing beyond what it requested (rule 1.1)
            }
            final int index = (int) (head & mask);
            final Object event = events[index];
            final long sequence = sequences[index];
            final long stamp = stamps[index];
            long gap = gaps[index];
            if (overflow == Overflow.DROP_OLDEST) {
                if (!HEAD.compareAndSet(this, head, head + 1)) {
                    continue; // the dispatcher took this slot to make room
                }
                if (head != expectedHead) {
                    stealsSeen += head - expectedHead;
                    awaitStealsAccounted();
                    gap += head - expectedHead + (long) STOLEN_GAP.getAndSet(this, 0L);
                }
                expectedHead = head + 1;
            } else {
                events[index] = null;
                HEAD.setRelease(this, head + 1);
                // No ordering needed: the caught-up check below has a fence. Only a BLOCK owner ever waits.
                if (overflow == Overflow.BLOCK && WAITER.getOpaque(this) != null) {
                    wakeWaiter(head + 1);
                }
            }
            int outcome = call(event, sequence, stamp, gap, true);
            if (outcome != DELIVERED) {
                if (outcome == NOT_CALLED && subscription.endReason() == EndReason.OVERFLOW) {
                    subscription.addDropped(1); // taken from the buffer, then the disconnect came first
                }
                stop();
                return delivered;
            }
            delivered++;
            if (flow != null) {
                flow.delivered();
            }
            subscription.recordDelivery(sequence);
            if (subscription.deliveredPlain() >= subscription.limit) {
                subscription.finish(EndReason.LIMIT_REACHED, null);
            }
        }
        return delivered;
    }

    /**
     * Waits until every slot the dispatcher took from this consumer has its carried gap in {@code stolenGap}: the
     * dispatcher's few instructions between its CAS of {@code head} and its release of {@code steals}. Without the
     * wait a history gap riding on a taken slot could be reported after the event it precedes. Consumer only.
     */
    private void awaitStealsAccounted() {
        for (int spins = 0; (long) STEALS.getVolatile(this) < stealsSeen; spins++) {
            backOff(spins);
        }
    }

    private static final int DELIVERED = 0;
    private static final int NOT_CALLED = 1;
    private static final int FAILED = 2;

    /** Calls onGap (if gap > 0) and then onEvent (if withEvent), unless the subscription ended. */
    private int call(Object event, long sequence, long stamp, long gap, boolean withEvent) {
        // The one clock read of a call, also for subscriptions(): its store is the only one monitoring adds per event.
        final long start = System.nanoTime();
        calls.starting(start);
        final long epoch = calls.enter(); // a StoreLoad before the end check
        try {
            if (subscription.isEnded()) {
                return NOT_CALLED;
            }
            calls.began(epoch);
            try {
                if (gap > 0) {
                    Diagnostics.gap(hubName, subscription, gap);
                    subscription.handler.onGap(gap);
                    if (subscription.isEnded()) {
                        return NOT_CALLED;
                    }
                }
                if (withEvent) {
                    subscription.handler.onEvent(event, sequence, stamp);
                    long took = System.nanoTime() - start;
                    if (took >= slowNanos) {
                        Diagnostics.slowHandler(hubName, subscription, sequence, took);
                    }
                }
                return DELIVERED;
            } catch (Throwable failure) {
                if (subscription.finish(EndReason.HANDLER_FAILED, failure)) {
                    Diagnostics.handlerFailed(hubName, "the handler of async subscription "
                            + Diagnostics.describe(subscription), failure);
                }
                return FAILED;
            }
        } finally {
            calls.exit(epoch);
        }
    }

    /** The consumer stops for good: count what is left undelivered if the end was an overflow. */
    private void stop() {
        if (consumerDone) {
            return;
        }
        consumerDone = true;
        if (subscription.endReason() == EndReason.OVERFLOW) {
            long left = tail - head;
            if (left > 0) {
                subscription.addDropped(left);
            }
        }
        releaseReferences();
        if (flow != null) {
            flow.signalTerminal(subscription, hubName, size);
        }
    }

    /**
     * For a subscription that ended before the dispatcher registered it (the hub closed meanwhile): nothing was
     * delivered and no consumer runs, so the subscribing thread signals the end. Subscribing thread only.
     */
    void signalIfNeverStarted() {
        if (!started && flow != null && subscription.endReason() != null) {
            flow.signalTerminal(subscription, hubName, size);
        }
    }

    /** Flow only: the subscriber signalled demand. Any thread. */
    void request(long n) {
        flow.request(n);
        wakeConsumer();
    }

    /** Flow only: ends the subscription and signals {@code error} to the subscriber (rule 3.9). Any thread. */
    void failFlow(Throwable error) {
        flow.failWith(error);
        subscription.finish(EndReason.HANDLER_FAILED, error);
    }

    private void releaseReferences() {
        java.util.Arrays.fill(events, null);
    }

    // ------------------------------------------------------------------ any thread

    /** After the subscription's end is set: returns once no handler call can begin. Any thread. */
    void awaitQuiescence() {
        if (Thread.currentThread() == consumer) {
            return;
        }
        wakeConsumer();
        calls.awaitQuiescence(null);
    }

    /** Whether {@code thread} is running this subscription's consumer (its handler) now. Any thread. */
    boolean runsOn(Thread thread) {
        return consumer == thread && !consumerDone;
    }

    /** Whether the dispatcher has said that no more events will come. */
    boolean inputEnded() {
        return inputEnd != null;
    }

    private static final VarHandle SEQUENCES = java.lang.invoke.MethodHandles.arrayElementVarHandle(long[].class);

    /** The buffer's size, in events. */
    int size() {
        return size;
    }

    /**
     * The sequence of the oldest event in the buffer, or 0 if it is empty: a racy estimate for monitoring. The slot
     * is read between two reads of {@code head}; the owner never writes a slot at or after the consumer's head
     * until the head has moved past it, so equal heads mean the slot held that event. Any thread.
     */
    long oldestBuffered() {
        for (int tries = 0; tries < 3; tries++) {
            final long first = head;
            if (tail <= first) {
                return 0;
            }
            final long sequence = (long) SEQUENCES.getOpaque(sequences, (int) (first & mask));
            if (head == first) {
                return sequence;
            }
        }
        return 0;
    }

    /** When the handler call running now started ({@code System.nanoTime()}), or {@link CallGate#NOT_CALLING}. */
    long callingSince() {
        return calls.callingSince();
    }

    /** Whether this delivery serves a Reactive Streams subscriber. */
    boolean isFlow() {
        return flow != null;
    }

    /** Buffered and undelivered now: an estimate off the consumer thread. */
    long backlog() {
        return Math.max(0, tail - head);
    }

    private static void backOff(int spins) {
        if (spins < SPINS) {
            Thread.onSpinWait();
        } else {
            LockSupport.parkNanos(PARK_NANOS);
        }
    }
}
