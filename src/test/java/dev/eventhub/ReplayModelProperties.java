package dev.eventhub;

import dev.eventhub.internal.Checks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.statistics.Statistics;

/**
 * Replay, {@code since}, {@code afterSequence}, {@code requireHistory}, {@code until}, {@code limit}, filters and
 * topic selections (exact topics and patterns, alone or together),
 * checked against a plain list model (PRODUCT.md sections 3-4), on a hub stepped by hand with a manual clock.
 *
 * <p>A random program publishes events (stepping the dispatcher and moving the clock between them, often by 0 so
 * several events share a stamp), steps, moves the clock, subscribes with random options and cancels; it always ends
 * with {@code close()}. The model keeps every dispatched event as {@code (sequence, stamp, value)} and, for each
 * subscription, exactly what the contract says it receives:
 * <ul>
 *   <li>live: events accepted after {@code subscribe} (sequence greater than the accepted count at that point);</li>
 *   <li>{@code afterSequence(n)}: retained events with a sequence above {@code n}, then live ones; a gap of exactly
 *       the evicted sequences in {@code (n, firstRetained)};</li>
 *   <li>{@code since(t)}: retained events stamped at or after {@code t}, then live ones stamped so; a gap iff an
 *       evicted event was stamped at or after {@code t}, its count at least the evicted events so stamped and at
 *       most the evicted events;</li>
 *   <li>{@code requireHistory()}: instead of a gap, {@code HISTORY_TRUNCATED} with nothing delivered;</li>
 *   <li>{@code until(t)}: inclusive; the subscription ends with {@code UNTIL_REACHED} at the first step (or at
 *       subscribe) where the clock is strictly after {@code t}; {@code since > until} is rejected;</li>
 *   <li>{@code limit(n)}: {@code LIMIT_REACHED} on the n-th delivery; filters are applied before counting;</li>
 *   <li>{@code cancel()}: {@code CANCELLED}, nothing more; {@code close()}: the backlog is dispatched, then
 *       {@code HUB_CLOSED}.</li>
 * </ul>
 * After every action each subscription's deliveries (sequence, value, stamp and gap reports, in order), end reason,
 * {@code delivered()} and {@code lastSequence()} must equal the model's.
 */
class ReplayModelProperties {
    private static final long START = Checks.epochNanos(ManualClock.START);
    private static final long MS = 1_000_000L;
    private static final long[] SINCE_OFFSETS = {0, -1, 1, -MS, MS, 2_000};
    private static final long[] UNTIL_OFFSETS = {0, 1, -1, 1_000, MS, 5 * MS, -MS};

    // ------------------------------------------------------------------ program

    sealed interface Action permits Publish, Step, Advance, Subscribe, Cancel {
    }

    /** Offer {@code value}; then step if {@code step}; then move the clock by {@code advance} nanoseconds. */
    record Item(int value, boolean step, long advance) {
    }

    record Publish(List<Item> items) implements Action {
    }

    record Step() implements Action {
    }

    record Advance(long nanos) implements Action {
    }

    /** Options as raw knobs, resolved against the hub's state when the action runs (see {@link Run#subscribe}). */
    record Subscribe(List<Integer> knobs) implements Action {
    }

    record Cancel(int selector) implements Action {
    }

    @Property(tries = 2000)
    void everySubscriptionReceivesExactlyWhatTheModelSays(@ForAll("histories") int history,
                                                          @ForAll("capacities") int capacity,
                                                          @ForAll("programs") List<Action> program) {
        new Run(history, capacity, false).execute(program);
        // The generator must reach every outcome the model describes, not only the easy ones.
        Statistics.label("end").coverage(coverage -> {
            for (EndReason reason : List.of(EndReason.CANCELLED, EndReason.UNTIL_REACHED, EndReason.LIMIT_REACHED,
                    EndReason.HUB_CLOSED, EndReason.HISTORY_TRUNCATED)) {
                coverage.check(reason).count(n -> n >= 20);
            }
        });
        Statistics.label("gap").coverage(coverage -> {
            coverage.check(Mode.SINCE).count(n -> n >= 20);
            coverage.check(Mode.AFTER).count(n -> n >= 20);
        });
    }

