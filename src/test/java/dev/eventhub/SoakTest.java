package dev.eventhub;

import dev.eventhub.io.Sinks;
import dev.eventhub.io.JsonFileReader;
import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The soak of PRODUCT.md section 6, run by {@code mvn -B -Pstress verify} (tag {@code stress}, left out of the normal
 * build): {@value #PRODUCERS} producers publish {@code -Deventhub.soak.events=N} events each (default 50,000,000) into
 * mixed subscribers, and the run checks exact accounting and that the heap after a full GC comes back near where it
 * started. A short version: {@code mvn -B -Pstress test -Dtest=SoakTest -Deventhub.soak.events=200000}.
 *
 * <p>Subscribers: inline (lossless, per-producer order checked), async {@code BLOCK} on its own thread and on a pool
 * (lossless), async {@code DROP_OLDEST} and {@code DROP_NEWEST} with a slow handler (delivered + dropped = published,
 * every drop reported through onGap). The CI-sized version of this mix, with joins, replays, cancels and Flow
 * subscribers, is {@link MixedSubscribersStressTest} in the normal suite.
 *
 * <p>{@link #extraSubscribers} adds a state view with a watcher and a rotating json-file sink to the same hub, each
 * with its own final check run after close.
 */
@Tag("stress")
class SoakTest {
    private static final int PRODUCERS = 4;
    private static final long EVENTS = Long.getLong("eventhub.soak.events", 50_000_000L);
    /** Heap after a full GC may exceed its level before the run by at most this much (ring, buffers, JIT noise). */
    private static final long HEAP_SLACK_BYTES = 64L << 20;
    private static final Duration WAIT = Duration.ofMinutes(30);

    /** A check to run once the hub has closed; the hook returns these. */
    interface FinalCheck {
        void run() throws Exception;
    }

    /**
     * Hook: the state view (issue 5) and the json-file sink (issue 6) subscribe here to the soak's hub and return the
     * checks to run after close. Events are {@code Long}s encoding {@code (producer + 1) << 32 | counter}.
     */
    static List<FinalCheck> extraSubscribers(EventHub<Long> hub) throws java.io.IOException {
        return List.of(stateView(hub), jsonFileSink(hub));
    }

    /**
     * A json-file sink, rotating and compressing, fed every 1,000th event of each producer (the whole stream would be
     * gigabytes): after close, the files must hold exactly those events, in sequence order, with nothing not written.
     */
    private static FinalCheck jsonFileSink(EventHub<Long> hub) throws java.io.IOException {
        java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("eventhub-soak-");
        java.nio.file.Path file = dir.resolve("soak.log");
        SinkSubscription sink = hub.events().filter(e -> (e & 0xFFFF_FFFFL) % 1000 == 0).attach(Sinks.open(
                "json-file", java.util.Map.of("path", file.toString(), "max-size", "256k", "max-file", "1000",
                        "compress", "true"), (Long e) -> Long.toString(e)));
        return () -> {
            assertThat(sink.await(WAIT)).isTrue();
            long expected = PRODUCERS * ((EVENTS + 999) / 1000);
            List<Long> events = new ArrayList<>();
            long[] lastSequence = {0};
            JsonFileReader.Result result = JsonFileReader.of(file).read(record -> {
                assertThat(record.sequence()).isGreaterThan(lastSequence[0]);
                lastSequence[0] = record.sequence();
                events.add(Long.parseLong(record.event()));
            });
            System.out.printf("SoakTest json-file sink: %d written, %d not written, %d read back, %d problems%n",
                    sink.written(), sink.notWritten(), events.size(), result.problems().size());
            assertThat(result.problems()).isEmpty();
            assertThat(sink.notWritten()).isZero();
            assertThat(sink.written()).isEqualTo(expected);
            assertThat(events).hasSize((int) expected).doesNotHaveDuplicates()
                    .allMatch(e -> (e & 0xFFFF_FFFFL) % 1000 == 0);
            try (var files = java.nio.file.Files.list(dir)) {
                for (java.nio.file.Path f : files.toList()) {
                    java.nio.file.Files.delete(f);
                }
            }
            java.nio.file.Files.delete(dir);
        };
    }

    /**
     * A state view keyed per producer by {@code counter % 1024}, where a counter divisible by 13 deletes its key, and
     * one watcher replaying what it is told. After close, the view must hold exactly each key's last event (unless
     * that was a deletion) and the watcher must have converged to the view.
     */
    private static FinalCheck stateView(EventHub<Long> hub) {
        final int keysPerProducer = 1024;
        StateView<Long, Long> view = hub.stateView(e -> (e >>> 32) * keysPerProducer + (e & 0xFFFF_FFFFL)
                % keysPerProducer, e -> (e & 0xFFFF_FFFFL) % 13 == 0);
        java.util.Map<Long, Long> replica = new java.util.concurrent.ConcurrentHashMap<>();
        AtomicLong violations = new AtomicLong();
        StateView.Watch watch = view.watch(new StateWatcher<Long, Long>() {
            @Override
            public void onAdd(Long key, Long value, boolean initial) {
                if (replica.put(key, value) != null) {
                    violations.incrementAndGet();
                }
            }

            @Override
            public void onUpdate(Long key, Long old, Long now) {
                if (!old.equals(replica.put(key, now))) {
                    violations.incrementAndGet();
                }
            }

            @Override
            public void onDelete(Long key, Long last) {
                if (replica.remove(key) == null) {
                    violations.incrementAndGet();
                }
            }
        });
        return () -> {
            java.util.Map<Long, Long> expected = new java.util.HashMap<>();
            for (long p = 1; p <= PRODUCERS; p++) {
                for (long k = 0; k < Math.min(keysPerProducer, EVENTS); k++) {
                    long last = k + (EVENTS - 1 - k) / keysPerProducer * keysPerProducer;
                    if (last % 13 != 0) {
                        expected.put(p * keysPerProducer + k, p << 32 | last);
                    }
                }
            }
            assertThat(view.snapshot()).isEqualTo(expected);
            assertThat(watch.await(WAIT)).isTrue();
            assertThat(violations.get()).isZero();
            assertThat(replica).isEqualTo(expected);
        };
    }

    /** Lossless: counts per producer and checks their order. */
    static final class Lossless implements EventHandler<Long> {
        final long[] next = new long[PRODUCERS];
        final AtomicLong violations = new AtomicLong();
        long lastSequence;

        @Override
        public void onEvent(Long event, long sequence, long stamp) {
            int p = (int) (event >>> 32) - 1;
            long c = event & 0xFFFF_FFFFL;
            if (next[p] != c || sequence != lastSequence + 1) {
                violations.incrementAndGet();
            }
            next[p] = c + 1;
            lastSequence = sequence;
        }

        @Override
        public void onGap(long missed) {
            violations.incrementAndGet();
        }
    }

    /** Lossy and slow now and then: counts deliveries and reported gaps. */
    static final class Lossy implements EventHandler<Long> {
        long delivered;
        long gaps;
        long lastSequence;
        final AtomicLong violations = new AtomicLong();

        @Override
        public void onEvent(Long event, long sequence, long stamp) {
            if (sequence <= lastSequence) {
                violations.incrementAndGet();
            }
            lastSequence = sequence;
            if (++delivered % 4096 == 0) {
                Thread.yield();
            }
        }

        @Override
        public void onGap(long missed) {
            gaps += missed;
        }
    }

    @Test
    void fourProducersIntoMixedSubscribersAccountForEveryEventAndGiveTheHeapBack() throws Exception {
        assertThat(EVENTS).isBetween(1L, 0xFFFF_FFFFL);
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        long heapBefore = heapAfterGc(memory);
        long total = PRODUCERS * EVENTS;
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            EventHub<Long> hub = EventHub.<Long>builder().name("soak").capacity(1 << 14).history(1 << 12)
                    .drainTimeout(Duration.ofMinutes(5)).build();
            Lossless inline = new Lossless();
            Lossless blockThread = new Lossless();
            Lossless blockPool = new Lossless();
            Lossy dropOldest = new Lossy();
            Lossy dropNewest = new Lossy();
            Subscription sInline = hub.subscribe(inline);
            Subscription sBlockThread = hub.events().async().buffer(1024, Overflow.BLOCK).subscribe(blockThread);
            Subscription sBlockPool = hub.events().async(pool).buffer(1024, Overflow.BLOCK).subscribe(blockPool);
            Subscription sOldest = hub.events().async().buffer(256, Overflow.DROP_OLDEST).subscribe(dropOldest);
            Subscription sNewest = hub.events().async().buffer(256, Overflow.DROP_NEWEST).subscribe(dropNewest);
            List<FinalCheck> extra = extraSubscribers(hub);

            long startNanos = System.nanoTime();
            CyclicBarrier start = new CyclicBarrier(PRODUCERS);
            AtomicReference<Throwable> failure = new AtomicReference<>();
            List<Thread> producers = new ArrayList<>();
            for (int p = 0; p < PRODUCERS; p++) {
                final long base = (long) (p + 1) << 32;
                Thread t = new Thread(() -> {
                    try {
                        start.await();
                        for (long c = 0; c < EVENTS; c++) {
                            hub.publish(base | c);
                        }
                    } catch (Throwable e) {
                        failure.set(e);
                    }
                }, "soak-producer-" + p);
                producers.add(t);
                t.start();
            }
            for (Thread t : producers) {
                t.join(WAIT.toMillis());
                assertThat(t.isAlive()).as("%s finished", t.getName()).isFalse();
            }
            assertThat(failure.get()).isNull();
            hub.close();
            assertThat(hub.awaitTermination(WAIT)).isTrue();

            HubStats stats = hub.stats();
            for (Subscription s : List.of(sInline, sBlockThread, sBlockPool, sOldest, sNewest)) {
                s.await(WAIT);
            }
            long seconds = Duration.ofNanos(System.nanoTime() - startNanos).toSeconds();
            System.out.printf("SoakTest figures: %d producers x %d events = %d published, %d rejected, %d s%n",
                    PRODUCERS, EVENTS, stats.published(), stats.rejected(), seconds);
            System.out.printf("SoakTest lossless: inline %d delivered, %d dropped, %d order/gap violations; "
                    + "BLOCK thread %d/%d/%d; BLOCK pool %d/%d/%d%n",
                    sInline.delivered(), sInline.dropped(), inline.violations.get(),
                    sBlockThread.delivered(), sBlockThread.dropped(), blockThread.violations.get(),
                    sBlockPool.delivered(), sBlockPool.dropped(), blockPool.violations.get());
            System.out.printf("SoakTest lossy: DROP_OLDEST %d delivered + %d dropped (%d reported by onGap), "
                    + "DROP_NEWEST %d delivered + %d dropped (%d reported)%n",
                    sOldest.delivered(), sOldest.dropped(), dropOldest.gaps,
                    sNewest.delivered(), sNewest.dropped(), dropNewest.gaps);
            assertThat(stats.published()).isEqualTo(total);
            assertThat(stats.rejected()).isZero();
            for (Subscription s : List.of(sInline, sBlockThread, sBlockPool, sOldest, sNewest)) {
                assertThat(s.await(WAIT)).isTrue();
                assertThat(s.endReason()).isEqualTo(EndReason.HUB_CLOSED);
            }
            for (Lossless l : List.of(inline, blockThread, blockPool)) {
                assertThat(l.violations.get()).as("order and gaps of a lossless subscriber").isZero();
                assertThat(l.next).containsOnly(EVENTS);
            }
            for (Subscription s : List.of(sInline, sBlockThread, sBlockPool)) {
                assertThat(s.delivered()).isEqualTo(total);
                assertThat(s.dropped()).isZero();
            }
            assertThat(sOldest.delivered() + sOldest.dropped()).isEqualTo(total);
            assertThat(sNewest.delivered() + sNewest.dropped()).isEqualTo(total);
            assertThat(dropOldest.gaps).as("DROP_OLDEST: every drop reported").isEqualTo(sOldest.dropped());
            assertThat(dropNewest.gaps).as("DROP_NEWEST: every drop reported").isEqualTo(sNewest.dropped());
            assertThat(dropOldest.violations.get() + dropNewest.violations.get()).isZero();
            for (FinalCheck check : extra) {
                check.run();
            }
        } finally {
            pool.shutdownNow();
        }
        long heapAfter = heapAfterGc(memory);
        System.out.printf("SoakTest: %d x %d events; heap after GC %d MiB before, %d MiB after%n", PRODUCERS, EVENTS,
                heapBefore >> 20, heapAfter >> 20);
        assertThat(heapAfter).as("heap after a full GC, bytes (before: %d)", heapBefore)
                .isLessThan(heapBefore + HEAP_SLACK_BYTES);
    }

    /** Used heap after full collections, taking the lowest of a few: a GC request is only a request. */
    private static long heapAfterGc(MemoryMXBean memory) {
        long lowest = Long.MAX_VALUE;
        for (int i = 0; i < 3; i++) {
            System.gc();
            lowest = Math.min(lowest, memory.getHeapMemoryUsage().getUsed());
        }
        return lowest;
    }
}
