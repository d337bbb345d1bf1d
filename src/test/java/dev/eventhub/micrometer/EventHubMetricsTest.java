package dev.eventhub.micrometer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.eventhub.EventHub;
import dev.eventhub.Overflow;
import dev.eventhub.Subscription;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

class EventHubMetricsTest {
    private static final Duration WAIT = Duration.ofSeconds(20);

    private static double gauge(MeterRegistry registry, String name, String subscription) {
        var search = registry.find(name).tag("hub", "metrics");
        if (subscription != null) {
            search = search.tag("subscription", subscription);
        }
        Meter meter = search.meter();
        assertThat(meter).as(name + " " + subscription).isNotNull();
        return meter.measure().iterator().next().getValue();
    }

    @Test
    void hubCountersAndPerSubscriptionLagBufferAndDrops() throws Exception {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        try (EventHub<Integer> hub = EventHub.<Integer>builder().name("metrics").capacity(2).history(16).build()) {
            EventHubMetrics metrics = new EventHubMetrics(hub, Tags.of("app", "test"), Duration.ZERO);
            metrics.bindTo(registry);
            Subscription slow = hub.events().name("slow").async().buffer(4, Overflow.DROP_NEWEST)
                    .subscribe((e, s, t) -> {
                        entered.countDown();
                        release.await();
                    });
            hub.subscribe(e -> { });
            hub.publish(1);
            entered.await();
            for (int i = 2; i <= 10; i++) {
                hub.publish(i);
            }
            await().atMost(WAIT).until(() -> hub.stats().published() == 10 && slow.dropped() == 5);
            assertThat(gauge(registry, "eventhub.published", null)).isEqualTo(10);
            assertThat(gauge(registry, "eventhub.dropped", null)).isEqualTo(5);
            assertThat(gauge(registry, "eventhub.history.retained", null)).isEqualTo(10);
            assertThat(gauge(registry, "eventhub.subscribers", null)).isEqualTo(2);
            assertThat(gauge(registry, "eventhub.subscription.buffered", "slow")).isEqualTo(4);
            assertThat(gauge(registry, "eventhub.subscription.lag", "slow")).isEqualTo(9); // head 10, oldest 2
            assertThat(gauge(registry, "eventhub.subscription.dropped", "slow")).isEqualTo(5);
            assertThat(registry.find("eventhub.subscription.lag").tag("subscription", "slow").tag("app", "test")
                    .gauge()).isNotNull();
            assertThat(hub.offer(11) && hub.offer(12) && hub.offer(13) && hub.offer(14)).isIn(true, false);
            release.countDown();
            await().atMost(WAIT).until(() -> gauge(registry, "eventhub.subscription.lag", "slow") == 0);
            assertThat(gauge(registry, "eventhub.delivered", null)).isEqualTo(hub.stats().delivered());
            assertThat(gauge(registry, "eventhub.rejected", null)).isEqualTo(hub.stats().rejected());
            assertThat(gauge(registry, "eventhub.queue.depth", null)).isGreaterThanOrEqualTo(0);
        }
    }

    @Test
    void metersOfEndedSubscriptionsAreRemovedSoTheRegistryDoesNotGrow() throws Exception {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try (EventHub<Integer> hub = EventHub.<Integer>builder().name("metrics").build()) {
            EventHubMetrics metrics = new EventHubMetrics(hub);
            metrics.bindTo(registry);
            int hubMeters = registry.getMeters().size();
            Subscription kept = hub.events().name("kept").subscribe(e -> { });
            metrics.refresh();
            assertThat(registry.getMeters()).hasSize(hubMeters + 3);
            int most = 0;
            for (int i = 0; i < 2_000; i++) {
                Subscription s = hub.events().name("short-" + i).async().subscribe(e -> { });
                hub.publish(i);
                if (i % 10 == 0) {
                    metrics.refresh();
                    assertThat(registry.find("eventhub.subscription.lag").tag("subscription", "short-" + i).gauge())
                            .isNotNull();
                }
                s.cancel();
                most = Math.max(most, registry.getMeters().size());
            }
            metrics.refresh();
            assertThat(registry.getMeters()).hasSize(hubMeters + 3);
            assertThat(most).isLessThanOrEqualTo(hubMeters + 3 + 3);
            assertThat(registry.find("eventhub.subscription.lag").tag("subscription", "kept").gauge()).isNotNull();
            kept.cancel();
            hub.close();
            metrics.refresh();
            assertThat(registry.getMeters()).hasSize(hubMeters);
        }
    }