    /**
     * The same programs, with every {@code since} replaying from an instant before the range of {@code long}
     * epoch nanoseconds ({@code Instant.MIN} or the year 1600): "from the beginning", so the whole retained history,
     * then live, and a gap for whatever was evicted. Kept apart from the property above so that a failure here does
     * not hide the others.
     */
    @Property(tries = 300)
    void sinceBeforeTheNanosecondRangeStillReplaysEverythingRetained(@ForAll("histories") int history,
                                                                     @ForAll("capacities") int capacity,
                                                                     @ForAll("programs") List<Action> program) {
        new Run(history, capacity, true).execute(program);
    }

    /** The smallest case of the property above, spelled out. */
    @Example
    void sinceInstantMinReplaysTheRetainedHistoryAndReportsTheEvictedPart() {
        ManualClock clock = new ManualClock();
        EventHub<Integer> hub = EventHub.<Integer>builder().name("min").capacity(8).history(2).clock(clock)
                .buildManual();
        for (int value = 1; value <= 3; value++) {
            assertThat(hub.offer(value)).isTrue();
        }
        hub.dispatcher().doWork(); // sequences 1..3, the ring keeps 2 and 3
        Recorder replay = new Recorder();
        Subscription subscription = hub.events().since(Instant.MIN).subscribe(replay);
        Subscription strict = hub.events().since(Instant.MIN).requireHistory().subscribe(new Recorder());
        long stamp = Checks.epochNanos(ManualClock.START);
        assertThat(replay.entries).containsExactly(new Gap(1), new Ev(2, 2, stamp), new Ev(3, 3, stamp));
        assertThat(subscription.lastSequence()).isEqualTo(3);
        assertThat(strict.endReason()).isEqualTo(EndReason.HISTORY_TRUNCATED);
        hub.close();
    }

    /**
     * {@code afterSequence(n)} selects sequences above {@code n}; for {@code Long.MAX_VALUE} there are none. The
     * builder may reject the value; if it takes it, nothing may be delivered, replayed or live.
     */
    @Example
    void afterSequenceLongMaxValueSelectsNothing() {
        EventHub<Integer> hub = EventHub.<Integer>builder().name("max").capacity(8).history(4)
                .clock(new ManualClock()).buildManual();
        assertThat(hub.offer(1)).isTrue();
        hub.dispatcher().doWork();
        SubscriptionBuilder<Integer> builder = hub.events();
        try {
            builder.afterSequence(Long.MAX_VALUE);
        } catch (IllegalArgumentException rejected) {
            assertThat(rejected).hasMessageContaining("afterSequence").hasMessageContaining("" + Long.MAX_VALUE);
            hub.close();
            return;
        }
        Recorder recorder = new Recorder();
        Subscription subscription = builder.subscribe(recorder);
        assertThat(hub.offer(2)).isTrue();
        hub.dispatcher().doWork();
        assertThat(recorder.entries).isEmpty();
        assertThat(subscription.delivered()).isZero();
        hub.close();
    }

    /** Every value has a topic {@code g<v % 3>/t<v % 4>}: twelve topics in three groups. */
    static String topicOf(Integer value) {
        return "g" + (value % 3) + "/t" + (value % 4);
    }

    @Provide
    Arbitrary<Integer> histories() {
        return Arbitraries.of(0, 1, 4, 16);
    }

    @Provide
    Arbitrary<Integer> capacities() {
        return Arbitraries.of(2, 4, 8, 16);
    }

    @Provide
    Arbitrary<List<Action>> programs() {
        Arbitrary<Long> advances = Arbitraries.frequencyOf(
                Tuple.of(5, Arbitraries.just(0L)), Tuple.of(1, Arbitraries.just(1L)),
                Tuple.of(1, Arbitraries.just(1_000L)), Tuple.of(3, Arbitraries.just(MS)));
        Arbitrary<Item> item = Combinators.combine(Arbitraries.integers().between(0, 11),
                Arbitraries.integers().between(0, 2).map(i -> i == 0), advances).as(Item::new);
        Arbitrary<Action> publish = item.list().ofMinSize(1).ofMaxSize(6).map(Publish::new);
        Arbitrary<Action> step = Arbitraries.just(new Step());
        Arbitrary<Action> advance = advances.map(Advance::new);
        Arbitrary<Action> subscribe = Arbitraries.integers().between(0, 40).list().ofSize(12).map(Subscribe::new);
        Arbitrary<Action> cancel = Arbitraries.integers().between(0, 20).map(Cancel::new);
        Arbitrary<Action> action = Arbitraries.frequencyOf(Tuple.of(6, publish), Tuple.of(3, step),
                Tuple.of(2, advance), Tuple.of(5, subscribe), Tuple.of(1, cancel));
        return action.list().ofMinSize(1).ofMaxSize(40);
    }

