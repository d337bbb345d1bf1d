package dev.eventhub;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import org.junit.jupiter.api.Test;

/**
 * Stress: several producers publishing flat out while subscribers join, replay, resume and leave, and close racing
 * with producers. Checks the contract of PRODUCT.md sections 3-4 (order, replay without seams, exact gaps,
 * cancellation, close) with exact accounting rather than sampling.
 *
 * <p>Events are {@code Long}s encoding {@code (producer + 1) << 32 | counter}, one small object per event. The
 * per-producer count of the first test is {@value #DEFAULT_EVENTS} unless {@code -Deventhub.stress.events=N}
 * raises it.
 */
class HubStressTest {
    private static final int PRODUCERS = 4;
    private static final long DEFAULT_EVENTS = 1_000_000L;
    /** Events per producer in {@link #producersAndChurningSubscribersKeepEveryGuarantee()}. */
    private static final long EVENTS = Long.getLong("eventhub.stress.events", DEFAULT_EVENTS);
    private static final long TOTAL = PRODUCERS * EVENTS;
    private static final int SLOTS = 8;
    /** Slots 0..LONG_LIVED-1 stay for the whole run; the others churn. */
    private static final int LONG_LIVED = 3;
    /** The churning slot that filters on one producer. */
    private static final int FILTERED_SLOT = SLOTS - 1;
    private static final int FILTERED_PRODUCER = PRODUCERS - 1;
    /** Largest run for which slot 0 records the whole sequence-to-event map (8 bytes per event). */
    private static final long MAP_LIMIT = 1L << 24;
    private static final int CAPACITY = 1 << 14;
    private static final int HISTORY = 1 << 12;
    private static final Duration WAIT = Duration.ofSeconds(60);
    /** Progress entries are this far apart so that producers do not share a cache line. */
    private static final int STRIDE = 16;
    /** Hubs closed under fire in the second test; each round is a few milliseconds. */
    private static final int CLOSE_ROUNDS = Integer.getInteger("eventhub.stress.closeRounds", 128);
    private static final long GOLDEN = 0x9E3779B97F4A7C15L;

    private final Violations violations = new Violations();
    private final ConcurrentLinkedQueue<Throwable> threadFailures = new ConcurrentLinkedQueue<>();

    static long encode(int producer, long counter) {
        return ((long) (producer + 1) << 32) | counter;
    }

    static int producerOf(long event) {
        return (int) (event >>> 32) - 1;
    }

    static long counterOf(long event) {
        return event & 0xFFFF_FFFFL;
    }

