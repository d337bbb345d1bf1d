package dev.eventhub;

import dev.eventhub.internal.Checks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.IntStream;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Faults of PRODUCT.md section 6 that the other suites do not already cover: handlers that block forever without
 * answering interrupts, cancel themselves or others, close the hub from an async handler; close racing producers with
 * async lossless subscribers; interrupts around a blocking publish; an executor that refuses tasks; JVM errors thrown
 * by handlers. Already covered elsewhere and not repeated: a throwing handler
 * ({@code SubscriptionTest}, {@code AsyncSubscriptionTest}), an interruptible stuck inline handler and close from an
 * inline handler ({@code ThreadedHubTest}), close racing four producers with an inline subscriber
 * ({@code HubStressTest#closeRacingWithOfferAndPublishLosesNothingAcceptedAndDeliversNothingRefused}).
 */
class FaultsTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final Duration DRAIN = Duration.ofMillis(300);

    private final List<EventHub<?>> hubs = new CopyOnWriteArrayList<>();
    private final List<ExecutorService> pools = new CopyOnWriteArrayList<>();
    private final CountDownLatch releaseAll = new CountDownLatch(1);

    private <T> EventHub<T> track(EventHub<T> hub) {
        hubs.add(hub);
        return hub;
    }

    @AfterEach
    void closeAll() throws InterruptedException {
        releaseAll.countDown();
        for (EventHub<?> hub : hubs) {
            hub.close();
            assertThat(hub.awaitTermination(WAIT)).isTrue();
        }
        for (ExecutorService pool : pools) {
            pool.shutdownNow();
            assertThat(pool.awaitTermination(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
        }
    }

    /** Waits for the latch and ignores interrupts: a handler nothing but the test can release. */
    private static void waitIgnoringInterrupts(CountDownLatch latch) {
        boolean interrupted = false;
        while (true) {
            try {
                latch.await();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    // ------------------------------------------------------------------ stuck handlers and close

    @Test
    void closeReturnsWithinTheDrainTimeoutWhenAnInlineHandlerIgnoresInterruptsForever() throws Exception {
        EventHub<Integer> hub = track(EventHub.<Integer>builder().name("stuck-inline").drainTimeout(DRAIN).build());
        CountDownLatch inHandler = new CountDownLatch(1);
        Subscription stuck = hub.subscribe(e -> {
            inHandler.countDown();
            waitIgnoringInterrupts(releaseAll);
        });
        Subscription other = hub.subscribe(e -> { });
        for (int i = 0; i < 5; i++) {
            hub.publish(i);
        }
        assertThat(inHandler.await(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
        long start = System.nanoTime();
        hub.close();
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        assertThat(took).isLessThan(DRAIN.plusSeconds(5));
        assertThat(stuck.endReason()).isEqualTo(EndReason.HUB_CLOSED);
        assertThat(other.endReason()).isEqualTo(EndReason.HUB_CLOSED);
        // What the subscriptions did not get is counted, not lost silently (an upper bound: after the last delivery).
        assertThat(stuck.dropped()).isEqualTo(5);
        assertThat(other.delivered() + other.dropped()).isEqualTo(5);
        // The dispatcher thread is still in the handler; once released it finishes and leaves (checked by the
        // leak check after this class).
        releaseAll.countDown();
        assertThat(hub.awaitTermination(WAIT)).isTrue();
    }

    @Test
    void closeReturnsWithinTheDrainTimeoutWhenAnAsyncHandlerIgnoresInterruptsForever() throws Exception {
        EventHub<Integer> hub = track(EventHub.<Integer>builder().name("stuck-async").drainTimeout(DRAIN).build());
        CountDownLatch inHandler = new CountDownLatch(1);
        Subscription stuck = hub.events().async().buffer(64, Overflow.BLOCK).subscribe(e -> {
            inHandler.countDown();
            waitIgnoringInterrupts(releaseAll);
        });
        AtomicInteger otherSeen = new AtomicInteger();
        Subscription other = hub.subscribe(e -> otherSeen.incrementAndGet());
        for (int i = 0; i < 10; i++) {
            hub.publish(i);
        }
        assertThat(inHandler.await(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
        long start = System.nanoTime();
        hub.close();
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(DRAIN.plusSeconds(5));
        assertThat(other.endReason()).isEqualTo(EndReason.HUB_CLOSED);
        assertThat(otherSeen.get()).isEqualTo(10); // isolation: the stuck one held up nobody
        assertThat(stuck.endReason()).isEqualTo(EndReason.HUB_CLOSED);
        // The buffered events are counted as dropped at once; the one in the stuck call counts as delivered once
        // that call returns: every event is accounted for exactly once.
        assertThat(stuck.dropped()).isEqualTo(9);
        releaseAll.countDown();
        await().atMost(WAIT).until(() -> stuck.delivered() == 1);
        assertThat(stuck.dropped()).isEqualTo(9);
    }

    /**
     * close() from inside an async handler used to wait for that very subscription (whose consumer was the closing
     * thread) and join its own thread, so it always took the whole drain timeout (10 s by default), and then counted
     * the subscription's remaining events as dropped although they would have been delivered.
     */
    @Test
    void closeFromAnAsyncHandlerReturnsPromptlyAndDeliversEverythingAccepted() throws Exception {
        for (boolean pooled : new boolean[] {false, true}) {
            EventHub<Integer> hub = track(EventHub.<Integer>builder().name("close-in-async-" + pooled)
                    .drainTimeout(Duration.ofSeconds(20)).build());
            SubscriptionBuilder<Integer> builder = hub.events();
            if (pooled) {
                ExecutorService pool = Executors.newSingleThreadExecutor();
                pools.add(pool);
                builder.async(pool);
            } else {
                builder.async();
            }
            AtomicLong closeTook = new AtomicLong(-1);
            List<Integer> seen = new CopyOnWriteArrayList<>();
            CountDownLatch allPublished = new CountDownLatch(1);
            Subscription subscription = builder.buffer(64, Overflow.BLOCK).subscribe((e, sequence, nanos) -> {
                if (e == 0) {
                    allPublished.await(); // all ten are accepted before the handler closes the hub
                }
                seen.add(e);
                if (e == 3) {
                    long start = System.nanoTime();
                    hub.close();
                    closeTook.set(System.nanoTime() - start);
                }
            });
            for (int i = 0; i < 10; i++) {
                hub.publish(i);
            }
            allPublished.countDown();
            assertThat(subscription.await(WAIT)).isTrue();
            assertThat(Duration.ofNanos(closeTook.get())).as("close from the handler (pooled: %s)", pooled)
                    .isLessThan(Duration.ofSeconds(5));
            assertThat(subscription.endReason()).isEqualTo(EndReason.HUB_CLOSED);
            assertThat(seen).containsExactly(0, 1, 2, 3, 4, 5, 6, 7, 8, 9);
            assertThat(subscription.dropped()).isZero();
        }
    }

    // ------------------------------------------------------------------ cancel from inside handlers

    @Test
    void awaitingAnInlineSubscriptionFromAHandlerIsRefusedInsteadOfDeadlocking() throws Exception {
        EventHub<Integer> hub = EventHub.<Integer>builder().name("await-in-handler").build();
        Subscription other = hub.subscribe(event -> { });
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        CountDownLatch done = new CountDownLatch(1);
        hub.subscribe(event -> {
            try {
                other.await();
            } catch (Throwable t) {
                thrown.set(t);
            }
            done.countDown();
        });
        hub.publish(1);
        assertThat(done.await(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
        assertThat(thrown.get()).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("await: called from a handler of hub 'await-in-handler'");
        hub.publish(2); // the dispatcher is still serving
        hub.close();
        assertThat(other.await()).isEqualTo(EndReason.HUB_CLOSED);
    }

    @Test
    void aClockThatThrowsDoesNotKillTheDispatcherAndTimeStandsStill() throws Exception {
        AtomicLong calls = new AtomicLong();
        long start = Checks.epochNanos(ManualClock.START);
        EventHub<Integer> hub = EventHub.<Integer>builder().name("bad-clock").clock(() -> {
            if (calls.incrementAndGet() > 3) {
                throw new IllegalStateException("clock source gone");
            }
            return start + calls.get();
        }).build();
        List<Long> stamps = new CopyOnWriteArrayList<>();
        Subscription s = hub.subscribe((event, sequence, nanos) -> stamps.add(nanos));
        for (int i = 0; i < 100; i++) {
            hub.publish(i);
        }
        await().atMost(WAIT).until(() -> stamps.size() == 100);
        hub.close();
        assertThat(s.endReason()).isEqualTo(EndReason.HUB_CLOSED);
        assertThat(stamps).isSorted().allMatch(stamp -> stamp >= start && stamp <= start + 3);
    }

    @Test
    void aHandlerThatCancelsItselfGetsNothingMore() throws Exception {
        for (boolean async : new boolean[] {false, true}) {
            EventHub<Integer> hub = track(EventHub.<Integer>builder().name("self-cancel-" + async).build());
            AtomicReference<Subscription> self = new AtomicReference<>();
            List<Integer> seen = new CopyOnWriteArrayList<>();
            CountDownLatch subscribed = new CountDownLatch(1);
            EventHandler<Integer> handler = (e, seq, t) -> {
                subscribed.await();
                seen.add(e);
                if (e == 2) {
                    self.get().cancel(); // returns at once on the handler's own thread
                }
            };
            SubscriptionBuilder<Integer> builder = hub.events();
            if (async) {
                builder.async().buffer(16, Overflow.BLOCK);
            }
            self.set(builder.subscribe(handler));
            subscribed.countDown();
            for (int i = 0; i < 8; i++) {
                hub.publish(i);
            }
            assertThat(self.get().await(WAIT)).isTrue();
            assertThat(self.get().endReason()).isEqualTo(EndReason.CANCELLED);
            hub.close();
            assertThat(seen).as("async: %s", async).containsExactly(0, 1, 2);
        }
    }

    /**
     * Handler A cancels B (inline, then async) and C (inline) while handling event 5: from then on none of them gets a
     * call that begins after the cancel returned. A round hands its batch to one subscription at a time, in
     * registration order, so B (before A) has had at least events 0..5 and perhaps the rest of that round's batch, in
     * order; C (after A) has had only events of earlier rounds, never 5. The inline ones run on the dispatcher, so no
     * call of theirs sees the flag A sets after cancelling. The async one's consumer may have passed its check of the
     * end before the cancel (a call that began before it, which cancel() does not wait out): that one call, and no
     * other, may see the flag.
     */
    @Test
    void aHandlerThatCancelsOtherSubscriptionsStopsTheirDeliveriesAtOnce() throws Exception {
        EventHub<Integer> hub = track(EventHub.<Integer>builder().name("cancel-others").build());
        List<Integer> b = new CopyOnWriteArrayList<>();
        List<Integer> c = new CopyOnWriteArrayList<>();
        List<Integer> asyncSeen = new CopyOnWriteArrayList<>();
        AtomicBoolean cancelled = new AtomicBoolean();
        List<String> afterCancel = new CopyOnWriteArrayList<>(); // who got a call after the cancel, and of what
        Subscription subB = hub.subscribe(e -> {
            if (cancelled.get()) {
                afterCancel.add("b:" + e);
            }
            b.add(e);
        });
        Subscription subAsync = hub.events().async().buffer(64, Overflow.BLOCK).subscribe(e -> {
            if (cancelled.get()) {
                afterCancel.add("async:" + e);
            }
            asyncSeen.add(e);
        });
        AtomicReference<Subscription> subC = new AtomicReference<>();
        Subscription subA = hub.subscribe(e -> {
            if (e == 5) {
                subB.cancel();
                subAsync.cancel();
                subC.get().cancel();
                cancelled.set(true);
            }
        });
        subC.set(hub.subscribe(e -> {
            if (cancelled.get()) {
                afterCancel.add("c:" + e);
            }
            c.add(e);
        }));
        for (int i = 0; i < 20; i++) {
            hub.publish(i);
        }
        hub.close();
        assertThat(afterCancel).as("inline calls after the cancel").noneMatch(who -> !who.startsWith("async:"));
        assertThat(afterCancel).as("async calls that may have begun before the cancel").hasSizeLessThanOrEqualTo(1);
        assertThat(b).hasSizeGreaterThanOrEqualTo(6).isEqualTo(IntStream.range(0, b.size()).boxed().toList());
        assertThat(c).hasSizeLessThanOrEqualTo(5).isEqualTo(IntStream.range(0, c.size()).boxed().toList());
        assertThat(asyncSeen).isSorted().doesNotHaveDuplicates();
        assertThat(subB.endReason()).isEqualTo(EndReason.CANCELLED);
        assertThat(subAsync.endReason()).isEqualTo(EndReason.CANCELLED);
        assertThat(subC.get().endReason()).isEqualTo(EndReason.CANCELLED);
        assertThat(subA.endReason()).isEqualTo(EndReason.HUB_CLOSED);
        assertThat(subA.delivered()).isEqualTo(20);
    }

    // ------------------------------------------------------------------ close racing producers, async lossless

    /**
     * Four producers publish flat out ({@code publish} and {@code offer}) while the hub closes: every lossless
     * subscriber kind (inline, async BLOCK on its own thread, async BLOCK on a pool) receives exactly the accepted
     * events, in each producer's order; every refused publish was told so (HubClosedException or false).
     */
    @Test
    void closeRacingFourProducersDeliversEveryAcceptedEventToEveryLosslessSubscriber() throws Exception {
        final int producers = 4;
        ExecutorService pool = Executors.newFixedThreadPool(2);
        pools.add(pool);
        for (int round = 0; round < 12; round++) {
            EventHub<Long> hub = track(EventHub.<Long>builder().name("close-race-async-" + round)
                    .capacity(round % 2 == 0 ? 64 : 1 << 12).build());
            Function<Integer, long[]> nothing = n -> new long[n];
            long[][] next = {nothing.apply(producers), nothing.apply(producers), nothing.apply(producers)};
            AtomicInteger violations = new AtomicInteger();
            List<Subscription> subs = new ArrayList<>();
            for (int k = 0; k < 3; k++) {
                final long[] expect = next[k];
                EventHandler<Long> check = (e, seq, t) -> {
                    int p = (int) (e >>> 32);
                    long c = e & 0xFFFF_FFFFL;
                    if (expect[p] != c) {
                        violations.incrementAndGet();
                    }
                    expect[p] = c + 1;
                };
                subs.add(switch (k) {
                    case 0 -> hub.subscribe(check);
                    case 1 -> hub.events().async().buffer(32, Overflow.BLOCK).subscribe(check);
                    default -> hub.events().async(pool).buffer(32, Overflow.BLOCK).subscribe(check);
                });
            }
            long[] accepted = new long[producers];
            AtomicInteger refusedWithoutNotice = new AtomicInteger();
            CyclicBarrier start = new CyclicBarrier(producers + 1);
            List<Thread> threads = new ArrayList<>();
            for (int p = 0; p < producers; p++) {
                final int producer = p;
                Thread t = new Thread(() -> {
                    try {
                        start.await();
                        long c = 0;
                        while (true) {
                            long event = (long) producer << 32 | c;
                            if ((c & 1) == 0) {
                                try {
                                    hub.publish(event);
                                    c++;
                                } catch (HubClosedException closed) {
                                    break;
                                }
                            } else if (hub.offer(event)) {
                                c++;
                            } else if (hub.isClosed()) {
                                break;
                            }
                        }
                        accepted[producer] = c;
                    } catch (Exception e) {
                        refusedWithoutNotice.incrementAndGet();
                    }
                }, "race-producer-" + p);
                threads.add(t);
                t.start();
            }
            start.await();
            await().atMost(WAIT).until(() -> hub.stats().published() > 2_000);
            hub.close();
            for (Thread t : threads) {
                t.join(WAIT.toMillis());
                assertThat(t.isAlive()).isFalse();
            }
            assertThat(refusedWithoutNotice.get()).isZero();
            for (Subscription s : subs) {
                assertThat(s.await(WAIT)).isTrue();
                assertThat(s.endReason()).isEqualTo(EndReason.HUB_CLOSED);
                assertThat(s.dropped()).isZero();
            }
            assertThat(violations.get()).as("per-producer order").isZero();
            for (int k = 0; k < 3; k++) {
                assertThat(next[k]).as("round %d subscriber %d: received per producer == accepted", round, k)
                        .containsExactly(accepted);
            }
        }
    }

    // ------------------------------------------------------------------ interrupts around a blocking publish

    @Test
    void anInterruptedPublisherWithRoomPublishesAndKeepsItsInterruptStatus() throws Exception {
        EventHub<Integer> hub = EventHub.<Integer>builder().name("interrupt-room").buildManual();
        try {
            Thread.currentThread().interrupt();
            hub.publish(1);
            assertThat(Thread.interrupted()).as("interrupt status kept").isTrue();
            assertThat(hub.stats().queueDepth()).isEqualTo(1);
        } finally {
            Thread.interrupted();
            hub.close();
        }
    }

    @Test
    void anInterruptBeforeOrWhileWaitingThrowsClearsTheStatusAndEnqueuesNothing() throws Exception {
        EventHub<Integer> hub = track(EventHub.<Integer>builder().name("interrupt-full").capacity(2).build());
        CountDownLatch inHandler = new CountDownLatch(1);
        List<Integer> seen = new CopyOnWriteArrayList<>();
        hub.subscribe((e, seq, t) -> {
            inHandler.countDown();
            releaseAll.await();
            seen.add(e);
        });
        hub.publish(0);
        assertThat(inHandler.await(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
        hub.publish(1);
        hub.publish(2); // full now
        AtomicReference<Throwable> before = new AtomicReference<>();
        AtomicReference<Throwable> whileWaiting = new AtomicReference<>();
        AtomicBoolean statusAfter = new AtomicBoolean(true);
        Thread producer = new Thread(() -> {
            Thread.currentThread().interrupt();
            try {
                hub.publish(97, Duration.ofSeconds(30));
            } catch (Throwable t) {
                before.set(t);
            }
            statusAfter.set(Thread.currentThread().isInterrupted());
            try {
                hub.publish(98);
            } catch (Throwable t) {
                whileWaiting.set(t);
            }
            statusAfter.set(statusAfter.get() || Thread.currentThread().isInterrupted());
        }, "interrupt-producer");
        producer.start();
        await().atMost(WAIT).until(() -> producer.getState() == Thread.State.TIMED_WAITING
                && before.get() != null);
        producer.interrupt();
        producer.join(WAIT.toMillis());
        assertThat(before.get()).isInstanceOf(InterruptedException.class);
        assertThat(whileWaiting.get()).isInstanceOf(InterruptedException.class)
                .hasMessage("interrupted while waiting for space in hub 'interrupt-full'");
        assertThat(statusAfter.get()).as("interrupt status cleared when InterruptedException is thrown").isFalse();
        assertThat(hub.stats().rejected()).isEqualTo(2);
        releaseAll.countDown();
        hub.close();
        assertThat(seen).containsExactly(0, 1, 2); // nothing of the interrupted publishes was enqueued
        assertThat(hub.stats().published()).isEqualTo(3);
    }

    // ------------------------------------------------------------------ an executor that refuses tasks

    /**
     * {@code async(executor)} with an executor that rejects: the subscription ends with HANDLER_FAILED, the rejection
     * is its failure, what it had buffered is counted as dropped (it used to be lost uncounted), other subscribers
     * are unaffected; an executor that throws something else from {@code execute} (here an Error, as a thread
     * factory that cannot create a thread does) is handled the same way instead of killing the dispatcher.
     */
    @Test
    void anExecutorThatRefusesTasksEndsItsSubscriptionCountsTheBufferedEventsAndSparesTheHub() throws Exception {
        for (boolean error : new boolean[] {false, true}) {
            EventHub<Integer> hub = EventHub.<Integer>builder().name("rejecting-" + error).buildManual();
            try {
                AtomicInteger calls = new AtomicInteger();
                Throwable refusal = error ? new OutOfMemoryError("unable to create native thread (test)")
                        : new RejectedExecutionException("pool shut down (test)");
                Executor refusing = task -> {
                    calls.incrementAndGet();
                    if (refusal instanceof Error e) {
                        throw e;
                    }
                    throw (RejectedExecutionException) refusal;
                };
                AtomicInteger handled = new AtomicInteger();
                Subscription refused;
                Subscription other = hub.subscribe(e -> handled.incrementAndGet());
                Thread.UncaughtExceptionHandler previous = Thread.currentThread().getUncaughtExceptionHandler();
                AtomicReference<Throwable> uncaught = new AtomicReference<>();
                Thread.currentThread().setUncaughtExceptionHandler((t, e) -> uncaught.set(e));
                try {
                    refused = hub.events().async(refusing).buffer(16, Overflow.BLOCK).subscribe(e -> { });
                    for (int i = 0; i < 5; i++) {
                        hub.offer(i);
                    }
                    hub.dispatcher().doWork(); // buffers 5, then the end-of-round wake-up submits and is refused
                } finally {
                    Thread.currentThread().setUncaughtExceptionHandler(previous);
                }
                assertThat(calls.get()).isEqualTo(1);
                assertThat(refused.endReason()).isEqualTo(EndReason.HANDLER_FAILED);
                assertThat(refused.failure()).isSameAs(refusal);
                assertThat(refused.delivered()).isZero();
                assertThat(refused.dropped()).as("buffered events counted").isEqualTo(5);
                assertThat(uncaught.get()).as("a JVM error reaches the uncaught-exception handler")
                        .isSameAs(error ? refusal : null);
                hub.offer(5);
                hub.dispatcher().doWork();
                assertThat(handled.get()).isEqualTo(6);
                assertThat(other.isActive()).isTrue();
                assertThat(calls.get()).isEqualTo(1); // never asked again
            } finally {
                hub.close();
            }
        }
    }

    // ------------------------------------------------------------------ JVM errors in handlers

    /**
     * The decision for a {@link VirtualMachineError} thrown by a handler (see EventHandler's class documentation):
     * isolation holds (only that subscription ends, HANDLER_FAILED, the error kept; the hub and every other
     * subscriber go on and lose nothing), but the error is not swallowed: it is logged at ERROR and handed to the
     * thread's uncaught-exception handler.
     */
    @Test
    void anOutOfMemoryErrorInAHandlerEndsOnlyItsSubscriptionAndReachesTheUncaughtExceptionHandler() throws Exception {
        EventHub<Integer> hub = EventHub.<Integer>builder().name("oom").buildManual();
        Thread.UncaughtExceptionHandler previous = Thread.currentThread().getUncaughtExceptionHandler();
        List<Throwable> uncaught = new CopyOnWriteArrayList<>();
        Thread.currentThread().setUncaughtExceptionHandler((t, e) -> uncaught.add(e));
        try {
            OutOfMemoryError oom = new OutOfMemoryError("Java heap space (test)");
            StackOverflowError overflow = new StackOverflowError("test");
            IllegalStateException ordinary = new IllegalStateException("test");
            Subscription failing = hub.subscribe(e -> {
                if (e == 2) {
                    throw oom;
                }
            });
            Subscription deep = hub.subscribe(e -> {
                throw overflow;
            });
            Subscription plain = hub.subscribe(e -> {
                throw ordinary;
            });
            AtomicInteger others = new AtomicInteger();
            Subscription healthy = hub.subscribe(e -> others.incrementAndGet());
            for (int i = 0; i < 5; i++) {
                hub.offer(i);
            }
            hub.dispatcher().doWork();
            assertThat(failing.endReason()).isEqualTo(EndReason.HANDLER_FAILED);
            assertThat(failing.failure()).isSameAs(oom);
            assertThat(failing.delivered()).isEqualTo(2);
            assertThat(deep.failure()).isSameAs(overflow);
            assertThat(plain.failure()).isSameAs(ordinary);
            assertThat(healthy.isActive()).isTrue();
            assertThat(others.get()).isEqualTo(5);
            assertThat(uncaught).as("JVM errors only, each once").containsExactlyInAnyOrder(overflow, oom);
        } finally {
            Thread.currentThread().setUncaughtExceptionHandler(previous);
            hub.close();
        }
    }

    @Test
    void anOutOfMemoryErrorInAnAsyncHandlerEndsOnlyItsSubscription() throws Exception {
        List<Throwable> uncaught = new CopyOnWriteArrayList<>();
        ExecutorService pool = Executors.newSingleThreadExecutor(task -> {
            Thread t = new Thread(task, "oom-pool");
            t.setUncaughtExceptionHandler((thread, e) -> uncaught.add(e));
            return t;
        });
        pools.add(pool);
        EventHub<Integer> hub = track(EventHub.<Integer>builder().name("oom-async").build());
        OutOfMemoryError oom = new OutOfMemoryError("Java heap space (test)");
        Subscription failing = hub.events().async(pool).subscribe(e -> {
            throw oom;
        });
        AtomicInteger others = new AtomicInteger();
        Subscription healthy = hub.events().async().buffer(16, Overflow.BLOCK).subscribe(e -> others.incrementAndGet());
        for (int i = 0; i < 5; i++) {
            hub.publish(i);
        }
        assertThat(failing.await(WAIT)).isTrue();
        assertThat(failing.failure()).isSameAs(oom);
        hub.close();
        assertThat(healthy.endReason()).isEqualTo(EndReason.HUB_CLOSED);
        assertThat(others.get()).isEqualTo(5);
        // Reported by the consumer just after it decided the end, so possibly after await() returned.
        await().atMost(WAIT).until(() -> !uncaught.isEmpty());
        assertThat(uncaught).containsExactly(oom);
    }
}
