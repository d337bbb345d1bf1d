package dev.eventhub;

import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Target P5: a new subscriber replays a full 64 Ki history ring at &ge; 50 M events/s.
 *
 * <p>Single-threaded: a manual hub with {@code history(65536)} is filled once with {@value #RING} events (the
 * setup steps the dispatcher until they are all sequenced and retained, with no subscriber). Each invocation then
 * subscribes with {@code afterSequence(firstRetained - 1)}; on a manual hub, called from the thread that steps it,
 * registration runs inline inside {@code subscribe}, so when it returns the whole ring has been scanned and every
 * selected event handed to the handler. The invocation checks the count and the sequences delivered, cancels, and
 * steps the dispatcher once so the cancelled subscription is unlinked before the next one.
 *
 * <p>The score is <b>ring events scanned per second</b> ({@code @OperationsPerInvocation(RING)}):
 * <ul>
 *   <li>{@code filter = none}: no filter, every one of the 65,536 events is delivered, so the score is replayed
 *       events/s. P5 holds when it is &ge; 50 M/s (a full ring in &le; 1.3 ms).</li>
 *   <li>{@code filter = 1pct}: a filter that accepts 1 % of the events (keys divisible by 100, 656 of them); the
 *       score is scanned events/s, for which the methodology notes set &ge; 200 M/s (G5).</li>
 * </ul>
 * Each invocation also pays one subscription's registration and cancellation (a few objects), which is part of
 * what a replaying subscriber costs; spread over 65,536 events it is well below 1 ns per event.
 *
 * <p>Run: {@code java -jar benchmarks/target/benchmarks.jar ReplayBenchmark -f 3 -wi 3 -i 5 -w 1s -r 1s}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
public class ReplayBenchmark {
    static final int RING = 1 << 16;
    static final int INGRESS = 1 << 12;

    @Param({"none", "1pct"})
    public String filter;

    private EventHub<Event> hub;
    private Dispatcher dispatcher;
    private Predicate<Event> predicate;
    private long afterSequence;
    private long lastSequence;
    private long expected;
    private long expectedKeySum;
    private long replays;
    private final ReplayHandler handler = new ReplayHandler();

    /** The event: a key for the selective filter. */
    static final class Event {
        final int key;

        Event(int key) {
            this.key = key;
        }
    }

    /** Counts what a replay delivers and checks that sequences arrive in order with no repeat. */
    static final class ReplayHandler implements EventHandler<Event> {
        long count;
        long keySum;
        long lastSequence;
        boolean outOfOrder;

        void reset() {
            count = 0;
            keySum = 0;
            lastSequence = 0;
        }

        @Override
        public void onEvent(Event event, long sequence, long timestampNanos) {
            if (sequence <= lastSequence) {
                outOfOrder = true;
            }
            lastSequence = sequence;
            count++;
            keySum += event.key;
        }

        @Override
        public void onGap(long missed) {
            throw new IllegalStateException("replay reported a gap of " + missed + " events");
        }
    }

    @Setup(Level.Trial)
    public void setUp() {
        switch (filter) {
            case "none" -> predicate = null;
            case "1pct" -> predicate = event -> event.key % 100 == 0;
            default -> throw new IllegalArgumentException("filter: " + filter + " (expected: none or 1pct)");
        }
        hub = EventHub.<Event>builder().name("replay").capacity(INGRESS).history(RING).buildManual();
        dispatcher = hub.dispatcher();
        for (int key = 0; key < RING; ) {
            // Offer one ingress-full, then dispatch it into the history ring.
            for (int end = Math.min(RING, key + INGRESS); key < end; key++) {
                Event event = new Event(key);
                if (!hub.offer(event)) {
                    throw new IllegalStateException("offer refused while filling the ring at key " + key);
                }
                if (predicate == null || predicate.test(event)) {
                    expected++;
                    expectedKeySum += key;
                }
            }
            while (dispatcher.doWork() > 0) {
                // until this chunk is sequenced
            }
        }
        HubStats stats = hub.stats();
        if (stats.published() != RING || stats.firstRetainedSequence() != 1
                || stats.lastRetainedSequence() != RING) {
            throw new IllegalStateException("expected a full ring of " + RING + " events, found " + stats);
        }
        afterSequence = stats.firstRetainedSequence() - 1;
        lastSequence = stats.lastRetainedSequence();
    }

    @Benchmark
    @OperationsPerInvocation(RING)
    public long replayFullRing() {
        final ReplayHandler handler = this.handler;
        handler.reset();
        SubscriptionBuilder<Event> builder = hub.events().afterSequence(afterSequence);
        if (predicate != null) {
            builder.filter(predicate);
        }
        Subscription subscription = builder.subscribe(handler);
        // Inline registration: the replay is complete when subscribe returns.
        if (handler.count != expected || handler.keySum != expectedKeySum || handler.outOfOrder
                || (expected > 0 && handler.lastSequence > lastSequence)) {
            throw new IllegalStateException("replay " + replays + " delivered " + handler.count + " (key sum "
                    + handler.keySum + ", out of order: " + handler.outOfOrder + "), expected " + expected
                    + " (key sum " + expectedKeySum + ")");
        }
        subscription.cancel();
        dispatcher.doWork(); // unlinks the cancelled subscription
        replays++;
        return handler.count;
    }

    @TearDown(Level.Trial)
    public void verify() {
        HubStats stats = hub.stats();
        hub.close();
        if (stats.subscribers() != 0) {
            throw new IllegalStateException(stats.subscribers() + " subscriptions still active after cancel");
        }
        if (stats.delivered() != expected * replays) {
            throw new IllegalStateException("hub counted " + stats.delivered() + " deliveries, expected "
                    + expected + " x " + replays + " replays");
        }
        if (stats.published() != RING) {
            throw new IllegalStateException("published " + stats.published() + " != " + RING);
        }
    }
}
