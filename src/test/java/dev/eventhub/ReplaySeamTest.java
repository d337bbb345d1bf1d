package dev.eventhub;

import dev.eventhub.internal.Checks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Replay without seams (PRODUCT.md section 4) on a real dispatcher thread: producers publish flat out while
 * subscribers keep joining with {@code since(t)} or {@code afterSequence(n)} at a point in the recent past, inside
 * the history. Each must receive every event from its start point exactly once, in sequence order, with no gap and
 * no duplicate where replay hands over to live delivery; then close ends them all with {@code HUB_CLOSED} after the
 * last published event.
 *
 * <p>Joiners come from three places: the test thread (registration through the dispatcher's command queue, racing
 * the producers), inline or async with {@code BLOCK}; and the recorder's own handler on the dispatcher thread
 * (registration between two events of a batch). The recorder, subscribed before anything is published, keeps every
 * event and stamp by sequence; it is the reference for where each {@code since} must start and for the content of
 * what each joiner received (an order-insensitive sum of a per-event hash, the order being checked event by
 * event).
 */
@Timeout(120)
class ReplaySeamTest {
    private static final int PRODUCERS = 4;
    private static final int PER_PRODUCER = 150_000;
    private static final int TOTAL = PRODUCERS * PER_PRODUCER;
    /** The ring wraps several times during the run; joiners start at most {@link #MAX_BACK} behind the head. */
    private static final int HISTORY = 1 << 17;
    private static final int MAX_BACK = 4_000;
    private static final int CAPACITY = 1 << 12;
    /** Joins from the test thread, one every {@code TOTAL / (JOINS + 4)} events. */
    private static final int JOINS = 48;
    /** Joins from inside the recorder's handler, at sequences chosen up front. */
    private static final int HANDLER_JOINS = 12;
    private static final Duration WAIT = Duration.ofSeconds(30);

    record Ev(int producer, long counter) {
    }