    static long hubThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().startsWith("eventhub-") && t.isAlive()).count();
    }

    // ------------------------------------------------------------------ test 1: producers + churning subscribers

    @Test
    void producersAndChurningSubscribersKeepEveryGuarantee() throws Exception {
        assertThat(EVENTS).as("eventhub.stress.events").isBetween(1L, 0xFFFF_FFFFL);
        long baseline = hubThreads();
        long[] map = TOTAL <= MAP_LIMIT ? new long[(int) TOTAL + 1] : null;
        EventHub<Long> hub = EventHub.<Long>builder().name("stress").capacity(CAPACITY).history(HISTORY).build();
        ConcurrentLinkedQueue<Probe> probes = new ConcurrentLinkedQueue<>();
        AtomicLongArray progress = new AtomicLongArray(PRODUCERS * STRIDE);
        for (int p = 0; p < PRODUCERS; p++) {
            progress.set(p * STRIDE, -1);
        }
        CountDownLatch producersDone = new CountDownLatch(PRODUCERS);
        List<Thread> threads = new ArrayList<>();
        try {
            // Long-lived: a recorder (plain subscribe), a builder subscription, and a replay from sequence 0.
            Probe[] longLived = new Probe[LONG_LIVED];
            for (int slot = 0; slot < LONG_LIVED; slot++) {
                Probe probe = new Probe(slot, Mode.FOREVER, -1, 0, Long.MAX_VALUE, false, map, slot == 0);
                Subscription s = switch (slot) {
                    case 0 -> hub.subscribe(probe);
                    case 1 -> hub.events().subscribe(probe);
                    default -> hub.events().afterSequence(0).subscribe(probe);
                };
                probe.subscription = s;
                longLived[slot] = probe;
                probes.add(probe);
            }

            CyclicBarrier start = new CyclicBarrier(PRODUCERS + (SLOTS - LONG_LIVED));
            for (int p = 0; p < PRODUCERS; p++) {
                final int producer = p;
                threads.add(thread("stress-producer-" + p, () -> {
                    try {
                        start.await();
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
            List<Thread> churners = new ArrayList<>();
            for (int slot = LONG_LIVED; slot < SLOTS; slot++) {
                final int s = slot;
                Thread t = thread("stress-churn-" + slot, () -> {
                    start.await();
                    churn(hub, s, map, progress, producersDone, probes);
                });
                churners.add(t);
                threads.add(t);
            }
            long started = System.nanoTime();
            threads.forEach(Thread::start);

            long joinMillis = WAIT.toMillis() + EVENTS / 10_000; // scales when the property raises the count
            for (Thread t : threads) {
                t.join(joinMillis);
                assertThat(t.isAlive()).as("%s still running (state %s)", t.getName(), t.getState()).isFalse();
            }
            assertThat(threadFailures).as("exceptions in producer/churn threads").isEmpty();

            hub.close();
            assertThat(hub.awaitTermination(WAIT)).as("terminated").isTrue();
            long elapsed = System.nanoTime() - started;
            System.out.printf("HubStressTest: %d events through %d subscriptions in %d ms (%s)%n", TOTAL,
                    probes.size(), TimeUnit.NANOSECONDS.toMillis(elapsed), coverage(probes));

            // Everything below reads handler state after the dispatcher thread has terminated.
            HubStats stats = hub.stats();
            assertThat(stats.published()).as("published").isEqualTo(TOTAL);
            assertThat(stats.rejected()).as("rejected").isZero();
            assertThat(stats.closed()).isTrue();
            assertThat(stats.subscribers()).as("active subscriptions after close").isZero();

            long handlerCalls = 0;
            for (Probe probe : probes) {
                handlerCalls += probe.count;
                checkEnded(probe);
            }
            assertThat(stats.delivered()).as("hub delivered == sum of handler calls").isEqualTo(handlerCalls);

            for (Probe probe : longLived) {
                assertThat(probe.count).as("slot %d delivered", probe.slot).isEqualTo(TOTAL);
                assertThat(probe.firstSeq).as("slot %d first", probe.slot).isEqualTo(1);
                assertThat(probe.lastSeq).as("slot %d last", probe.slot).isEqualTo(TOTAL);
                assertThat(probe.gapCalls).as("slot %d gaps", probe.slot).isZero();
                long[] firsts = new long[PRODUCERS];
                long[] lasts = new long[PRODUCERS];
                Arrays.fill(lasts, EVENTS - 1);
                assertThat(probe.firstCounter).as("slot %d first counters", probe.slot).containsExactly(firsts);
                assertThat(probe.lastCounter).as("slot %d last counters", probe.slot).containsExactly(lasts);
                assertThat(probe.hash).as("slot %d order hash vs slot 0", probe.slot)
                        .isEqualTo(longLived[0].hash);
                assertThat(probe.subscription.endReason()).isEqualTo(EndReason.HUB_CLOSED);
            }
            if (map != null) {
                for (long seq = 1; seq <= TOTAL; seq++) {
                    if (map[(int) seq] == 0) {
                        violations.add("recorder missed sequence " + seq);
                        break;
                    }
                }
            }
            violations.assertNone();
        } finally {
            hub.close(); // idempotent; releases producers blocked in publish if an assertion failed early
            for (Thread t : threads) {
                t.join(WAIT.toMillis());
            }
        }
        await().atMost(WAIT).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(2))
                .until(() -> hubThreads() == baseline);
    }

    /** What the churn exercised, for the log: subscriptions per mode, gaps, truncations, self-cancels. */
    private static String coverage(Iterable<Probe> probes) {
        int[] modes = new int[Mode.values().length];
        int gaps = 0;
        int truncated = 0;
        int inside = 0;
        int empty = 0;
        for (Probe probe : probes) {
            modes[probe.mode.ordinal()]++;
            gaps += probe.gapCalls > 0 ? 1 : 0;
            truncated += probe.subscription.endReason() == EndReason.HISTORY_TRUNCATED ? 1 : 0;
            inside += probe.cancelledInside ? 1 : 0;
            empty += probe.count == 0 ? 1 : 0;
        }
        StringBuilder text = new StringBuilder();
        for (Mode mode : Mode.values()) {
            text.append(mode).append('=').append(modes[mode.ordinal()]).append(' ');
        }
        return text.append("gaps=").append(gaps).append(" truncated=").append(truncated)
                .append(" cancelledInHandler=").append(inside).append(" empty=").append(empty).toString();
    }

    /** One churning slot: subscribe (live, resume, resume requiring history), take some events, cancel, repeat. */
    private void churn(EventHub<Long> hub, int slot, long[] map, AtomicLongArray progress, CountDownLatch done,
                       ConcurrentLinkedQueue<Probe> probes) throws InterruptedException {
        SplittableRandom random = new SplittableRandom(0x5EED_0000L + slot);
        int filter = slot == FILTERED_SLOT ? FILTERED_PRODUCER : -1;
        long lastSeen = 0;
        long[] slotLast = new long[PRODUCERS];
        Arrays.fill(slotLast, -1);
        while (true) {
            boolean last = done.getCount() == 0;
            int pick = random.nextInt(10);
            Mode mode = pick < 4 ? Mode.LIVE : pick < 8 || last ? Mode.RESUME : Mode.RESUME_REQUIRE;
            long target = last ? Long.MAX_VALUE : random.nextInt(10) == 0 ? 0 : 1 + random.nextInt(30_000);
            boolean cancelInside = !last && target > 0 && random.nextInt(4) == 0;
            Probe probe = new Probe(slot, mode, filter, lastSeen, target, cancelInside, map, false);
            probe.previousLast = slotLast.clone();
            probe.last = last;
            SubscriptionBuilder<Long> builder = hub.events();
            if (filter >= 0) {
                builder.filter(event -> producerOf(event) == filter);
            }
            if (mode != Mode.LIVE) {
                builder.afterSequence(lastSeen);
                if (mode == Mode.RESUME_REQUIRE) {
                    builder.requireHistory();
                }
            }
            probe.before = snapshot(progress);
            Subscription s = builder.subscribe(probe);
            probe.afterSnapshot = snapshot(progress);
            probe.subscription = s;
            probes.add(probe);

            if (s.endReason() == EndReason.HISTORY_TRUNCATED) {
                long firstRetained = hub.stats().firstRetainedSequence();
                if (mode != Mode.RESUME_REQUIRE || lastSeen + 1 >= firstRetained) {
                    violations.add("slot " + slot + " " + mode + " after " + lastSeen
                            + ": HISTORY_TRUNCATED although the ring starts at " + firstRetained);
                }
                continue;
            }
            if (last) {
                return; // stays subscribed: close must deliver everything to it and end it with HUB_CLOSED
            }
            while (target > 0 && !probe.reached.await(1, TimeUnit.MILLISECONDS) && done.getCount() > 0) {
                // wait for the target or for the producers to finish
            }
            s.cancel();
            probe.cancelReturned = true;
            if (s.endReason() != EndReason.CANCELLED) {
                violations.add("slot " + slot + ": after cancel() returned, endReason is " + s.endReason());
            }
            // The counters are exact once ended; lastSequence() is also our acquire of the handler's writes.
            long lastSequence = s.lastSequence();
            if (lastSequence != probe.lastSeq || s.delivered() != probe.count) {
                violations.add("slot " + slot + ": after cancel, lastSequence()=" + lastSequence + " delivered()="
                        + s.delivered() + " but the handler saw " + probe.lastSeq + " / " + probe.count);
            }
            checkAfterCancel(probe);
            if (probe.count > 0) {
                lastSeen = probe.lastSeq;
                slotLast = probe.lastCounter.clone();
            }
        }
    }

    private static long[] snapshot(AtomicLongArray progress) {
        long[] values = new long[PRODUCERS];
        for (int p = 0; p < PRODUCERS; p++) {
            values[p] = progress.get(p * STRIDE);
        }
        return values;
    }

    /** Checks of one subscription that need its whole history: where it started relative to the producers. */
    private void checkAfterCancel(Probe probe) {
        String who = "slot " + probe.slot + " " + probe.mode;
        if (probe.mode == Mode.LIVE) {
            for (int p = 0; p < PRODUCERS; p++) {
                long first = probe.firstCounter[p];
                if (first < 0) {
                    continue;
                }
                if (first <= probe.before[p]) {
                    violations.add(who + ": got producer " + p + "'s event " + first
                            + ", accepted before subscribe was called (progress then " + probe.before[p] + ")");
                }
                long mustHave = probe.afterSnapshot[p] + 2; // its publish began after subscribe returned
                if (probe.lastCounter[p] >= mustHave && first > mustHave) {
                    violations.add(who + ": missed producer " + p + "'s events " + mustHave + ".." + (first - 1)
                            + ", published after subscribe returned (first received " + first + ")");
                }
            }
        } else if (probe.gap == 0 && probe.count > 0) {
            // A resume with no gap reported continues every producer exactly where the slot left off.
            for (int p = 0; p < PRODUCERS; p++) {
                if (probe.firstCounter[p] >= 0 && probe.previousLast[p] >= 0
                        && probe.firstCounter[p] != probe.previousLast[p] + 1) {
                    violations.add(who + " after " + probe.after + ": producer " + p + " resumed at "
                            + probe.firstCounter[p] + ", expected " + (probe.previousLast[p] + 1));
                }
            }
        }
        if (probe.map != null && probe.count > 0) {
            probe.checkMap(probe.prevSeq, probe.prevValue);
        }
    }

    /** After the hub terminated: every subscription ended, for the right reason, with exact counters. */
    private void checkEnded(Probe probe) {
        Subscription s = probe.subscription;
        String who = "slot " + probe.slot + " " + probe.mode;
        EndReason reason = s.endReason();
        EndReason expected;
        if (reason == EndReason.HISTORY_TRUNCATED) {
            expected = EndReason.HISTORY_TRUNCATED; // checked when it happened
            if (probe.count != 0 || probe.gapCalls != 0) {
                violations.add(who + ": HISTORY_TRUNCATED after " + probe.count + " deliveries / "
                        + probe.gapCalls + " gap calls");
            }
        } else if (probe.mode == Mode.FOREVER || probe.last) {
            expected = EndReason.HUB_CLOSED;
        } else {
            expected = EndReason.CANCELLED;
        }
        if (reason != expected) {
            violations.add(who + ": ended " + reason + ", expected " + expected);
        }
        if (s.isActive()) {
            violations.add(who + ": still active after the hub terminated");
        }
        if (s.delivered() != probe.count || s.lastSequence() != probe.lastSeq || s.dropped() != 0) {
            violations.add(who + ": delivered()=" + s.delivered() + " lastSequence()=" + s.lastSequence()
                    + " dropped()=" + s.dropped() + "; handler saw " + probe.count + " / " + probe.lastSeq);
        }
        if (probe.last && reason == EndReason.HUB_CLOSED) {
            checkAfterCancel(probe);
            // Lossless to the end: whatever it started with, close delivered up to the last event.
            if (probe.mode == Mode.RESUME) {
                boolean more = probe.filter < 0 ? probe.after < TOTAL
                        : probe.previousLast[probe.filter] < EVENTS - 1;
                // With a gap, a filtered slot's remaining events may all have been evicted (reported, not lost).
                if (more && probe.count == 0 && (probe.filter < 0 || probe.gap == 0)) {
                    violations.add(who + " after " + probe.after + ": nothing delivered before close (gap "
                            + probe.gap + ")");
                }
            }
            if (probe.count > 0) {
                if (probe.filter < 0 && probe.lastSeq != TOTAL) {
                    violations.add(who + ": last delivered " + probe.lastSeq + ", expected " + TOTAL);
                }
                if (probe.filter >= 0 && probe.lastCounter[probe.filter] != EVENTS - 1) {
                    violations.add(who + ": last counter " + probe.lastCounter[probe.filter]);
                }
            }
        }
    }

    enum Mode { FOREVER, LIVE, RESUME, RESUME_REQUIRE }

    /**
     * The handler of one subscription: checks every call as it comes (on the dispatcher thread) and keeps what the
     * later checks need. Plain fields: written by the dispatcher, read by others only after a happens-before edge
     * (the latch, cancel's quiescence with lastSequence(), or termination).
     */
    final class Probe implements EventHandler<Long> {
        final int slot;
        final Mode mode;
        final int filter;
        /** For resumes: the afterSequence asked for. */
        final long after;
        final long target;
        final boolean cancelInside;
        final long[] map;
        final boolean recorder;
        final CountDownLatch reached = new CountDownLatch(1);
        final long[] firstCounter = new long[PRODUCERS];
        final long[] lastCounter = new long[PRODUCERS];
        long[] before;
        long[] afterSnapshot;
        long[] previousLast;
        boolean last;
        volatile Subscription subscription;
        volatile boolean cancelReturned;
        volatile boolean cancelledInside;
        long count;
        long firstSeq;
        long lastSeq;
        long lastStamp = Long.MIN_VALUE;
        long hash;
        long gap;
        long gapCalls;
        long prevSeq;
        long prevValue;

        Probe(int slot, Mode mode, int filter, long after, long target, boolean cancelInside, long[] map,
              boolean recorder) {
            this.slot = slot;
            this.mode = mode;
            this.filter = filter;
            this.after = after;
            this.target = target;
            this.cancelInside = cancelInside;
            this.map = map;
            this.recorder = recorder;
            Arrays.fill(firstCounter, -1);
            Arrays.fill(lastCounter, -1);
        }

        private String who() {
            return "slot " + slot + " " + mode + (mode == Mode.RESUME || mode == Mode.RESUME_REQUIRE
                    ? " after " + after : "");
        }

        @Override
        public void onGap(long missed) {
            gapCalls++;
            if (mode != Mode.RESUME) {
                violations.add(who() + ": onGap(" + missed + ") on a subscription that cannot have a gap");
            }
            if (count > 0) {
                violations.add(who() + ": onGap(" + missed + ") after " + count + " deliveries");
            }
            if (missed < 1) {
                violations.add(who() + ": onGap(" + missed + ")");
            }
            gap += missed;
        }

        @Override
        public void onEvent(Long event, long seq, long stamp) {
            if (cancelReturned) {
                violations.add(who() + ": handler called with " + seq + " after cancel() returned");
            }
            if (cancelledInside) {
                violations.add(who() + ": handler called with " + seq + " after it cancelled itself");
            }
            final long value = event;
            final int p = producerOf(value);
            final long c = counterOf(value);
            if (p < 0 || p >= PRODUCERS || c >= EVENTS) {
                violations.add(who() + ": unknown event " + Long.toHexString(value) + " at " + seq);
                return;
            }
            if (filter >= 0 && p != filter) {
                violations.add(who() + ": filter let through producer " + p + " at " + seq);
            }
            if (count == 0) {
                firstSeq = seq;
                if (mode == Mode.FOREVER && seq != 1) {
                    violations.add(who() + ": first delivery is " + seq + ", expected 1");
                } else if (mode == Mode.RESUME || mode == Mode.RESUME_REQUIRE) {
                    long expected = after + 1 + gap;
                    if (filter < 0 ? seq != expected : seq < expected) {
                        violations.add(who() + ": first delivery is " + seq + ", expected " + expected
                                + " (gap reported: " + gap + ")");
                    }
                }
            } else if (filter < 0 ? seq != lastSeq + 1 : seq <= lastSeq) {
                violations.add(who() + ": " + seq + " after " + lastSeq);
            }
            if (stamp < lastStamp) {
                violations.add(who() + ": stamp " + stamp + " at " + seq + " before " + lastStamp);
            }
            lastStamp = stamp;
            long previous = lastCounter[p];
            if (previous < 0) {
                firstCounter[p] = c;
            } else if (c != previous + 1) {
                violations.add(who() + ": producer " + p + " event " + c + " after " + previous + " at " + seq);
            }
            lastCounter[p] = c;
            if (map != null) {
                if (recorder) {
                    if (map[(int) seq] != 0) {
                        violations.add(who() + ": sequence " + seq + " delivered twice");
                    }
                    map[(int) seq] = value;
                } else if (count > 0) {
                    checkMap(prevSeq, prevValue); // one behind: the recorder has certainly seen it by now
                }
            }
            prevSeq = seq;
            prevValue = value;
            hash = hash * 31 + (seq * GOLDEN ^ value);
            lastSeq = seq;
            count++;
            if (count == target) {
                if (cancelInside) {
                    Subscription s = subscription;
                    if (s != null) {
                        s.cancel();
                        cancelledInside = true;
                    }
                }
                reached.countDown();
            }
        }

        void checkMap(long seq, long value) {
            if (recorder || map == null) {
                return;
            }
            long recorded = map[(int) seq];
            if (recorded != value) {
                violations.add(who() + ": sequence " + seq + " is " + Long.toHexString(value)
                        + " here but " + Long.toHexString(recorded) + " for the recorder");
            }
        }
    }

    // ------------------------------------------------------------------ test 2: close racing with producers

    @Test
    void closeRacingWithOfferAndPublishLosesNothingAcceptedAndDeliversNothingRefused() throws Exception {
        for (int round = 0; round < CLOSE_ROUNDS; round++) {
            closeRace(round);
        }
    }

    private void closeRace(int round) throws Exception {
        SplittableRandom random = new SplittableRandom(0xC105EL + round);
        long baseline = hubThreads();
        String name = "close-race-" + round;
        int capacity = round % 3 == 0 ? 16 : round % 3 == 1 ? 1 << 10 : 1 << 14;
        EventHub<Long> hub = EventHub.<Long>builder().name(name).capacity(capacity)
                .history(round % 2 == 0 ? 0 : 1 << 10).build();
        long[] next = new long[PRODUCERS]; // dispatcher thread only until termination
        long[] received = {0};
        long closeAfter = 1 + random.nextInt(20_000);
        CountDownLatch warm = new CountDownLatch(1);
        Subscription subscription = hub.subscribe((Long event, long seq, long stamp) -> {
            long value = event;
            int p = producerOf(value);
            long c = counterOf(value);
            if (p < 0 || p >= PRODUCERS) {
                violations.add(name + ": unknown event " + Long.toHexString(value));
                return;
            }
            if (c != next[p]) {
                violations.add(name + ": producer " + p + " event " + c + ", expected " + next[p]);
            }
            next[p] = c + 1;
            if (seq != ++received[0]) {
                violations.add(name + ": sequence " + seq + " as delivery " + received[0]);
            }
            if (received[0] == closeAfter) {
                warm.countDown();
            }
        });

        long[] accepted = new long[PRODUCERS];
        long[] refused = new long[PRODUCERS];
        CyclicBarrier start = new CyclicBarrier(PRODUCERS + 1);
        List<Thread> producers = new ArrayList<>();
        for (int p = 0; p < PRODUCERS; p++) {
            final int producer = p;
            final SplittableRandom own = random.split();
            producers.add(thread(name + "-producer-" + p, () -> {
                start.await();
                long c = 0; // counter of the next event: a refused event is retried with the same counter
                long no = 0;
                boolean closed = false;
                while (!closed) {
                    Long event = encode(producer, c);
                    switch (own.nextInt(3)) {
                        case 0 -> {
                            if (hub.offer(event)) {
                                c++;
                            } else {
                                no++;
                                closed = hub.isClosed();
                            }
                        }
                        case 1 -> {
                            try {
                                hub.publish(event);
                                c++;
                            } catch (HubClosedException e) {
                                no++;
                                closed = true;
                                assertThat(e).hasMessageContaining(name);
                            }
                        }
                        default -> {
                            try {
                                if (hub.publish(event, own.nextBoolean() ? Duration.ZERO : Duration.ofMillis(1))) {
                                    c++;
                                } else {
                                    no++;
                                }
                            } catch (HubClosedException e) {
                                no++;
                                closed = true;
                                assertThat(e.hubName()).isEqualTo(name);
                            }
                        }
                    }
                }
                // Once closed, stays closed: every way in is refused.
                Long event = encode(producer, c);
                assertThat(hub.offer(event)).isFalse();
                assertThatThrownBy(() -> hub.publish(event)).isInstanceOf(HubClosedException.class)
                        .hasMessageContaining(name);
                assertThatThrownBy(() -> hub.publish(event, Duration.ofMillis(1)))
                        .isInstanceOf(HubClosedException.class);
                accepted[producer] = c;
                refused[producer] = no + 3;
            }));
        }
        producers.forEach(Thread::start);
        start.await(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        assertThat(warm.await(WAIT.toMillis(), TimeUnit.MILLISECONDS)).as("%s warmed up", name).isTrue();
        if (round % 4 == 3) {
            // Two closers at once: close is idempotent and both return once the hub is done.
            Thread other = thread(name + "-closer", hub::close);
            other.start();
            hub.close();
            other.join(WAIT.toMillis());
            assertThat(other.isAlive()).isFalse();
        } else {
            hub.close();
        }
        for (Thread t : producers) {
            t.join(WAIT.toMillis());
            assertThat(t.isAlive()).as("%s still running (state %s)", t.getName(), t.getState()).isFalse();
        }
        assertThat(threadFailures).as("exceptions in producer threads").isEmpty();
        assertThat(hub.awaitTermination(WAIT)).isTrue();

        assertThat(subscription.endReason()).as(name).isEqualTo(EndReason.HUB_CLOSED);
        assertThat(next).as("%s: received per producer == accepted per producer", name).containsExactly(accepted);
        long acceptedTotal = Arrays.stream(accepted).sum();
        HubStats stats = hub.stats();
        assertThat(stats.published()).as("%s published", name).isEqualTo(acceptedTotal);
        assertThat(stats.rejected()).as("%s rejected", name).isEqualTo(Arrays.stream(refused).sum());
        assertThat(stats.delivered()).as("%s delivered", name).isEqualTo(acceptedTotal);
        assertThat(subscription.delivered()).isEqualTo(acceptedTotal);
        assertThat(subscription.dropped()).isZero();
        assertThat(subscription.lastSequence()).isEqualTo(acceptedTotal);
        assertThat(stats.subscribers()).isZero();
        violations.assertNone();
        await().atMost(WAIT).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(2))
                .until(() -> hubThreads() == baseline);
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
            if (count.incrementAndGet() <= 30) {
                first.add(message);
            }
        }

        void assertNone() {
            assertThat(first).as("%d contract violations; the first ones", count.get()).isEmpty();
        }
    }
}