    // ------------------------------------------------------------------ deliveries, real and expected

    /** A delivered event, as the handler saw it and as the model expects it. */
    record Ev(long seq, int value, long stamp) {
        @Override
        public String toString() {
            return "#" + seq + "=" + value + "@" + (stamp - START);
        }
    }

    /** An {@code onGap(missed)} call, as the handler saw it. */
    record Gap(long missed) {
    }

    /** The gap report the model expects: {@code lo <= missed <= hi}. */
    record GapRange(long lo, long hi) {
        boolean accepts(Object actual) {
            return actual instanceof Gap gap && gap.missed() >= lo && gap.missed() <= hi;
        }
    }

    static final class Recorder implements EventHandler<Integer> {
        final List<Object> entries = new ArrayList<>();

        @Override
        public void onEvent(Integer event, long sequence, long timestampNanos) {
            entries.add(new Ev(sequence, event, timestampNanos));
        }

        @Override
        public void onGap(long missed) {
            entries.add(new Gap(missed));
        }
    }

    private enum Mode { LIVE, SINCE, AFTER }

    /** One subscription in the model: its selection and what it must have received so far. */
    static final class ModelSub {
        final int id;
        final String description;
        final Mode mode;
        final long since;
        final long after;
        final long acceptedAt;
        final long until;
        final long limit;
        final int modulus;
        final int remainder;
        /** Which event values the topic selection takes; null for no topic selection. */
        java.util.function.IntPredicate topics;
        final Subscription subscription;
        final Recorder recorder;
        final List<Object> expected = new ArrayList<>();
        long delivered;
        long lastSequence;
        EndReason end;

        ModelSub(int id, String description, Mode mode, long since, long after, long acceptedAt, long until,
                 long limit, int modulus, int remainder, Subscription subscription, Recorder recorder) {
            this.id = id;
            this.description = description;
            this.mode = mode;
            this.since = since;
            this.after = after;
            this.acceptedAt = acceptedAt;
            this.until = until;
            this.limit = limit;
            this.modulus = modulus;
            this.remainder = remainder;
            this.subscription = subscription;
            this.recorder = recorder;
        }

        /** Whether the subscription's start point selects this event (replay or live). */
        boolean selects(Ev e) {
            return switch (mode) {
                case LIVE -> e.seq() > acceptedAt;
                case SINCE -> e.stamp() >= since;
                case AFTER -> e.seq() > after;
            };
        }

        /** The event is dispatched (or replayed) while this subscription is registered. */
        void offer(Ev e) {
            if (end != null) {
                return;
            }
            if (e.stamp() > until) {
                end = EndReason.UNTIL_REACHED;
                return;
            }
            if (!selects(e) || (modulus != 0 && e.value() % modulus != remainder)
                    || (topics != null && !topics.test(e.value()))) {
                return;
            }
            expected.add(e);
            delivered++;
            lastSequence = e.seq();
            if (delivered >= limit) {
                end = EndReason.LIMIT_REACHED;
            }
        }
    }

    // ------------------------------------------------------------------ one run of a program

    static final class Run {
        final int history;
        final int capacity;
        final ManualClock clock = new ManualClock();
        final EventHub<Integer> hub;
        /** Every dispatched event; element i has sequence i + 1. */
        final List<Ev> log = new ArrayList<>();
        /** Accepted, not yet dispatched. */
        final ArrayDeque<Integer> pending = new ArrayDeque<>();
        final List<ModelSub> subs = new ArrayList<>();
        final StringBuilder trace = new StringBuilder();
        long lastStamp = Long.MIN_VALUE;

        /** Every since is an instant before 1677 (where epoch nanoseconds saturate). */
        final boolean farPastSince;

        Run(int history, int capacity, boolean farPastSince) {
            this.history = history;
            this.capacity = capacity;
            this.farPastSince = farPastSince;
            this.hub = EventHub.<Integer>builder().name("model").capacity(capacity).history(history).clock(clock)
                    .topic(ReplayModelProperties::topicOf).buildManual();
            trace.append("history=").append(history).append(" capacity=").append(capacity).append('\n');
        }

        long now() {
            return clock.getAsLong();
        }

