package dev.eventhub;

import dev.eventhub.internal.Checks;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Subscription rules on a hub stepped by hand: deterministic, no threads, no sleeping. */
class SubscriptionTest {
    private final ManualClock clock = new ManualClock();
    private final EventHub<String> hub = EventHub.<String>builder()
            .name("subs").capacity(64).history(16).clock(clock).buildManual();

    @AfterEach
    void close() {
        hub.close();
    }

    private void publish(String... events) {
        for (String event : events) {
            assertThat(hub.offer(event)).isTrue();
        }
    }

    private void step() {
        while (hub.dispatcher().doWork() > 0) {
            // until idle
        }
    }

    /** Records what a handler receives, as "sequence:event". */
    static final class Recorder implements EventHandler<String> {
        final List<String> events = new ArrayList<>();
        final List<Long> stamps = new ArrayList<>();
        final List<Long> gaps = new ArrayList<>();

        @Override
        public void onEvent(String event, long sequence, long timestampNanos) {
            events.add(sequence + ":" + event);
            stamps.add(timestampNanos);
        }

        @Override
        public void onGap(long missed) {
            gaps.add(missed);
        }
    }

    @Test
    void sequencesStartAtOneWithoutGapsAndStampsComeFromTheClock() {
        Recorder recorder = new Recorder();
        hub.subscribe(recorder);
        publish("a", "b");
        step();
        clock.advance(Duration.ofMillis(5));
        publish("c");
        step();
        assertThat(recorder.events).containsExactly("1:a", "2:b", "3:c");
        long start = Checks.epochNanos(ManualClock.START);
        assertThat(recorder.stamps).containsExactly(start, start, start + 5_000_000);
    }

    @Test
    void stampsNeverDecreaseEvenWhenTheClockGoesBack() {
        Recorder recorder = new Recorder();
        hub.subscribe(recorder);
        publish("a");
        step();
        clock.advance(Duration.ofSeconds(-3));
        publish("b");
        step();
        assertThat(recorder.stamps.get(1)).isEqualTo(recorder.stamps.get(0));
    }

    @Test
    void aLiveSubscriptionGetsNothingAcceptedBeforeSubscribeWasCalled() {
        publish("before-1", "before-2"); // accepted, not yet dispatched
        Recorder recorder = new Recorder();
        hub.subscribe(recorder);
        publish("after");
        step();
        assertThat(recorder.events).containsExactly("3:after");
    }

    @Test
    void filtersSelectAndCombine() {
        Recorder recorder = new Recorder();
        hub.events().filter(e -> e.startsWith("web")).filter(e -> e.endsWith("start")).subscribe(recorder);
        publish("web start", "db start", "web stop", "web2 start");
        step();
        assertThat(recorder.events).containsExactly("1:web start", "4:web2 start");
    }

    @Test
    void limitEndsAfterThatManyDeliveries() {
        Recorder recorder = new Recorder();
        Subscription subscription = hub.events().filter(e -> !e.equals("skip")).limit(2).subscribe(recorder);
        publish("a", "skip", "b", "c");
        step();
        assertThat(recorder.events).containsExactly("1:a", "3:b");
        assertThat(subscription.endReason()).isEqualTo(EndReason.LIMIT_REACHED);
        assertThat(subscription.delivered()).isEqualTo(2);
        assertThat(subscription.lastSequence()).isEqualTo(3);
        assertThat(hub.stats().subscribers()).isZero();
    }

    @Test
    void cancelIsIdempotentAndStopsDelivery() {
        Recorder recorder = new Recorder();
        Subscription subscription = hub.subscribe(recorder);
        publish("a");
        step();
        subscription.cancel();
        subscription.cancel();
        publish("b");
        step();
        assertThat(recorder.events).containsExactly("1:a");
        assertThat(subscription.isActive()).isFalse();
        assertThat(subscription.endReason()).isEqualTo(EndReason.CANCELLED);
        assertThat(subscription.ended().toCompletableFuture().getNow(null)).isEqualTo(EndReason.CANCELLED);
        assertThat(hub.stats().subscribers()).isZero();
    }

    @Test
    void cancelInsideTheHandlerTakesEffectBeforeTheNextDelivery() {
        AtomicReference<Subscription> self = new AtomicReference<>();
        List<String> seen = new ArrayList<>();
        self.set(hub.subscribe(event -> {
            seen.add(event);
            self.get().cancel();
        }));
        publish("a", "b", "c");
        step();
        assertThat(seen).containsExactly("a");
        assertThat(self.get().endReason()).isEqualTo(EndReason.CANCELLED);
    }

    @Test
    void aHandlerCanCancelAnotherSubscriptionMidEvent() {
        Recorder victim = new Recorder();
        AtomicReference<Subscription> victimSubscription = new AtomicReference<>();
        hub.subscribe(event -> victimSubscription.get().cancel());
        victimSubscription.set(hub.subscribe(victim));
        publish("a", "b");
        step();
        assertThat(victim.events).isEmpty();
        assertThat(victimSubscription.get().endReason()).isEqualTo(EndReason.CANCELLED);
    }

