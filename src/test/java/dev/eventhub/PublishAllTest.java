package dev.eventhub;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * {@link EventHub#publishAll} and {@link EventHub#offerAll}: a batch is one claim, so it takes consecutive
 * sequences, is accepted whole or not at all, and a close racing it accepts all of it or none.
 */
class PublishAllTest {

    /** An event: which producer, which batch, which position in it. */
    record Item(int producer, int batch, int index) {
    }

    @Test
    void batchesOfConcurrentProducersTakeConsecutiveSequencesAndNeverInterleave() throws Exception {
        final int producers = 3;
        final int batches = 400;
        final int size = 50;
        try (EventHub<Item> hub = EventHub.<Item>builder().name("batches").capacity(1 << 10).build()) {
            List<Item> seen = new ArrayList<>();
            List<Long> sequences = new ArrayList<>();
            hub.subscribe((item, sequence, nanos) -> {
                seen.add(item);
                sequences.add(sequence);
            });
            CountDownLatch start = new CountDownLatch(1);
            List<Thread> threads = new ArrayList<>();
            AtomicReference<Throwable> failure = new AtomicReference<>();
            for (int p = 0; p < producers; p++) {
                final int producer = p;
                Thread thread = new Thread(() -> {
                    try {
                        start.await();
                        for (int b = 0; b < batches; b++) {
                            List<Item> batch = new ArrayList<>(size);
                            for (int i = 0; i < size; i++) {
                                batch.add(new Item(producer, b, i));
                            }
                            hub.publishAll(batch);
                        }
                    } catch (Throwable t) {
                        failure.set(t);
                    }
                }, "publishAll-" + p);
                threads.add(thread);
                thread.start();
            }
            start.countDown();
            for (Thread thread : threads) {
                thread.join(TimeUnit.SECONDS.toMillis(30));
            }
            assertThat(failure.get()).isNull();
            hub.close();
            assertThat(seen).hasSize(producers * batches * size);
            for (int at = 0; at < seen.size(); at += size) {
                Item first = seen.get(at);
                assertThat(first.index()).as("a batch starts at sequence %d", sequences.get(at)).isZero();
                for (int i = 1; i < size; i++) {
                    assertThat(seen.get(at + i)).as("sequence %d", sequences.get(at + i))
                            .isEqualTo(new Item(first.producer(), first.batch(), i));
                    assertThat(sequences.get(at + i)).isEqualTo(sequences.get(at) + i);
                }
            }
            int[] nextBatch = new int[producers];
            for (int at = 0; at < seen.size(); at += size) {
                Item first = seen.get(at);
                assertThat(first.batch()).as("producer %d keeps its order", first.producer())
                        .isEqualTo(nextBatch[first.producer()]++);
            }
        }
    }

    @Test
    void offerAllIsAllOrNothingAndCountsTheRefusedEvents() {
        EventHub<String> hub = EventHub.<String>builder().name("all-or-nothing").capacity(8).buildManual();
        try {
            List<String> got = new ArrayList<>();
            hub.subscribe(got::add);
            assertThat(hub.offerAll(List.of("a", "b", "c", "d", "e"))).isTrue();
            assertThat(hub.offerAll(List.of("f", "g", "h", "i"))).as("4 events, 3 free slots").isFalse();
            assertThat(hub.stats().rejected()).isEqualTo(4);
            assertThat(hub.stats().queueDepth()).isEqualTo(5);
            assertThat(hub.offerAll(List.of("f", "g", "h"))).isTrue();
            assertThat(hub.offerAll(List.of())).as("an empty batch").isTrue();
            while (hub.dispatcher().doWork() > 0) {
                // drain
            }
            // A list that is not RandomAccess is read with its iterator, in order.
            assertThat(hub.offerAll(new LinkedList<>(List.of("x", "y")))).isTrue();
            while (hub.dispatcher().doWork() > 0) {
                // drain
            }
            assertThat(got).containsExactly("a", "b", "c", "d", "e", "f", "g", "h", "x", "y");
        } finally {
            hub.close();
        }
    }

    @Test
    void publishAllWaitsForRoomForTheWholeBatch() throws Exception {
        try (EventHub<Integer> hub = EventHub.<Integer>builder().name("waits").capacity(8).build()) {
            CountDownLatch release = new CountDownLatch(1);
            CountDownLatch blocked = new CountDownLatch(1);
            List<Integer> got = new ArrayList<>();
            hub.subscribe((e, sequence, nanos) -> {
                if (e == 0) {
                    blocked.countDown();
                    release.await();
                }
                got.add(e);
            });
            hub.publish(0);
            assertThat(blocked.await(10, TimeUnit.SECONDS)).isTrue();
            // 7 fit: event 0's slot goes back to producers only with the next one (every capacity / 4 polls).
            hub.publishAll(List.of(1, 2, 3, 4, 5, 6, 7));
            Thread late = new Thread(() -> {
                try {
                    hub.publishAll(List.of(8, 9));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            late.start();
            // The late batch cannot fit until the handler lets go; it must wait (parked), not fail and not split.
            Awaitility.await().atMost(Duration.ofSeconds(10))
                    .until(() -> late.getState() == Thread.State.TIMED_WAITING);
            assertThat(hub.stats().rejected()).isZero();
            release.countDown();
            late.join(TimeUnit.SECONDS.toMillis(10));
            assertThat(late.isAlive()).isFalse();
            hub.close();
            assertThat(got).containsExactly(0, 1, 2, 3, 4, 5, 6, 7, 8, 9);
        }
    }

    @Test
    void aCloseRacingBatchesAcceptsEachWholeOrNotAtAll() throws Exception {
        final int size = 64;
        for (int round = 0; round < 20; round++) {
            EventHub<Item> hub = EventHub.<Item>builder().name("close-race").capacity(1 << 12).build();
            ConcurrentHashMap<Long, Integer> perBatch = new ConcurrentHashMap<>();
            hub.subscribe(item -> perBatch.merge((long) item.producer() << 32 | item.batch(), 1, Integer::sum));
            CountDownLatch started = new CountDownLatch(2);
            List<Thread> threads = new ArrayList<>();
            for (int p = 0; p < 2; p++) {
                final int producer = p;
                Thread thread = new Thread(() -> {
                    started.countDown();
                    for (int b = 0; ; b++) {
                        List<Item> batch = new ArrayList<>(size);
                        for (int i = 0; i < size; i++) {
                            batch.add(new Item(producer, b, i));
                        }
                        try {
                            hub.publishAll(batch);
                        } catch (HubClosedException closed) {
                            return;
                        } catch (InterruptedException e) {
                            return;
                        }
                    }
                });
                threads.add(thread);
                thread.start();
            }
            started.await();
            // Close while batches are flowing: at least one was accepted and dispatched.
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> hub.stats().published() > 0);
            hub.close();
            for (Thread thread : threads) {
                thread.join(TimeUnit.SECONDS.toMillis(10));
                assertThat(thread.isAlive()).isFalse();
            }
            assertThat(perBatch.values()).as("events delivered per accepted batch").containsOnly(size);
            assertThat(hub.stats().published()).isEqualTo((long) perBatch.size() * size);
        }
    }

    @Test
    void publishAllFromAnInlineHandlerIntoAFullHubIsRefused() throws Exception {
        try (EventHub<Integer> hub = EventHub.<Integer>builder().name("from-handler").capacity(4)
                .drainTimeout(Duration.ofSeconds(5)).build()) {
            AtomicReference<Throwable> thrown = new AtomicReference<>();
            CountDownLatch done = new CountDownLatch(1);
            hub.subscribe(e -> {
                if (e == 0) {
                    try {
                        hub.publishAll(List.of(1, 2, 3, 4)); // fills the ring: event 0's slot is free again
                        hub.publishAll(List.of(5));
                    } catch (Throwable t) {
                        thrown.set(t);
                    }
                    done.countDown();
                }
            });
            hub.publish(0);
            assertThat(done.await(10, TimeUnit.SECONDS)).isTrue();
            assertThat(thrown.get()).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("publishAll: called from a handler of hub 'from-handler' while it is full");
        }
    }

    @Test
    void aBatchLargerThanTheCapacityIsRejectedBeforeAnythingIsPublished() {
        EventHub<String> hub = EventHub.<String>builder().name("too-big").capacity(2).buildManual();
        try {
            assertThatThrownBy(() -> hub.publishAll(List.of("a", "b", "c")))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("events: 3 elements (expected: at most the capacity of hub 'too-big', 2)");
            assertThat(hub.stats().published()).isZero();
            assertThat(hub.stats().queueDepth()).isZero();
        } finally {
            hub.close();
        }
    }
}
