package dev.eventhub;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Bad input to every public entry point and builder option of the core (PRODUCT.md sections 4 and 6): null, zero,
 * negative, too large, wrong format, and wrong state (after close, twice, from inside a handler). One table: each row
 * is a call on a fresh hub, the exception type it must throw and the exact message, which names the argument and the
 * value. After each rejected call the hub must be unchanged: nothing published, rejected, queued or subscribed.
 *
 * <p>{@link ValidationTest} spells out the builder cases one by one; this table is the complete list, so a new entry
 * point is added here.
 */
class BadInputTest {
    private static final Instant T = Instant.parse("2024-01-01T00:00:00Z");
    private static final String NOT_NULL = ": null (expected: not null)";
    private static final String POWER = " (expected: a power of two from 2 to 1073741824)";

    /** A call against a fresh manual hub named "bad" (or one with a topic function: "bad-topics"). */
    interface Call {
        void on(EventHub<String> hub) throws Throwable;
    }

    record Row(String what, Call call, Class<? extends Throwable> type, String message) {
        @Override
        public String toString() {
            return what;
        }
    }

    private static Row row(String what, Call call, Class<? extends Throwable> type, String message) {
        return new Row(what, call, type, message);
    }

    private static Row npe(String what, Call call, String argument) {
        return row(what, call, NullPointerException.class, argument + NOT_NULL);
    }

    private static Row iae(String what, Call call, String message) {
        return row(what, call, IllegalArgumentException.class, message);
    }