        static Instant instant(long nanos) {
            return Instant.ofEpochSecond(Math.floorDiv(nanos, 1_000_000_000L), Math.floorMod(nanos, 1_000_000_000L));
        }

        String describe() {
            StringBuilder text = new StringBuilder("program so far:\n").append(trace);
            text.append("log: ").append(log).append('\n');
            for (ModelSub sub : subs) {
                text.append("sub#").append(sub.id).append(' ').append(sub.description).append("\n  expected ")
                        .append(sub.expected).append(" end ").append(sub.end).append("\n  actual   ")
                        .append(sub.recorder.entries).append(" end ").append(sub.subscription.endReason())
                        .append('\n');
            }
            return text.toString();
        }

        void execute(List<Action> program) {
            try {
                for (Action action : program) {
                    if (action instanceof Publish publish) {
                        for (Item item : publish.items()) {
                            offer(item.value());
                            if (item.step()) {
                                step();
                            }
                            advance(item.advance());
                        }
                    } else if (action instanceof Step) {
                        step();
                    } else if (action instanceof Advance advance) {
                        advance(advance.nanos());
                    } else if (action instanceof Subscribe subscribe) {
                        subscribe(subscribe.knobs());
                    } else if (action instanceof Cancel cancel) {
                        cancel(cancel.selector());
                    }
                    check();
                }
                close();
                check();
                afterClose();
                for (ModelSub sub : subs) {
                    Statistics.label("end").collect(sub.end);
                    if (!sub.expected.isEmpty() && sub.expected.get(0) instanceof GapRange) {
                        Statistics.label("gap").collect(sub.mode);
                    }
                }
            } finally {
                hub.close();
            }
        }

        void offer(int value) {
            boolean expected = pending.size() < capacity;
            trace.append("offer ").append(value).append(expected ? "" : " (full)").append('\n');
            if (hub.offer(value) != expected) {
                throw new AssertionError("offer(" + value + ") should return " + expected + "\n" + describe());
            }
            if (expected) {
                pending.add(value);
            }
        }

        void advance(long nanos) {
            if (nanos != 0) {
                trace.append("advance ").append(nanos).append("ns -> ").append(now() + nanos - START).append('\n');
                clock.advance(java.time.Duration.ofNanos(nanos));
            }
        }

        void step() {
            trace.append("doWork at ").append(now() - START).append('\n');
            hub.dispatcher().doWork();
            dispatchAndExpire();
        }

        /** The model of one round: every pending event stamped now, then deadlines strictly before now. */
        void dispatchAndExpire() {
            long now = now();
            if (!pending.isEmpty()) {
                long stamp = Math.max(now, lastStamp);
                lastStamp = stamp;
                while (!pending.isEmpty()) {
                    Ev e = new Ev(log.size() + 1, pending.poll(), stamp);
                    log.add(e);
                    for (ModelSub sub : subs) {
                        sub.offer(e);
                    }
                }
            }
            for (ModelSub sub : subs) {
                if (sub.end == null && sub.until < now) {
                    sub.end = EndReason.UNTIL_REACHED;
                }
            }
        }

        void cancel(int selector) {
            if (subs.isEmpty()) {
                return;
            }
            ModelSub sub = subs.get(selector % subs.size());
            trace.append("cancel sub#").append(sub.id).append('\n');
            sub.subscription.cancel();
            if (sub.end == null) {
                sub.end = EndReason.CANCELLED;
            }
        }

        void close() {
            trace.append("close at ").append(now() - START).append('\n');
            hub.close();
            dispatchAndExpire();
            for (ModelSub sub : subs) {
                if (sub.end == null) {
                    sub.end = EndReason.HUB_CLOSED;
                }
            }
        }

        void afterClose() {
            assertThat(hub.isClosed()).isTrue();
            assertThat(hub.offer(99)).isFalse();
            assertThatThrownBy(() -> hub.publish(99)).isInstanceOf(HubClosedException.class)
                    .hasMessageContaining("model");
            assertThatThrownBy(() -> hub.events().afterSequence(0).subscribe(new Recorder()))
                    .isInstanceOf(HubClosedException.class);
            assertThat(hub.stats().published()).isEqualTo(log.size());
            assertThat(hub.dispatcher().doWork()).isZero();
            // cancel() after the end is a no-op: every end reason stays as it was.
            for (ModelSub sub : subs) {
                sub.subscription.cancel();
            }
            check();
        }

