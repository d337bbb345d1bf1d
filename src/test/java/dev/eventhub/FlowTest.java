package dev.eventhub;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Flow;
import java.util.concurrent.SubmissionPublisher;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The Reactive Streams view and feed, beyond what the TCK checks: demand, completion causes, errors, backpressure. */
class FlowTest {
    private static final Duration WAIT = Duration.ofSeconds(20);

    private final List<EventHub<?>> hubs = new CopyOnWriteArrayList<>();

    private <T> EventHub<T> track(EventHub<T> hub) {
        hubs.add(hub);
        return hub;
    }

    @AfterEach
    void closeAll() {
        hubs.forEach(EventHub::close);
        ThreadedHubTest.awaitNoHubThreads(WAIT);
    }

    /** Requests only when told to; records every signal in order. */
    static final class Probe implements Flow.Subscriber<Integer> {
        final List<String> signals = new CopyOnWriteArrayList<>();
        final List<Integer> items = new CopyOnWriteArrayList<>();
        final AtomicReference<Throwable> error = new AtomicReference<>();
        final CountDownLatch terminated = new CountDownLatch(1);
        volatile Flow.Subscription subscription;
        private final long initial;

        Probe(long initial) {
            this.initial = initial;
        }

        @Override
        public void onSubscribe(Flow.Subscription subscription) {
            signals.add("subscribe");
            this.subscription = subscription;
            if (initial > 0) {
                subscription.request(initial);
            }
        }

        @Override
        public void onNext(Integer item) {
            items.add(item);
        }

        @Override
        public void onError(Throwable throwable) {
            error.set(throwable);
            signals.add("error");
            terminated.countDown();
        }

        @Override
        public void onComplete() {
            signals.add("complete");
            terminated.countDown();
        }

        boolean awaitTerminated() throws InterruptedException {
            return terminated.await(WAIT.toSeconds(), TimeUnit.SECONDS);
        }
    }

    @Test
    void deliversNoMoreThanRequested() throws Exception {
        EventHub<Integer> hub = track(EventHub.<Integer>builder().name("demand").build());
        Probe probe = new Probe(3);
        hub.events().publisher().subscribe(probe);
        for (int i = 0; i < 10; i++) {
            hub.publish(i);
        }
        await().atMost(WAIT).until(() -> probe.items.size() == 3);
        await().during(Duration.ofMillis(100)).atMost(WAIT).until(() -> probe.items.size() == 3);
        probe.subscription.request(2);
        await().atMost(WAIT).until(() -> probe.items.size() == 5);
        probe.subscription.request(Long.MAX_VALUE);
        probe.subscription.request(Long.MAX_VALUE); // saturates (rule 3.17)
        await().atMost(WAIT).until(() -> probe.items.size() == 10);
        assertThat(probe.items).containsExactly(0, 1, 2, 3, 4, 5, 6, 7, 8, 9);
        hub.close();
        assertThat(probe.awaitTerminated()).isTrue();
        assertThat(probe.signals).containsExactly("subscribe", "complete");
    }

    @Test
    void completesAtTheLimitAndAtUntil() throws Exception {
        ManualClock clock = new ManualClock();
        EventHub<Integer> hub = track(EventHub.<Integer>builder().name("complete").clock(clock).build());
        Probe limited = new Probe(Long.MAX_VALUE);
        hub.events().filter(e -> e % 2 == 0).limit(2).publisher().subscribe(limited);
        Probe bounded = new Probe(Long.MAX_VALUE);
        hub.events().until(clock.plus(Duration.ofSeconds(1))).publisher().subscribe(bounded);
        for (int i = 0; i < 6; i++) {
            hub.publish(i);
        }
        assertThat(limited.awaitTerminated()).isTrue();
        assertThat(limited.items).containsExactly(0, 2);
        assertThat(limited.signals).containsExactly("subscribe", "complete");
        await().atMost(WAIT).until(() -> bounded.items.size() == 6);
        clock.advance(Duration.ofSeconds(2));
        assertThat(bounded.awaitTerminated()).isTrue();
        assertThat(bounded.signals).containsExactly("subscribe", "complete");
    }

    @Test
    void aNonPositiveRequestIsAnError() throws Exception {
        EventHub<Integer> hub = track(EventHub.<Integer>builder().name("bad-request").build());
        Probe probe = new Probe(0);
        hub.events().publisher().subscribe(probe);
        probe.subscription.request(0);
        assertThat(probe.awaitTerminated()).isTrue();
        assertThat(probe.error.get()).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("n: 0 (expected: > 0, Reactive Streams rule 3.9)");
    }

