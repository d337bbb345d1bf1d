package dev.eventhub;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.AuxCounters;
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
 * Target P4: with 10,000 subscriptions on distinct topics, each event costs about what it costs with one, because
 * the topic index finds the one subscription an event matches instead of testing all of them.
 *
 * <p>Single-threaded on purpose (the stable kind of benchmark on a shared 2-core box): the benchmark thread offers a
 * burst and steps the dispatcher's duty cycle until it is delivered, so the score is the hub's dispatch cost per
 * delivered event, with no cross-core hand-off in it. Every event matches exactly one subscription in every case,
 * and the teardown fails the run unless delivered == published.
 *
 * <ul>
 *   <li>{@code exact}: subscription i has {@code topics("ns<i%100>/pod/p<i>")}, events cycle through those topics;</li>
 *   <li>{@code pattern}: subscription i has {@code topicPattern("t<i>/pod/*")}, events are {@code t<i>/pod/x};</li>
 *   <li>{@code subscribers = 1}: the same, with one subscription and every event on its topic.</li>
 * </ul>
 *
 * <p>Run: {@code java -jar benchmarks/target/benchmarks.jar TopicRoutingBenchmark -f 3 -wi 3 -i 5 -w 1s -r 1s}; the
 * P4 ratio is the 10000 score over the 1 score of the same kind, in the same run.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
public class TopicRoutingBenchmark {
    static final int BURST = 256;

    @Param({"1", "10000"})
    public int subscribers;

    @Param({"exact", "pattern"})
    public String kind;

    private EventHub<String> hub;
    private Dispatcher dispatcher;
    private String[] events;
    private long[] delivered;
    private long published;
    private int next;

    @Setup(Level.Trial)
    public void setUp() {
        hub = EventHub.<String>builder().name("bench").capacity(1 << 12).history(1 << 10)
                .topic(event -> event).buildManual();
        dispatcher = hub.dispatcher();
        delivered = new long[1];
        events = new String[subscribers];
        for (int i = 0; i < subscribers; i++) {
            SubscriptionBuilder<String> builder = hub.events();
            if (kind.equals("exact")) {
                events[i] = "ns" + (i % 100) + "/pod/p" + i;
                builder.topics(events[i]);
            } else {
                events[i] = "t" + i + "/pod/x";
                builder.topicPattern("t" + i + "/pod/*");
            }
            builder.subscribe((event, sequence, nanos) -> delivered[0]++);
        }
        if (dispatcher.indexedSubscriptions() != subscribers) {
            throw new IllegalStateException("expected " + subscribers + " indexed subscriptions");
        }
    }

    @Benchmark
    @OperationsPerInvocation(BURST)
    public void routeBurst(Counters counters) {
        final String[] events = this.events;
        int index = next;
        for (int i = 0; i < BURST; i++) {
            if (hub.offer(events[index])) {
                published++;
            } else {
                counters.rejected++;
            }
            index = index + 1 == events.length ? 0 : index + 1;
        }
        next = index;
        int rounds = 0;
        while (dispatcher.doWork() > 0) {
            rounds++;
        }
        counters.rounds += rounds;
    }

    /** Refused offers (must stay 0) and dispatcher rounds per burst, as JMH secondary results. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.EVENTS)
    public static class Counters {
        public long rejected;
        public long rounds;
    }

    @TearDown(Level.Trial)
    public void verify() {
        hub.close();
        if (delivered[0] != published) {
            throw new IllegalStateException("delivered " + delivered[0] + " != published " + published
                    + " x 1 matching subscription");
        }
    }
}
