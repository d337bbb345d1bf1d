package dev.eventhub;

import com.google.common.eventbus.AllowConcurrentEvents;
import com.google.common.eventbus.AsyncEventBus;
import com.google.common.eventbus.Subscribe;
import com.lmax.disruptor.RingBuffer;
import com.lmax.disruptor.YieldingWaitStrategy;
import com.lmax.disruptor.dsl.Disruptor;
import com.lmax.disruptor.dsl.ProducerType;
import io.reactivex.rxjava3.disposables.Disposable;
import io.reactivex.rxjava3.subjects.PublishSubject;
import io.reactivex.rxjava3.subjects.Subject;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Flow;
import java.util.concurrent.SubmissionPublisher;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.jctools.queues.MessagePassingQueue;
import org.jctools.queues.MpscArrayQueue;
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
import reactor.core.publisher.Sinks;

/**
 * Targets P1, P2 and P12: fan-in throughput, {@code producers} threads into one subscriber, for eventhub and its
 * peers in the same JMH run. The score is <b>delivered</b> events per second.
 *
 * <p><b>Method</b> (see {@code shared/reference/benchmarking.md}). One invocation is a burst of {@link #BURST}
 * events: the benchmark thread wakes {@code producers - 1} pre-started producer threads and publishes the first
 * share itself, each of the {@code producers} threads publishing {@code BURST / producers} events; the invocation
 * ends when the single subscriber has received all {@code BURST} events and every producer has returned
 * ({@code @OperationsPerInvocation(BURST)}). So nothing is left in a buffer between invocations, the backlog can
 * never inflate a score, and the queues never hold more than one burst (half their 64 Ki capacity): blocking on
 * full is wired in where the peer supports it, and counted, but should not happen. Every wait is bounded
 * ({@link #TIMEOUT_SECONDS}) and fails the iteration loudly. Each iteration's teardown fails the run unless the
 * subscriber received exactly what was published, with the right checksum (sum of the payload values), and each
 * producer published exactly its share. This is the shape of LMAX's own perftests (count on the consumer side,
 * stop the clock when the last event was handled, verify the sum), with JMH doing the repetition.
 *
 * <p><b>Configurations</b> ({@code impl}); every subscriber does the same work: read the {@code Long} payload,
 * add it to a checksum, count. Each name below is the label the report uses.
 * <ul>
 *   <li>{@code eventhub}: {@code hub.publish} of one event at a time (waits when full), idle strategy
 *       {@code YIELD}, capacity 64 Ki, history 4 Ki (the default), one inline subscriber;</li>
 *   <li>{@code eventhubBatch}: the same hub, but each producer publishes its share with
 *       {@code hub.publishAll(List)} in lists of {@link #CLAIM} events (the last list of a share is smaller, see
 *       below). The lists are {@code ArrayList}s built once in setup, so the measured loop allocates nothing;</li>
 *   <li>{@code mpsc}: the ceiling. JCTools {@code MpscArrayQueue} (64 Ki) {@code offer}, one consumer thread that
 *       {@code drain}s up to 256 (the hub's dispatcher batch) and yields when empty;</li>
 *   <li>{@code disruptorSingle}: LMAX Disruptor 4, ring of 64 Ki, {@code ProducerType.SINGLE},
 *       {@code YieldingWaitStrategy}, one {@code EventHandler}; the producer loop is
 *       {@code next() / get(sequence) / publish(sequence)}, one event per claim. This is LMAX's own
 *       single-producer configuration ({@code OneToOneSequencedThroughputTest}: 64 Ki ring, Yielding, SINGLE).
 *       A SINGLE sequencer must have one publishing thread, so this configuration exists at
 *       {@code producers = 1} only (see "Combinations" below);</li>
 *   <li>{@code disruptorMulti}: the same, {@code ProducerType.MULTI}, one event per claim, at every producer
 *       count: the Disruptor's multi-producer ingest, the same capability as the hub's;</li>
 *   <li>{@code disruptorBatch}: the same ring and wait strategy, each producer claiming {@link #CLAIM} slots at a
 *       time with {@code next(n)}, filling them and publishing them with {@code publish(lo, hi)} (the batch
 *       publication of LMAX's {@code ThreeToOneSequencedBatchThroughputTest} and of the {@code producingBatch} JMH
 *       benchmark); {@code ProducerType.SINGLE} at 1 producer, {@code MULTI} at 2 and 4;</li>
 *   <li>{@code abq}: {@code ArrayBlockingQueue} (64 Ki), producers {@code offer} then block in a timed
 *       {@code offer} when full, one consumer thread in {@code take()};</li>
 *   <li>{@code submissionPublisher}: JDK {@code SubmissionPublisher} on its own single-thread executor, max buffer
 *       64 Ki, one subscriber requesting {@code Long.MAX_VALUE}; {@code submit} (blocks when full);</li>
 *   <li>{@code guava}: Guava {@code AsyncEventBus} on a single-thread executor, one {@code @Subscribe
 *       @AllowConcurrentEvents} method. No back-pressure exists (the executor's queue is unbounded);</li>
 *   <li>{@code reactor}: {@code Sinks.many().multicast().onBackpressureBuffer(64 Ki, false)}, one subscriber;
 *       {@code tryEmitNext} retried (spin, then yield) on {@code FAIL_NON_SERIALIZED}, which a producer gets
 *       whenever another one is emitting, and on {@code FAIL_OVERFLOW};</li>
 *   <li>{@code rxjava}: RxJava 3 {@code PublishSubject.create().toSerialized()}, one observer. No back-pressure.</li>
 * </ul>
 * {@code reactor} and {@code rxjava} have no consumer thread: the subscriber runs on whichever producer thread holds
 * the sink's serialization at the time, so they measure serialization, not a hand-off between cores (the others
 * hand each event to one consumer thread). Read them as context; no target names them.
 *
 * <p><b>Batches of {@value #CLAIM}.</b> A share is {@code BURST / producers} = 32768, 16384 or 8192 events, none a
 * multiple of {@value #CLAIM}: {@code eventhubBatch} and {@code disruptorBatch} publish {@code share / 250} full
 * batches and then one batch of the remainder (18, 134 or 192 events), so both publish exactly the same sequence
 * of batch sizes.
 *
 * <p><b>Combinations.</b> JMH runs every {@code impl} &times; {@code producers} pair it is given and has no way to
 * leave one out. {@code disruptorSingle} with more than one producer would be a broken program (two threads on a
 * single-producer sequencer), not a slow one, so its trial setup refuses it with an
 * {@code IllegalArgumentException} saying so, before any thread starts: JMH reports that pair as failed and it
 * has no score, hence no row in the results. {@code benchmarks/run} passes {@code -foe false}, so the rest of the
 * run goes on; with {@code -foe true} give {@code disruptorSingle} its own run with {@code -p producers=1}.
 *
 * <p><b>Secondary results</b> ({@code @AuxCounters(EVENTS)}, totals per iteration): {@code retries}, producer
 * attempts that were refused and tried again (a full queue; Reactor's {@code FAIL_NON_SERIALIZED}; eventhub's
 * rejected count) — it is 0 where the peer blocks inside its own call (Disruptor, submissionPublisher) or never
 * refuses (guava, rxjava); {@code batches}, consumer batches (eventhub: dispatcher rounds that had events;
 * Disruptor: {@code onBatchStart}; mpsc: non-empty drains; 0 where not observable); {@code delivered}, events
 * delivered in the iteration. The average batch, LMAX's {@code AverageBatchSize}, is {@code delivered / batches};
 * it is <em>not</em> a counter of its own, because JMH adds up an {@code EVENTS} counter over all iterations and
 * forks (per iteration the value is right, but the summary line would show iterations &times; forks &times; the
 * average), and an {@code OPERATIONS} counter is divided by the iteration's duration (a rate, batches per second,
 * not a size). Both totals add up correctly, so {@code benchmarks/report.py} computes the batch size as
 * {@code Σ delivered / Σ batches} over the run (and per iteration from each counter's {@code rawData}).
 *
 * <p><b>Targets</b> ({@code PRODUCT.md} section 5; ratios of scores of the same run):
 * <ul>
 *   <li>P1, {@code producers = 1}: eventhub ≥ 0.7 × mpsc, ≥ 1.2 × disruptorSingle (LMAX's 1-producer
 *       configuration), ≥ 1.5 × disruptorMulti, ≥ 1.0 × submissionPublisher, ≥ 2 × abq, ≥ 3 × guava;</li>
 *   <li>P2, {@code producers = 2} and {@code 4}: eventhub ≥ 2 × disruptorMulti and ≥ 1.5 × submissionPublisher at
 *       the same count, and no collapse below 0.5 × mpsc;</li>
 *   <li>P12, {@code producers = 1} and {@code 2}: eventhubBatch ≥ 1.0 × disruptorBatch (SINGLE at 1, MULTI
 *       at 2);</li>
 *   <li>stability, {@code producers = 1}: eventhub's max/min over all measured iterations (every fork) ≤ 1.5 ×
 *       disruptorSingle's max/min in the same run.</li>
 * </ul>
 *
 * <p>Run: {@code java -jar benchmarks/target/benchmarks.jar ThroughputBenchmark -f 3 -wi 3 -i 5 -w 1s -r 1s -foe
 * false} (add {@code -prof gc} for bytes per delivered event). On a 2-core machine {@code producers = 4} runs six
 * busy threads on two cores: read the ratios, not the absolute numbers.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 3, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
public class ThroughputBenchmark {
    /** Events per invocation, split evenly between the producers; half of every queue's capacity. */
    static final int BURST = 1 << 15;
    /** Ring, queue and buffer capacity of every implementation. */
    static final int CAPACITY = 1 << 16;
    /** Longest any single wait may take before the iteration fails. */
    static final long TIMEOUT_SECONDS = 15;
    static final long TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(TIMEOUT_SECONDS);
    /** Sum of the payload values of one burst: 0 + 1 + ... + BURST-1. */
    static final long BURST_CHECKSUM = (long) BURST * (BURST - 1) / 2;
    /** Events per {@code publishAll} list (eventhubBatch) and per {@code next(n)} claim (disruptorBatch). */
    static final int CLAIM = 250;

    @Param({"1", "2", "4"})
    public int producers;

    @Param({"eventhub", "eventhubBatch", "mpsc", "disruptorSingle", "disruptorMulti", "disruptorBatch", "abq",
            "submissionPublisher", "guava", "reactor", "rxjava"})
    public String impl;

    private Long[] payload;
    private int share;
    private Sink sink;
    private Impl target;
    /** Producer 0 is the benchmark thread itself; the others run on their own threads. */
    private Producer self;
    private Producer[] helpers;
    private long generation;
    /** Events of completed invocations, counted by the benchmark thread: what must have been delivered. */
    private long published;
    private long invocations;
    private long lastRetries;
    private long lastBatches;
    private long lastDelivered;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        if (producers < 1 || BURST % producers != 0) {
            throw new IllegalArgumentException("producers must divide " + BURST + ": " + producers);
        }
        if (impl.equals("disruptorSingle") && producers != 1) {
            throw new IllegalArgumentException("impl=disruptorSingle, producers=" + producers + ": not measured on "
                    + "purpose. disruptorSingle is ProducerType.SINGLE, LMAX's 1-producer configuration, and a SINGLE "
                    + "sequencer must have exactly one publishing thread; at 2 and 4 producers compare with "
                    + "disruptorMulti and disruptorBatch");
        }
        payload = new Long[BURST];
        for (int i = 0; i < BURST; i++) {
            payload[i] = (long) i; // boxed once here: the hot loop allocates nothing
        }
        share = BURST / producers;
        sink = new Sink(Thread.currentThread());
        target = create(impl, producers);
        target.start(sink);
        target.prepare(payload, producers, share);
        self = new Producer(this, 0);
        helpers = new Producer[producers - 1];
        for (int i = 0; i < helpers.length; i++) {
            Producer helper = new Producer(this, i + 1);
            Thread thread = new Thread(helper, "throughput-producer-" + (i + 1));
            thread.setDaemon(true);
            helper.thread = thread;
            helpers[i] = helper;
            thread.start();
        }
    }

    private static Impl create(String impl, int producers) {
        return switch (impl) {
            case "eventhub" -> new HubImpl();
            case "eventhubBatch" -> new HubBatchImpl();
            case "mpsc" -> new MpscImpl();
            case "disruptorSingle" -> new DisruptorImpl(ProducerType.SINGLE, 1);
            case "disruptorMulti" -> new DisruptorImpl(ProducerType.MULTI, 1);
            case "disruptorBatch" -> new DisruptorImpl(producers == 1 ? ProducerType.SINGLE : ProducerType.MULTI, CLAIM);
            case "abq" -> new AbqImpl();
            case "submissionPublisher" -> new SubmissionPublisherImpl();
            case "guava" -> new GuavaImpl();
            case "reactor" -> new ReactorImpl();
            case "rxjava" -> new RxJavaImpl();
            default -> throw new IllegalArgumentException("unknown impl " + impl);
        };
    }

    @Benchmark
    @OperationsPerInvocation(BURST)
    public void burst(Counters counters) throws Exception {
        final long gen = ++generation;
        final long expected = published + BURST;
        final long deadline = System.nanoTime() + TIMEOUT_NANOS;
        sink.target = expected; // before any event of this burst is published: the consumer sees it
        for (Producer helper : helpers) {
            helper.deadline = deadline;
            helper.start = gen; // volatile: publishes deadline and target to the helper
            LockSupport.unpark(helper.thread);
        }
        self.deadline = deadline;
        publishShare(self);
        self.finish();
        awaitDelivered(expected, deadline);
        for (Producer helper : helpers) {
            while (helper.done != gen) {
                checkHelpers();
                if (System.nanoTime() - deadline > 0) {
                    throw new IllegalStateException(impl + ": producer " + helper.index + " did not return within "
                            + TIMEOUT_SECONDS + " s (" + producers + " producers)");
                }
                Thread.yield();
            }
        }
        published = expected;
        invocations++;
        long retries = self.retries + target.rejected();
        for (Producer helper : helpers) {
            retries += helper.retries;
        }
        counters.retries += retries - lastRetries;
        lastRetries = retries;
        long batches = target.batches(sink);
        counters.batches += batches - lastBatches;
        lastBatches = batches;
        counters.delivered += expected - lastDelivered;
        lastDelivered = expected;
    }

    /** Publishes one producer's share of the burst. On that producer's thread. */
    void publishShare(Producer producer) throws Exception {
        final int from = producer.index * share;
        target.publishShare(payload, from, from + share, producer);
        producer.publishedLocal += share;
    }

    private void awaitDelivered(long expected, long deadline) {
        long count;
        while ((count = sink.count()) < expected) {
            checkHelpers();
            if (System.nanoTime() - deadline > 0) {
                throw new IllegalStateException(impl + ": delivered " + count + " of " + expected + " within "
                        + TIMEOUT_SECONDS + " s (" + producers + " producers); events lost or the consumer is stuck");
            }
            // The consumer unparks us when it delivers the expected count; the timeout only bounds the wait.
            LockSupport.parkNanos(this, TimeUnit.MILLISECONDS.toNanos(1));
        }
        if (count != expected) {
            throw new IllegalStateException(impl + ": delivered " + count + " > published " + expected
                    + " (duplicates)");
        }
    }

    private void checkHelpers() {
        for (Producer helper : helpers) {
            Throwable failure = helper.failure;
            if (failure != null) {
                throw new IllegalStateException(impl + ": producer " + helper.index + " failed", failure);
            }
        }
    }

    /** Fails the run unless every published event was delivered exactly once, with the right checksum. */
    @TearDown(Level.Iteration)
    public void verify() {
        long delivered = sink.count();
        long checksum = sink.checksum();
        if (delivered != published) {
            throw new IllegalStateException(impl + ": delivered " + delivered + " != published " + published
                    + " x 1 subscriber (" + producers + " producers)");
        }
        if (checksum != invocations * BURST_CHECKSUM) {
            throw new IllegalStateException(impl + ": checksum " + checksum + " != " + invocations * BURST_CHECKSUM
                    + " (" + invocations + " bursts)");
        }
        long byProducers = self.published;
        for (Producer helper : helpers) {
            byProducers += helper.published;
        }
        if (byProducers != published) {
            throw new IllegalStateException(impl + ": producers report " + byProducers + " published, expected "
                    + published);
        }
        target.verify(published);
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
        List<String> problems = new ArrayList<>();
        for (Producer helper : helpers) {
            helper.stop = true;
            LockSupport.unpark(helper.thread);
        }
        for (Producer helper : helpers) {
            helper.thread.join(TimeUnit.SECONDS.toMillis(5));
            if (helper.thread.isAlive()) {
                helper.thread.interrupt();
                problems.add("producer " + helper.index + " did not stop");
            }
        }
        try {
            target.close();
        } catch (Exception e) {
            problems.add(impl + " did not shut down cleanly: " + e);
        }
        if (!problems.isEmpty()) {
            throw new IllegalStateException(String.join("; ", problems));
        }
    }

    /**
     * Secondary results, totals per iteration: refused-and-retried publish attempts, consumer batches and delivered
     * events (the primary score's numerator). The average batch is {@code delivered / batches}, computed by
     * {@code report.py} from the totals and not reported here: JMH sums an {@code EVENTS} counter over iterations
     * and forks (right for a total, wrong for an average), and divides an {@code OPERATIONS} counter by time (a
     * rate). See the class comment.
     */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.EVENTS)
    public static class Counters {
        public long retries;
        public long batches;
        public long delivered;

        @Setup(Level.Iteration)
        public void reset() {
            retries = 0;
            batches = 0;
            delivered = 0;
        }
    }

    // ---------------------------------------------------------------------------------------------- producers

    abstract static class ProducerPad0 {
        long p01, p02, p03, p04, p05, p06, p07, p08, p09, p10, p11, p12, p13, p14, p15;
    }

    /** One producer's state, written by its own thread; padded so that producers do not share a cache line. */
    abstract static class ProducerFields extends ProducerPad0 {
        /** Refused attempts and published events, counted on the producer's thread (plain fields). */
        long retriesLocal;
        long publishedLocal;
        /** The same, stored once per burst for the benchmark thread to read. */
        volatile long retries;
        volatile long published;
        /** Generation to run (written by the benchmark thread) and the last one finished (by the producer). */
        volatile long start;
        volatile long done;
        volatile boolean stop;
        volatile Throwable failure;
        long deadline;
        Thread thread;
    }

    static final class Producer extends ProducerFields implements Runnable {
        long q01, q02, q03, q04, q05, q06, q07, q08, q09, q10, q11, q12, q13, q14, q15;
        final ThroughputBenchmark bench;
        final int index;

        Producer(ThroughputBenchmark bench, int index) {
            this.bench = bench;
            this.index = index;
        }

        @Override
        public void run() {
            long seen = 0;
            while (!stop) {
                long gen = start;
                if (gen == seen) {
                    LockSupport.parkNanos(this, TimeUnit.MILLISECONDS.toNanos(10));
                    continue;
                }
                seen = gen;
                try {
                    bench.publishShare(this);
                } catch (Throwable t) {
                    failure = t;
                    return;
                }
                finish();
                done = gen;
            }
        }

        void finish() {
            retries = retriesLocal;
            published = publishedLocal;
        }

        /** A publish attempt was refused: count it, back off (spin, then yield), and fail past the deadline. */
        void refused(int attempt, String what) {
            retriesLocal++;
            if (attempt < 32) {
                Thread.onSpinWait();
            } else {
                Thread.yield();
                if ((attempt & 255) == 0 && System.nanoTime() - deadline > 0) {
                    throw new IllegalStateException(what + ": still refused after " + TIMEOUT_SECONDS + " s");
                }
            }
        }
    }

    // ---------------------------------------------------------------------------------------------- the subscriber

    abstract static class SinkPad0 {
        long p01, p02, p03, p04, p05, p06, p07, p08, p09, p10, p11, p12, p13, p14, p15;
    }

    abstract static class SinkFields extends SinkPad0 {
        long count;
        long sum;
        long batches;
        /** The count at which to wake the waiting benchmark thread; written once per burst. */
        volatile long target;
        final Thread waiter;

        SinkFields(Thread waiter) {
            this.waiter = waiter;
        }
    }

    /**
     * The one subscriber of every implementation: checksum and count, written by the consumer (for reactor and
     * rxjava by whichever producer holds the serialization), read by the benchmark thread. Padded on both sides.
     */
    static final class Sink extends SinkFields {
        private static final VarHandle COUNT;
        private static final VarHandle BATCHES;

        static {
            try {
                MethodHandles.Lookup lookup = MethodHandles.lookup();
                COUNT = lookup.findVarHandle(SinkFields.class, "count", long.class);
                BATCHES = lookup.findVarHandle(SinkFields.class, "batches", long.class);
            } catch (ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
        }

        long q01, q02, q03, q04, q05, q06, q07, q08, q09, q10, q11, q12, q13, q14, q15;

        Sink(Thread waiter) {
            super(waiter);
        }

        /** Receives one event. One thread at a time. */
        void onEvent(Long event) {
            sum += event.longValue();
            long next = count + 1;
            COUNT.setRelease(this, next); // a plain store on x86; the sum written before it is visible with it
            if (next == target) {
                LockSupport.unpark(waiter);
            }
        }

        /** A consumer batch began (or ended). Consumer thread only. */
        void batch() {
            BATCHES.setRelease(this, batches + 1);
        }

        long count() {
            return (long) COUNT.getAcquire(this);
        }

        long checksum() {
            COUNT.getAcquire(this);
            return sum;
        }

        long batches() {
            return (long) BATCHES.getAcquire(this);
        }
    }

    // ---------------------------------------------------------------------------------------------- implementations

    abstract static class Impl {
        abstract void start(Sink sink) throws Exception;

        /** Publishes one event, waiting (bounded) if the implementation is full; never drops it. */
        abstract void publish(Long event, Producer producer) throws Exception;

        /** Called once after {@link #start}: batch implementations build their lists here, outside the timing. */
        void prepare(Long[] payload, int producers, int share) {
        }

        /**
         * Publishes {@code payload[from, to)}, one producer's share, on that producer's thread. By default one
         * {@link #publish} per event; the batch implementations override it.
         */
        void publishShare(Long[] payload, int from, int to, Producer producer) throws Exception {
            for (int i = from; i < to; i++) {
                publish(payload[i], producer);
            }
        }

        /** Refusals the implementation counted itself. */
        long rejected() {
            return 0;
        }

        /** Consumer batches so far, or 0 if not observable. */
        long batches(Sink sink) {
            return sink.batches();
        }

        /** Implementation-side checks after an iteration, everything delivered. */
        void verify(long published) {
        }

        /** Stops every thread and executor, each wait bounded; throws if something did not stop. */
        abstract void close() throws Exception;
    }

    static ThreadFactory daemon(String name) {
        return runnable -> {
            Thread thread = new Thread(runnable, name);
            thread.setDaemon(true);
            return thread;
        };
    }

    static void join(Thread thread, String what) throws InterruptedException {
        thread.join(TimeUnit.SECONDS.toMillis(5));
        if (thread.isAlive()) {
            throw new IllegalStateException(what + " did not stop within 5 s");
        }
    }

    static void shutdown(ExecutorService executor, String what) throws InterruptedException {
        executor.shutdown();
        if (!executor.awaitTermination(5, TimeUnit.SECONDS)) {
            executor.shutdownNow();
            throw new IllegalStateException(what + " executor did not stop within 5 s");
        }
    }

    static class HubImpl extends Impl {
        EventHub<Long> hub;

        @Override
        void start(Sink sink) {
            hub = EventHub.<Long>builder().name("throughput").capacity(CAPACITY).history(1 << 12)
                    .idle(IdleStrategy.YIELD).build();
            hub.subscribe((EventHandler<Long>) (event, sequence, nanos) -> sink.onEvent(event));
        }

        @Override
        void publish(Long event, Producer producer) throws InterruptedException {
            hub.publish(event);
        }

        @Override
        long rejected() {
            return hub.stats().rejected();
        }

        @Override
        long batches(Sink sink) {
            return hub.dispatcher().rounds();
        }

        @Override
        void verify(long published) {
            HubStats stats = hub.stats();
            if (stats.published() != published || stats.rejected() != 0) {
                throw new IllegalStateException("eventhub: stats " + stats + ", expected published " + published
                        + " and rejected 0");
            }
        }

        @Override
        void close() throws InterruptedException {
            hub.close();
            if (!hub.awaitTermination(Duration.ofSeconds(5))) {
                throw new IllegalStateException("eventhub did not terminate within 5 s");
            }
        }
    }

    /** eventhubBatch: the same hub, each share published with {@code publishAll} in lists of {@link #CLAIM}. */
    static final class HubBatchImpl extends HubImpl {
        /** Per producer, its share cut into lists of CLAIM (the last one smaller); built once, never changed. */
        private List<List<Long>>[] lists;

        @Override
        @SuppressWarnings("unchecked")
        void prepare(Long[] payload, int producers, int share) {
            lists = new List[producers];
            for (int p = 0; p < producers; p++) {
                List<List<Long>> own = new ArrayList<>();
                int from = p * share;
                int to = from + share;
                for (int lo = from; lo < to; lo += CLAIM) {
                    own.add(new ArrayList<>(Arrays.asList(payload).subList(lo, Math.min(lo + CLAIM, to))));
                }
                lists[p] = own;
            }
        }

        @Override
        void publishShare(Long[] payload, int from, int to, Producer producer) throws InterruptedException {
            final List<List<Long>> own = lists[producer.index];
            for (int k = 0, n = own.size(); k < n; k++) { // indexed: no iterator in the measured loop
                hub.publishAll(own.get(k));
            }
        }
    }

    static final class MpscImpl extends Impl {
        private MpscArrayQueue<Long> queue;
        private Thread consumer;
        private volatile boolean stop;

        @Override
        void start(Sink sink) {
            queue = new MpscArrayQueue<>(CAPACITY);
            MessagePassingQueue.Consumer<Long> handler = sink::onEvent;
            consumer = new Thread(() -> {
                final MpscArrayQueue<Long> queue = this.queue;
                while (!stop) {
                    if (queue.drain(handler, Dispatcher.BATCH) > 0) {
                        sink.batch();
                    } else {
                        Thread.yield();
                    }
                }
            }, "throughput-mpsc-consumer");
            consumer.setDaemon(true);
            consumer.start();
        }

        @Override
        void publish(Long event, Producer producer) {
            if (!queue.offer(event)) {
                int attempt = 0;
                do {
                    producer.refused(attempt++, "mpsc offer");
                } while (!queue.offer(event));
            }
        }

        @Override
        void verify(long published) {
            if (!queue.isEmpty()) {
                throw new IllegalStateException("mpsc: queue not empty after the iteration");
            }
        }

        @Override
        void close() throws InterruptedException {
            stop = true;
            join(consumer, "mpsc consumer");
        }
    }

    /** The Disruptor's slot: a reference to the published payload. */
    static final class Slot {
        Long value;
    }

    /**
     * disruptorSingle, disruptorMulti and disruptorBatch: a 64 Ki ring, {@code YieldingWaitStrategy}, one handler;
     * {@code claim} events per {@code next(n)} / {@code publish(lo, hi)}.
     */
    static final class DisruptorImpl extends Impl {
        private final ProducerType type;
        private final int claim;
        private Disruptor<Slot> disruptor;
        private RingBuffer<Slot> ring;
        private final List<Thread> threads = new ArrayList<>();

        DisruptorImpl(ProducerType type, int claim) {
            this.type = type;
            this.claim = claim;
        }

        @Override
        void start(Sink sink) {
            ThreadFactory factory = runnable -> {
                Thread thread = daemon("throughput-disruptor-consumer").newThread(runnable);
                threads.add(thread);
                return thread;
            };
            disruptor = new Disruptor<>(Slot::new, CAPACITY, factory, type, new YieldingWaitStrategy());
            disruptor.handleEventsWith(new com.lmax.disruptor.EventHandler<Slot>() {
                @Override
                public void onEvent(Slot slot, long sequence, boolean endOfBatch) {
                    sink.onEvent(slot.value);
                }

                @Override
                public void onBatchStart(long batchSize, long queueDepth) {
                    sink.batch();
                }
            });
            ring = disruptor.start();
        }

        /** One event per claim, LMAX's perftest loop: claim (waits when full), fill, publish. */
        @Override
        void publish(Long event, Producer producer) {
            final RingBuffer<Slot> ring = this.ring;
            long sequence = ring.next();
            ring.get(sequence).value = event;
            ring.publish(sequence);
        }

        @Override
        void publishShare(Long[] payload, int from, int to, Producer producer) {
            if (claim == 1) {
                for (int i = from; i < to; i++) {
                    publish(payload[i], producer);
                }
                return;
            }
            final RingBuffer<Slot> ring = this.ring;
            final int claim = this.claim;
            for (int lo = from; lo < to; lo += claim) {
                final int n = Math.min(claim, to - lo); // the last claim of a share is smaller
                final long hi = ring.next(n);
                final long first = hi - (n - 1);
                for (int k = 0; k < n; k++) {
                    ring.get(first + k).value = payload[lo + k];
                }
                ring.publish(first, hi);
            }
        }

        @Override
        void verify(long published) {
            if (ring.getCursor() + 1 != published) {
                throw new IllegalStateException("disruptor (" + type + ", " + claim + " per claim): cursor "
                        + ring.getCursor() + ", published " + published);
            }
        }

        @Override
        void close() throws InterruptedException {
            disruptor.halt();
            for (Thread thread : threads) {
                join(thread, "disruptor consumer");
            }
        }
    }

    static final class AbqImpl extends Impl {
        private ArrayBlockingQueue<Long> queue;
        private Thread consumer;

        @Override
        void start(Sink sink) {
            queue = new ArrayBlockingQueue<>(CAPACITY);
            consumer = new Thread(() -> {
                try {
                    while (true) {
                        sink.onEvent(queue.take());
                    }
                } catch (InterruptedException e) {
                    // stop
                }
            }, "throughput-abq-consumer");
            consumer.setDaemon(true);
            consumer.start();
        }

        @Override
        void publish(Long event, Producer producer) throws InterruptedException {
            if (!queue.offer(event)) {
                producer.retriesLocal++;
                if (!queue.offer(event, TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                    throw new IllegalStateException("abq: still full after " + TIMEOUT_SECONDS + " s");
                }
            }
        }

        @Override
        long batches(Sink sink) {
            return 0;
        }

        @Override
        void verify(long published) {
            if (!queue.isEmpty()) {
                throw new IllegalStateException("abq: queue not empty after the iteration");
            }
        }

        @Override
        void close() throws InterruptedException {
            consumer.interrupt();
            join(consumer, "abq consumer");
        }
    }

    static final class SubmissionPublisherImpl extends Impl {
        private ExecutorService executor;
        private SubmissionPublisher<Long> publisher;
        private volatile Throwable error;

        @Override
        void start(Sink sink) {
            executor = Executors.newSingleThreadExecutor(daemon("throughput-submission-consumer"));
            publisher = new SubmissionPublisher<>(executor, CAPACITY);
            publisher.subscribe(new Flow.Subscriber<Long>() {
                @Override
                public void onSubscribe(Flow.Subscription subscription) {
                    subscription.request(Long.MAX_VALUE);
                }

                @Override
                public void onNext(Long item) {
                    sink.onEvent(item);
                }

                @Override
                public void onError(Throwable throwable) {
                    error = throwable;
                }

                @Override
                public void onComplete() {
                }
            });
        }

        @Override
        void publish(Long event, Producer producer) {
            publisher.submit(event);
        }

        @Override
        long batches(Sink sink) {
            return 0;
        }

        @Override
        void verify(long published) {
            if (error != null) {
                throw new IllegalStateException("submissionPublisher: subscriber failed", error);
            }
        }

        @Override
        void close() throws InterruptedException {
            publisher.close();
            shutdown(executor, "submissionPublisher");
        }
    }

    /** Guava finds subscriber methods by reflection: a public class with a public annotated method. */
    public static final class GuavaListener {
        private final Sink sink;

        GuavaListener(Sink sink) {
            this.sink = sink;
        }

        @Subscribe
        @AllowConcurrentEvents // one executor thread: skip Guava's per-call synchronisation
        public void on(Long event) {
            sink.onEvent(event);
        }
    }

    static final class GuavaImpl extends Impl {
        private ExecutorService executor;
        private AsyncEventBus bus;

        @Override
        void start(Sink sink) {
            executor = Executors.newSingleThreadExecutor(daemon("throughput-guava-consumer"));
            bus = new AsyncEventBus("throughput", executor);
            bus.register(new GuavaListener(sink));
        }

        @Override
        void publish(Long event, Producer producer) {
            bus.post(event);
        }

        @Override
        long batches(Sink sink) {
            return 0;
        }

        @Override
        void close() throws InterruptedException {
            shutdown(executor, "guava");
        }
    }

    static final class ReactorImpl extends Impl {
        private Sinks.Many<Long> many;
        private reactor.core.Disposable subscription;

        @Override
        void start(Sink sink) {
            many = Sinks.many().multicast().onBackpressureBuffer(CAPACITY, false);
            subscription = many.asFlux().subscribe(sink::onEvent);
        }

        @Override
        void publish(Long event, Producer producer) {
            Sinks.EmitResult result = many.tryEmitNext(event);
            int attempt = 0;
            while (result != Sinks.EmitResult.OK) {
                if (result != Sinks.EmitResult.FAIL_NON_SERIALIZED && result != Sinks.EmitResult.FAIL_OVERFLOW) {
                    throw new IllegalStateException("reactor: tryEmitNext " + result);
                }
                producer.refused(attempt++, "reactor tryEmitNext");
                result = many.tryEmitNext(event);
            }
        }

        @Override
        long batches(Sink sink) {
            return 0;
        }

        @Override
        void close() {
            many.tryEmitComplete();
            subscription.dispose();
        }
    }

    static final class RxJavaImpl extends Impl {
        private Subject<Long> subject;
        private Disposable subscription;
        private volatile Throwable error;

        @Override
        void start(Sink sink) {
            subject = PublishSubject.<Long>create().toSerialized();
            subscription = subject.subscribe(sink::onEvent, e -> error = e);
        }

        @Override
        void publish(Long event, Producer producer) {
            subject.onNext(event);
        }

        @Override
        long batches(Sink sink) {
            return 0;
        }

        @Override
        void verify(long published) {
            if (error != null) {
                throw new IllegalStateException("rxjava: observer failed", error);
            }
        }

        @Override
        void close() {
            subject.onComplete();
            subscription.dispose();
        }
    }
}