    @Test
    void aRegistryReadBringsTheSubscriptionMetersUpToDate() throws Exception {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try (EventHub<Integer> hub = EventHub.<Integer>builder().name("metrics").build()) {
            new EventHubMetrics(hub, Tags.empty(), Duration.ZERO).bindTo(registry);
            Subscription s = hub.events().name("later").subscribe(e -> { });
            assertThat(gauge(registry, "eventhub.subscribers", null)).isEqualTo(1); // a read refreshes
            assertThat(registry.find("eventhub.subscription.lag").tag("subscription", "later").gauge()).isNotNull();
            s.cancel();
            assertThat(gauge(registry, "eventhub.subscribers", null)).isZero();
            assertThat(registry.find("eventhub.subscription.lag").tag("subscription", "later").gauge()).isNull();
        }
    }

    @Test
    void prometheusTextOutputHasTheHubAndSubscriptionSeries() throws Exception {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        try (EventHub<Integer> hub = EventHub.<Integer>builder().name("metrics").build()) {
            EventHubMetrics metrics = new EventHubMetrics(hub);
            metrics.bindTo(registry);
            Subscription audit = hub.events().name("audit").async().subscribe(e -> { });
            for (int i = 0; i < 5; i++) {
                hub.publish(i);
            }
            await().atMost(WAIT).until(() -> audit.delivered() == 5);
            metrics.refresh();
            String text = registry.scrape();
            assertThat(text).contains("eventhub_published_events_total{hub=\"metrics\"} 5.0")
                    .contains("eventhub_delivered_events_total{hub=\"metrics\"} 5.0")
                    .contains("eventhub_rejected_events_total{hub=\"metrics\"} 0.0")
                    .contains("eventhub_dropped_events_total{hub=\"metrics\"} 0.0")
                    .contains("eventhub_queue_depth_events{hub=\"metrics\"}")
                    .contains("eventhub_subscribers{hub=\"metrics\"} 1.0")
                    .contains("eventhub_history_retained_events{hub=\"metrics\"} 5.0")
                    .contains("eventhub_subscription_lag_events{hub=\"metrics\",subscription=\"audit\"} 0.0")
                    .contains("eventhub_subscription_buffered_events{hub=\"metrics\",subscription=\"audit\"} 0.0")
                    .contains("eventhub_subscription_dropped_events_total{hub=\"metrics\",subscription=\"audit\"} 0.0");
            audit.cancel();
            metrics.refresh();
            assertThat(registry.scrape()).doesNotContain("subscription=\"audit\"");
        }
    }

    @Test
    void badArgumentsAreNamed() {
        try (EventHub<Integer> hub = EventHub.<Integer>builder().name("metrics").build()) {
            assertThatThrownBy(() -> new EventHubMetrics(null)).isInstanceOf(NullPointerException.class)
                    .hasMessage("hub: null (expected: not null)");
            assertThatThrownBy(() -> new EventHubMetrics(hub, null)).isInstanceOf(NullPointerException.class)
                    .hasMessage("tags: null (expected: not null)");
            assertThatThrownBy(() -> new EventHubMetrics(hub, Tags.empty(), Duration.ofSeconds(-1)))
                    .isInstanceOf(IllegalArgumentException.class).hasMessage("refresh: PT-1S (expected: >= 0)");
            assertThatThrownBy(() -> new EventHubMetrics(hub).bindTo(null)).isInstanceOf(NullPointerException.class)
                    .hasMessage("registry: null (expected: not null)");
        }
    }
}
