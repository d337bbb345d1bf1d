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
                    assertThat(e.getDuration("took")).isGreaterThanOrEqualTo(THRESHOLD);
                })
                .anySatisfy(e -> assertThat(e.getString("handler")).contains("AsyncSlow"));
        assertThat(byType.get("dev.eventhub.Dropped"))
                .allSatisfy(e -> assertThat(e.getString("policy")).isEqualTo("DROP_NEWEST"));
        long dropped = byType.get("dev.eventhub.Dropped").stream().mapToLong(e -> e.getLong("count")).sum();
        long gaps = byType.get("dev.eventhub.Gap").stream().mapToLong(e -> e.getLong("missed")).sum();
        assertThat(dropped).isEqualTo(gaps).isEqualTo(lossyDropped);
        assertThat(byType.get("dev.eventhub.Disconnected").get(0).getLong("buffer")).isEqualTo(2);
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
            Subscription inline = hub.events().limit(13).subscribe(new InlineSlow());
            // Async, stuck, dropping the newest from a small buffer: drops, a trailing gap, a lagging buffer.
            Subscription lossy = hub.events().async().buffer(8, Overflow.DROP_NEWEST).subscribe(lossyHandler);
            // Async, stuck, with a tiny DISCONNECT buffer.
            Subscription stuck = hub.events().async().buffer(2, Overflow.DISCONNECT).subscribe(stuckHandler);
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
            lossyHandler.release.countDown();
            stuckHandler.release.countDown();
            hub.close();
            assertThat(lossy.await(WAIT)).isTrue();
            // Every event was delivered or dropped. The last may have found room: the test releases the handler as
            // soon as the inline subscription has its 13th event, possibly before the lossy one is offered it.
            assertThat(lossy.delivered() + lossy.dropped()).isEqualTo(13);
            assertThat(lossy.dropped()).isBetween(13L - 1 - 8 - 1, 13L - 1 - 8);
            return lossy.dropped();
        }
    }

    /** A lossless consumer that keeps draining, slowly. */
    static final class SlowButSteady implements EventHandler<Integer> {
        @Override
        public void onEvent(Integer event, long sequence, long timestampNanos) {
            busy(Duration.ofMillis(2));
        }
    }

    @Test
    void backpressureOnALosslessConsumerThatKeepsDrainingIsNoWarningAndNeverSuggestsAsync() throws Exception {
        java.util.logging.Logger logger = java.util.logging.Logger.getLogger("dev.eventhub");
        List<java.util.logging.LogRecord> records = new java.util.concurrent.CopyOnWriteArrayList<>();
        java.util.logging.Handler capture = new java.util.logging.Handler() {
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
        java.util.logging.Level level = logger.getLevel();
        logger.setLevel(java.util.logging.Level.ALL);
        logger.addHandler(capture);
        Subscription steady;
        try (EventHub<Integer> hub = EventHub.<Integer>builder().name("backpressure").slowHandlerThreshold(THRESHOLD)
                .build()) {
            steady = hub.events().async().buffer(8, Overflow.BLOCK).subscribe(new SlowButSteady());
            for (int i = 0; i < 200; i++) {
                hub.publish(i); // waits while the buffer is full: backpressure
            }
        } finally {
            logger.removeHandler(capture);
            logger.setLevel(level);
        }
        assertThat(steady.await(WAIT)).isTrue();
        assertThat(steady.delivered()).isEqualTo(200);
        assertThat(records).noneMatch(r -> r.getLevel().intValue() >= java.util.logging.Level.WARNING.intValue()
                && r.getMessage() != null && (r.getMessage().contains("buffered events")
                || r.getMessage().contains("dispatching")));
        assertThat(records).noneMatch(r -> r.getMessage() != null && r.getMessage().contains("async()"));
        // Rate-limited: at most one line per kind per ten seconds, however long the backpressure lasts.
        assertThat(records.stream().filter(r -> r.getMessage() != null && r.getMessage().contains("backpressure"))
                .count()).isLessThanOrEqualTo(2);
    }
}
