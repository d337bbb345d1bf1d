package dev.eventhub;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Collectors;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.Test;

/** Slow handlers, drops, gaps, disconnects and lagging buffers show up as dev.eventhub.* JFR events. */
class DiagnosticsTest {
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final Duration THRESHOLD = Duration.ofMillis(20);

    private static void busy(Duration duration) {
        long until = System.nanoTime() + duration.toNanos(); // simulated work, not synchronisation
        while (System.nanoTime() < until) {
            Thread.onSpinWait();
        }
    }

    @Test
    void reportsWhatWentWrongAsJfrEvents() throws Exception {
        List<RecordedEvent> events;
        long lossyDropped;
        Path file = Files.createTempFile("eventhub", ".jfr");
        try (Recording recording = new Recording()) {
            for (String name : List.of("SlowHandler", "Dropped", "Gap", "Disconnected", "Behind")) {
                recording.enable("dev.eventhub." + name).withoutThreshold();
            }
            recording.start();
            lossyDropped = provokeEverything();
            recording.stop();
            recording.dump(file);
            events = RecordingFile.readAllEvents(file);
        } finally {
            Files.deleteIfExists(file);
        }
        var byType = events.stream().collect(Collectors.groupingBy(e -> e.getEventType().getName()));
        assertThat(byType).containsKeys("dev.eventhub.SlowHandler", "dev.eventhub.Dropped", "dev.eventhub.Gap",
                "dev.eventhub.Disconnected", "dev.eventhub.Behind");

        assertThat(byType.get("dev.eventhub.SlowHandler"))
                .anySatisfy(e -> {
                    assertThat(e.getString("hub")).isEqualTo("diagnostics");
                    assertThat(e.getString("handler")).contains("InlineSlow");
                    assertThat(e.getString("subscription")).isEqualTo("slow-inline");
                    assertThat(e.getDuration("took")).isGreaterThanOrEqualTo(THRESHOLD);
                })
                .anySatisfy(e -> assertThat(e.getString("handler")).contains("AsyncSlow"));
        assertThat(byType.get("dev.eventhub.Dropped"))
                .allSatisfy(e -> assertThat(e.getString("policy")).isEqualTo("DROP_NEWEST"))
                .allSatisfy(e -> assertThat(e.getString("subscription")).isEqualTo("lossy"));
        assertThat(byType.get("dev.eventhub.Gap"))
                .allSatisfy(e -> assertThat(e.getString("subscription")).isEqualTo("lossy"));
        long dropped = byType.get("dev.eventhub.Dropped").stream().mapToLong(e -> e.getLong("count")).sum();
        long gaps = byType.get("dev.eventhub.Gap").stream().mapToLong(e -> e.getLong("missed")).sum();
        assertThat(dropped).isEqualTo(gaps).isEqualTo(lossyDropped);
        assertThat(byType.get("dev.eventhub.Disconnected").get(0).getLong("buffer")).isEqualTo(2);
        assertThat(byType.get("dev.eventhub.Disconnected").get(0).getString("subscription")).isEqualTo("stuck");
        assertThat(byType.get("dev.eventhub.Behind")).singleElement().satisfies(e -> {
            assertThat(e.getLong("buffer")).isEqualTo(8);
            assertThat(e.getLong("buffered")).isGreaterThanOrEqualTo(6);
            assertThat(e.getDuration("above")).isGreaterThanOrEqualTo(Duration.ofSeconds(1));
        });
    }

    /** Named handler classes, so that the events' handler field can be checked. */
    static final class InlineSlow implements EventHandler<Integer> {
        @Override
        public void onEvent(Integer event, long sequence, long timestampNanos) {
            busy(THRESHOLD.multipliedBy(2));
        }
    }

    static final class AsyncSlow implements EventHandler<Integer> {
        final CountDownLatch release = new CountDownLatch(1);

        @Override
        public void onEvent(Integer event, long sequence, long timestampNanos) throws InterruptedException {
            release.await();
        }
    }

