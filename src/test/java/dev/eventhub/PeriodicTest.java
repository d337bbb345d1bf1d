package dev.eventhub;

import dev.eventhub.internal.Checks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** hub.every(period, supplier) on an injected clock: no thread, no waiting for real time. */
class PeriodicTest {
    private final ManualClock clock = new ManualClock();
    private final EventHub<String> hub = EventHub.<String>builder().name("periodic").capacity(64).clock(clock)
            .topic(event -> event.startsWith("status") ? "default/pod/status" : "other").buildManual();
    private final List<Long> stamps = new ArrayList<>();
    private final List<String> events = new ArrayList<>();

    PeriodicTest() {
        hub.subscribe((event, sequence, nanos) -> {
            events.add(event);
            stamps.add(nanos);
        });
    }

    @AfterEach
    void close() {
        hub.close();
    }

    private void step() {
        while (hub.dispatcher().doWork() > 0) {
            // until idle
        }
    }

    private void run(Duration total, Duration step) {
        for (long t = 0; t < total.toNanos(); t += step.toNanos()) {
            clock.advance(step);
            step();
        }
    }

    @Test
    void ticksOncePerPeriodOverASimulatedHour() {
        AtomicInteger count = new AtomicInteger();
        Periodic status = hub.every(Duration.ofSeconds(1), () -> "status " + count.incrementAndGet());
        step();
        run(Duration.ofHours(1), Duration.ofMillis(250));
        assertThat(status.published()).isEqualTo(3600);
        assertThat(status.skipped()).isZero();
        assertThat(events).hasSize(3600).startsWith("status 1", "status 2").endsWith("status 3600");
        long start = Checks.epochNanos(ManualClock.START);
        assertThat(stamps.get(0)).isEqualTo(start + Duration.ofSeconds(1).toNanos());
        assertThat(stamps.get(3599)).isEqualTo(start + Duration.ofHours(1).toNanos());
    }

    @Test
    void aLateTickIsTakenOnceAndTheMissedOnesSkipped() {
        Periodic status = hub.every(Duration.ofSeconds(1), () -> "status");
        step();
        clock.advance(Duration.ofMillis(5_500));
        step();
        assertThat(status.published()).isEqualTo(1);
        assertThat(status.skipped()).isEqualTo(4);
        clock.advance(Duration.ofMillis(400)); // 5.9 s: the next tick is due at 6 s, not earlier
        step();
        assertThat(status.published()).isEqualTo(1);
        clock.advance(Duration.ofMillis(100));
        step();
        assertThat(status.published()).isEqualTo(2);
    }

    @Test
    void aFailingSupplierIsReportedAndTheScheduleGoesOn() {
        AtomicInteger calls = new AtomicInteger();
        Periodic flaky = hub.every(Duration.ofSeconds(1), () -> {
            int call = calls.incrementAndGet();
            if (call % 3 == 0) {
                throw new IllegalStateException("tick " + call);
            }
            return call % 3 == 2 ? null : "status " + call;
        });
        step();
        run(Duration.ofSeconds(9), Duration.ofSeconds(1));
        assertThat(calls.get()).isEqualTo(9);
        assertThat(flaky.published()).isEqualTo(3);
        assertThat(flaky.failures()).isEqualTo(6);
        assertThat(flaky.skipped()).isEqualTo(6);
        assertThat(flaky.isActive()).isTrue();
    }

    @Test
    void cancelAndCloseStopTheSchedule() {
        Periodic first = hub.every(Duration.ofSeconds(1), () -> "status a");
        Periodic second = hub.every(Duration.ofSeconds(1), () -> "status b");
        step();
        run(Duration.ofSeconds(3), Duration.ofSeconds(1));
        first.cancel();
        first.cancel();
        run(Duration.ofSeconds(3), Duration.ofSeconds(1));
        assertThat(first.published()).isEqualTo(3);
        assertThat(first.isActive()).isFalse();
        assertThat(second.published()).isEqualTo(6);
        hub.close();
        assertThat(second.isActive()).isFalse();
        assertThatThrownBy(() -> hub.every(Duration.ofSeconds(1), () -> "late"))
                .isInstanceOf(HubClosedException.class).hasMessage("hub 'periodic' is closed: every refused");
    }

    @Test
    void periodicEventsTakeTheNormalPathIncludingRouting() {
        List<String> routed = new ArrayList<>();
        hub.events().topicPattern("default/pod/*").subscribe(routed::add);
        hub.every(Duration.ofSeconds(1), () -> "status");
        hub.offer("not status");
        step();
        run(Duration.ofSeconds(2), Duration.ofSeconds(1));
        assertThat(routed).containsExactly("status", "status");
        assertThat(events).containsExactly("not status", "status", "status");
        assertThat(hub.stats().published()).isEqualTo(3);
    }

    @Test
    void aTickThatFindsTheHubFullIsSkipped() {
        try (EventHub<String> full = EventHub.<String>builder().name("full").capacity(Dispatcher.BATCH).clock(clock)
                .buildManual()) {
            Periodic status = full.every(Duration.ofSeconds(1), () -> "status");
            full.dispatcher().doWork();
            // The last event of a full round refills the ingress, so the tick that follows the round finds no room.
            full.subscribe(event -> {
                if (event.equals("last")) {
                    while (full.offer("filler")) {
                        // until full
                    }
                }
            });
            for (int i = 1; i < Dispatcher.BATCH; i++) {
                full.offer("event");
            }
            full.offer("last");
            clock.advance(Duration.ofSeconds(1));
            full.dispatcher().doWork();
            assertThat(status.published()).isZero();
            assertThat(status.skipped()).isEqualTo(1);
            clock.advance(Duration.ofSeconds(1));
            while (full.dispatcher().doWork() > 0) {
                // drain the fillers; the next tick publishes
            }
            assertThat(status.published()).isEqualTo(1);
        }
    }

    @Test
    void badArguments() {
        assertThatThrownBy(() -> hub.every(Duration.ZERO, () -> "x"))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("period: PT0S (expected: > 0)");
        assertThatThrownBy(() -> hub.every(Duration.ofSeconds(-1), () -> "x"))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("period: PT-1S (expected: > 0)");
        assertThatThrownBy(() -> hub.every(null, () -> "x"))
                .isInstanceOf(NullPointerException.class).hasMessage("period: null (expected: not null)");
        assertThatThrownBy(() -> hub.every(Duration.ofSeconds(1), null))
                .isInstanceOf(NullPointerException.class).hasMessage("supplier: null (expected: not null)");
    }

    @Test
    void withARunningDispatcherAndTheSystemClock() throws Exception {
        try (EventHub<String> live = EventHub.<String>builder().name("periodic-live").build()) {
            AtomicInteger seen = new AtomicInteger();
            live.subscribe(event -> seen.incrementAndGet());
            Periodic ticker = live.every(Duration.ofMillis(10), () -> "tick");
            await().atMost(Duration.ofSeconds(20)).until(() -> seen.get() >= 5);
            ticker.cancel();
            long published = ticker.published();
            assertThat(published).isGreaterThanOrEqualTo(5);
            assertThat(ticker.isActive()).isFalse();
        }
    }
}
