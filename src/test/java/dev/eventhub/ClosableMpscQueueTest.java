package dev.eventhub;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ClosableMpscQueueTest {
    @Test
    void fifoAcrossWrapAroundAndFullWhenCapacityIsReached() {
        ClosableMpscQueue ingress = new ClosableMpscQueue(4);
        for (int round = 0; round < 5; round++) {
            for (int i = 0; i < 4; i++) {
                assertThat(ingress.offer(round * 10 + i)).isEqualTo(ClosableMpscQueue.OK);
            }
            assertThat(ingress.offer(-1)).isEqualTo(ClosableMpscQueue.FULL);
            assertThat(ingress.size()).isEqualTo(4);
            for (int i = 0; i < 4; i++) {
                assertThat(ingress.poll()).isEqualTo(round * 10 + i);
            }
            assertThat(ingress.poll()).isNull();
            assertThat(ingress.pollBlocking()).isNull();
        }
        assertThat(ingress.acceptedCount()).isEqualTo(20);
        assertThat(ingress.isEmpty()).isTrue();
        ingress.releaseConsumed();
        assertThat(ingress.size()).isZero();
    }

    /**
     * The dispatcher's drain takes what poll would, in order, across the wrap, stopping at the first empty slot and
     * at its limit, and frees the slots for producers (here a full queue takes offers again afterwards).
     */
    @ParameterizedTest
    @ValueSource(ints = {8, 64}) // element by element, and in bulk (16 or more ready)
    void drainTakesWhatPollWouldAcrossTheWrapAndFreesTheSlots(int capacity) {
        ClosableMpscQueue ingress = new ClosableMpscQueue(capacity);
        Object[] into = new Object[2 * capacity + 2];
        int next = 0;
        int expected = 0;
        for (int round = 0; round < 200; round++) {
            int offered = round * 7 % (capacity + 1); // empty, partly full and full queues, over many wraps
            for (int i = 0; i < offered; i++) {
                assertThat(ingress.offer(next++)).isEqualTo(ClosableMpscQueue.OK);
            }
            int limit = round % 3 == 0 ? capacity / 2 - 1 : 2 * capacity;
            int taken = ingress.drain(into, 2, limit);
            assertThat(taken).isEqualTo(Math.min(offered, limit));
            for (int i = 0; i < taken; i++) {
                assertThat(into[2 + i]).isEqualTo(expected++);
            }
            Object polled;
            while ((polled = ingress.poll()) != null) {
                assertThat(polled).isEqualTo(expected++);
            }
            ingress.releaseConsumed();
        }
        assertThat(expected).isEqualTo(next);
        for (int i = 0; i < capacity; i++) {
            assertThat(ingress.offer(i)).as("slot %d free again", i).isEqualTo(ClosableMpscQueue.OK);
        }
    }

    @Test
    void closeFixesTheAcceptedCountAndRefusesLaterOffers() {
        ClosableMpscQueue ingress = new ClosableMpscQueue(8);
        ingress.offer("a");
        ingress.offer("b");
        assertThat(ingress.close()).isEqualTo(2);
        assertThat(ingress.close()).isEqualTo(2);
        assertThat(ingress.isClosed()).isTrue();
        assertThat(ingress.offer("c")).isEqualTo(ClosableMpscQueue.CLOSED);
        assertThat(ingress.pollBlocking()).isEqualTo("a");
        assertThat(ingress.pollBlocking()).isEqualTo("b");
        assertThat(ingress.pollBlocking()).isNull();
    }

    /**
     * Producers race close(): every element whose offer returned OK is polled after close, none that was refused
     * is, and per-producer order holds. Run many short rounds to hit the race window.
     */
    @Test
    void closeRacingProducersLosesNothingAccepted() throws Exception {
        for (int round = 0; round < 200; round++) {
            ClosableMpscQueue ingress = new ClosableMpscQueue(1 << 12);
            int producers = 3;
            AtomicLong[] accepted = new AtomicLong[producers];
            CountDownLatch started = new CountDownLatch(producers);
            List<Thread> threads = new ArrayList<>();
            for (int p = 0; p < producers; p++) {
                AtomicLong count = accepted[p] = new AtomicLong();
                long id = p;
                Thread thread = new Thread(() -> {
                    started.countDown();
                    for (long i = 0; ; i++) {
                        int status = ingress.offer(id << 32 | i);
                        if (status == ClosableMpscQueue.CLOSED) {
                            return;
                        }
                        if (status == ClosableMpscQueue.OK) {
                            count.incrementAndGet();
                        } else {
                            i--; // full: retry the same value
                            Thread.onSpinWait();
                        }
                    }
                });
                threads.add(thread);
                thread.start();
            }
            started.await();
            long[] next = new long[producers];
            long polled = 0;
            for (int i = 0; i < 500; i++) {
                Object element = ingress.poll();
                if (element != null) {
                    long value = (Long) element;
                    assertThat(value & 0xFFFF_FFFFL).isEqualTo(next[(int) (value >>> 32)]++);
                    polled++;
                }
            }
            long total = ingress.close();
            Object element;
            while ((element = ingress.pollBlocking()) != null) {
                long value = (Long) element;
                assertThat(value & 0xFFFF_FFFFL).isEqualTo(next[(int) (value >>> 32)]++);
                polled++;
            }
            for (Thread thread : threads) {
                thread.join();
            }
            assertThat(polled).isEqualTo(total);
            for (int p = 0; p < producers; p++) {
                assertThat(next[p]).as("producer %d", p).isEqualTo(accepted[p].get());
            }
        }
    }

    /**
     * A producer parked for room stays parked while the consumer frees less than half of a full queue, and is woken
     * once half is free: not at each freed slot, and not only when its park ends (it parks ten minutes here).
     */
    @Test
    void aProducerWaitingForRoomIsWokenOnceHalfOfTheQueueIsFree() throws Exception {
        ClosableMpscQueue ingress = new ClosableMpscQueue(8);
        fill(ingress);
        Thread waiter = parkedForRoom(ingress, 1);
        for (int i = 0; i < 3; i++) {
            assertThat(ingress.poll()).isEqualTo(i);
        }
        ingress.releaseConsumed(); // 5 of 8 still taken
        assertThat(ingress.lvSpaceWaiter()).as("not woken with 3 of 8 free").isSameAs(waiter);
        assertThat(waiter.isAlive()).isTrue();

        assertThat(ingress.poll()).isEqualTo(3);
        ingress.releaseConsumed(); // half free
        waiter.join(WAIT.toMillis());
        assertThat(waiter.isAlive()).as("woken with 4 of 8 free").isFalse();
        assertThat(ingress.lvSpaceWaiter()).isNull();
        assertThat(ingress.offer(8)).isEqualTo(ClosableMpscQueue.OK);
    }

    /** A consumer about to park has emptied the queue, and a close refuses every offer: both wake the waiter. */
    @Test
    void aProducerWaitingForRoomIsWokenWhenTheConsumerParksAndWhenTheQueueCloses() throws Exception {
        ClosableMpscQueue ingress = new ClosableMpscQueue(4);
        fill(ingress);
        Thread waiter = parkedForRoom(ingress, 4);
        while (ingress.poll() != null) { // slots freed without releaseConsumed: the park's look finds the waiter
            Thread.onSpinWait();
        }
        ingress.parkConsumer(1);
        waiter.join(WAIT.toMillis());
        assertThat(waiter.isAlive()).as("woken by the consumer's park").isFalse();

        fill(ingress);
        Thread closed = parkedForRoom(ingress, 1);
        ingress.close();
        closed.join(WAIT.toMillis());
        assertThat(closed.isAlive()).as("woken by close").isFalse();
    }

    /** A second producer finds the waiter's place taken: it parks only the short bound it was given, and looks again. */
    @Test
    void aSecondProducerWaitingForRoomParksOnlyItsShortBound() throws Exception {
        ClosableMpscQueue ingress = new ClosableMpscQueue(2);
        fill(ingress);
        Thread first = parkedForRoom(ingress, 1);
        CountDownLatch returned = new CountDownLatch(1);
        Thread second = new Thread(() -> {
            ingress.parkProducer(1, TimeUnit.MINUTES.toNanos(10), TimeUnit.MILLISECONDS.toNanos(1));
            returned.countDown();
        });
        second.start();
        assertThat(returned.await(WAIT.toMillis(), TimeUnit.MILLISECONDS)).isTrue();
        assertThat(ingress.lvSpaceWaiter()).isSameAs(first);
        ingress.close();
        first.join(WAIT.toMillis());
        assertThat(first.isAlive()).isFalse();
    }

    private static final Duration WAIT = Duration.ofSeconds(30);

    private static void fill(ClosableMpscQueue ingress) {
        for (int i = 0; i < ingress.capacity(); i++) {
            assertThat(ingress.offer(i)).isEqualTo(ClosableMpscQueue.OK);
        }
        assertThat(ingress.offer(-1)).isEqualTo(ClosableMpscQueue.FULL);
    }

    /** A thread parked (ten minutes at most) for room for {@code need} elements, once it is the queue's waiter. */
    private static Thread parkedForRoom(ClosableMpscQueue ingress, int need) {
        Thread waiter = new Thread(() -> ingress.parkProducer(need, TimeUnit.MINUTES.toNanos(10),
                TimeUnit.MINUTES.toNanos(10)), "waiting-for-room");
        waiter.start();
        await().atMost(WAIT).until(() -> ingress.lvSpaceWaiter() == waiter
                && waiter.getState() == Thread.State.TIMED_WAITING);
        return waiter;
    }
}
