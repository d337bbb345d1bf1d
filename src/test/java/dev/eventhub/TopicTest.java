package dev.eventhub;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Topic routing: exact topics through a hash index, resource-path patterns through a segment trie. */
class TopicTest {
    private final ManualClock clock = new ManualClock();
    /** Events are their own topics, so that every test reads plainly; "!" makes the topic function throw. */
    private final EventHub<String> hub = EventHub.<String>builder().name("topics").history(64).clock(clock)
            .topic(event -> {
                if (event.equals("!")) {
                    throw new IllegalStateException("no topic");
                }
                return event.equals("null") ? null : event;
            }).buildManual();

    @AfterEach
    void close() {
        hub.close();
    }

    private List<String> collect(SubscriptionBuilder<String> builder) {
        List<String> seen = new ArrayList<>();
        builder.subscribe(seen::add);
        return seen;
    }

    private void publish(String... events) {
        for (String event : events) {
            assertThat(hub.offer(event)).isTrue();
        }
        while (hub.dispatcher().doWork() > 0) {
            // drain
        }
    }

    @ParameterizedTest(name = "{0} ~ {1} -> {2}")
    @CsvSource({
        "default/pod/*, default/pod/web-1, true",
        "default/pod/*, default/pod, false",
        "default/pod/*, default/pod/web-1/log, false",
        "default/pod/*, default/svc/web-1, false",
        "default/pod/*, default/pods/web-1, false",
        "default/**, default, true",
        "default/**, default/pod/web-1, true",
        "default/**, defaults/pod, false",
        "default/**, kube-system/pod/dns, false",
        "**, anything/at/all, true",
        "*/pod/*, kube-system/pod/dns, true",
        "*/pod/*, kube-system/svc/dns, false",
        "*, web, true",
        "*, web/1, false",
        "a/*/c/**, a/b/c, true",
        "a/*/c/**, a/b/c/d/e, true",
        "a/*/c/**, a/b/d, false",
        "web, web, true",
        "web, web2, false",
        "default/pod/*, default/pod/, true",
        "default/pod/*, /default/pod/x, false",
        "a/b/c/*, a/b/c/d, true",
        "a/b/c/*, a/b/c, false",
        "a/b/c/*, a/b/x/d, false",
        "a/b/c/*, x/a/b/c/d, false",
    })
    void patternsMatchWholeSegments(String pattern, String topic, boolean matches) {
        List<String> seen = collect(hub.events().topicPattern(pattern));
        publish(topic);
        assertThat(seen).hasSize(matches ? 1 : 0);
        assertThat(TopicPattern.parse("p", pattern).matches(topic)).isEqualTo(matches);
    }

    /** The {@code a/b/*} shape has a fast path of its own; it must agree with the trie and be pruned like it. */
    @Test
    void prefixPatternsAgreeWithTheTrieAndArePrunedOnCancel() {
        List<String> fast = new ArrayList<>();
        Subscription one = hub.events().topicPattern("ns/pod/*").subscribe(fast::add);
        List<String> viaTrie = new ArrayList<>();
        Subscription other = hub.events().topicPattern("*/pod/*").subscribe(viaTrie::add);
        List<String> twice = collect(hub.events().topicPattern("ns/pod/*").topicPattern("ns/**").topics("ns/pod/a"));
        publish("ns/pod/a", "ns/pod/b", "ns/pod", "ns/pod/a/b", "xs/pod/c", "ns/svc/a");
        assertThat(fast).containsExactly("ns/pod/a", "ns/pod/b");
        assertThat(viaTrie).containsExactly("ns/pod/a", "ns/pod/b", "xs/pod/c");
        assertThat(twice).containsExactly("ns/pod/a", "ns/pod/b", "ns/pod", "ns/pod/a/b", "ns/svc/a");
        one.cancel();
        other.cancel();
        publish("ns/pod/z");
        assertThat(fast).hasSize(2);
        assertThat(twice).endsWith("ns/pod/z");
        assertThat(hub.dispatcher().indexedSubscriptions()).isEqualTo(1);
    }

    @Test
    void exactTopicsPatternsAndFiltersCombine() {
        List<String> exact = collect(hub.events().topics("web-1", "db"));
        List<String> either = collect(hub.events().topics("db").topicPattern("default/pod/*"));
        List<String> both = collect(hub.events().topicPattern("default/pod/*").filter(e -> e.endsWith("2")));
        List<String> all = collect(hub.events());
        publish("web-1", "db", "default/pod/a2", "default/pod/b", "cache");
        assertThat(exact).containsExactly("web-1", "db");
        assertThat(either).containsExactly("db", "default/pod/a2", "default/pod/b");
        assertThat(both).containsExactly("default/pod/a2");
        assertThat(all).hasSize(5);
    }