    static long mix(long sequence, long stamp, Ev event) {
        long z = sequence * 0x9E3779B97F4A7C15L ^ stamp * 0xC2B2AE3D27D4EB4FL
                ^ ((long) event.producer() << 40 | event.counter());
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** How a joiner chose its start point, for the expected first sequence and for messages. */
    enum Start { AFTER_SEQUENCE, SINCE_STAMP, SINCE_AFTER_STAMP, SINCE_NOW }

    /** A subscription that joined mid-stream and checks each event as it comes. */
    static final class Joiner implements EventHandler<Ev> {
        final String name;
        final Start start;
        /** afterSequence n, or -1. */
        final long after;
        /** since, in epoch nanos, or Long.MIN_VALUE. */
        final long since;
        /** Published count when the join was decided (for messages). */
        final long publishedAtJoin;
        volatile Subscription subscription;

        long first = -1;
        long last;
        long count;
        long hash;
        final long[] lastCounter = new long[PRODUCERS];
        String error;
        /** onGap calls, the total missed they reported, and how many events had come before the first. */
        int gapCalls;
        long gaps;
        long deliveredBeforeGap = -1;
        /** Published count just before and just after subscribe(): bounds where registration happened. */
        long publishedBefore;
        long publishedAfter;
        /** Written last in each call: a reader that sees it sees the fields above as of that call. */
        volatile long published;

        Joiner(String name, Start start, long after, long since, long publishedAtJoin) {
            this.name = name;
            this.start = start;
            this.after = after;
            this.since = since;
            this.publishedAtJoin = publishedAtJoin;
            Arrays.fill(lastCounter, -1);
        }

        @Override
        public void onEvent(Ev event, long sequence, long stamp) {
            if (first < 0) {
                first = sequence;
            } else if (sequence != last + 1 && error == null) {
                error = "sequence " + sequence + " after " + last;
            }
            long previous = lastCounter[event.producer()];
            if (previous >= 0 && event.counter() != previous + 1 && error == null) {
                error = "producer " + event.producer() + ": counter " + event.counter() + " after " + previous
                        + " (sequence " + sequence + ")";
            }
            lastCounter[event.producer()] = event.counter();
            last = sequence;
            count++;
            hash += mix(sequence, stamp, event);
            published = sequence;
        }

        @Override
        public void onGap(long missed) {
            if (gapCalls++ == 0) {
                deliveredBeforeGap = count;
            }
            gaps += missed;
            published = last;
        }

        @Override
        public String toString() {
            return name + "(" + start + (after >= 0 ? " after=" + after : " since=" + since) + ", head at join "
                    + publishedAtJoin + ", published around subscribe " + publishedBefore + ".." + publishedAfter
                    + ", first " + first + ", last " + last + ", count " + count + ", gap " + gaps + ")";
        }
    }

    /** Subscribed before the producers start: every event, by sequence. Starts joiners from inside its handler. */
    final class Recorder implements EventHandler<Ev> {
        final Ev[] events = new Ev[TOTAL + 1];
        final long[] stamps = new long[TOTAL + 1];
        final long[] lastCounter = new long[PRODUCERS];
        final long[] joinAt;
        final SplittableRandom random;
        EventHub<Ev> hub;
        String error;
        /** Last sequence recorded; written after the arrays, so a reader that sees n may read entries 1..n. */
        volatile long last;

        Recorder(long[] joinAt, SplittableRandom random) {
            this.joinAt = joinAt;
            this.random = random;
            Arrays.fill(lastCounter, -1);
        }

        @Override
        public void onEvent(Ev event, long sequence, long stamp) {
            long previous = last;
            if (error == null) {
                if (sequence != previous + 1 || sequence > TOTAL) {
                    error = "recorder: sequence " + sequence + " after " + previous;
                } else if (previous > 0 && stamp < stamps[(int) previous]) {
                    error = "recorder: stamp of " + sequence + " decreased";
                } else if (event.counter() != lastCounter[event.producer()] + 1) {
                    error = "recorder: producer " + event.producer() + " counter " + event.counter() + " after "
                            + lastCounter[event.producer()];
                }
            }
            if (sequence <= TOTAL) {
                events[(int) sequence] = event;
                stamps[(int) sequence] = stamp;
            }
            lastCounter[event.producer()] = event.counter();
            last = sequence;
            if (Arrays.binarySearch(joinAt, sequence) >= 0) {
                // On the dispatcher, mid-batch: registered before the next event is dispatched.
                joinFromHandler(sequence);
            }
        }

        private void joinFromHandler(long sequence) {
            long back = random.nextLong(MAX_BACK);
            Joiner joiner;
            SubscriptionBuilder<Ev> builder = hub.events();
            if (random.nextBoolean()) {
                long after = Math.max(0, sequence - back);
                joiner = new Joiner("handler-join@" + sequence, Start.AFTER_SEQUENCE, after, Long.MIN_VALUE,
                        sequence);
                builder.afterSequence(after);
            } else {
                long since = stamps[(int) Math.max(1, sequence - back)];
                joiner = new Joiner("handler-join@" + sequence, Start.SINCE_STAMP, -1, since, sequence);
                builder.since(instant(since));
            }
            joiner.publishedBefore = sequence;
            joiner.subscription = builder.subscribe(joiner);
            joiner.publishedAfter = sequence; // registered before the next event: the ring ends at this sequence
            joiners.add(joiner);
        }
    }

    private final ConcurrentLinkedQueue<Joiner> joiners = new ConcurrentLinkedQueue<>();
    private final ConcurrentLinkedQueue<Throwable> producerFailures = new ConcurrentLinkedQueue<>();

    static Instant instant(long nanos) {
        return Instant.ofEpochSecond(Math.floorDiv(nanos, 1_000_000_000L), Math.floorMod(nanos, 1_000_000_000L));
    }

    static long hubThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().startsWith("eventhub-seam-") && t.isAlive()).count();
    }

    @Test
    void joinersGetEveryEventFromTheirStartExactlyOnceAcrossTheHandOver() throws Exception {
        long seed = System.nanoTime();
        SplittableRandom random = new SplittableRandom(seed);
        String context = "seed " + seed;
        long[] joinAt = new long[HANDLER_JOINS];
        for (int i = 0; i < HANDLER_JOINS; i++) {
            joinAt[i] = (long) (i + 1) * (TOTAL - 2L * MAX_BACK) / (HANDLER_JOINS + 1) + random.nextInt(1000);
        }
        Arrays.sort(joinAt);

        EventHub<Ev> hub = EventHub.<Ev>builder().name("seam").capacity(CAPACITY).history(HISTORY).build();
        Recorder recorder = new Recorder(joinAt, random.split());
        recorder.hub = hub;
        Subscription recording = hub.subscribe(recorder);

        CountDownLatch go = new CountDownLatch(1);
        CountDownLatch producersDone = new CountDownLatch(PRODUCERS);
        List<Thread> producers = new ArrayList<>();
        for (int p = 0; p < PRODUCERS; p++) {
            final int producer = p;
            Thread thread = new Thread(() -> {
                try {
                    go.await();
                    for (long c = 0; c < PER_PRODUCER; c++) {
                        hub.publish(new Ev(producer, c));
                    }
                } catch (Throwable failure) {
                    producerFailures.add(failure);
                } finally {
                    producersDone.countDown();
                }
            }, "seam-producer-" + p);
            producers.add(thread);
        }
        // The first async subscription loads the JFR event classes in subscribe(), which can take long enough on a
        // small machine for the producers to run a whole ring ahead of a start point chosen just before. Load them
        // now so that start points stay inside the history (the check below still copes if one does not).
        Diagnostics.load();
        long started = System.nanoTime();
        try {
            producers.forEach(Thread::start);
            go.countDown();

            int joins = 0;
            int joinsWhilePublishing = 0;
            long stride = TOTAL / (JOINS + 4);
            for (int j = 0; j < JOINS && producersDone.getCount() > 0; j++) {
                final long target = (j + 1) * stride;
                await().atMost(WAIT).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(1))
                        .until(() -> recorder.last >= target || producersDone.getCount() == 0);
                long head = recorder.last;
                long back = random.nextLong(MAX_BACK);
                Start start = Start.values()[j % Start.values().length];
                SubscriptionBuilder<Ev> builder = hub.events();
                Joiner joiner;
                boolean async = j % 6 == 5; // isolated, lossless: replay and live go through its buffer
                String name = "join-" + j + (async ? "-async" : "");
                switch (start) {
                    case AFTER_SEQUENCE -> {
                        // Sometimes a little ahead of what is dispatched: those events are still on their way.
                        long after = Math.max(0, hub.stats().published() - back + (j % 8 == 0 ? 50 : 0));
                        joiner = new Joiner(name, start, after, Long.MIN_VALUE, head);
                        builder.afterSequence(after);
                    }
                    case SINCE_STAMP, SINCE_AFTER_STAMP -> {
                        // Exactly an event's stamp (inclusive: that event and every one sharing its stamp), or
                        // one nanosecond after it (every one sharing its stamp excluded).
                        long since = recorder.stamps[(int) Math.max(1, head - back)]
                                + (start == Start.SINCE_AFTER_STAMP ? 1 : 0);
                        joiner = new Joiner(name, start, -1, since, head);
                        builder.since(instant(since));
                    }
                    case SINCE_NOW -> {
                        long since = Checks.epochNanos(Instant.now()) - random.nextLong(200_000);
                        joiner = new Joiner(name, start, -1, since, head);
                        builder.since(instant(since));
                    }
                    default -> throw new AssertionError(start);
                }
                if (async) {
                    builder.async().buffer(1 << 12, Overflow.BLOCK);
                }
                joiner.publishedBefore = hub.stats().published();
                joiner.subscription = builder.subscribe(joiner);
                joiner.publishedAfter = hub.stats().published();
                joiners.add(joiner);
                joins++;
                if (hub.stats().published() < TOTAL) {
                    joinsWhilePublishing++;
                }
            }

            assertThat(producersDone.await(WAIT.toSeconds(), TimeUnit.SECONDS)).as("producers finished").isTrue();
            assertThat(producerFailures).as("producer failures").isEmpty();
            hub.close();
            assertThat(hub.awaitTermination(WAIT)).as("terminated").isTrue();
            long elapsed = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
            System.out.printf("ReplaySeamTest: %d events, %d joins from the test thread (%d while publishing), "
                    + "%d from the handler, %d ms (%s)%n", TOTAL, joins, joinsWhilePublishing,
                    joiners.size() - joins, elapsed, context);

            HubStats stats = hub.stats();
            long published = stats.published();
            assertThat(published).as("published").isEqualTo(TOTAL);
            assertThat(stats.rejected()).as("rejected").isZero();
            assertThat(stats.subscribers()).as("active after close").isZero();

            assertThat(recorder.error).as(context).isNull();
            assertThat(recorder.last).as("recorder last").isEqualTo(published);
            assertThat(recording.endReason()).isEqualTo(EndReason.HUB_CLOSED);
            for (int p = 0; p < PRODUCERS; p++) {
                assertThat(recorder.lastCounter[p]).as("producer %d, last counter", p).isEqualTo(PER_PRODUCER - 1);
            }
            long[] prefix = new long[TOTAL + 1];
            for (int s = 1; s <= TOTAL; s++) {
                prefix[s] = prefix[s - 1] + mix(s, recorder.stamps[s], recorder.events[s]);
            }

            assertThat(joiners).hasSize(joins + HANDLER_JOINS);
            int truncated = 0;
            for (Joiner joiner : joiners) {
                Subscription subscription = joiner.subscription;
                assertThat(subscription.await(WAIT)).as("%s ended (%s)", joiner, context).isTrue();
                long seen = joiner.published; // volatile read: the handler's fields below are current
                assertThat(seen).isGreaterThanOrEqualTo(0);
                long expectedFirst = joiner.after >= 0 ? joiner.after + 1 : firstAtOrAfter(recorder.stamps,
                        joiner.since);
                long expectedCount = Math.max(0, published - expectedFirst + 1);
                String what = joiner + ", " + context;
                assertThat(joiner.error).as(what).isNull();
                assertThat(subscription.endReason()).as("end of " + what).isEqualTo(EndReason.HUB_CLOSED);
                assertThat(subscription.dropped()).as("dropped() of " + what).isZero();
                assertThat(subscription.delivered()).as("delivered() of " + what).isEqualTo(joiner.count);
                // The test chooses start points well inside the history; only a subscribe() call that took so long
                // that the dispatcher ran a whole ring ahead may find its start evicted. Then the contract is the
                // truncation rule instead: one gap, before the first event, exact for afterSequence.
                long oldestRetainedAfterSubscribe = Math.max(1, joiner.publishedAfter - HISTORY + 1);
                boolean mayBeTruncated = expectedFirst < oldestRetainedAfterSubscribe;
                if (joiner.gapCalls > 0) {
                    assertThat(mayBeTruncated).as("gap reported although the history still covered the start of "
                            + what).isTrue();
                    truncated++;
                    assertThat(joiner.gapCalls).as("gap calls of " + what).isEqualTo(1);
                    assertThat(joiner.deliveredBeforeGap).as("gap first for " + what).isZero();
                    assertThat(joiner.first).as("first after the gap, " + what)
                            .isGreaterThan(expectedFirst).isLessThanOrEqualTo(oldestRetainedAfterSubscribe);
                    if (joiner.after >= 0) {
                        assertThat(joiner.gaps).as("exact gap of " + what).isEqualTo(joiner.first - expectedFirst);
                    } else {
                        assertThat(joiner.gaps).as("gap upper bound of " + what)
                                .isGreaterThanOrEqualTo(joiner.first - expectedFirst);
                    }
                    expectedFirst = joiner.first;
                    expectedCount = published - expectedFirst + 1;
                }
                assertThat(joiner.count).as("count of " + what).isEqualTo(expectedCount);
                if (expectedCount > 0) {
                    assertThat(joiner.first).as("first sequence of " + what).isEqualTo(expectedFirst);
                    assertThat(joiner.last).as("last sequence of " + what).isEqualTo(published);
                    assertThat(subscription.lastSequence()).as("lastSequence() of " + what).isEqualTo(published);
                    assertThat(joiner.hash).as("content of " + what)
                            .isEqualTo(prefix[TOTAL] - prefix[(int) expectedFirst - 1]);
                }
            }
            if (truncated > 0) {
                System.out.printf("ReplaySeamTest: %d joiners found their start evicted before registration, "
                        + "checked as truncations%n", truncated);
            }
        } finally {
            hub.close();
            for (Thread producer : producers) {
                producer.join(WAIT.toMillis());
            }
        }
        await().atMost(WAIT).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(2))
                .until(() -> hubThreads() == 0);
    }

    /** The first sequence stamped at or after {@code nanos} (stamps never decrease); TOTAL + 1 if none. */
    private static long firstAtOrAfter(long[] stamps, long nanos) {
        int low = 1;
        int high = TOTAL + 1;
        while (low < high) {
            int middle = (low + high) >>> 1;
            if (stamps[middle] < nanos) {
                low = middle + 1;
            } else {
                high = middle;
            }
        }
        return low;
    }
}