    @Test
    void aSubscriberFallingABufferBehindItsDemandGetsAnError() throws Exception {
        EventHub<Integer> hub = track(EventHub.<Integer>builder().name("overflow").build());
        Probe probe = new Probe(1);
        hub.events().buffer(4, Overflow.DISCONNECT).publisher().subscribe(probe);
        for (int i = 0; i < 20; i++) {
            hub.publish(i);
        }
        assertThat(probe.awaitTerminated()).isTrue();
        // Whether event 0 reached the subscriber before the buffer overflowed depends on the consumer's start.
        assertThat(probe.items).isSubsetOf(0);
        assertThat(probe.error.get()).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("fell more than 4 events behind").hasMessageContaining("DISCONNECT");
    }

    @Test
    void subscribingToAClosedHubSignalsTheClosure() throws Exception {
        EventHub<Integer> hub = track(EventHub.<Integer>builder().name("closed-publisher").build());
        Flow.Publisher<Integer> publisher = hub.events().publisher();
        hub.close();
        Probe probe = new Probe(1);
        publisher.subscribe(probe);
        assertThat(probe.awaitTerminated()).isTrue();
        assertThat(probe.error.get()).isInstanceOf(HubClosedException.class).hasMessageContaining("'closed-publisher'");
        assertThat(probe.signals).containsExactly("subscribe", "error");
    }

    @Test
    void aReplayThatHistoryNoLongerCoversEndsWithAnError() throws Exception {
        EventHub<Integer> hub = track(EventHub.<Integer>builder().name("flow-truncated").history(4).build());
        for (int i = 1; i <= 10; i++) {
            hub.publish(i);
        }
        await().atMost(WAIT).until(() -> hub.stats().published() == 10);
        Probe probe = new Probe(Long.MAX_VALUE);
        hub.events().afterSequence(0).buffer(16, Overflow.BLOCK).publisher().subscribe(probe);
        assertThat(probe.awaitTerminated()).isTrue();
        assertThat(probe.items).isEmpty();
        assertThat(probe.error.get()).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("no longer reaches back");
        Probe covered = new Probe(Long.MAX_VALUE);
        hub.events().afterSequence(6).publisher().subscribe(covered);
        await().atMost(WAIT).until(() -> covered.items.size() == 4);
        assertThat(covered.items).containsExactly(7, 8, 9, 10);
    }

    @Test
    void cancelStopsDelivery() throws Exception {
        EventHub<Integer> hub = track(EventHub.<Integer>builder().name("flow-cancel").build());
        AtomicInteger received = new AtomicInteger();
        CountDownLatch first = new CountDownLatch(1);
        hub.events().publisher().subscribe(new Flow.Subscriber<>() {
            private Flow.Subscription subscription;

            @Override
            public void onSubscribe(Flow.Subscription subscription) {
                this.subscription = subscription;
                subscription.request(Long.MAX_VALUE);
            }

            @Override
            public void onNext(Integer item) {
                received.incrementAndGet();
                subscription.cancel();
                first.countDown();
            }

            @Override
            public void onError(Throwable throwable) {
            }

            @Override
            public void onComplete() {
            }
        });
        for (int i = 0; i < 100; i++) {
            hub.publish(i);
        }
        assertThat(first.await(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
        await().atMost(WAIT).until(() -> hub.stats().published() == 100 && hub.stats().subscribers() == 0);
        assertThat(received.get()).isEqualTo(1);
    }

    @Test
    void aFeedPublishesEverythingIntoAFullHubWithoutLosingAnything() throws Exception {
        EventHub<Integer> hub = track(EventHub.<Integer>builder().name("feed").capacity(8).build());
        List<Integer> seen = new CopyOnWriteArrayList<>();
        hub.subscribe(event -> {
            long until = System.nanoTime() + 20_000; // a slow consumer keeps the small hub full
            while (System.nanoTime() < until) {
                Thread.onSpinWait();
            }
            seen.add(event);
        });
        try (SubmissionPublisher<Integer> upstream = new SubmissionPublisher<>()) {
            upstream.subscribe(hub.flowSubscriber());
            for (int i = 0; i < 2_000; i++) {
                upstream.submit(i);
            }
            await().atMost(WAIT).until(() -> seen.size() == 2_000);
        }
        assertThat(seen).isSorted().hasSize(2_000);
        assertThat(hub.stats().rejected()).isZero(); // the feed never pushed past the hub's room
    }

    @Test
    void aFeedCancelsItsUpstreamWhenTheHubCloses() throws Exception {
        EventHub<Integer> hub = EventHub.<Integer>builder().name("feed-close").build();
        try (SubmissionPublisher<Integer> upstream = new SubmissionPublisher<>()) {
            upstream.subscribe(hub.flowSubscriber());
            await().atMost(WAIT).until(() -> upstream.getNumberOfSubscribers() == 1);
            upstream.submit(1);
            await().atMost(WAIT).until(() -> hub.stats().published() == 1);
            hub.close();
            upstream.submit(2);
            await().atMost(WAIT).until(() -> upstream.getNumberOfSubscribers() == 0);
        }
    }
}