    @Test
    void aThrowingHandlerEndsOnlyItsOwnSubscription() {
        IllegalStateException boom = new IllegalStateException("boom");
        Subscription failing = hub.subscribe(event -> {
            if (event.equals("b")) {
                throw boom;
            }
        });
        Recorder healthy = new Recorder();
        Subscription other = hub.subscribe(healthy);
        publish("a", "b", "c");
        step();
        assertThat(failing.endReason()).isEqualTo(EndReason.HANDLER_FAILED);
        assertThat(failing.failure()).isSameAs(boom);
        assertThat(failing.delivered()).isEqualTo(1);
        assertThat(other.isActive()).isTrue();
        assertThat(healthy.events).containsExactly("1:a", "2:b", "3:c");
    }

    @Test
    void aThrowingFilterOrGapHandlerAlsoFailsTheSubscription() {
        Subscription badFilter = hub.events().filter(e -> {
            throw new UnsupportedOperationException("filter");
        }).subscribe(event -> { });
        publish("a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k", "l", "m", "n", "o", "p", "q");
        step();
        assertThat(badFilter.endReason()).isEqualTo(EndReason.HANDLER_FAILED);
        assertThat(badFilter.failure()).hasMessage("filter");

        Subscription badGap = hub.events().afterSequence(0).subscribe(new EventHandler<>() {
            @Override
            public void onEvent(String event, long sequence, long timestampNanos) {
            }

            @Override
            public void onGap(long missed) {
                throw new IllegalStateException("gap " + missed);
            }
        });
        assertThat(badGap.endReason()).isEqualTo(EndReason.HANDLER_FAILED);
        assertThat(badGap.failure()).hasMessage("gap 1");
        assertThat(badGap.delivered()).isZero();
    }

    @Test
    void aHandlerThatThrowsAnErrorDoesNotKillTheDispatcher() {
        Subscription failing = hub.subscribe(event -> {
            throw new StackOverflowError("deep");
        });
        Recorder healthy = new Recorder();
        hub.subscribe(healthy);
        publish("a", "b");
        step();
        assertThat(failing.failure()).isInstanceOf(StackOverflowError.class);
        assertThat(healthy.events).containsExactly("1:a", "2:b");
    }

    @Test
    void subscribingInsideAHandlerStartsAfterEverythingAcceptedSoFar() {
        Recorder late = new Recorder();
        AtomicReference<Subscription> lateSubscription = new AtomicReference<>();
        hub.subscribe(event -> {
            if (event.equals("a")) {
                lateSubscription.set(hub.subscribe(late));
                hub.offer("published-inside");
            }
        });
        publish("a", "b");
        step();
        // "b" was accepted before the inner subscribe was called: not delivered; the inner publish is.
        assertThat(late.events).containsExactly("3:published-inside");
        assertThat(lateSubscription.get().isActive()).isTrue();
    }

    @Test
    void subscribingWithReplayInsideAHandlerSeesHistoryThenLiveWithoutSeam() {
        Recorder late = new Recorder();
        hub.subscribe(event -> {
            if (event.equals("b")) {
                hub.events().afterSequence(0).subscribe(late);
            }
        });
        publish("a", "b", "c");
        step();
        assertThat(late.events).containsExactly("1:a", "2:b", "3:c");
    }

    @Test
    void untilEndsTheSubscriptionAtItsTimeWithNoEvents() {
        Subscription subscription = hub.events().until(clock.plus(Duration.ofSeconds(10))).subscribe(e -> { });
        step();
        clock.advance(Duration.ofSeconds(10));
        step();
        assertThat(subscription.isActive()).as("until is inclusive: still active at exactly t").isTrue();
        clock.advance(Duration.ofNanos(1));
        step();
        assertThat(subscription.endReason()).isEqualTo(EndReason.UNTIL_REACHED);
        assertThat(hub.stats().subscribers()).isZero();
    }

    @Test
    void untilIsInclusiveForEventsAndNothingStampedAfterItIsDelivered() {
        Recorder recorder = new Recorder();
        Subscription subscription = hub.events().until(clock.plus(Duration.ofSeconds(1))).subscribe(recorder);
        publish("early");
        step();
        clock.advance(Duration.ofSeconds(1));
        publish("at-until");
        step();
        clock.advance(Duration.ofNanos(1));
        publish("late");
        step();
        assertThat(recorder.events).containsExactly("1:early", "2:at-until");
        assertThat(subscription.endReason()).isEqualTo(EndReason.UNTIL_REACHED);
    }

    @Test
    void anUntilAlreadyPastMeansHistoryThenEnd() {
        publish("a");
        step();
        clock.advance(Duration.ofSeconds(1));
        publish("b");
        step();
        clock.advance(Duration.ofSeconds(1));
        Recorder recorder = new Recorder();
        Subscription subscription = hub.events()
                .since(clock.plus(Duration.ofSeconds(-10)))
                .until(clock.plus(Duration.ofMillis(-500)))
                .subscribe(recorder);
        assertThat(recorder.events).containsExactly("1:a", "2:b");
        assertThat(subscription.endReason()).isEqualTo(EndReason.UNTIL_REACHED);

        Subscription liveInThePast = hub.events().until(clock.plus(Duration.ofSeconds(-1))).subscribe(e -> { });
        assertThat(liveInThePast.endReason()).isEqualTo(EndReason.UNTIL_REACHED);
    }