    @Test
    void aSubscriptionMatchedSeveralWaysGetsTheEventOnce() {
        List<String> seen = collect(hub.events().topics("a/b", "a/b").topicPattern("a/*").topicPattern("a/**")
                .topicPattern("**"));
        publish("a/b", "a/c");
        assertThat(seen).containsExactly("a/b", "a/c");
    }

    @Test
    void eventsWithoutATopicMatchNoTopicFilterButReachEveryoneElse() {
        List<String> filtered = collect(hub.events().topicPattern("**"));
        List<String> all = collect(hub.events());
        publish("!", "null", "x");
        assertThat(filtered).containsExactly("x");
        assertThat(all).containsExactly("!", "null", "x");
    }

    @Test
    void replayAndDeadlinesWorkThroughTopics() {
        publish("a", "b", "a/1", "c");
        List<String> replayed = collect(hub.events().afterSequence(0).topics("a").topicPattern("a/*"));
        assertThat(replayed).containsExactly("a", "a/1");
        Subscription bounded = hub.events().topics("z").until(clock.plus(Duration.ofSeconds(1)))
                .subscribe(e -> { });
        clock.advance(Duration.ofSeconds(2));
        publish("a");
        assertThat(replayed).containsExactly("a", "a/1", "a");
        assertThat(bounded.endReason()).isEqualTo(EndReason.UNTIL_REACHED);
        assertThat(hub.dispatcher().indexedSubscriptions()).isEqualTo(1);
    }

    @Test
    void churnLeavesTheIndexEmpty() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        List<Subscription> subscriptions = new ArrayList<>();
        long[] delivered = new long[1];
        for (int round = 0; round < 2_000; round++) {
            int kind = random.nextInt(3);
            String topic = "ns" + random.nextInt(5) + "/pod/p" + random.nextInt(20);
            SubscriptionBuilder<String> builder = hub.events();
            switch (kind) {
                case 0 -> builder.topics(topic);
                case 1 -> builder.topicPattern("ns" + random.nextInt(5) + "/pod/*");
                default -> builder.topics(topic).topicPattern("ns" + random.nextInt(5) + "/**");
            }
            subscriptions.add(builder.subscribe(e -> delivered[0]++));
            publish(topic);
            if (random.nextBoolean() && !subscriptions.isEmpty()) {
                subscriptions.remove(random.nextInt(subscriptions.size())).cancel();
                publish("ns0/pod/p0");
            }
        }
        assertThat(delivered[0]).isPositive();
        subscriptions.forEach(Subscription::cancel);
        publish("ns0/pod/p0");
        assertThat(hub.dispatcher().indexedSubscriptions()).isZero();
        assertThat(hub.stats().subscribers()).isZero();
    }

    @Test
    void badPatternsAreRejectedWithTheirText() {
        assertThatThrownBy(() -> hub.events().topicPattern("a//b")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("topicPattern: \"a//b\" (expected: no empty segment; segment 2 is empty)");
        assertThatThrownBy(() -> hub.events().topicPattern("/a")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("topicPattern: \"/a\" (expected: no empty segment; segment 1 is empty)");
        assertThatThrownBy(() -> hub.events().topicPattern("a/")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("topicPattern: \"a/\" (expected: no empty segment; segment 2 is empty)");
        assertThatThrownBy(() -> hub.events().topicPattern("a/**/b")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("topicPattern: \"a/**/b\" (expected: '**' only as the last segment)");
        assertThatThrownBy(() -> hub.events().topicPattern("a/we*")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("topicPattern: \"a/we*\" (expected: '*' and '**' only as whole segments, not in 'we*')");
        assertThatThrownBy(() -> hub.events().topicPattern("")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("topicPattern: \"\" (expected: a pattern such as default/pod/*)");
        assertThatThrownBy(() -> hub.events().topicPattern(null)).isInstanceOf(NullPointerException.class)
                .hasMessage("topicPattern: null (expected: not null)");
        assertThatThrownBy(() -> hub.events().topics()).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("topics: [] (expected: at least one topic)");
        assertThatThrownBy(() -> hub.events().topics("a", null)).isInstanceOf(NullPointerException.class)
                .hasMessage("topics[1]: null (expected: not null)");
        assertThatThrownBy(() -> EventHub.builder().topic(null)).isInstanceOf(NullPointerException.class)
                .hasMessage("topic: null (expected: not null)");
    }

    @Test
    void topicFiltersNeedAHubWithATopicFunction() {
        EventHub<String> plain = EventHub.<String>builder().name("plain").buildManual();
        assertThatThrownBy(() -> plain.events().topicPattern("default/*"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("topicPattern: \"default/*\" (expected: a hub built with topic(fn); hub 'plain' has no "
                        + "topic function)");
        assertThatThrownBy(() -> plain.events().topics("web-1"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("topics: [web-1] (expected: a hub built with topic(fn); hub 'plain' has no topic "
                        + "function)");
        plain.close();
    }
}
