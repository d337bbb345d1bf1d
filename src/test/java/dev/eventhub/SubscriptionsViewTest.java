package dev.eventhub;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Flow;
import org.junit.jupiter.api.Test;

/** {@code hub.subscriptions()}: every kind listed by name, in creation order, with its buffer, lag and stuck state. */
class SubscriptionsViewTest {
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final Duration THRESHOLD = Duration.ofMillis(20);

    private static SubscriptionInfo named(EventHub<?> hub, String name) {
        return hub.subscriptions().stream().filter(i -> i.name().equals(name)).findFirst().orElseThrow();
    }

    @Test
    void listsEveryKindByNameInCreationOrderUntilItEnds() throws Exception {
        try (EventHub<String> hub = EventHub.<String>builder().name("list").topic(e -> e).build()) {
            Subscription inline = hub.events().name("inline").topics("a").filter(e -> true)
                    .since(Instant.EPOCH).limit(10).subscribe(e -> { });
            Subscription async = hub.events().name("async").async().buffer(16, Overflow.BLOCK).subscribe(e -> { });
            hub.events().name("feed").publisher().subscribe(new Flow.Subscriber<String>() {
                @Override
                public void onSubscribe(Flow.Subscription subscription) {
                    subscription.request(Long.MAX_VALUE);
                }

                @Override
                public void onNext(String item) {
                }

                @Override
                public void onError(Throwable throwable) {
                }

                @Override
                public void onComplete() {
                }
            });
            SinkSubscription sink = hub.events().name("archive").attach(new SubscriptionNamesTest.NoSink());
            StateView<String, String> view = hub.stateView(e -> e, e -> false);
            StateView.Watch watch = view.watch("cache", new StateWatcher<String, String>() { });

            List<SubscriptionInfo> all = hub.subscriptions();
            assertThat(all).extracting(SubscriptionInfo::name)
                    .containsSubsequence("inline", "async", "feed", "archive", "cache");
            assertThat(named(hub, "inline").kind()).isEqualTo(SubscriptionInfo.Kind.INLINE);
            assertThat(named(hub, "inline").selection())
                    .isEqualTo("topics=[a] filter since=1970-01-01T00:00:00Z limit=10");
            assertThat(named(hub, "inline").capacity()).isZero();
            assertThat(named(hub, "async").kind()).isEqualTo(SubscriptionInfo.Kind.ASYNC);
            assertThat(named(hub, "async").selection()).isEqualTo("all");
            assertThat(named(hub, "async").capacity()).isEqualTo(16);
            assertThat(named(hub, "feed").kind()).isEqualTo(SubscriptionInfo.Kind.FLOW);
            assertThat(named(hub, "archive").kind()).isEqualTo(SubscriptionInfo.Kind.SINK);
            assertThat(named(hub, "cache").kind()).isEqualTo(SubscriptionInfo.Kind.WATCHER);

            hub.publish("a");
            await().atMost(WAIT).until(() -> named(hub, "async").delivered() == 1
                    && named(hub, "inline").delivered() == 1 && named(hub, "cache").delivered() == 1);
            assertThat(named(hub, "async").lastSequence()).isEqualTo(1);
            assertThat(named(hub, "async").lag()).isZero();
            assertThat(named(hub, "inline").stuck()).isFalse();

            inline.cancel();
            async.cancel();
            sink.cancel();
            watch.cancel();
            assertThat(hub.subscriptions()).extracting(SubscriptionInfo::name)
                    .doesNotContain("inline", "async", "archive", "cache");
            hub.close();
            assertThat(hub.subscriptions()).isEmpty();
        }
    }

    @Test
    void anAsyncSubscriptionStuckInItsHandlerShowsItsBufferLagAndHowLongItIsStuck() throws Exception {
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        try (EventHub<Integer> hub = EventHub.<Integer>builder().name("stuck").slowHandlerThreshold(THRESHOLD)
                .build()) {
            hub.events().name("slow").async().buffer(8, Overflow.DROP_OLDEST).subscribe((e, s, t) -> {
                entered.countDown();
                release.await();
            });
            Subscription fast = hub.events().name("fast").async().subscribe(e -> { });
            hub.publish(1);
            entered.await();
            for (int i = 2; i <= 5; i++) {
                hub.publish(i);
            }
            await().atMost(WAIT).until(() -> fast.delivered() == 5 && named(hub, "slow").stuck());
            SubscriptionInfo slow = named(hub, "slow");
            assertThat(slow.buffered()).isEqualTo(4);
            assertThat(slow.capacity()).isEqualTo(8);
            assertThat(slow.lag()).isEqualTo(4); // head 5, oldest buffered 2
            assertThat(slow.delivered()).isZero();
            assertThat(slow.inHandler()).isGreaterThanOrEqualTo(THRESHOLD);
            SubscriptionInfo quick = named(hub, "fast");
            assertThat(quick.lag()).isZero();
            assertThat(quick.buffered()).isZero();
            assertThat(quick.stuck()).isFalse();
            assertThat(quick.inHandler()).isLessThan(THRESHOLD);
            release.countDown();
            await().atMost(WAIT).until(() -> named(hub, "slow").delivered() == 5);
            assertThat(named(hub, "slow").lag()).isZero();
            assertThat(named(hub, "slow").stuck()).isFalse();
        }
    }

    @Test
    void anInlineHandlerStuckOnTheDispatcherIsShown() throws Exception {
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        try (EventHub<Integer> hub = EventHub.<Integer>builder().name("inline").slowHandlerThreshold(THRESHOLD)
                .build()) {
            hub.events().name("blocking").subscribe((e, s, t) -> {
                if (e == 2) {
                    entered.countDown();
                    release.await();
                }
            });
            hub.publish(1);
            await().atMost(WAIT).until(() -> named(hub, "blocking").lastSequence() == 1);
            assertThat(named(hub, "blocking").stuck()).isFalse();
            assertThat(named(hub, "blocking").lag()).isZero();
            hub.publish(2);
            entered.await();
            await().atMost(WAIT).until(() -> named(hub, "blocking").stuck());
            assertThat(named(hub, "blocking").lag()).isEqualTo(1);
            assertThat(named(hub, "blocking").inHandler()).isGreaterThanOrEqualTo(THRESHOLD);
            release.countDown();
            await().atMost(WAIT).until(() -> !named(hub, "blocking").stuck() && named(hub, "blocking").lag() == 0);
        }
    }

    @Test
    void aStuckWatcherIsShownWithItsBacklog() throws Exception {
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        try (EventHub<String> hub = EventHub.<String>builder().name("watch").slowHandlerThreshold(THRESHOLD)
                .build()) {
            StateView<String, String> view = hub.stateView(e -> e.substring(0, 1), e -> false);
            view.watch("stalls", new StateWatcher<String, String>() {
                @Override
                public void onAdd(String key, String value, boolean initial) throws InterruptedException {
                    entered.countDown();
                    release.await();
                }
            });
            hub.publish("a1");
            entered.await();
            hub.publish("b1");
            hub.publish("c1");
            await().atMost(WAIT).until(() -> named(hub, "stalls").stuck() && named(hub, "stalls").buffered() == 3);
            assertThat(named(hub, "stalls").lag()).isPositive();
            release.countDown();
            await().atMost(WAIT).until(() -> named(hub, "stalls").delivered() == 3
                    && named(hub, "stalls").buffered() == 0);
            assertThat(named(hub, "stalls").lag()).isZero();
        }
    }
}