    @Test
    void deadlinesFireInTimeOrderWhateverTheSubscriptionOrder() {
        List<String> order = new ArrayList<>();
        for (int seconds : new int[] {30, 10, 20}) {
            hub.events().until(clock.plus(Duration.ofSeconds(seconds))).subscribe(e -> { })
                    .ended().thenAccept(reason -> order.add(seconds + "s"));
        }
        Subscription cancelled = hub.events().until(clock.plus(Duration.ofSeconds(15))).subscribe(e -> { });
        cancelled.cancel();
        for (int i = 0; i < 40; i++) {
            clock.advance(Duration.ofSeconds(1));
            step();
        }
        assertThat(order).containsExactly("10s", "20s", "30s");
        assertThat(cancelled.endReason()).isEqualTo(EndReason.CANCELLED);
    }

    @Test
    void endedCompletesAndAwaitReturnsTheReason() throws Exception {
        Subscription subscription = hub.events().limit(1).subscribe(e -> { });
        CompletableFuture<EndReason> ended = subscription.ended().toCompletableFuture();
        assertThat(ended).isNotDone();
        assertThat(subscription.await(Duration.ZERO)).isFalse();
        publish("a");
        step();
        assertThat(ended).isCompletedWithValue(EndReason.LIMIT_REACHED);
        assertThat(subscription.await()).isEqualTo(EndReason.LIMIT_REACHED);
        assertThat(subscription.await(1, TimeUnit.NANOSECONDS)).isTrue();
    }

    @Test
    void closeEndsEverySubscriptionWithHubClosedAfterDeliveringWhatWasAccepted() {
        Recorder recorder = new Recorder();
        Subscription subscription = hub.subscribe(recorder);
        publish("a", "b");
        hub.close();
        assertThat(recorder.events).containsExactly("1:a", "2:b");
        assertThat(subscription.endReason()).isEqualTo(EndReason.HUB_CLOSED);
        assertThat(hub.dispatcher().isTerminated()).isTrue();
    }

    @Test
    void closeInsideAHandlerFinishesAfterTheHandlerReturns() {
        Recorder recorder = new Recorder();
        hub.subscribe(event -> {
            if (event.equals("a")) {
                hub.close();
            }
        });
        Subscription other = hub.subscribe(recorder);
        publish("a", "b", "c");
        step();
        assertThat(hub.offer("refused")).isFalse();
        assertThat(recorder.events).containsExactly("1:a", "2:b", "3:c");
        assertThat(other.endReason()).isEqualTo(EndReason.HUB_CLOSED);
        assertThat(hub.dispatcher().isTerminated()).isTrue();
    }

    @Test
    void aConsumerCannotHearOfAGapSoTheGapIsLogged() {
        java.util.logging.Logger logger = java.util.logging.Logger.getLogger("dev.eventhub");
        List<String> logged = new ArrayList<>();
        java.util.logging.Handler capture = new java.util.logging.Handler() {
            @Override
            public void publish(java.util.logging.LogRecord record) {
                logged.add(record.getMessage());
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        java.util.logging.Level level = logger.getLevel();
        logger.setLevel(java.util.logging.Level.WARNING);
        logger.addHandler(capture);
        try {
            for (int i = 0; i < 20; i++) {
                publish("e" + i);
            }
            step();
            List<String> seen = new ArrayList<>();
            hub.events().afterSequence(0).subscribe(seen::add);
            assertThat(seen).hasSize(16).startsWith("e4");
            assertThat(logged).anySatisfy(message -> assertThat(message)
                    .contains("hub 'subs'").contains("missed 4 events").contains("subscribe an EventHandler"));
        } finally {
            logger.removeHandler(capture);
            logger.setLevel(level);
        }
    }

    @Test
    void statsCountWhatHappened() {
        Subscription first = hub.subscribe(e -> { });
        hub.events().filter(e -> e.equals("a")).subscribe(e -> { });
        publish("a", "b", "c");
        step();
        HubStats stats = hub.stats();
        assertThat(stats.name()).isEqualTo("subs");
        assertThat(stats.published()).isEqualTo(3);
        assertThat(stats.delivered()).isEqualTo(4);
        assertThat(stats.subscribers()).isEqualTo(2);
        assertThat(stats.queueDepth()).isZero();
        assertThat(stats.firstRetainedSequence()).isEqualTo(1);
        assertThat(stats.lastRetainedSequence()).isEqualTo(3);
        assertThat(stats.closed()).isFalse();
        first.cancel();
        publish("d");
        assertThat(hub.stats().queueDepth()).isEqualTo(1);
        assertThat(hub.stats().subscribers()).isEqualTo(1);
    }
}
