package dev.eventhub;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
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
}