        /**
         * Knobs: 0 mode (live, since, afterSequence), 1 selector, 2 since kind (at an event's stamp, relative to
         * the clock, before everything), 3 since offset, 4 requireHistory, 5 until kind (none, relative to the
         * clock, relative to since or to an event's stamp), 6 until offset, 7 limit (0 = none), 8 filter modulus
         * (none, 2, 3), 9 filter remainder, 10 topic selection (none, one topic, two topics, a {@code g/*} pattern,
         * a {@code g/**} pattern or a topic), 11 which topics.
         */
        void subscribe(List<Integer> knobs) {
            final Mode mode = Mode.values()[knobs.get(0) % 3];
            final int selector = knobs.get(1);
            final long current = log.size();
            final long accepted = current + pending.size();
            final long now = now();
            final SubscriptionBuilder<Integer> builder = hub.events();
            StringBuilder description = new StringBuilder();
            long since = Long.MIN_VALUE;
            long after = -1;
            switch (mode) {
                case LIVE -> description.append("live(accepted=").append(accepted).append(')');
                case SINCE -> {
                    int kind = knobs.get(2) % 3;
                    long offset = SINCE_OFFSETS[knobs.get(3) % SINCE_OFFSETS.length];
                    if (farPastSince) {
                        // Before every stamp the hub can give: the model's since is minus infinity.
                        Instant farPast = kind == 0 ? Instant.MIN : Instant.parse("1600-01-01T00:00:00Z");
                        builder.since(farPast);
                        since = Long.MIN_VALUE;
                        description.append("since(").append(farPast).append(')');
                        break;
                    }
                    if (kind == 2) {
                        since = START - 1;
                    } else if (kind == 0 && !log.isEmpty()) {
                        since = log.get(selector % log.size()).stamp() + offset;
                    } else {
                        since = now + offset;
                    }
                    builder.since(instant(since));
                    description.append("since(").append(since - START).append(')');
                }
                case AFTER -> {
                    after = selector % (accepted + 3);
                    builder.afterSequence(after);
                    description.append("afterSequence(").append(after).append(')');
                }
                default -> throw new AssertionError(mode);
            }
            boolean requireHistory = knobs.get(4) % 2 == 1;
            if (requireHistory) {
                builder.requireHistory();
                description.append(" requireHistory");
            }
            long until = DispatcherSubscription.NO_UNTIL;
            int untilKind = knobs.get(5) % 3;
            if (untilKind != 0) {
                long offset = UNTIL_OFFSETS[knobs.get(6) % UNTIL_OFFSETS.length];
                long base;
                if (untilKind == 2 && mode == Mode.SINCE && !farPastSince) {
                    base = since;
                } else if (untilKind == 2 && !log.isEmpty()) {
                    base = log.get((selector / 3) % log.size()).stamp();
                } else {
                    base = now;
                }
                until = base + offset;
                if (mode == Mode.SINCE && since > until) {
                    final long rejected = until;
                    trace.append("subscribe ").append(description).append(" until(").append(until - START)
                            .append(") rejected\n");
                    assertThatThrownBy(() -> builder.until(instant(rejected)))
                            .as(this::describe)
                            .isInstanceOf(IllegalArgumentException.class)
                            .hasMessageStartingWith("until: ");
                    return;
                }
                builder.until(instant(until));
                description.append(" until(").append(until - START).append(')');
            }
            long limit = knobs.get(7) % 5;
            if (limit != 0) {
                builder.limit(limit);
                description.append(" limit(").append(limit).append(')');
            } else {
                limit = DispatcherSubscription.NO_LIMIT;
            }
            int modulus = knobs.get(8) % 3 == 0 ? 0 : knobs.get(8) % 3 + 1;
            int remainder = modulus == 0 ? 0 : knobs.get(9) % modulus;
            if (modulus != 0) {
                final int m = modulus;
                final int r = remainder;
                builder.filter(e -> e % m == r);
                description.append(" filter(e % ").append(m).append(" == ").append(r).append(')');
            }
            java.util.function.IntPredicate topics = null;
            int topicKind = knobs.get(10) % 5;
            int t = knobs.get(11);
            switch (topicKind) {
                case 1 -> { // one exact topic
                    String topic = topicOf(t % 12);
                    builder.topics(topic);
                    topics = v -> topicOf(v).equals(topic);
                    description.append(" topics(").append(topic).append(')');
                }
                case 2 -> { // two exact topics, given in two calls
                    String a = topicOf(t % 12);
                    String b = topicOf((t / 3) % 12);
                    builder.topics(a).topics(b);
                    topics = v -> topicOf(v).equals(a) || topicOf(v).equals(b);
                    description.append(" topics(").append(a).append(", ").append(b).append(')');
                }
                case 3 -> { // one segment wildcard
                    String group = "g" + (t % 3);
                    builder.topicPattern(group + "/*");
                    topics = v -> topicOf(v).startsWith(group + "/");
                    description.append(" topicPattern(").append(group).append("/*)");
                }
                case 4 -> { // a pattern ORed with an exact topic
                    String group = "g" + (t % 3);
                    String exact = topicOf((t / 3) % 12);
                    builder.topicPattern(group + "/**").topics(exact);
                    topics = v -> topicOf(v).startsWith(group + "/") || topicOf(v).equals(exact);
                    description.append(" topicPattern(").append(group).append("/**) topics(").append(exact)
                            .append(')');
                }
                default -> {
                }
            }
            description.append(" at ").append(now - START).append(", dispatched ").append(current)
                    .append(", accepted ").append(accepted);
            trace.append("subscribe sub#").append(subs.size()).append(' ').append(description).append('\n');

            Recorder recorder = new Recorder();
            Subscription subscription = builder.subscribe(recorder);
            ModelSub sub = new ModelSub(subs.size(), description.toString(), mode, since, after, accepted, until,
                    limit, modulus, remainder, subscription, recorder);
            sub.topics = topics;
            subs.add(sub);

            // The model of registration: gap (or HISTORY_TRUNCATED), replay of the retained events, until check.
            long firstRetained = history == 0 ? current + 1 : Math.max(1, current - history + 1);
            GapRange gap = null;
            if (mode == Mode.AFTER) {
                long missed = Math.max(0, firstRetained - (after + 1));
                if (missed > 0) {
                    gap = new GapRange(missed, missed);
                }
            } else if (mode == Mode.SINCE) {
                long evicted = firstRetained - 1;
                long inRange = 0;
                for (int i = 0; i < evicted; i++) {
                    if (log.get(i).stamp() >= since) {
                        inRange++;
                    }
                }
                if (inRange > 0) {
                    gap = new GapRange(inRange, evicted);
                }
            }
            if (gap != null && requireHistory) {
                sub.end = EndReason.HISTORY_TRUNCATED;
                return;
            }
            if (gap != null) {
                sub.expected.add(gap);
            }
            if (mode != Mode.LIVE) {
                for (long s = firstRetained; s <= current; s++) {
                    sub.offer(log.get((int) s - 1));
                }
            }
            if (sub.end == null && Math.max(now, lastStamp) > until) {
                sub.end = EndReason.UNTIL_REACHED;
            }
        }

