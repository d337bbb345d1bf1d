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
 * Target P8: 10,000 subscriptions, each selecting with two attribute clauses the way {@code docker events --filter
 * type=container --filter name=<its own>} does, cost per event about what one such subscription costs, because the
 * attribute index finds the one an event matches instead of testing all of them; and nothing is allocated per event.
 *
 * <p>Single-threaded, like {@link TopicRoutingBenchmark}: the benchmark thread offers a burst of events into a manual
 * hub and steps the dispatcher until it is delivered, so the score is the dispatch cost per delivered event. Events
 * are containers named {@code c<i>} cycling over the subscribed names, so every event matches exactly one
 * subscription; the teardown fails the run unless delivered == published. The attributes are declared with
 * {@code attribute("type", ...)} and {@code attribute("name", ...)}, each subscription with
 * {@code where("type", "container").where("name", "c<i>")}.
 *
 * <p>Run: {@code java -jar benchmarks/target/benchmarks.jar AttributeRoutingBenchmark -f 3 -wi 3 -i 5 -w 1s -r 1s
 * -prof gc}; P8 is the 10000 score over the 1 score of the same run ({@code gc.alloc.rate.norm} ≈ 0 B/op).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
public class AttributeRoutingBenchmark {
    static final int BURST = 256;

    @Param({"1", "10000"})
    public int subscribers;

    /** A container event: its type and its name, the two attributes subscriptions select by. */
    record Container(String type, String name) {
    }

    private EventHub<Container> hub;
    private Dispatcher dispatcher;
    private Container[] events;
    private long[] delivered;
    private long published;
    private int next;

    @Setup(Level.Trial)
    public void setUp() {
        hub = EventHub.<Container>builder().name("bench").capacity(1 << 12).history(1 << 10)
                .attribute("type", Container::type).attribute("name", Container::name).buildManual();
        dispatcher = hub.dispatcher();
        delivered = new long[1];
        events = new Container[subscribers];
        for (int i = 0; i < subscribers; i++) {
            events[i] = new Container("container", "c" + i);
            hub.events().where("type", "container").where("name", "c" + i)
                    .subscribe((event, sequence, nanos) -> delivered[0]++);
        }
        if (dispatcher.attributeIndexedSubscriptions() != subscribers) {
            throw new IllegalStateException("expected " + subscribers + " subscriptions in the attribute index");
        }
    }

    @Benchmark
    @OperationsPerInvocation(BURST)
    public void routeBurst(Counters counters) {
        final Container[] events = this.events;
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
        while (dispatcher.doWork() > 0) {
            counters.rounds++;
        }
    }

    /** Refused offers (must stay 0) and dispatcher rounds, as JMH secondary results. */
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