    static Stream<Arguments> rows() {
        List<Row> rows = new ArrayList<>();
        // ---------------------------------------------------------------- EventHub.Builder
        rows.add(npe("events().name(null)", hub -> hub.events().name(null), "name"));
        rows.add(npe("stateView.watch(null, watcher)", hub -> hub.stateView(e -> e, e -> false)
                .watch(null, new StateWatcher<String, String>() { }), "name"));
        for (String name : new String[] {"", " ", "\t", "a\u0000b", "line\nbreak", "tab\there"}) {
            String shown = name.replace("\n", "\\n");
            String message = "name: \"" + name + "\" (expected: a non-blank name without control characters)";
            rows.add(iae("events().name(" + shown + ")", hub -> hub.events().name(name), message));
            rows.add(iae("stateView.watch(" + shown + ", watcher)", hub -> hub.stateView(e -> e, e -> false)
                    .watch(name, new StateWatcher<String, String>() { }), message));
            rows.add(iae("stateView.watch(" + shown + ", watcher, executor)", hub -> hub.stateView(e -> e, e -> false)
                    .watch(name, new StateWatcher<String, String>() { }, Runnable::run), message));
        }
        rows.add(npe("builder.name(null)", hub -> EventHub.builder().name(null), "name"));
        for (String name : new String[] {"", " ", "\t", "a\u0000b", "line\nbreak"}) {
            rows.add(iae("builder.name(" + name.replace("\n", "\\n") + ")", hub -> EventHub.builder().name(name),
                    "name: \"" + name + "\" (expected: a non-blank name without control characters)"));
        }
        for (int capacity : new int[] {0, 1, 3, 1000, -2, -8, Integer.MIN_VALUE, Integer.MAX_VALUE}) {
            rows.add(iae("builder.capacity(" + capacity + ")", hub -> EventHub.builder().capacity(capacity),
                    "capacity: " + capacity + POWER));
        }
        for (int history : new int[] {-1, 3, 1000, Integer.MIN_VALUE, Integer.MAX_VALUE}) {
            rows.add(iae("builder.history(" + history + ")", hub -> EventHub.builder().history(history),
                    "history: " + history + " (expected: a power of two from 1 to 1073741824)"));
        }
        rows.add(npe("builder.idle(null)", hub -> EventHub.builder().idle(null), "idle"));
        rows.add(npe("builder.clock((LongSupplier) null)", hub -> EventHub.builder().clock((LongSupplier) null),
                "clock"));
        rows.add(npe("builder.clock((Clock) null)", hub -> EventHub.builder().clock((Clock) null), "clock"));
        rows.add(npe("builder.topic(null)", hub -> EventHub.<String>builder().topic(null), "topic"));
        rows.add(npe("builder.attribute(null, fn)", hub -> EventHub.<String>builder().attribute(null, e -> e), "name"));
        rows.add(npe("builder.attribute(name, null)", hub -> EventHub.<String>builder().attribute("type", null),
                "values"));
        rows.add(iae("builder.attribute(\"\", fn)", hub -> EventHub.<String>builder().attribute(" ", e -> e),
                "name: \" \" (expected: a non-blank name without control characters)"));
        rows.add(iae("builder.attribute twice", hub -> EventHub.<String>builder().attribute("type", e -> e)
                .attribute("type", e -> e), "name: \"type\" (expected: an attribute not declared yet; declared: [type])"));
        for (String option : new String[] {"drainTimeout", "slowHandlerThreshold"}) {
            rows.add(npe("builder." + option + "(null)", hub -> durationOption(option, null), option));
            for (Duration bad : new Duration[] {Duration.ZERO, Duration.ofNanos(-1), Duration.ofSeconds(-5)}) {
                rows.add(iae("builder." + option + "(" + bad + ")", hub -> durationOption(option, bad),
                        option + ": " + bad + " (expected: > 0)"));
            }
        }
        // ---------------------------------------------------------------- EventHub
        rows.add(npe("offer(null)", hub -> hub.offer(null), "event"));
        rows.add(npe("publish(null)", hub -> hub.publish(null), "event"));
        rows.add(npe("publish(null, timeout)", hub -> hub.publish(null, Duration.ZERO), "event"));
        rows.add(npe("publish(e, null)", hub -> hub.publish("e", null), "timeout"));
        rows.add(iae("publish(e, -1ns)", hub -> hub.publish("e", Duration.ofNanos(-1)),
                "timeout: PT-0.000000001S (expected: >= 0)"));
        rows.add(npe("publishAll(null)", hub -> hub.publishAll(null), "events"));
        rows.add(npe("offerAll(null)", hub -> hub.offerAll(null), "events"));
        rows.add(npe("publishAll([a, null])", hub -> hub.publishAll(Arrays.asList("a", null)), "events[1]"));
        rows.add(npe("offerAll([null])", hub -> hub.offerAll(Arrays.asList((String) null)), "events[0]"));
        rows.add(iae("publishAll(5 events into capacity 4)", hub -> hub.publishAll(List.of("a", "b", "c", "d", "e")),
                "events: 5 elements (expected: at most the capacity of hub 'bad', 4)"));
        rows.add(iae("offerAll(5 events into capacity 4)", hub -> hub.offerAll(List.of("a", "b", "c", "d", "e")),
                "events: 5 elements (expected: at most the capacity of hub 'bad', 4)"));
        rows.add(npe("subscribe((Consumer) null)", hub -> hub.subscribe((Consumer<String>) null), "consumer"));
        rows.add(npe("subscribe((EventHandler) null)", hub -> hub.subscribe((EventHandler<String>) null), "handler"));
        rows.add(npe("every(null, supplier)", hub -> hub.every(null, () -> "tick"), "period"));
        rows.add(npe("every(period, null)", hub -> hub.every(Duration.ofSeconds(1), null), "supplier"));
        rows.add(iae("every(0, supplier)", hub -> hub.every(Duration.ZERO, () -> "tick"),
                "period: PT0S (expected: > 0)"));
        rows.add(iae("every(-1s, supplier)", hub -> hub.every(Duration.ofSeconds(-1), () -> "tick"),
                "period: PT-1S (expected: > 0)"));
        rows.add(npe("awaitTermination(null)", hub -> hub.awaitTermination(null), "timeout"));
        rows.add(iae("awaitTermination(-1ms)", hub -> hub.awaitTermination(Duration.ofMillis(-1)),
                "timeout: PT-0.001S (expected: >= 0)"));
        rows.add(npe("flowSubscriber().onSubscribe(null)", hub -> hub.flowSubscriber().onSubscribe(null),
                "subscription"));
        rows.add(npe("flowSubscriber().onNext(null)", hub -> hub.flowSubscriber().onNext(null), "item"));
        rows.add(npe("flowSubscriber().onError(null)", hub -> hub.flowSubscriber().onError(null), "failure"));
        rows.add(iae("events().where(unknown)", hub -> hub.events().where("colour", "red"),
                "name: \"colour\" (expected: an attribute declared with EventHub.Builder.attribute; declared: "
                        + "[type, label])"));
        rows.add(iae("events().where(name) with no values", hub -> hub.events().where("type"),
                "values: [] (expected: at least one value for 'type')"));
        rows.add(npe("events().where(null, v)", hub -> hub.events().where(null, "x"), "name"));
        rows.add(npe("events().where(name, (Object[]) null)", hub -> hub.events().where("type", (Object[]) null),
                "values"));
        rows.add(npe("events().where(name, v, null)", hub -> hub.events().where("type", "a", null), "values[1]"));
        // ---------------------------------------------------------------- SubscriptionBuilder
        rows.add(npe("filter(null)", hub -> hub.events().filter(null), "filter"));
        rows.add(npe("topics((String[]) null)", hub -> hub.events().topics((String[]) null), "topics"));
        rows.add(iae("topics()", hub -> hub.events().topics(), "topics: [] (expected: at least one topic)"));
        rows.add(npe("topics(a, null)", hub -> hub.events().topics("a", null), "topics[1]"));
        rows.add(row("topics(a) without a topic function", hub -> hub.events().topics("a", "b"),
                IllegalStateException.class,
                "topics: [a, b] (expected: a hub built with topic(fn); hub 'bad' has no topic function)"));
        rows.add(npe("topicPattern(null)", hub -> hub.events().topicPattern(null), "topicPattern"));
        rows.add(iae("topicPattern(\"\")", hub -> hub.events().topicPattern(""),
                "topicPattern: \"\" (expected: a pattern such as default/pod/*)"));
        rows.add(iae("topicPattern(a//b)", hub -> hub.events().topicPattern("a//b"),
                "topicPattern: \"a//b\" (expected: no empty segment; segment 2 is empty)"));
        rows.add(iae("topicPattern(/a)", hub -> hub.events().topicPattern("/a"),
                "topicPattern: \"/a\" (expected: no empty segment; segment 1 is empty)"));
        rows.add(iae("topicPattern(a/)", hub -> hub.events().topicPattern("a/"),
                "topicPattern: \"a/\" (expected: no empty segment; segment 2 is empty)"));
        rows.add(iae("topicPattern(**/a)", hub -> hub.events().topicPattern("**/a"),
                "topicPattern: \"**/a\" (expected: '**' only as the last segment)"));
        rows.add(iae("topicPattern(a/b*)", hub -> hub.events().topicPattern("a/b*"),
                "topicPattern: \"a/b*\" (expected: '*' and '**' only as whole segments, not in 'b*')"));
        rows.add(iae("topicPattern(a/***)", hub -> hub.events().topicPattern("a/***"),
                "topicPattern: \"a/***\" (expected: '*' and '**' only as whole segments, not in '***')"));
        rows.add(row("topicPattern(a/*) without a topic function", hub -> hub.events().topicPattern("a/*"),
                IllegalStateException.class,
                "topicPattern: \"a/*\" (expected: a hub built with topic(fn); hub 'bad' has no topic function)"));
        rows.add(npe("since(null)", hub -> hub.events().since(null), "since"));
        rows.add(npe("until(null)", hub -> hub.events().until(null), "until"));
        rows.add(iae("since(t + 1s).until(t)", hub -> hub.events().since(T.plusSeconds(1)).until(T),
                "until: 2024-01-01T00:00:00Z (expected: not before since: 2024-01-01T00:00:01Z)"));
        rows.add(iae("until(t).since(t + 1ns)", hub -> hub.events().until(T).since(T.plusNanos(1)),
                "since: 2024-01-01T00:00:00.000000001Z (expected: not after until: 2024-01-01T00:00:00Z)"));
        for (long after : new long[] {-1, -2, Long.MIN_VALUE}) {
            rows.add(iae("afterSequence(" + after + ")", hub -> hub.events().afterSequence(after),
                    "afterSequence: " + after + " (expected: >= 0)"));
        }
        rows.add(iae("since(t).afterSequence(4)", hub -> hub.events().since(T).afterSequence(4),
                "afterSequence: 4 (expected: not together with since: 2024-01-01T00:00:00Z)"));
        rows.add(iae("afterSequence(4).since(t)", hub -> hub.events().afterSequence(4).since(T),
                "since: 2024-01-01T00:00:00Z (expected: not together with afterSequence: 4)"));
        for (long limit : new long[] {0, -1, Long.MIN_VALUE}) {
            rows.add(iae("limit(" + limit + ")", hub -> hub.events().limit(limit),
                    "limit: " + limit + " (expected: > 0)"));
        }
        rows.add(npe("async(null)", hub -> hub.events().async(null), "executor"));
        for (int size : new int[] {0, -1, Integer.MIN_VALUE, (1 << 30) + 1, Integer.MAX_VALUE}) {
            rows.add(iae("buffer(" + size + ", BLOCK)", hub -> hub.events().async().buffer(size, Overflow.BLOCK),
                    "size: " + size + " (expected: from 1 to 1073741824)"));
        }
        rows.add(npe("buffer(16, null)", hub -> hub.events().async().buffer(16, null), "overflow"));
        rows.add(npe("events().subscribe((EventHandler) null)",
                hub -> hub.events().subscribe((EventHandler<String>) null), "handler"));
        rows.add(npe("events().subscribe((Consumer) null)",
                hub -> hub.events().subscribe((Consumer<String>) null), "consumer"));
        rows.add(row("buffer(...) without async", hub -> hub.events().buffer(8, Overflow.BLOCK).subscribe(e -> { }),
                IllegalStateException.class,
                "buffer: 8, BLOCK (expected: with async() or async(executor); an inline subscription has no buffer)"));
        rows.add(npe("publisher().subscribe(null)", hub -> hub.events().publisher().subscribe(null), "subscriber"));
        rows.add(iae("events().where(unknown)", hub -> hub.events().where("colour", "red"),
                "name: \"colour\" (expected: an attribute declared with EventHub.Builder.attribute; declared: "
                        + "[type, label])"));
        rows.add(iae("events().where(name) with no values", hub -> hub.events().where("type"),
                "values: [] (expected: at least one value for 'type')"));
        rows.add(npe("events().where(null, v)", hub -> hub.events().where(null, "x"), "name"));
        rows.add(npe("events().where(name, (Object[]) null)", hub -> hub.events().where("type", (Object[]) null),
                "values"));
        rows.add(npe("events().where(name, v, null)", hub -> hub.events().where("type", "a", null), "values[1]"));
        // ---------------------------------------------------------------- Subscription
        rows.add(npe("subscription.await(null)", hub -> hub.subscribe(e -> { }).await(null), "timeout"));
        rows.add(iae("subscription.await(-1s)", hub -> hub.subscribe(e -> { }).await(Duration.ofSeconds(-1)),
                "timeout: PT-1S (expected: >= 0)"));
        rows.add(iae("subscription.await(-1, SECONDS)", hub -> hub.subscribe(e -> { }).await(-1, TimeUnit.SECONDS),
                "timeout: -1 (expected: >= 0)"));
        rows.add(npe("subscription.await(1, null)", hub -> hub.subscribe(e -> { }).await(1, null), "unit"));
        // ---------------------------------------------------------------- wrong state: after close
        rows.add(row("publish after close", hub -> closed(hub).publish("late"), HubClosedException.class,
                "hub 'bad' is closed: publish refused"));
        rows.add(row("publish(e, timeout) after close", hub -> closed(hub).publish("late", Duration.ofSeconds(1)),
                HubClosedException.class, "hub 'bad' is closed: publish refused"));
        rows.add(row("publishAll after close", hub -> closed(hub).publishAll(List.of("late")),
                HubClosedException.class, "hub 'bad' is closed: publishAll refused"));
        rows.add(row("subscribe after close", hub -> closed(hub).subscribe(e -> { }), HubClosedException.class,
                "hub 'bad' is closed: subscribe refused"));
        rows.add(row("events()...subscribe after close", hub -> closed(hub).events().afterSequence(0).async()
                .subscribe(e -> { }), HubClosedException.class, "hub 'bad' is closed: subscribe refused"));
        rows.add(row("every after close", hub -> closed(hub).every(Duration.ofSeconds(1), () -> "tick"),
                HubClosedException.class, "hub 'bad' is closed: every refused"));
        return rows.stream().map(r -> Arguments.of(r));
    }