    /** Returns how many events the DROP_NEWEST subscription dropped. */
    private static long provokeEverything() throws Exception {
        ManualClock clock = new ManualClock();
        AsyncSlow lossyHandler = new AsyncSlow();
        AsyncSlow stuckHandler = new AsyncSlow();
        try (EventHub<Integer> hub = EventHub.<Integer>builder().name("diagnostics").clock(clock)
                .slowHandlerThreshold(THRESHOLD).build()) {
            // Inline: a slow round switches on per-call timing, which then names the handler.
            Subscription inline = hub.events().name("slow-inline").limit(13).subscribe(new InlineSlow());
            // Async, stuck, dropping the newest from a small buffer: drops, a trailing gap, a lagging buffer.
            Subscription lossy = hub.events().name("lossy").async().buffer(8, Overflow.DROP_NEWEST)
                    .subscribe(lossyHandler);
            // Async, stuck, with a tiny DISCONNECT buffer.
            Subscription stuck = hub.events().name("stuck").async().buffer(2, Overflow.DISCONNECT)
                    .subscribe(stuckHandler);
            for (int i = 0; i < 10; i++) {
                hub.publish(i);
            }
            await().atMost(WAIT).until(() -> inline.delivered() == 10);
            clock.advance(Duration.ofSeconds(1)); // the lossy buffer has now been full for a second of hub time
            for (int i = 10; i < 13; i++) {
                hub.publish(i);
            }
            assertThat(inline.await(WAIT)).isTrue();
            assertThat(stuck.await(WAIT)).isTrue();
            // The dispatcher hands a batch to one subscription after another: the inline one may have ended on its
            // 13th event before the lossy one was offered any of the last batch. Release the lossy handler only once
            // every event is buffered or dropped (all but the one in its handler, if it has taken one).
            await().atMost(WAIT).until(() -> lossy.dropped() + info(hub, "lossy").buffered() >= 12);
            lossyHandler.release.countDown();
            stuckHandler.release.countDown();
            hub.close();
            assertThat(lossy.await(WAIT)).isTrue();
            // Every event was delivered or dropped: one in the handler (if its consumer took the first before the
            // buffer filled), eight buffered, the rest dropped.
            assertThat(lossy.delivered() + lossy.dropped()).isEqualTo(13);
            assertThat(lossy.dropped()).isBetween(13L - 1 - 8, 13L - 8);
            return lossy.dropped();
        }
    }

    private static SubscriptionInfo info(EventHub<?> hub, String name) {
        return hub.subscriptions().stream().filter(i -> i.name().equals(name)).findFirst().orElseThrow();
    }

    /** A lossless consumer that keeps draining, slowly. */
    static final class SlowButSteady implements EventHandler<Integer> {
        @Override
        public void onEvent(Integer event, long sequence, long timestampNanos) {
            busy(Duration.ofMillis(2));
        }
    }

    /** Captures what the hub logs ("dev.eventhub", through java.util.logging) while it is open. */
    static final class LogCapture implements AutoCloseable {
        final List<java.util.logging.LogRecord> records = new java.util.concurrent.CopyOnWriteArrayList<>();
        private final java.util.logging.Logger logger = java.util.logging.Logger.getLogger("dev.eventhub");
        private final java.util.logging.Level level = logger.getLevel();
        private final java.util.logging.Handler handler = new java.util.logging.Handler() {
            @Override
            public void publish(java.util.logging.LogRecord record) {
                records.add(record);
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };

        LogCapture() {
            logger.setLevel(java.util.logging.Level.ALL);
            logger.addHandler(handler);
        }

        /** The messages logged at exactly {@code level} that contain {@code text}. */
        List<String> at(java.util.logging.Level level, String text) {
            return records.stream().filter(r -> r.getLevel().equals(level))
                    .map(java.util.logging.LogRecord::getMessage)
                    .filter(m -> m != null && m.contains(text)).toList();
        }

        @Override
        public void close() {
            logger.removeHandler(handler);
            logger.setLevel(level);
        }
    }

