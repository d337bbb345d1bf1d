package dev.eventhub;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Flow;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * The reliability stress of PRODUCT.md section 6: producers publishing flat out into every kind of subscriber at once
 * (inline, async {@code BLOCK} on an own thread and on a small pool, async {@code DROP_OLDEST} and
 * {@code DROP_NEWEST} with slow handlers, Flow subscribers with a lossless {@code BLOCK} buffer and with the default
 * {@code DISCONNECT}, all with random {@code request(n)} patterns), while subscribers join (live and with an
 * {@code afterSequence} replay) and cancel (from another thread and from inside their handler).
 *
 * <p>Every delivery is checked as it comes, against an inline recorder subscribed first (it sees every event, and the
 * map it writes is the total order): sequences consecutive for lossless subscribers, and for lossy ones each jump
 * exactly the gap reported just before it; per-producer order; timestamps; demand never exceeded. After close, every
 * subscription's end, counters and totals are checked exactly: lossless ones got everything from their start point,
 * lossy ones account for every matched event as delivered or dropped, with every drop reported through
 * {@code onGap}. Finally no hub thread may be left.
 *
 * <p>Events are {@code Long}s encoding {@code (producer + 1) << 32 | counter}. Size and seed:
 * {@code -Deventhub.mixedStress.events=N} (per producer, default {@value #DEFAULT_EVENTS}) and
 * {@code -Deventhub.mixedStress.seed=S} (printed by every run).
 */
class MixedSubscribersStressTest {
    private static final int PRODUCERS = 4;
    private static final long DEFAULT_EVENTS = 10_000L;
    private static final long EVENTS = Long.getLong("eventhub.mixedStress.events", DEFAULT_EVENTS);
    private static final long TOTAL = PRODUCERS * EVENTS;
    private static final long SEED = Long.getLong("eventhub.mixedStress.seed", System.nanoTime());
    /** {@code -Deventhub.mixedStress.verbose=true} lists every subscription with its end and counters. */
    private static final boolean VERBOSE = Boolean.getBoolean("eventhub.mixedStress.verbose");
    private static final int CAPACITY = 1 << 12;
    private static final int HISTORY = 1 << 14;
    /** Points in the run (fractions of TOTAL) at which a wave of subscribers joins. */
    private static final int MILESTONES = 4;
    /** Subscribers joining at each milestone. */
    private static final int JOINS_PER_MILESTONE = 5;
    private static final int POOL_THREADS = 3;
    /** Buffer of the Flow DISCONNECT subscriber that sets one explicitly (the other keeps the default 1024). */
    private static final int SMALL_DISCONNECT_BUFFER = 16;
    /** Replays start at most this far behind the last published sequence (well inside the history). */
    private static final int REPLAY_REACH = 2_000;
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final int STRIDE = 16;

    private final Violations violations = new Violations();
    private final ConcurrentLinkedQueue<Throwable> threadFailures = new ConcurrentLinkedQueue<>();
    private final List<Probe> probes = new CopyOnWriteArrayList<>();
    /** Cancellers and Flow requesters: all joined before the final checks. */
    private final List<Thread> helpers = new CopyOnWriteArrayList<>();
    private final AtomicLongArray progress = new AtomicLongArray(PRODUCERS * STRIDE);
    private final CountDownLatch producersDone = new CountDownLatch(PRODUCERS);

    private EventHub<Long> hub;
    private ExecutorService pool;
    private Recorder recorder;
    private Kind tinyBufferKind;

    static long encode(int producer, long counter) {
        return ((long) (producer + 1) << 32) | counter;
    }

    static int producerOf(long event) {
        return (int) (event >>> 32) - 1;
    }

    static long counterOf(long event) {
        return event & 0xFFFF_FFFFL;
    }

    enum Kind {
        INLINE_CONSUMER, INLINE_HANDLER,
        BLOCK_THREAD, BLOCK_POOL,
        DROP_OLDEST_THREAD, DROP_OLDEST_POOL, DROP_NEWEST_THREAD, DROP_NEWEST_POOL,
        FLOW_BLOCK_THREAD, FLOW_BLOCK_POOL, FLOW_DISCONNECT, FLOW_DISCONNECT_SMALL;

        boolean inline() {
            return this == INLINE_CONSUMER || this == INLINE_HANDLER;
        }

        boolean flow() {
            return name().startsWith("FLOW_");
        }

        boolean lossy() {
            return name().startsWith("DROP_");
        }

        boolean disconnect() {
            return this == FLOW_DISCONNECT || this == FLOW_DISCONNECT_SMALL;
        }

        boolean pooled() {
            return name().endsWith("_POOL");
        }
    }

    /** When a subscriber joins: before the producers start, or mid-run live, or mid-run with a replay. */
    enum Start { BEFORE, LIVE, REPLAY }

    /** How it leaves: at close, cancelled by another thread, or cancelling itself inside its handler. */
    enum Fate { KEEP, CANCEL_OUTSIDE, CANCEL_INSIDE }

    /** Who refills a Flow subscriber's demand when it runs out. */
    enum Demand { ON_NEXT, OTHER_THREAD, MIXED }

    @Test
    void everyKindOfSubscriberKeepsItsContractUnderConcurrentProducersJoinsAndCancels() throws Exception {
        assertThat(TOTAL).as("eventhub.mixedStress.events").isBetween(1L, (long) Integer.MAX_VALUE - 1);
        // Hub threads of other tests in this JVM, if any were left: the final leak check can only be exact without.
        final boolean noOtherHubs = ThreadedHubTest.hubThreads() == 0;
        System.out.printf("MixedSubscribersStressTest: seed %d (-Deventhub.mixedStress.seed=%d), %d x %d events%n",
                SEED, SEED, PRODUCERS, EVENTS);
        SplittableRandom random = new SplittableRandom(SEED);
        AtomicInteger poolThreads = new AtomicInteger();
        pool = Executors.newFixedThreadPool(POOL_THREADS, task -> {
            Thread t = new Thread(task, "mixed-stress-pool-" + poolThreads.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        hub = EventHub.<Long>builder().name("mixed-stress").capacity(CAPACITY).history(HISTORY)
                .drainTimeout(WAIT).build();
        List<Thread> producers = new ArrayList<>();
        Thread churner = null;
        long started = System.nanoTime();
        try {
            recorder = new Recorder();
            recorder.subscription = hub.subscribe(recorder);
            for (int p = 0; p < PRODUCERS; p++) {
                progress.set(p * STRIDE, -1);
            }

            List<Kind> losslessAsync = List.of(Kind.BLOCK_THREAD, Kind.BLOCK_POOL, Kind.FLOW_BLOCK_THREAD,
                    Kind.FLOW_BLOCK_POOL);
            tinyBufferKind = losslessAsync.get(random.nextInt(losslessAsync.size()));
            // Before the producers start: one of each kind for the whole run, and some that will cancel.
            for (Kind kind : Kind.values()) {
                join(kind, Start.BEFORE, Fate.KEEP, random.split());
            }
            for (Kind kind : Kind.values()) {
                if (random.nextBoolean()) {
                    join(kind, Start.BEFORE, random.nextBoolean() ? Fate.CANCEL_OUTSIDE : Fate.CANCEL_INSIDE,
                            random.split());
                }
            }

            CountDownLatch go = new CountDownLatch(1);
            for (int p = 0; p < PRODUCERS; p++) {
                final int producer = p;
                producers.add(thread("mixed-stress-producer-" + p, () -> {
                    try {
                        go.await();
                        final int index = producer * STRIDE;
                        for (long c = 0; c < EVENTS; c++) {
                            hub.publish(encode(producer, c));
                            progress.set(index, c);
                        }
                    } finally {
                        producersDone.countDown();
                    }
                }));
            }
            final SplittableRandom churnRandom = random.split();
            churner = thread("mixed-stress-churner", () -> churn(churnRandom));
            producers.forEach(Thread::start);
            churner.start();
            go.countDown();

            for (Thread t : producers) {
                joinOrFail(t);
            }
            long published = System.nanoTime();
            joinOrFail(churner);
            for (Probe probe : probes) {
                if (probe.canceller != null) {
                    joinOrFail(probe.canceller);
                }
            }
            assertThat(threadFailures).as("exceptions in producer, churner and canceller threads").isEmpty();

            long closing = System.nanoTime();
            hub.close();
            long closeMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - closing);
            assertThat(hub.awaitTermination(WAIT)).as("terminated").isTrue();
            // close() returned: every subscription has ended (lossless ones after taking everything accepted).
            for (Probe probe : probes) {
                Subscription s = probe.subscription;
                if (s == null || s.isActive()) {
                    violations.add(probe + ": still active after close() returned: " + s);
                }
            }
            if (recorder.subscription.endReason() != EndReason.HUB_CLOSED) {
                violations.add("recorder ended " + recorder.subscription.endReason());
            }
            // A Flow subscriber's terminal signal comes from its consumer right after the end is decided.
            for (Probe probe : probes) {
                if (probe instanceof FlowProbe flow && probe.subscription != null
                        && probe.subscription.endReason() != EndReason.CANCELLED
                        && !flow.terminated.await(WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
                    violations.add(probe + ": no terminal signal after close (ended "
                            + probe.subscription.endReason() + ")");
                }
            }
            stopHelpers();
            pool.shutdown();
            assertThat(pool.awaitTermination(WAIT.toMillis(), TimeUnit.MILLISECONDS)).as("pool terminated").isTrue();
            // No thread of this hub is left (dispatcher, subscriber threads); and none at all if none was before.
            await().atMost(WAIT).until(() -> Thread.getAllStackTraces().keySet().stream()
                    .noneMatch(t -> t.getName().startsWith("eventhub-mixed-stress-") && t.isAlive()));
            if (noOtherHubs) {
                ThreadedHubTest.awaitNoHubThreads(WAIT);
            }
            assertThat(threadFailures).as("exceptions in helper threads").isEmpty();
            long elapsed = System.nanoTime() - started;

            // Everything below reads handler state after every thread that ran a handler has terminated.
            checkRecorder();
            for (Probe probe : probes) {
                checkEnded(probe);
            }
            HubStats stats = hub.stats();
            if (stats.published() != TOTAL || stats.rejected() != 0 || stats.subscribers() != 0 || !stats.closed()) {
                violations.add("stats after close: " + stats);
            }
            System.out.printf("MixedSubscribersStressTest: %d events, %d subscriptions, %d ms (publishing %d ms, "
                    + "close %d ms); %s%n", TOTAL, probes.size() + 1, TimeUnit.NANOSECONDS.toMillis(elapsed),
                    TimeUnit.NANOSECONDS.toMillis(published - started), closeMillis, coverage());
            if (VERBOSE) {
                for (Probe probe : probes) {
                    System.out.printf("  %s: %s, delivered %d, dropped %d%n", probe, probe.subscription.endReason(),
                            probe.count, probe.subscription.dropped());
                }
            }
            violations.assertNone();
        } finally {
            hub.close(); // idempotent; releases producers blocked in publish if something failed early
            stopHelpers();
            pool.shutdownNow();
            for (Thread t : producers) {
                t.join(WAIT.toMillis());
            }
        }
    }

    // ------------------------------------------------------------------ joining and leaving

    /**
     * Mid-run waves: at each milestone a few subscribers join, live or replaying, kept or cancelled; their kinds are
     * dealt from shuffled decks of all kinds, so every kind joins mid-run at least once.
     */
    private void churn(SplittableRandom random) throws InterruptedException {
        List<Kind> deck = new ArrayList<>();
        java.util.Random shuffler = new java.util.Random(random.nextLong());
        for (int m = 0; m < MILESTONES; m++) {
            if (!recorder.milestones[m].await(WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new AssertionError("milestone " + m + " not reached");
            }
            for (int j = 0; j < JOINS_PER_MILESTONE; j++) {
                if (deck.isEmpty()) {
                    deck.addAll(Arrays.asList(Kind.values()));
                    Collections.shuffle(deck, shuffler);
                }
                Kind kind = deck.remove(deck.size() - 1);
                Start start = random.nextBoolean() ? Start.LIVE : Start.REPLAY;
                int f = random.nextInt(10);
                Fate fate = f < 4 ? Fate.KEEP : f < 7 ? Fate.CANCEL_OUTSIDE : Fate.CANCEL_INSIDE;
                join(kind, start, fate, random.split());
            }
        }
    }

    private void join(Kind kind, Start start, Fate fate, SplittableRandom random) {
        long after = -1;
        if (start == Start.REPLAY) {
            long published = hub.stats().published();
            // Now and then a replay from the very beginning, which the ring may no longer reach (an exact gap).
            // Only for handlers with onGap: a Consumer and a Flow subscriber have no way to be told of a gap, so
            // their replays stay inside the history.
            boolean toldOfGaps = !kind.flow() && kind != Kind.INLINE_CONSUMER;
            after = toldOfGaps && random.nextInt(4) == 0 ? 0 : Math.max(0, published - random.nextInt(REPLAY_REACH));
        }
        long target = fate == Fate.KEEP ? Long.MAX_VALUE : 1 + random.nextInt((int) Math.min(TOTAL / 4, 20_000));
        Probe probe = kind.flow() ? new FlowProbe(kind, start, fate, after, target, random)
                : new Probe(kind, start, fate, after, target, random);
        probe.joinedWhileRunning = producersDone.getCount() > 0 && start != Start.BEFORE;
        if (probe instanceof FlowProbe flow && flow.demand != Demand.ON_NEXT) {
            // Started before subscribing: a BLOCK replay fills the buffer during subscribe, and only demand from
            // this thread lets the dispatcher (and so subscribe) go on.
            Thread requester = thread("mixed-stress-requester-" + probe.id, flow::requestLoop);
            flow.requester = requester;
            helpers.add(requester);
            requester.start();
        }
        probe.before = snapshot();
        probe.retainedBefore = hub.stats().firstRetainedSequence();
        SubscriptionBuilder<Long> builder = hub.events();
        if (start == Start.REPLAY) {
            builder.afterSequence(after);
        }
        int buffer;
        Subscription s = null;
        switch (kind) {
            case INLINE_CONSUMER -> {
                Consumer<Long> consumer = probe::accept;
                s = start != Start.REPLAY && random.nextBoolean() ? hub.subscribe(consumer)
                        : builder.subscribe(consumer);
            }
            case INLINE_HANDLER -> s = start != Start.REPLAY && random.nextBoolean()
                    ? hub.subscribe((EventHandler<Long>) probe) : builder.subscribe(probe);
            case BLOCK_THREAD, BLOCK_POOL -> {
                buffer = losslessBuffer(probe, random);
                probe.buffer = buffer;
                s = async(builder, kind).buffer(buffer, Overflow.BLOCK).subscribe(probe);
            }
            case DROP_OLDEST_THREAD, DROP_OLDEST_POOL -> {
                buffer = 1 + random.nextInt(32);
                probe.buffer = buffer;
                s = async(builder, kind).buffer(buffer, Overflow.DROP_OLDEST).subscribe(probe);
            }
            case DROP_NEWEST_THREAD, DROP_NEWEST_POOL -> {
                buffer = 1 + random.nextInt(32);
                probe.buffer = buffer;
                s = async(builder, kind).buffer(buffer, Overflow.DROP_NEWEST).subscribe(probe);
            }
            case FLOW_BLOCK_THREAD, FLOW_BLOCK_POOL -> {
                buffer = losslessBuffer(probe, random);
                probe.buffer = buffer;
                if (kind == Kind.FLOW_BLOCK_POOL) {
                    builder.async(pool);
                }
                builder.buffer(buffer, Overflow.BLOCK).publisher().subscribe((FlowProbe) probe);
            }
            case FLOW_DISCONNECT -> {
                probe.buffer = AsyncDelivery.DEFAULT_BUFFER;
                builder.publisher().subscribe((FlowProbe) probe);
            }
            case FLOW_DISCONNECT_SMALL -> {
                probe.buffer = SMALL_DISCONNECT_BUFFER;
                builder.buffer(SMALL_DISCONNECT_BUFFER, Overflow.DISCONNECT).publisher().subscribe((FlowProbe) probe);
            }
            default -> throw new AssertionError(kind);
        }
        if (s != null) {
            probe.subscription = s;
        }
        probe.afterSnapshot = snapshot();
        probe.retainedAfter = hub.stats().firstRetainedSequence();
        probes.add(probe);
        if (probe.subscription == null) {
            violations.add(probe + ": subscribe returned without a subscription (Flow: no onSubscribe)");
            return;
        }
        if (fate == Fate.CANCEL_OUTSIDE) {
            Thread canceller = thread("mixed-stress-canceller-" + probe.id, () -> cancelOutside(probe));
            probe.canceller = canceller;
            helpers.add(canceller);
            canceller.start();
        }
    }

    /**
     * Room for bursts; but one lossless subscriber per run, for the whole run, gets a tiny buffer, where nearly every
     * event is a hand-over with the dispatcher waiting (slow, the more so on a pool: one per run keeps it in time).
     */
    private int losslessBuffer(Probe probe, SplittableRandom random) {
        boolean tiny = probe.kind == tinyBufferKind && probe.start == Start.BEFORE && probe.fate == Fate.KEEP;
        return tiny ? 1 + random.nextInt(4) : 16 + random.nextInt(241);
    }

    private SubscriptionBuilder<Long> async(SubscriptionBuilder<Long> builder, Kind kind) {
        return kind.pooled() ? builder.async(pool) : builder.async();
    }

    /** Cancels from another thread once the probe has its target, or the producers are done. */
    private void cancelOutside(Probe probe) throws InterruptedException {
        while (!probe.reached.await(1, TimeUnit.MILLISECONDS) && producersDone.getCount() > 0) {
            // wait for the target or for the end of publishing
        }
        if (probe instanceof FlowProbe flow) {
            flow.flowSubscription.cancel();
            flow.stopRequesting();
        } else {
            probe.subscription.cancel();
        }
        probe.cancelReturned = true;
        EndReason reason = probe.subscription.endReason();
        if (reason != EndReason.CANCELLED && !(probe.kind.disconnect() && reason == EndReason.OVERFLOW)) {
            violations.add(probe + ": after cancel() returned, endReason is " + reason);
        }
    }

    /** Joins a thread; one still running means something hangs: fail with what was seen so far and its stack. */
    private void joinOrFail(Thread t) throws InterruptedException {
        t.join(WAIT.toMillis());
        if (t.isAlive()) {
            StringBuilder stack = new StringBuilder();
            for (StackTraceElement frame : t.getStackTrace()) {
                stack.append("\n    at ").append(frame);
            }
            throw new AssertionError(t.getName() + " still running after " + WAIT + " (" + t.getState() + ")"
                    + stack + "\nviolations so far: " + violations + "\nhub: " + hub.stats()
                    + ThreadedHubTest.describeHubThreads());
        }
    }

    private void stopHelpers() throws InterruptedException {
        for (Probe probe : probes) {
            if (probe instanceof FlowProbe flow) {
                flow.stopRequesting();
            }
        }
        for (Thread t : helpers) {
            t.join(WAIT.toMillis());
            if (t.isAlive()) {
                violations.add(t.getName() + " still running");
            }
        }
    }

    private long[] snapshot() {
        long[] values = new long[PRODUCERS];
        for (int p = 0; p < PRODUCERS; p++) {
            values[p] = progress.get(p * STRIDE);
        }
        return values;
    }

    // ------------------------------------------------------------------ checks after the run

    private void checkRecorder() {
        if (recorder.last != TOTAL) {
            violations.add("recorder saw " + recorder.last + " events, expected " + TOTAL);
        }
        for (int p = 0; p < PRODUCERS; p++) {
            if (recorder.next[p] != EVENTS) {
                violations.add("recorder saw " + recorder.next[p] + " events of producer " + p);
            }
        }
        Subscription s = recorder.subscription;
        if (s.delivered() != TOTAL || s.lastSequence() != TOTAL || s.dropped() != 0) {
            violations.add("recorder's subscription: " + s);
        }
    }

    /** After the hub terminated and every handler thread stopped: the end, the counters, the totals. */
    private void checkEnded(Probe probe) {
        Subscription s = probe.subscription;
        if (s == null) {
            return; // reported at join
        }
        final EndReason reason = s.endReason();
        final Kind kind = probe.kind;
        final boolean cancelled = reason == EndReason.CANCELLED;
        final boolean overflow = reason == EndReason.OVERFLOW;
        if (!(reason == EndReason.HUB_CLOSED || cancelled && probe.fate != Fate.KEEP
                || overflow && kind.disconnect())) {
            violations.add(probe + ": ended " + reason + " (failure " + s.failure() + ")");
            return;
        }
        if (cancelled && probe.fate == Fate.CANCEL_INSIDE && !probe.cancelledInside) {
            violations.add(probe + ": CANCELLED although nobody cancelled it");
        }
        if (s.delivered() != probe.count || s.lastSequence() != probe.lastSeq) {
            violations.add(probe + ": delivered()=" + s.delivered() + " lastSequence()=" + s.lastSequence()
                    + " but the handler saw " + probe.count + " events up to " + probe.lastSeq);
        }
        if (probe.callsAfterInsideCancel != 0) {
            violations.add(probe + ": " + probe.callsAfterInsideCancel + " handler calls after it cancelled itself");
        }
        // A call already running when cancel() returns may finish (and we only see it once it is inside our
        // handler); an inline cancel waits for the dispatcher's round, so there none at all.
        long allowedAfter = kind.inline() ? 0 : 1;
        if (probe.callsAfterOutsideCancel > allowedAfter) {
            violations.add(probe + ": " + probe.callsAfterOutsideCancel + " handler calls began after cancel() "
                    + "returned");
        }
        if (probe instanceof FlowProbe flow) {
            checkFlowSignals(flow, reason);
        }

        // Where its stream starts: sequence of the first event it may get, minus one (exact or bounded).
        final long historyGapLow;
        final long historyGapHigh;
        if (probe.start == Start.REPLAY) {
            historyGapLow = Math.max(0, probe.retainedBefore - (probe.after + 1));
            historyGapHigh = Math.max(0, probe.retainedAfter - (probe.after + 1));
        } else {
            historyGapLow = 0;
            historyGapHigh = 0;
        }
        if (probe.start == Start.LIVE) {
            checkLiveStart(probe);
        }
        final long dropped = s.dropped();
        if (kind.lossy()) {
            // Drops reported so far can never exceed the drops counted (plus a history gap, for a replay).
            long historyGap = probe.gapSum - dropped;
            if (historyGap < 0 && reason == EndReason.HUB_CLOSED || historyGap > historyGapHigh) {
                violations.add(probe + ": onGap total " + probe.gapSum + " vs dropped() " + dropped
                        + " (history gap allowed " + historyGapLow + ".." + historyGapHigh + ")");
            }
            if (reason != EndReason.HUB_CLOSED) {
                return; // cancelled: what it matched up to the cancel is not known exactly
            }
            if (historyGap < historyGapLow) {
                violations.add(probe + ": onGap total " + probe.gapSum + " vs dropped() " + dropped
                        + ": history gap " + historyGap + " below " + historyGapLow);
            }
            // Every drop reported, including those after its last event (DROP_NEWEST's trailing gap).
            long reach = (probe.count > 0 ? probe.lastSeq : probe.startSeq()) + probe.pendingGap;
            if (probe.start != Start.LIVE || probe.count > 0) {
                if (reach != TOTAL) {
                    violations.add(probe + ": last event " + probe.lastSeq + " + unreported gap " + probe.pendingGap
                            + " = " + reach + ", expected " + TOTAL);
                }
            }
            long matched = probe.start == Start.LIVE ? TOTAL - probe.fromSeq() + 1 : TOTAL - probe.after();
            if (probe.start != Start.LIVE || probe.count > 0) {
                long historyGapNow = probe.start == Start.REPLAY ? historyGap : 0;
                if (probe.count + dropped + historyGapNow != matched) {
                    violations.add(probe + ": delivered " + probe.count + " + dropped " + dropped
                            + " + history gap " + historyGapNow + " != matched " + matched);
                }
            } else {
                // Nothing delivered to a live one: whatever it matched was dropped and reported at the end.
                long from = TOTAL - dropped + 1;
                if (dropped != probe.gapSum || from < probe.lowFrom() || from > probe.highFrom()) {
                    violations.add(probe + ": delivered nothing, dropped " + dropped + ", reported " + probe.gapSum
                            + ", so it started at " + from + " outside " + probe.lowFrom() + ".." + probe.highFrom());
                }
            }
            return;
        }

        // Lossless (inline, BLOCK, Flow BLOCK; DISCONNECT until it disconnects): nothing dropped, no gap but history.
        if (overflow) {
            // Events consecutive up to the disconnect (checked per event); then the buffer and the event that did
            // not fit are dropped, never more than it matched.
            long matchedUpperBound = probe.start == Start.LIVE
                    ? TOTAL - (probe.count > 0 ? probe.fromSeq() : probe.lowFrom()) + 1
                    : TOTAL - probe.after() - probe.gapBeforeFirst;
            if (dropped < 1 || probe.count + dropped > matchedUpperBound) {
                violations.add(probe + ": OVERFLOW with delivered " + probe.count + ", dropped " + dropped
                        + ", matched at most " + matchedUpperBound);
            }
            return;
        }
        if (dropped != 0) {
            violations.add(probe + ": lossless but dropped() = " + dropped);
        }
        if (probe.start == Start.REPLAY && probe.count > 0
                && (probe.gapBeforeFirst < historyGapLow || probe.gapBeforeFirst > historyGapHigh)) {
            violations.add(probe + ": history gap " + probe.gapBeforeFirst + " outside " + historyGapLow + ".."
                    + historyGapHigh + " (ring started at " + probe.retainedBefore + ".." + probe.retainedAfter
                    + ")");
        }
        if (reason != EndReason.HUB_CLOSED) {
            return; // cancelled: consecutive from its start up to the cancel, checked per event
        }
        if (probe.count > 0) {
            if (probe.lastSeq != TOTAL) {
                violations.add(probe + ": lossless and kept to close, but its last event is " + probe.lastSeq
                        + " of " + TOTAL);
            }
        } else {
            boolean canBeEmpty = switch (probe.start) {
                case BEFORE -> false;
                case REPLAY -> probe.after + historyGapHigh >= TOTAL;
                case LIVE -> probe.highFrom() > TOTAL;
            };
            if (!canBeEmpty) {
                violations.add(probe + ": lossless and kept to close, but nothing delivered");
            }
        }
        if (probe.start == Start.BEFORE && probe.count != TOTAL) {
            violations.add(probe + ": subscribed for the whole run but delivered " + probe.count + " of " + TOTAL);
        }
    }

    /** A live subscriber gets nothing accepted before subscribe was called, everything published after it returned. */
    private void checkLiveStart(Probe probe) {
        for (int p = 0; p < PRODUCERS; p++) {
            long first = probe.firstCounter[p];
            if (first >= 0 && first <= probe.before[p]) {
                violations.add(probe + ": got producer " + p + "'s event " + first
                        + ", published before subscribe was called (progress then " + probe.before[p] + ")");
            }
        }
        if (probe.count > 0) {
            long from = probe.fromSeq();
            if (from < probe.lowFrom() || from > probe.highFrom()) {
                violations.add(probe + ": starts at sequence " + from + " (first " + probe.firstSeq + ", gap before "
                        + probe.gapBeforeFirst + "), outside " + probe.lowFrom() + ".." + probe.highFrom());
            }
            if (!probe.kind.lossy()) {
                for (int p = 0; p < PRODUCERS; p++) {
                    long mustHave = probe.afterSnapshot[p] + 2; // begun after subscribe returned
                    if (mustHave < EVENTS && (probe.firstCounter[p] < 0 || probe.firstCounter[p] > mustHave)
                            && probe.subscription.endReason() == EndReason.HUB_CLOSED) {
                        violations.add(probe + ": producer " + p + "'s first event is " + probe.firstCounter[p]
                                + " but " + mustHave + " was published after subscribe returned");
                    }
                }
            }
        }
    }

    private void checkFlowSignals(FlowProbe flow, EndReason reason) {
        if (flow.onSubscribeCalls.get() != 1) {
            violations.add(flow + ": onSubscribe called " + flow.onSubscribeCalls.get() + " times");
        }
        int terminals = flow.terminals.get();
        if (flow.signalsAfterTerminal.get() != 0) {
            violations.add(flow + ": " + flow.signalsAfterTerminal.get() + " signals after its terminal signal");
        }
        switch (reason) {
            case HUB_CLOSED -> {
                if (terminals != 1 || !flow.completed) {
                    violations.add(flow + ": HUB_CLOSED but " + terminals + " terminal signals, completed="
                            + flow.completed + ", error=" + flow.error);
                }
            }
            case OVERFLOW -> {
                Throwable error = flow.error;
                if (terminals != 1 || error == null || error.getMessage() == null
                        || !error.getMessage().contains("DISCONNECT")) {
                    violations.add(flow + ": OVERFLOW but " + terminals + " terminal signals, error " + error);
                }
            }
            case CANCELLED -> {
                if (terminals != 0) {
                    violations.add(flow + ": cancelled, yet " + terminals + " terminal signals (error "
                            + flow.error + ")");
                }
            }
            default -> violations.add(flow + ": ended " + reason);
        }
    }

    private String coverage() {
        Map<EndReason, Integer> reasons = new EnumMap<>(EndReason.class);
        int joinedWhileRunning = 0;
        int insideCancels = 0;
        int historyGaps = 0;
        long drops = 0;
        long lossyDelivered = 0;
        int demandRefillsElsewhere = 0;
        for (Probe probe : probes) {
            if (probe.subscription == null) {
                continue;
            }
            reasons.merge(probe.subscription.endReason(), 1, Integer::sum);
            joinedWhileRunning += probe.joinedWhileRunning ? 1 : 0;
            insideCancels += probe.cancelledInside ? 1 : 0;
            historyGaps += probe.start == Start.REPLAY && probe.gapBeforeFirst > 0 && !probe.kind.lossy() ? 1 : 0;
            if (probe.kind.lossy()) {
                drops += probe.subscription.dropped();
                lossyDelivered += probe.count;
            }
            if (probe instanceof FlowProbe flow) {
                demandRefillsElsewhere += flow.refillsElsewhere;
            }
        }
        return "ends " + reasons + ", joined mid-run while publishing " + joinedWhileRunning + ", cancelled inside "
                + insideCancels + ", lossless replays with a history gap " + historyGaps + ", lossy delivered "
                + lossyDelivered + " dropped " + drops + ", Flow refills from another thread " + demandRefillsElsewhere;
    }

    // ------------------------------------------------------------------ the recorder and the probes

    /** Inline, subscribed first, so it sees every event before any other subscriber: the reference order. */
    final class Recorder implements EventHandler<Long> {
        final long[] valueAt = new long[(int) TOTAL + 1];
        final int[][] sequenceOf = new int[PRODUCERS][(int) EVENTS];
        final long[] next = new long[PRODUCERS];
        final CountDownLatch[] milestones = new CountDownLatch[MILESTONES];
        final long[] milestoneAt = new long[MILESTONES];
        long last;
        long lastStamp = Long.MIN_VALUE;
        volatile Subscription subscription;

        Recorder() {
            for (int m = 0; m < MILESTONES; m++) {
                milestones[m] = new CountDownLatch(1);
                milestoneAt[m] = Math.max(1, TOTAL * (m + 1) / (MILESTONES + 2));
            }
        }

        @Override
        public void onEvent(Long event, long seq, long stamp) {
            long value = event;
            int p = producerOf(value);
            long c = counterOf(value);
            if (seq != last + 1) {
                violations.add("recorder: sequence " + seq + " after " + last);
            }
            if (stamp < lastStamp) {
                violations.add("recorder: stamp " + stamp + " at " + seq + " before " + lastStamp);
            }
            lastStamp = stamp;
            last = seq;
            if (p < 0 || p >= PRODUCERS || c >= EVENTS || seq > TOTAL) {
                violations.add("recorder: unknown event " + Long.toHexString(value) + " at " + seq);
                return;
            }
            if (c != next[p]) {
                violations.add("recorder: producer " + p + " event " + c + ", expected " + next[p]);
            }
            next[p] = c + 1;
            valueAt[(int) seq] = value;
            sequenceOf[p][(int) c] = (int) seq;
            for (int m = 0; m < MILESTONES; m++) {
                if (seq == milestoneAt[m]) {
                    milestones[m].countDown();
                }
            }
        }

        @Override
        public void onGap(long missed) {
            violations.add("recorder: onGap(" + missed + ")");
        }
    }

    private static final AtomicInteger PROBE_IDS = new AtomicInteger();

    /**
     * One subscriber: checks every call as it comes and keeps what the checks after close need. Plain fields,
     * written by the one thread calling the handler at a time; read by other threads only after it terminated.
     */
    class Probe implements EventHandler<Long> {
        final int id = PROBE_IDS.incrementAndGet();
        final Kind kind;
        final Start start;
        final Fate fate;
        final long after;
        final long target;
        final SplittableRandom random;
        final CountDownLatch reached = new CountDownLatch(1);
        final long[] firstCounter = new long[PRODUCERS];
        final long[] lastCounter = new long[PRODUCERS];
        int buffer;
        volatile Subscription subscription;
        volatile boolean cancelReturned;
        Thread canceller;
        // Set by the joining thread around subscribe.
        long[] before;
        long[] afterSnapshot;
        long retainedBefore;
        long retainedAfter;
        boolean joinedWhileRunning;
        // Handler state.
        long count;
        long firstSeq;
        long lastSeq;
        long lastStamp = Long.MIN_VALUE;
        long pendingGap;
        long gapSum;
        long gapCalls;
        long gapBeforeFirst;
        boolean cancelledInside;
        long callsAfterInsideCancel;
        long callsAfterOutsideCancel;

        Probe(Kind kind, Start start, Fate fate, long after, long target, SplittableRandom random) {
            this.kind = kind;
            this.start = start;
            this.fate = fate;
            this.after = after;
            this.target = target;
            this.random = random;
            Arrays.fill(firstCounter, -1);
            Arrays.fill(lastCounter, -1);
        }

        /** The sequence before its first possible event, when known (not for a live joiner). */
        long startSeq() {
            return start == Start.REPLAY ? after : 0;
        }

        long after() {
            return startSeq();
        }

        /** A live joiner with deliveries: the first sequence it was registered for (its drops come first). */
        long fromSeq() {
            return firstSeq - gapBeforeFirst;
        }

        /** Live: events accepted before subscribe was called are at least those published then. */
        long lowFrom() {
            long accepted = 0;
            for (long c : before) {
                accepted += c + 1;
            }
            return accepted + 1;
        }

        /** Live: events accepted before subscribe returned are at most those published then plus one per producer. */
        long highFrom() {
            long accepted = 0;
            for (long c : afterSnapshot) {
                accepted += Math.min(EVENTS, c + 2);
            }
            return accepted + 1;
        }

        @Override
        public String toString() {
            return "#" + id + " " + kind + " " + start + (start == Start.REPLAY ? " after " + after : "") + " "
                    + fate + (fate != Fate.KEEP ? " at " + target : "") + (buffer > 0 ? " buffer " + buffer : "");
        }

        void accept(Long event) {
            onValue(event, -1, Long.MIN_VALUE);
        }

        @Override
        public void onEvent(Long event, long seq, long stamp) {
            onValue(event, seq, stamp);
        }

        @Override
        public void onGap(long missed) {
            entry();
            gapCalls++;
            if (missed < 1) {
                violations.add(this + ": onGap(" + missed + ")");
            }
            if (!kind.lossy() && !(start == Start.REPLAY && count == 0)) {
                violations.add(this + ": onGap(" + missed + ") on a lossless subscription after " + count
                        + " events (last " + lastSeq + ")");
            }
            gapSum += missed;
            pendingGap += missed;
        }

        private void entry() {
            if (cancelledInside) {
                callsAfterInsideCancel++;
            }
            if (cancelReturned) {
                callsAfterOutsideCancel++;
            }
        }

        final void onValue(long value, long handlerSeq, long stamp) {
            entry();
            final int p = producerOf(value);
            final long c = counterOf(value);
            if (p < 0 || p >= PRODUCERS || c >= EVENTS) {
                violations.add(this + ": unknown event " + Long.toHexString(value));
                return;
            }
            // The recorder saw every event first (slot 0 of the dispatcher; a replay only has events it saw).
            final long seq = recorder.sequenceOf[p][(int) c];
            if (seq == 0) {
                violations.add(this + ": event " + Long.toHexString(value) + " the recorder never saw");
                return;
            }
            if (handlerSeq >= 0 && handlerSeq != seq) {
                violations.add(this + ": event " + Long.toHexString(value) + " has sequence " + handlerSeq
                        + " here but " + seq + " for the recorder");
            }
            if (count == 0) {
                firstSeq = seq;
                gapBeforeFirst = pendingGap;
                if (start != Start.LIVE && seq != startSeq() + 1 + pendingGap) {
                    violations.add(this + ": first event is " + seq + ", expected " + (startSeq() + 1)
                            + " + gap " + pendingGap);
                }
            } else if (seq != lastSeq + 1 + pendingGap) {
                violations.add(this + ": event " + seq + " after " + lastSeq + " with gap " + pendingGap
                        + (seq <= lastSeq ? " (a repeat or out of order)" : ""));
            }
            final long previous = lastCounter[p];
            if (previous < 0) {
                firstCounter[p] = c;
            } else if (kind.lossy() ? c <= previous : c != previous + 1) {
                violations.add(this + ": producer " + p + " event " + c + " after " + previous);
            }
            lastCounter[p] = c;
            if (stamp != Long.MIN_VALUE) {
                if (stamp < lastStamp) {
                    violations.add(this + ": stamp " + stamp + " at " + seq + " before " + lastStamp);
                }
                lastStamp = stamp;
            }
            pendingGap = 0;
            lastSeq = seq;
            count++;
            work();
            if (count >= target) {
                if (fate == Fate.CANCEL_INSIDE && !cancelledInside) {
                    cancelledInside = cancelInside();
                }
                reached.countDown();
            }
        }

        /** Cancels from inside the handler; false if the subscription is not known yet (a replay in progress). */
        boolean cancelInside() {
            Subscription s = subscription;
            if (s == null) {
                return false;
            }
            s.cancel();
            if (s.endReason() != EndReason.CANCELLED) {
                violations.add(this + ": cancelled inside its handler, but ended " + s.endReason());
            }
            return true;
        }

        /** Simulated work: inline handlers are fast, lossless ones randomly slow, lossy ones slow. */
        void work() {
            if (kind.inline()) {
                if (random.nextInt(4096) == 0) {
                    spin(random.nextInt(20_000));
                }
            } else if (kind.lossy()) {
                LockSupport.parkNanos(20_000 + random.nextInt(80_000));
            } else {
                int r = random.nextInt(10_000);
                if (r < 900) {
                    spin(random.nextInt(5_000));
                } else if (r < 1_000) {
                    spin(5_000 + random.nextInt(45_000));
                } else if (r < 1_003) {
                    LockSupport.parkNanos(100_000 + random.nextInt(900_000));
                }
            }
        }
    }

    /** A Reactive Streams subscriber with random {@code request(n)}: counts outstanding demand and every signal. */
    final class FlowProbe extends Probe implements Flow.Subscriber<Long> {
        final Demand demand;
        final AtomicLong outstanding = new AtomicLong();
        final AtomicInteger onSubscribeCalls = new AtomicInteger();
        final AtomicInteger terminals = new AtomicInteger();
        final AtomicInteger signalsAfterTerminal = new AtomicInteger();
        final CountDownLatch terminated = new CountDownLatch(1);
        final Semaphore needDemand = new Semaphore(0);
        /** The requester's own random (the probe's belongs to the consumer). */
        final SplittableRandom requesterRandom;
        /** Microseconds the requester thread may dawdle before a request: makes the small DISCONNECT one overflow. */
        final int requesterDelayMicros;
        volatile Flow.Subscription flowSubscription;
        volatile boolean done;
        volatile boolean completed;
        volatile Throwable error;
        volatile Thread requester;
        int refillsElsewhere;

        FlowProbe(Kind kind, Start start, Fate fate, long after, long target, SplittableRandom random) {
            super(kind, start, fate, after, target, random);
            this.requesterRandom = random.split();
            this.demand = kind == Kind.FLOW_DISCONNECT_SMALL ? Demand.OTHER_THREAD
                    : Demand.values()[random.nextInt(Demand.values().length)];
            this.requesterDelayMicros = kind == Kind.FLOW_DISCONNECT_SMALL ? 2_000 : kind.disconnect() ? 200 : 0;
        }

        @Override
        public String toString() {
            return super.toString() + " demand " + demand;
        }

        @Override
        public void onSubscribe(Flow.Subscription s) {
            if (onSubscribeCalls.incrementAndGet() != 1) {
                violations.add(this + ": onSubscribe called again");
                return;
            }
            flowSubscription = s;
            subscription = ((FlowPublisher.FlowSubscription) s).hubSubscription();
            request(1 + random.nextInt(64));
        }

        private void request(long n) {
            outstanding.addAndGet(n); // before the request: the onNext it allows may come at once
            flowSubscription.request(n);
        }

        @Override
        public void onNext(Long item) {
            if (terminals.get() > 0) {
                signalsAfterTerminal.incrementAndGet();
            }
            long left = outstanding.decrementAndGet();
            if (left < 0) {
                violations.add(this + ": onNext beyond demand (outstanding " + left + ")");
            }
            onValue(item, -1, Long.MIN_VALUE);
            if (left <= 0 && !cancelledInside) {
                boolean here = switch (demand) {
                    case ON_NEXT -> true;
                    case OTHER_THREAD -> false;
                    case MIXED -> random.nextBoolean();
                };
                if (here) {
                    request(1 + random.nextInt(64));
                } else {
                    refillsElsewhere++;
                    needDemand.release();
                }
            }
        }

        @Override
        boolean cancelInside() {
            flowSubscription.cancel();
            EndReason reason = subscription.endReason();
            if (reason != EndReason.CANCELLED && !(kind.disconnect() && reason == EndReason.OVERFLOW)) {
                violations.add(this + ": cancelled inside onNext, but ended " + reason);
            }
            stopRequesting();
            return true;
        }

        @Override
        public void onError(Throwable throwable) {
            error = throwable;
            terminal();
        }

        @Override
        public void onComplete() {
            completed = true;
            terminal();
        }

        private void terminal() {
            if (terminals.incrementAndGet() > 1) {
                signalsAfterTerminal.incrementAndGet();
            }
            stopRequesting();
            terminated.countDown();
        }

        void stopRequesting() {
            done = true;
            needDemand.release();
        }

        /** The other thread that refills demand each time onNext used it up. */
        void requestLoop() throws InterruptedException {
            while (!done) {
                if (!needDemand.tryAcquire(50, TimeUnit.MILLISECONDS) || done) {
                    continue;
                }
                if (requesterDelayMicros > 0 && requesterRandom.nextInt(4) == 0) {
                    LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(requesterRandom.nextInt(requesterDelayMicros)));
                }
                request(1 + requesterRandom.nextInt(64));
            }
        }
    }

    private static void spin(long nanos) {
        long end = System.nanoTime() + nanos;
        while (System.nanoTime() - end < 0) {
            Thread.onSpinWait();
        }
    }

    // ------------------------------------------------------------------ plumbing

    interface Body {
        void run() throws Exception;
    }

    private Thread thread(String name, Body body) {
        Thread t = new Thread(() -> {
            try {
                body.run();
            } catch (Throwable e) {
                threadFailures.add(e);
            }
        }, name);
        t.setDaemon(true);
        return t;
    }

    /** Contract violations seen on any thread; the first few are kept with their message. */
    static final class Violations {
        private final AtomicLong count = new AtomicLong();
        private final ConcurrentLinkedQueue<String> first = new ConcurrentLinkedQueue<>();

        void add(String message) {
            if (count.incrementAndGet() <= 40) {
                first.add(message);
            }
        }

        @Override
        public String toString() {
            return count.get() + " " + first;
        }

        void assertNone() {
            assertThat(first).as("%d contract violations; the first ones", count.get()).isEmpty();
        }
    }
}
