package dev.eventhub;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Isolated subscribers: their own thread or executor, a bounded buffer, and exact accounting of every loss. */
class AsyncSubscriptionTest {
    private static final Duration WAIT = Duration.ofSeconds(20);

    private final List<EventHub<?>> hubs = new CopyOnWriteArrayList<>();
    private final ExecutorService pool = Executors.newFixedThreadPool(2);

    private <T> EventHub<T> track(EventHub<T> hub) {
        hubs.add(hub);
        return hub;
    }

    @AfterEach
    void closeAll() throws InterruptedException {
        for (EventHub<?> hub : hubs) {
            hub.close();
            assertThat(hub.awaitTermination(WAIT)).isTrue();
        }
        pool.shutdownNow();
        assertThat(pool.awaitTermination(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
        ThreadedHubTest.awaitNoHubThreads(WAIT);
    }

    /** Records deliveries and gaps; can be held at the first event until released. */
    static final class Recorder implements EventHandler<Integer> {
        final List<Integer> events = new CopyOnWriteArrayList<>();
        final AtomicLong gaps = new AtomicLong();
        final List<String> order = new CopyOnWriteArrayList<>();
        final CountDownLatch entered = new CountDownLatch(1);
        final CountDownLatch release;

        Recorder(boolean held) {
            release = new CountDownLatch(held ? 1 : 0);
        }

        @Override
        public void onEvent(Integer event, long sequence, long timestampNanos) throws InterruptedException {
            entered.countDown();
            release.await();
            events.add(event);
            order.add("e" + event);
        }

        @Override
        public void onGap(long missed) {
            gaps.addAndGet(missed);
            order.add("gap" + missed);
        }
    }

    @ParameterizedTest
    @EnumSource(value = Overflow.class, names = {"DROP_OLDEST", "DROP_NEWEST"})
    void aStuckSubscriberHoldsUpNobodyAndCountsEveryDrop(Overflow policy) throws Exception {
        EventHub<Integer> hub = track(EventHub.<Integer>builder().name("stuck-" + policy).capacity(1 << 10).build());
        Recorder stuck = new Recorder(true);
        Subscription stuckSubscription = hub.events().async().buffer(8, policy).subscribe(stuck);
        Recorder healthyAsync = new Recorder(false);
        Subscription healthy = hub.events().async(pool).buffer(1 << 12, Overflow.BLOCK).subscribe(healthyAsync);
        AtomicInteger inline = new AtomicInteger();
        hub.subscribe(e -> inline.incrementAndGet());

        int total = 2_000;
        hub.publish(0);
        assertThat(stuck.entered.await(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
        for (int i = 1; i < total; i++) {
            hub.publish(i);
        }
        await().atMost(WAIT).until(() -> inline.get() == total && healthyAsync.events.size() == total);
        assertThat(healthyAsync.events).isSorted().hasSize(total);
        assertThat(healthy.dropped()).isZero();

        stuck.release.countDown();
        await().atMost(WAIT).until(() -> stuckSubscription.delivered() + stuckSubscription.dropped() == total);
        assertThat(stuckSubscription.dropped()).isEqualTo(total - 1 - 8);
        assertThat(stuck.events).isSorted().hasSize(9).startsWith(0);
        if (policy == Overflow.DROP_OLDEST) {
            assertThat(stuck.gaps.get()).isEqualTo(stuckSubscription.dropped());
            // The newest survive: after the held first event, the gap, then the last 8.
            assertThat(stuck.order).containsExactly("e0", "gap" + (total - 9), "e1992", "e1993", "e1994", "e1995",
                    "e1996", "e1997", "e1998", "e1999");
        } else {
            // The oldest survive; the drops are reported when input ends (no event comes after them).
            assertThat(stuck.events).containsExactly(0, 1, 2, 3, 4, 5, 6, 7, 8);
            hub.close();
            await().atMost(WAIT).until(() -> stuck.gaps.get() == total - 9);
            assertThat(stuck.order.get(stuck.order.size() - 1)).isEqualTo("gap" + (total - 9));
        }
    }

    @Test
    void disconnectEndsWithOverflowAndCountsWhatWasBuffered() throws Exception {
        EventHub<Integer> hub = track(EventHub.<Integer>builder().name("disconnect").build());
        Recorder stuck = new Recorder(true);
        Subscription subscription = hub.events().async().buffer(4, Overflow.DISCONNECT).subscribe(stuck);
        hub.publish(0);
        assertThat(stuck.entered.await(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
        for (int i = 1; i < 10; i++) {
            hub.publish(i);
        }
        assertThat(subscription.await(WAIT)).isTrue();
        assertThat(subscription.endReason()).isEqualTo(EndReason.OVERFLOW);
        stuck.release.countDown();
        // Event 0 was in the handler when the end came: it completes. 1..4 were buffered, 5 overflowed.
        await().atMost(WAIT).until(() -> subscription.delivered() + subscription.dropped() == 6);
        assertThat(subscription.delivered()).isEqualTo(1);
        assertThat(subscription.dropped()).isEqualTo(5);
        assertThat(stuck.events).containsExactly(0);
    }

    @Test
    void blockIsLosslessAndPushesBackOnProducers() throws Exception {
        EventHub<Integer> hub = track(EventHub.<Integer>builder().name("block").capacity(4).build());
        Recorder slow = new Recorder(true);
        Subscription subscription = hub.events().async().buffer(2, Overflow.BLOCK).subscribe(slow);
        hub.publish(0);
        assertThat(slow.entered.await(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
        for (int i = 1; i <= 4; i++) {
            hub.publish(i);
        }
        // 0 is in the handler, 1 and 2 in the buffer, and the dispatcher waits to hand over 3. It took 3 in a batch,
        // alone or with 4 (whether 4 had arrived when it looked), and takes nothing more until that batch is handed
        // over: it has sequenced 4 or 5 events, and the ingress holds what it did not take.
        await().atMost(WAIT).until(() -> hub.stats().published() >= 4);
        long published = hub.stats().published();
        int accepted = 0;
        for (int i = 5; i < 100; i++) {
            if (hub.offer(i)) {
                accepted++;
            }
        }
        // The ingress (capacity 4) takes what is free: 4 if the dispatcher holds 4 in its batch, else 3. Everything
        // else is refused, and counted.
        assertThat(hub.stats().published()).as("nothing taken while the dispatcher waits").isEqualTo(published);
        assertThat(accepted).isEqualTo((int) published - 1);
        assertThat(hub.stats().rejected()).isEqualTo(95 - accepted);
        slow.release.countDown();
        hub.close();
        assertThat(subscription.endReason()).isEqualTo(EndReason.HUB_CLOSED);
        assertThat(slow.events).containsExactlyElementsOf(
                java.util.stream.IntStream.rangeClosed(0, 4 + accepted).boxed().toList());
        assertThat(subscription.dropped()).isZero();
    }

    @ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(ints = {1, 2, 3, 64})
    void aFullBlockBufferIsRefilledOnceHalfOfItIsFreeAndEveryEventArrivesOnceInOrder(int size) throws Exception {
        // The dispatcher parks on a full buffer until the consumer has emptied half of it and unparks it. Each size
        // and both kinds of consumer: a lost wake-up would leave the dispatcher to its safety timeout every time,
        // and a wrong level would lose or repeat events, or never wake it.
        EventHub<Integer> hub = track(EventHub.<Integer>builder().name("block-refill").capacity(1 << 10).build());
        int count = 20_000;
        List<Integer> own = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
        List<Integer> pooled = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
        CountDownLatch all = new CountDownLatch(2);
        Subscription first = hub.events().async().buffer(size, Overflow.BLOCK).subscribe(e -> {
            own.add(e);
            if (e == count - 1) {
                all.countDown();
            }
        });
        Subscription second = hub.events().async(pool).buffer(size, Overflow.BLOCK).subscribe(e -> {
            pooled.add(e);
            if (e == count - 1) {
                all.countDown();
            }
        });
        for (int i = 0; i < count; i++) {
            hub.publish(i);
        }
        assertThat(all.await(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
        List<Integer> expected = java.util.stream.IntStream.range(0, count).boxed().toList();
        assertThat(own).containsExactlyElementsOf(expected);
        assertThat(pooled).containsExactlyElementsOf(expected);
        assertThat(first.dropped()).isZero();
        assertThat(second.dropped()).isZero();
    }

    @Test
    void closeDeliversWhatAsyncSubscribersBufferedThenEndsThem() throws Exception {
        EventHub<Integer> hub = EventHub.<Integer>builder().name("close-async").build();
        Recorder threaded = new Recorder(true);
        Recorder pooled = new Recorder(false);
        Subscription first = hub.events().async().buffer(1 << 12, Overflow.BLOCK).subscribe(threaded);
        Subscription second = hub.events().async(pool).buffer(1 << 12, Overflow.DROP_OLDEST).subscribe(pooled);
        for (int i = 0; i < 1000; i++) {
            hub.publish(i);
        }
        Thread closer = new Thread(hub::close);
        closer.start();
        await().atMost(WAIT).until(() -> hub.isClosed());
        assertThat(first.isActive()).as("still draining its buffer").isTrue();
        threaded.release.countDown();
        closer.join(WAIT.toMillis());
        assertThat(first.endReason()).isEqualTo(EndReason.HUB_CLOSED);
        assertThat(second.endReason()).isEqualTo(EndReason.HUB_CLOSED);
        assertThat(threaded.events).hasSize(1000).isSorted();
        assertThat(pooled.events).hasSize(1000).isSorted();
        assertThat(ThreadedHubTest.hubThreads()).isZero();
    }

    @Test
    void closeGivesUpOnAStuckAsyncSubscriberAfterTheDrainTimeout() throws Exception {
        EventHub<Integer> hub = EventHub.<Integer>builder().name("close-stuck").drainTimeout(Duration.ofMillis(300))
                .build();
        Recorder stuck = new Recorder(true);
        Subscription subscription = hub.events().async().buffer(64, Overflow.BLOCK).subscribe(stuck);
        for (int i = 0; i < 10; i++) {
            hub.publish(i);
        }
        stuck.entered.await();
        hub.close();
        assertThat(subscription.endReason()).isEqualTo(EndReason.HUB_CLOSED);
        assertThat(subscription.dropped()).isEqualTo(9);
        stuck.release.countDown();
        await().atMost(WAIT).until(() -> ThreadedHubTest.hubThreads() == 0);
        assertThat(stuck.events).containsExactly(0); // the call in progress finishes; nothing after it begins
    }

    @Test
    void cancelReturnsWhileTheHandlerIsStuckAndNoLaterCallBegins() throws Exception {
        EventHub<Integer> hub = track(EventHub.<Integer>builder().name("cancel-async").build());
        Recorder stuck = new Recorder(true);
        Subscription subscription = hub.events().async().subscribe(stuck);
        hub.publish(0);
        hub.publish(1);
        stuck.entered.await();
        subscription.cancel(); // must not wait for the running call
        assertThat(subscription.endReason()).isEqualTo(EndReason.CANCELLED);
        stuck.release.countDown();
        await().atMost(WAIT).until(() -> ThreadedHubTest.hubThreads() == 1); // only the dispatcher remains
        assertThat(stuck.events).containsExactly(0);
    }

    @Test
    void cancelFromAnotherThreadUnderLoadIsFinal() throws Exception {
        EventHub<Integer> hub = track(EventHub.<Integer>builder().name("cancel-load").build());
        AtomicBoolean cancelled = new AtomicBoolean();
        AtomicInteger callsAfter = new AtomicInteger();
        CountDownLatch running = new CountDownLatch(1_000);
        Subscription subscription = hub.events().async(pool).buffer(64, Overflow.DROP_OLDEST).subscribe(e -> {
            if (cancelled.get()) {
                callsAfter.incrementAndGet();
            }
            running.countDown();
        });
        AtomicBoolean stop = new AtomicBoolean();
        Thread producer = new Thread(() -> {
            for (int i = 0; !stop.get(); i++) {
                hub.offer(i);
            }
        });
        producer.start();
        running.await();
        subscription.cancel();
        cancelled.set(true);
        long target = hub.stats().published() + 50_000;
        await().atMost(WAIT).until(() -> hub.stats().published() >= target);
        stop.set(true);
        producer.join();
        assertThat(callsAfter.get()).isZero();
    }

    @Test
    void aThrowingAsyncHandlerEndsOnlyItself() throws Exception {
        EventHub<Integer> hub = track(EventHub.<Integer>builder().name("throwing-async").build());
        Subscription failing = hub.events().async().subscribe(e -> {
            if (e == 3) {
                throw new IllegalStateException("three");
            }
        });
        Recorder healthy = new Recorder(false);
        hub.events().async(pool).subscribe(healthy);
        for (int i = 0; i < 10; i++) {
            hub.publish(i);
        }
        assertThat(failing.await(WAIT)).isTrue();
        assertThat(failing.endReason()).isEqualTo(EndReason.HANDLER_FAILED);
        assertThat(failing.failure()).hasMessage("three");
        assertThat(failing.delivered()).isEqualTo(3);
        await().atMost(WAIT).until(() -> healthy.events.size() == 10);
    }

    @Test
    void anExecutorThatRejectsEndsTheSubscription() throws Exception {
        EventHub<Integer> hub = track(EventHub.<Integer>builder().name("rejecting").build());
        Subscription subscription = hub.events().async(task -> {
            throw new RejectedExecutionException("no room");
        }).subscribe(e -> { });
        hub.publish(1);
        assertThat(subscription.await(WAIT)).isTrue();
        assertThat(subscription.endReason()).isEqualTo(EndReason.HANDLER_FAILED);
        assertThat(subscription.failure()).isInstanceOf(RejectedExecutionException.class).hasMessage("no room");
        Recorder other = new Recorder(false);
        hub.events().async().subscribe(other);
        hub.publish(2);
        await().atMost(WAIT).until(() -> other.events.contains(2));
    }

    @Test
    void filterLimitReplayAndGapsWorkAsForInlineSubscriptions() throws Exception {
        EventHub<Integer> hub = track(EventHub.<Integer>builder().name("options-async").history(8).build());
        for (int i = 0; i < 20; i++) {
            hub.publish(i);
        }
        await().atMost(WAIT).until(() -> hub.stats().published() == 20);
        Recorder replay = new Recorder(false);
        Subscription subscription = hub.events().afterSequence(5).filter(e -> e % 2 == 0).limit(6)
                .async().buffer(2, Overflow.BLOCK).subscribe(replay);
        for (int i = 20; i < 30; i++) {
            hub.publish(i);
        }
        assertThat(subscription.await(WAIT)).isTrue();
        assertThat(subscription.endReason()).isEqualTo(EndReason.LIMIT_REACHED);
        // History kept sequences 13..20 (events 12..19): sequences 6..12 were evicted, reported first.
        assertThat(replay.order).containsExactly("gap7", "e12", "e14", "e16", "e18", "e20", "e22");
    }

    @Test
    void untilDeliversWhatWasBufferedThenEnds() throws Exception {
        ManualClock clock = new ManualClock();
        EventHub<Integer> hub = track(EventHub.<Integer>builder().name("until-async").clock(clock).build());
        Recorder held = new Recorder(true);
        Subscription subscription = hub.events().until(clock.plus(Duration.ofSeconds(1)))
                .async().buffer(16, Overflow.BLOCK).subscribe(held);
        for (int i = 0; i < 5; i++) {
            hub.publish(i);
        }
        held.entered.await();
        await().atMost(WAIT).until(() -> hub.stats().published() == 5);
        clock.advance(Duration.ofSeconds(2));
        hub.publish(99); // stamped after until: never delivered
        await().atMost(WAIT).until(() -> hub.stats().published() == 6);
        assertThat(subscription.isActive()).isTrue();
        held.release.countDown();
        assertThat(subscription.await(WAIT)).isTrue();
        assertThat(subscription.endReason()).isEqualTo(EndReason.UNTIL_REACHED);
        assertThat(held.events).containsExactly(0, 1, 2, 3, 4);
    }

    @Test
    void badBufferOptionsAreRejected() {
        EventHub<Integer> hub = track(EventHub.<Integer>builder().name("bad-buffer").build());
        assertThatThrownBy(() -> hub.events().buffer(0, Overflow.BLOCK))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("size: 0 (expected: from 1 to 1073741824)");
        assertThatThrownBy(() -> hub.events().buffer(8, null))
                .isInstanceOf(NullPointerException.class).hasMessage("overflow: null (expected: not null)");
        assertThatThrownBy(() -> hub.events().async(null))
                .isInstanceOf(NullPointerException.class).hasMessage("executor: null (expected: not null)");
        assertThatThrownBy(() -> hub.events().buffer(8, Overflow.BLOCK).subscribe(e -> { }))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("buffer: 8, BLOCK (expected: with async() or async(executor); an inline subscription "
                        + "has no buffer)");
        assertThatThrownBy(() -> EventHub.builder().slowHandlerThreshold(Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("slowHandlerThreshold: PT0S (expected: > 0)");
        assertThat(hub.stats().subscribers()).isZero();
    }

    @Test
    void hubStatsCountAsyncDeliveriesToo() throws Exception {
        EventHub<Integer> hub = track(EventHub.<Integer>builder().name("stats-async").build());
        hub.subscribe(e -> { });
        Subscription threaded = hub.events().async().buffer(1024, Overflow.BLOCK).subscribe(e -> { });
        Subscription pooled = hub.events().async(pool).buffer(1024, Overflow.BLOCK).subscribe(e -> { });
        for (int i = 0; i < 100; i++) {
            hub.publish(i);
        }
        hub.close();
        assertThat(threaded.delivered()).isEqualTo(100);
        assertThat(pooled.delivered()).isEqualTo(100);
        assertThat(hub.stats().delivered()).isEqualTo(300);
    }

    @Test
    void ownThreadsAreNamedAfterTheHubAndEndWithTheirSubscription() throws Exception {
        EventHub<Integer> hub = track(EventHub.<Integer>builder().name("named").build());
        Subscription subscription = hub.events().async().subscribe(e -> { });
        Subscription named = hub.events().name("audit").async().subscribe(e -> { });
        List<String> names = new ArrayList<>();
        Thread.getAllStackTraces().keySet().forEach(t -> names.add(t.getName()));
        assertThat(names).contains("eventhub-named-" + subscription.name(), "eventhub-named-audit");
        named.cancel();
        subscription.cancel();
        await().atMost(WAIT).until(() -> ThreadedHubTest.hubThreads() == 1);
    }
}
