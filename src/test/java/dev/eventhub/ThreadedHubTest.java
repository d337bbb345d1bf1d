package dev.eventhub;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The hub with its dispatcher thread: idle strategies, backpressure, cancel from other threads, close. */
class ThreadedHubTest {
    private static final Duration WAIT = Duration.ofSeconds(20);

    private final List<EventHub<?>> hubs = new CopyOnWriteArrayList<>();

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
        await().atMost(WAIT).until(() -> hubThreads() == 0);
    }

    /** Waits until no eventhub thread is alive; fails with the stacks of those that are. */
    static void awaitNoHubThreads(Duration timeout) {
        try {
            await().atMost(timeout).until(() -> hubThreads() == 0);
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            throw new AssertionError("eventhub threads still alive after " + timeout + ":" + describeHubThreads(), e);
        }
    }

    static String describeHubThreads() {
        StringBuilder out = new StringBuilder();
        Thread.getAllStackTraces().forEach((thread, stack) -> {
            if (thread.getName().startsWith("eventhub-")) {
                out.append('\n').append(thread.getName()).append(' ').append(thread.getState());
                for (int i = 0; i < Math.min(8, stack.length); i++) {
                    out.append("\n    at ").append(stack[i]);
                }
            }
        });
        return out.toString();
    }

    static long hubThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().startsWith("eventhub-") && t.isAlive()).count();
    }

    @ParameterizedTest
    @EnumSource(IdleStrategy.class)
    void everyIdleStrategyWakesForAPublishAfterGoingIdle(IdleStrategy idle) throws Exception {
        EventHub<Integer> hub = track(EventHub.<Integer>builder().name("idle-" + idle).idle(idle).build());
        CountDownLatch first = new CountDownLatch(1);
        CountDownLatch second = new CountDownLatch(1);
        hub.subscribe(event -> (event == 1 ? first : second).countDown());
        hub.publish(1);
        assertThat(first.await(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
        // Let the dispatcher go fully idle (for PARK: parked with no deadline, so only the publish can wake it).
        Thread dispatcher = dispatcherThread("idle-" + idle);
        if (idle == IdleStrategy.PARK) {
            await().atMost(WAIT).until(() -> dispatcher.getState() == Thread.State.WAITING);
        }
        hub.publish(2);
        assertThat(second.await(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
    }

    private static Thread dispatcherThread(String hubName) {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().equals("eventhub-" + hubName + "-dispatcher")).findFirst().orElseThrow();
    }

    @Test
    void offerNeverBlocksAndCountsRefusalsWhenFull() throws Exception {
        EventHub<Integer> hub = track(EventHub.<Integer>builder().name("full").capacity(4).build());
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch inHandler = new CountDownLatch(1);
        hub.subscribe((event, sequence, nanos) -> {
            inHandler.countDown();
            release.await();
        });
        assertThat(hub.offer(0)).isTrue();
        assertThat(inHandler.await(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
        int accepted = 0;
        for (int i = 1; i <= 10; i++) {
            if (hub.offer(i)) {
                accepted++;
            }
        }
        assertThat(accepted).isEqualTo(4);
        assertThat(hub.stats().rejected()).isEqualTo(6);
        assertThat(hub.publish(99, Duration.ofMillis(20))).isFalse();
        assertThat(hub.stats().rejected()).isEqualTo(7);
        release.countDown();
    }

    @Test
    void publishWaitsWhileFullThenProceeds() throws Exception {
        EventHub<Integer> hub = track(EventHub.<Integer>builder().name("backpressure").capacity(2).build());
        CountDownLatch release = new CountDownLatch(1);
        List<Integer> seen = new CopyOnWriteArrayList<>();
        hub.subscribe((event, sequence, nanos) -> {
            release.await();
            seen.add(event);
        });
        AtomicInteger published = new AtomicInteger();
        Thread producer = new Thread(() -> {
            try {
                for (int i = 0; i < 50; i++) {
                    hub.publish(i);
                    published.incrementAndGet();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        producer.start();
        await().atMost(WAIT).until(() -> producer.getState() == Thread.State.TIMED_WAITING
                || producer.getState() == Thread.State.RUNNABLE && published.get() >= 3);
        assertThat(published.get()).isLessThan(50);
        release.countDown();
        producer.join(WAIT.toMillis());
        await().atMost(WAIT).until(() -> seen.size() == 50);
        assertThat(seen).isSorted();
    }

    @Test
    void publishWaitingForSpaceIsInterruptible() throws Exception {
        EventHub<Integer> hub = track(EventHub.<Integer>builder().name("interrupt").capacity(2).build());
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch inHandler = new CountDownLatch(1);
        hub.subscribe((event, sequence, nanos) -> {
            inHandler.countDown();
            release.await();
        });
        hub.publish(0);
        inHandler.await();
        hub.publish(1);
        hub.publish(2);
        AtomicReference<Throwable> outcome = new AtomicReference<>();
        Thread producer = new Thread(() -> {
            try {
                hub.publish(3);
                outcome.set(new AssertionError("accepted while full"));
            } catch (Throwable t) {
                outcome.set(t);
            }
        });
        producer.start();
        await().atMost(WAIT).until(() -> producer.getState() == Thread.State.TIMED_WAITING);
        producer.interrupt();
        producer.join(WAIT.toMillis());
        assertThat(outcome.get()).isInstanceOf(InterruptedException.class)
                .hasMessageContaining("hub 'interrupt'");
        assertThat(hub.stats().rejected()).isEqualTo(1);
        release.countDown();
    }

    @Test
    void publishWaitingForSpaceFailsWhenTheHubCloses() throws Exception {
        EventHub<Integer> hub = track(EventHub.<Integer>builder().name("closing").capacity(2)
                .drainTimeout(Duration.ofMillis(200)).build());
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch inHandler = new CountDownLatch(1);
        hub.subscribe((event, sequence, nanos) -> {
            inHandler.countDown();
            release.await();
        });
        hub.publish(0);
        inHandler.await();
        hub.publish(1);
        hub.publish(2);
        AtomicReference<Throwable> outcome = new AtomicReference<>();
        Thread producer = new Thread(() -> {
            try {
                hub.publish(3);
            } catch (Throwable t) {
                outcome.set(t);
            }
        });
        producer.start();
        await().atMost(WAIT).until(() -> producer.getState() == Thread.State.TIMED_WAITING);
        Thread closer = new Thread(hub::close);
        closer.start();
        producer.join(WAIT.toMillis());
        assertThat(outcome.get()).isInstanceOf(HubClosedException.class).hasMessageContaining("'closing'");
        release.countDown();
        closer.join(WAIT.toMillis());
    }

    @Test
    void afterCancelReturnsOnAnotherThreadNoHandlerCallBegins() throws Exception {
        EventHub<Integer> hub = track(EventHub.<Integer>builder().name("cancel").idle(IdleStrategy.YIELD).build());
        AtomicBoolean cancelled = new AtomicBoolean();
        AtomicInteger callsAfterCancel = new AtomicInteger();
        CountDownLatch running = new CountDownLatch(100);
        Subscription subscription = hub.subscribe(event -> {
            if (cancelled.get()) {
                callsAfterCancel.incrementAndGet();
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
        long deliveredAtCancel = subscription.delivered();
        // Keep events flowing through several more rounds, then check no call began after cancel returned.
        long target = hub.stats().published() + 10_000;
        await().atMost(WAIT).until(() -> hub.stats().published() >= target);
        stop.set(true);
        producer.join();
        assertThat(callsAfterCancel.get()).isZero();
        assertThat(subscription.delivered()).isEqualTo(deliveredAtCancel);
        assertThat(subscription.endReason()).isEqualTo(EndReason.CANCELLED);
    }

    @Test
    void untilEndsOnItsOwnWithARunningDispatcherAndAnInjectedClock() throws Exception {
        ManualClock clock = new ManualClock();
        EventHub<String> hub = track(EventHub.<String>builder().name("until").clock(clock).build());
        Subscription subscription = hub.events().until(clock.plus(Duration.ofMinutes(5))).subscribe(e -> { });
        assertThat(subscription.await(Duration.ofMillis(50))).isFalse();
        clock.advance(Duration.ofMinutes(6));
        assertThat(subscription.await(WAIT)).isTrue();
        assertThat(subscription.endReason()).isEqualTo(EndReason.UNTIL_REACHED);
    }

    @Test
    void untilEndsOnItsOwnWithTheSystemClock() throws Exception {
        EventHub<String> hub = track(EventHub.<String>builder().name("until-system").build());
        Subscription subscription = hub.events().until(java.time.Instant.now().plusMillis(100)).subscribe(e -> { });
        assertThat(subscription.await(WAIT)).isTrue();
        assertThat(subscription.endReason()).isEqualTo(EndReason.UNTIL_REACHED);
    }

    @Test
    void closeDeliversEverythingAcceptedThenEndsAndLeavesNoThread() throws Exception {
        long before = hubThreads();
        EventHub<Integer> hub = EventHub.<Integer>builder().name("close").capacity(1 << 10).build();
        AtomicInteger seen = new AtomicInteger();
        Subscription subscription = hub.subscribe(event -> seen.incrementAndGet());
        int accepted = 0;
        for (int i = 0; i < 5_000; i++) {
            if (hub.offer(i)) {
                accepted++;
            }
        }
        hub.close();
        hub.close(); // idempotent
        assertThat(seen.get()).isEqualTo(accepted);
        assertThat(subscription.endReason()).isEqualTo(EndReason.HUB_CLOSED);
        assertThat(hub.awaitTermination(Duration.ZERO)).isTrue();
        assertThat(hub.isClosed()).isTrue();
        assertThat(hubThreads()).isEqualTo(before);
        assertThat(hub.offer(1)).isFalse();
        assertThatThrownBy(() -> hub.publish(1)).isInstanceOf(HubClosedException.class);
    }

    @Test
    void closeFromAHandlerReturnsAndTheHubFinishesClosing() throws Exception {
        EventHub<Integer> hub = EventHub.<Integer>builder().name("close-inside").build();
        AtomicReference<Throwable> awaitFromHandler = new AtomicReference<>();
        Subscription subscription = hub.subscribe(event -> {
            hub.close();
            try {
                hub.awaitTermination(Duration.ofSeconds(1));
            } catch (Throwable t) {
                awaitFromHandler.set(t);
            }
        });
        hub.publish(1);
        assertThat(hub.awaitTermination(WAIT)).isTrue();
        assertThat(subscription.endReason()).isEqualTo(EndReason.HUB_CLOSED);
        assertThat(awaitFromHandler.get()).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("called from a handler of hub 'close-inside'");
    }

    @Test
    void closeWithAStuckHandlerGivesUpAfterTheDrainTimeoutAndCountsWhatWasLeft() throws Exception {
        EventHub<Integer> hub = EventHub.<Integer>builder().name("stuck").drainTimeout(Duration.ofMillis(200)).build();
        CountDownLatch inHandler = new CountDownLatch(1);
        CountDownLatch never = new CountDownLatch(1);
        Subscription stuck = hub.subscribe((event, sequence, nanos) -> {
            inHandler.countDown();
            never.await(); // released only by the interrupt close sends
        });
        for (int i = 0; i < 10; i++) {
            hub.publish(i);
        }
        inHandler.await();
        hub.close();
        assertThat(stuck.endReason()).isEqualTo(EndReason.HUB_CLOSED);
        assertThat(stuck.dropped()).isEqualTo(10); // an upper bound: nothing after its last delivery arrived
        assertThat(hub.awaitTermination(WAIT)).isTrue();
        await().atMost(WAIT).until(() -> hubThreads() == 0);
    }

    @Test
    void subscribeReturnsOnlyOnceRegistered() throws Exception {
        EventHub<Integer> hub = track(EventHub.<Integer>builder().name("registered").build());
        for (int round = 0; round < 200; round++) {
            CountDownLatch got = new CountDownLatch(1);
            Subscription subscription = hub.subscribe(event -> got.countDown());
            hub.publish(round);
            assertThat(got.await(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
            subscription.cancel();
        }
        assertThat(hub.stats().subscribers()).isZero();
    }
}