    @Test
    void backpressureOnALosslessConsumerThatKeepsDrainingIsInfoNeverAWarningAndNeverSuggestsAsync() throws Exception {
        Diagnostics.resetBackpressureLog(); // the limiter is JVM-wide: another test may have used this window
        Subscription steady;
        LogCapture log = new LogCapture();
        try (log; EventHub<Integer> hub = EventHub.<Integer>builder().name("backpressure")
                .slowHandlerThreshold(THRESHOLD).build()) {
            steady = hub.events().async().buffer(8, Overflow.BLOCK).subscribe(new SlowButSteady());
            for (int i = 0; i < 200; i++) {
                hub.publish(i); // waits while the buffer is full: backpressure
            }
        }
        assertThat(steady.await(WAIT)).isTrue();
        assertThat(steady.delivered()).isEqualTo(200);
        List<java.util.logging.LogRecord> records = log.records;
        assertThat(records).noneMatch(r -> r.getLevel().intValue() >= java.util.logging.Level.WARNING.intValue()
                && r.getMessage() != null && (r.getMessage().contains("buffered events")
                || r.getMessage().contains("dispatching")));
        assertThat(records).noneMatch(r -> r.getMessage() != null && r.getMessage().contains("async()"));
        // 200 events at 2 ms each through a buffer of 8 keep the dispatcher waiting far past the 20 ms threshold: the
        // backpressure is reported, at INFO, naming this hub.
        // Rate-limited: one line per ten seconds (both kinds share the limiter), however long it lasts.
        assertThat(log.at(java.util.logging.Level.INFO, ": backpressure, producers are slowed to its pace"))
                .singleElement()
                .satisfies(m -> assertThat(m).startsWith("hub 'backpressure': "));
        assertThat(records.stream().filter(r -> r.getMessage() != null
                && r.getMessage().contains("backpressure, producers")).count()).isEqualTo(1);
    }

    /** A consumer that takes one event and then nothing until released. */
    static final class Stuck implements EventHandler<Integer> {
        final CountDownLatch entered = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);

        @Override
        public void onEvent(Integer event, long sequence, long timestampNanos) throws InterruptedException {
            entered.countDown();
            release.await();
        }
    }

    @Test
    void aLosslessConsumerThatTakesNothingIsAWarning() throws Exception {
        Diagnostics.resetBackpressureLog(); // so that a rate-limited INFO line could not hide behind an earlier one
        ManualClock clock = new ManualClock();
        Stuck stuck = new Stuck();
        Subscription blocked;
        try (LogCapture log = new LogCapture(); EventHub<Integer> hub = EventHub.<Integer>builder().name("stuck")
                .clock(clock).slowHandlerThreshold(THRESHOLD).build()) {
            blocked = hub.events().async().buffer(8, Overflow.BLOCK).subscribe(stuck);
            // An inline witness: when it has event k, the dispatcher has stamped events up to k.
            Subscription witness = hub.events().subscribe((Integer event, long sequence, long stamp) -> { });
            hub.publish(0);
            assertThat(stuck.entered.await(WAIT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS)).isTrue();
            // The consumer holds event 0 and takes nothing more: events 1..7 fill the buffer past its high
            // watermark (6 of 8) at one instant of hub time...
            for (int i = 1; i < 8; i++) {
                hub.publish(i);
            }
            await().atMost(WAIT).until(() -> witness.delivered() == 8);
            clock.advance(Duration.ofSeconds(1));
            // ...and event 8 finds it still there a second later, with the consumer's head where it was.
            hub.publish(8);
            await().atMost(WAIT).until(() -> !log.at(java.util.logging.Level.WARNING, "without taking any").isEmpty());
            assertThat(log.at(java.util.logging.Level.WARNING, "without taking any")).singleElement()
                    .satisfies(m -> assertThat(m).contains("hub 'stuck'").contains(Stuck.class.getName())
                            .contains("of 8 buffered events"));
            assertThat(log.at(java.util.logging.Level.INFO, "keeps draining")).isEmpty();
            stuck.release.countDown();
        }
        assertThat(blocked.await(WAIT)).isTrue();
        assertThat(blocked.delivered()).isEqualTo(9);
    }
}