        /**
         * Compares every subscription with the model. Plain comparisons first, AssertJ only on a mismatch: the
         * property runs this after every action of every try.
         */
        void check() {
            if (hub.stats().published() != log.size()) {
                assertThat(hub.stats().published()).as(this::describe).isEqualTo(log.size());
            }
            for (ModelSub sub : subs) {
                List<Object> actual = sub.recorder.entries;
                boolean same = actual.size() == sub.expected.size();
                for (int i = 0; same && i < actual.size(); i++) {
                    Object expected = sub.expected.get(i);
                    same = expected instanceof GapRange range ? range.accepts(actual.get(i))
                            : expected.equals(actual.get(i));
                }
                Subscription subscription = sub.subscription;
                if (same && subscription.endReason() == sub.end && subscription.isActive() == (sub.end == null)
                        && subscription.delivered() == sub.delivered
                        && subscription.lastSequence() == sub.lastSequence && subscription.dropped() == 0) {
                    continue;
                }
                String what = "sub#" + sub.id + " " + sub.description + "\n" + describe();
                assertThat(same).as("deliveries of " + what).isTrue();
                assertThat(subscription.endReason()).as("endReason() of " + what).isEqualTo(sub.end);
                assertThat(subscription.isActive()).as("isActive() of " + what).isEqualTo(sub.end == null);
                assertThat(subscription.delivered()).as("delivered() of " + what).isEqualTo(sub.delivered);
                assertThat(subscription.lastSequence()).as("lastSequence() of " + what)
                        .isEqualTo(sub.lastSequence);
                assertThat(subscription.dropped()).as("dropped() of " + what).isZero();
            }
        }
    }
}
