package dev.eventhub;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Flow;
import java.util.logging.Level;
import org.junit.jupiter.api.Test;

/** Names of subscriptions, watchers, attachments and Flow subscribers: given or generated, and where they show. */
class SubscriptionNamesTest {
    private static final Duration WAIT = Duration.ofSeconds(20);

    @Test
    void generatedNamesAreStableAndUniquePerHubAndGivenOnesAreKept() {
        try (EventHub<String> hub = EventHub.<String>builder().name("names").build();
             EventHub<String> other = EventHub.<String>builder().name("other").build()) {
            Subscription first = hub.subscribe(e -> { });
            Subscription second = hub.events().async().subscribe((e, s, t) -> { });
            Subscription audit = hub.events().name("audit").subscribe(e -> { });
            Subscription elsewhere = other.subscribe(e -> { });
            assertThat(first.name()).isEqualTo("sub-1");
            assertThat(second.name()).isEqualTo("sub-2");
            assertThat(audit.name()).isEqualTo("audit");
            assertThat(elsewhere.name()).isEqualTo("sub-1"); // per hub
            assertThat(first.name()).isEqualTo(first.name());
            assertThat(first.toString()).contains("name=sub-1");
        }
    }

    @Test
    void asyncSubscriptionsAndWatchersRunOnThreadsNamedAfterThem() throws Exception {
        try (EventHub<String> hub = EventHub.<String>builder().name("threads").build()) {
            Map<String, String> threads = new ConcurrentHashMap<>();
            hub.events().name("audit").async().subscribe(e -> threads.put("audit", Thread.currentThread().getName()));
            StateView<String, String> view = hub.stateView(e -> e, e -> false);
            StateView.Watch watch = view.watch("cache", new StateWatcher<String, String>() {
                @Override
                public void onAdd(String key, String value, boolean initial) {
                    threads.put("cache", Thread.currentThread().getName());
                }
            });
            StateView.Watch unnamed = view.watch(new StateWatcher<String, String>() { });
            hub.publish("x");
            await().atMost(WAIT).until(() -> threads.size() == 2);
            assertThat(threads).containsEntry("audit", "eventhub-threads-audit")
                    .containsEntry("cache", "eventhub-threads-cache");
            assertThat(watch.name()).isEqualTo("cache");
            assertThat(unnamed.name()).startsWith("watcher-");
        }
    }

    @Test
    void attachmentsKeepTheBuildersName() {
        try (EventHub<String> hub = EventHub.<String>builder().name("sinks").build()) {
            SinkSubscription sink = hub.events().name("archive").attach(new NoSink());
            SinkSubscription unnamed = hub.attach(new NoSink());
            assertThat(sink.name()).isEqualTo("archive");
            assertThat(unnamed.name()).startsWith("sub-");
            assertThat(sink.toString()).contains("name=archive");
        }
    }

    static final class NoSink implements Sink<String> {
        @Override
        public void accept(String event, long sequence, long timestampNanos) {
        }

        @Override
        public void close() {
        }
    }

    @Test
    void eachFlowSubscriberOfANamedPublisherIsNamedAfterItInOrder() throws Exception {
        try (EventHub<String> hub = EventHub.<String>builder().name("flow").build()) {
            Flow.Publisher<String> publisher = hub.events().name("feed").publisher();
            List<String> names = new CopyOnWriteArrayList<>();
            CountDownLatch subscribed = new CountDownLatch(3);
            for (int i = 0; i < 3; i++) {
                publisher.subscribe(new Flow.Subscriber<String>() {
                    @Override
                    public void onSubscribe(Flow.Subscription subscription) {
                        names.add(((FlowPublisher.FlowSubscription) subscription).hubSubscription().name());
                        subscribed.countDown();
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
            }
            subscribed.await();
            assertThat(names).containsExactly("feed", "feed-2", "feed-3");
        }
    }

    @Test
    void theNameIsInLogLines() throws Exception {
        try (DiagnosticsTest.LogCapture logs = new DiagnosticsTest.LogCapture();
             EventHub<String> hub = EventHub.<String>builder().name("logs").build()) {
            Subscription failing = hub.events().name("breaks").subscribe(e -> {
                throw new IllegalStateException("boom");
            });
            hub.publish("x");
            assertThat(failing.await(WAIT)).isTrue();
            // The end is decided (and await returns) just before the failure is logged.
            org.awaitility.Awaitility.await().atMost(WAIT).until(() -> !logs.at(Level.WARNING, "'breaks'").isEmpty());
        }
    }
}