    private static void durationOption(String option, Duration value) {
        if (option.equals("drainTimeout")) {
            EventHub.builder().drainTimeout(value);
        } else {
            EventHub.builder().slowHandlerThreshold(value);
        }
    }

    private static EventHub<String> closed(EventHub<String> hub) {
        hub.close();
        return hub;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rows")
    void everyBadInputIsRejectedWithItsArgumentAndValueNamedAndChangesNothing(Row row) {
        EventHub<String> hub = EventHub.<String>builder().name("bad").capacity(4).attribute("type", e -> e)
                .attribute("label", e -> java.util.List.of(e)).buildManual();
        try {
            boolean closedByRow = row.type() == HubClosedException.class;
            HubStats before = hub.stats();
            assertThatThrownBy(() -> row.call().on(hub)).as(row.what())
                    .isExactlyInstanceOf(row.type())
                    .hasMessage(row.message());
            HubStats after = hub.stats();
            assertThat(after.published()).as("published after " + row.what()).isEqualTo(before.published());
            assertThat(after.queueDepth()).as("queued after " + row.what()).isZero();
            // The Subscription and StateView rows subscribe first (that is not the bad part, and a view is one
            // subscription); nothing else may subscribe.
            assertThat(after.subscribers()).as("subscribers after " + row.what())
                    .isEqualTo(row.what().startsWith("subscription.") || row.what().startsWith("stateView.") ? 1 : 0);
            // A refused publish counts as rejected (HubStats); nothing else may.
            assertThat(after.rejected()).as("rejected after " + row.what())
                    .isEqualTo(closedByRow && row.what().startsWith("publish") ? 1 : 0);
            assertThat(hub.isClosed()).isEqualTo(closedByRow);
        } finally {
            hub.close();
        }
    }

    // ---------------------------------------------------------------- rows that need more than one call

    @Test
    void offerAfterCloseReturnsFalseAndCountsIt() {
        EventHub<String> hub = EventHub.<String>builder().name("bad").buildManual();
        hub.close();
        assertThat(hub.offer("late")).isFalse();
        assertThat(hub.stats().rejected()).isEqualTo(1);
    }

    @Test
    void closeTwiceCancelTwiceAndCancelAfterCloseChangeNothing() {
        EventHub<String> hub = EventHub.<String>builder().name("bad").buildManual();
        Subscription cancelled = hub.subscribe(e -> { });
        Subscription kept = hub.subscribe(e -> { });
        Periodic periodic = hub.every(Duration.ofSeconds(1), () -> "tick");
        cancelled.cancel();
        cancelled.cancel();
        periodic.cancel();
        periodic.cancel();
        assertThat(cancelled.endReason()).isEqualTo(EndReason.CANCELLED);
        assertThat(periodic.isActive()).isFalse();
        hub.close();
        hub.close();
        kept.cancel();
        assertThat(kept.endReason()).isEqualTo(EndReason.HUB_CLOSED);
        assertThat(cancelled.endReason()).isEqualTo(EndReason.CANCELLED);
        assertThat(hub.isClosed()).isTrue();
    }

    @Test
    void aFlowSubscriberFedToAClosedHubCancelsItsUpstream() {
        EventHub<String> hub = EventHub.<String>builder().name("bad").buildManual();
        hub.close();
        AtomicBoolean cancelled = new AtomicBoolean();
        hub.flowSubscriber().onSubscribe(new Flow.Subscription() {
            @Override
            public void request(long n) {
                throw new AssertionError("requested " + n + " for a closed hub");
            }

            @Override
            public void cancel() {
                cancelled.set(true);
            }
        });
        assertThat(cancelled).isTrue();
    }

    @Test
    void aPublisherOfAClosedHubSignalsOnErrorNamingTheHub() {
        EventHub<String> hub = EventHub.<String>builder().name("bad").buildManual();
        Flow.Publisher<String> publisher = hub.events().publisher();
        hub.close();
        FlowProbe probe = new FlowProbe(1);
        publisher.subscribe(probe);
        assertThat(probe.error.get()).isInstanceOf(HubClosedException.class)
                .hasMessage("hub 'bad' is closed: subscribe refused");
    }

    /**
     * Reactive Streams rule 3.9: {@code request(n <= 0)} must signal {@code onError(IllegalArgumentException)}. When the
     * bad request came from inside {@code onSubscribe}, before the hub subscription was registered, the error used to
     * be recorded and never signalled: the subscriber waited forever.
     */
    @Test
    void requestZeroInsideOnSubscribeSignalsOnError() throws Exception {
        for (long n : new long[] {0, -1, Long.MIN_VALUE}) {
            EventHub<String> hub = EventHub.<String>builder().name("bad").buildManual();
            try {
                FlowProbe probe = new FlowProbe(n);
                hub.events().publisher().subscribe(probe);
                assertThat(probe.done.await(10, TimeUnit.SECONDS)).as("a terminal signal for request(%d)", n)
                        .isTrue();
                assertThat(probe.error.get()).isInstanceOf(IllegalArgumentException.class)
                        .hasMessage("n: " + n + " (expected: > 0, Reactive Streams rule 3.9)");
            } finally {
                hub.close();
            }
        }
    }

    @Test
    void requestZeroAfterOnSubscribeSignalsOnError() throws Exception {
        EventHub<String> hub = EventHub.<String>builder().name("bad").buildManual();
        try {
            FlowProbe probe = new FlowProbe(1);
            hub.events().publisher().subscribe(probe);
            probe.subscription.get().request(0);
            assertThat(probe.done.await(10, TimeUnit.SECONDS)).isTrue();
            assertThat(probe.error.get()).isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("n: 0 (expected: > 0, Reactive Streams rule 3.9)");
        } finally {
            hub.close();
        }
    }

    /** A Flow subscriber that requests {@code initial} inside onSubscribe and records its terminal signal. */
    static final class FlowProbe implements Flow.Subscriber<String> {
        final long initial;
        final AtomicReference<Flow.Subscription> subscription = new AtomicReference<>();
        final AtomicReference<Throwable> error = new AtomicReference<>();
        final CountDownLatch done = new CountDownLatch(1);

        FlowProbe(long initial) {
            this.initial = initial;
        }

        @Override
        public void onSubscribe(Flow.Subscription s) {
            subscription.set(s);
            s.request(initial);
        }

        @Override
        public void onNext(String item) {
        }

        @Override
        public void onError(Throwable throwable) {
            error.set(throwable);
            done.countDown();
        }

        @Override
        public void onComplete() {
            done.countDown();
        }
    }

    // ---------------------------------------------------------------- wrong state: from inside a handler

    @Test
    void awaitTerminationFromAHandlerIsRefused() throws Exception {
        EventHub<String> hub = EventHub.<String>builder().name("bad").buildManual();
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        hub.subscribe(e -> {
            try {
                hub.awaitTermination(Duration.ofSeconds(1));
            } catch (Throwable t) {
                thrown.set(t);
            }
        });
        hub.offer("e");
        hub.dispatcher().doWork();
        assertThat(thrown.get()).isExactlyInstanceOf(IllegalStateException.class)
                .hasMessage("awaitTermination: called from a handler of hub 'bad' (the dispatcher cannot wait for "
                        + "itself)");
        hub.close();
    }

    /**
     * An inline handler runs on the dispatcher, the only thread that makes room in the hub: a blocking
     * {@code publish} from it into a full hub could only wait forever (the whole hub stalled until someone closed it).
     * It is refused at once, naming the hub; the timed form returns false at once (counted as rejected). With room,
     * publishing from a handler is fine.
     */
    @Test
    void publishFromAHandlerIntoAFullHubIsRefusedInsteadOfDeadlocking() throws Exception {
        EventHub<String> hub = EventHub.<String>builder().name("bad").capacity(2).buildManual();
        AtomicReference<Throwable> blocking = new AtomicReference<>();
        AtomicReference<Boolean> timed = new AtomicReference<>();
        List<String> seen = new ArrayList<>();
        hub.subscribe(e -> {
            seen.add(e);
            if (e.equals("first")) {
                try {
                    hub.publish("room"); // there is room: accepted
                    assertThat(hub.offer("fill")).isTrue();
                    timed.set(hub.publish("timed", Duration.ofSeconds(30)));
                    hub.publish("blocking");
                } catch (Throwable t) {
                    blocking.set(t);
                }
            }
        });
        hub.offer("first");
        hub.dispatcher().doWork();
        assertThat(timed.get()).isFalse();
        assertThat(blocking.get()).isExactlyInstanceOf(IllegalStateException.class)
                .hasMessage("publish: called from a handler of hub 'bad' while it is full (the dispatcher cannot "
                        + "wait for itself to make room; use offer or publish with a timeout)");
        hub.dispatcher().doWork();
        assertThat(seen).containsExactly("first", "room", "fill");
        assertThat(hub.stats().rejected()).isEqualTo(2);
        hub.close();
    }
}
