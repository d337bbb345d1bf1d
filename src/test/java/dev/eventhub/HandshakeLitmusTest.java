package dev.eventhub;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;

/**
 * Litmus tests, one per Dekker pair and handshake of the engine, named after the protocol they prove (in the spirit
 * of Agrona's {@code DekkerTests}): two real threads race through the critical window many times, with random
 * delays so that every interleaving of the two sides' store and load comes up. Model checking of the queue itself is
 * in {@link ClosableMpscQueueLincheckTest}; these check the liveness and finality properties a linearizability check
 * cannot state.
 *
 * <ul>
 *   <li><b>Ingress park/wake</b>: the consumer raises {@code consumerParked} then re-checks for elements; a producer
 *       reads the flag after its CAS. A publish never leaves the parked consumer asleep.</li>
 *   <li><b>Ingress space waiter</b>: a producer that finds the queue full CASes itself into {@code spaceWaiter}
 *       then re-checks for room; the consumer stores its index then reads {@code spaceWaiter}, and looks again,
 *       fenced, before it parks. A producer waiting for room is never left asleep by a consumer that freed it.</li>
 *   <li><b>Async tail/consumer-parked</b>: the dispatcher stores {@code tail} (volatile) then reads
 *       {@code consumerParked} or {@code scheduled}; the consumer sets its flag then re-reads {@code tail}. An event
 *       handed to an async subscription never waits for a consumer that went to sleep (own thread or executor).</li>
 *   <li><b>Cancel handshake</b> ({@link CallGate}): after {@code cancel()} returns, no handler call begins, both for
 *       a gate with one call per check (async consumers, watchers) and for one round of many calls (the
 *       dispatcher).</li>
 * </ul>
 * A lost wake-up shows as a round that does not finish: each round has a deadline and fails the test, rather than
 * hanging it.
 */
class HandshakeLitmusTest {
    private static final int ROUNDS = Integer.getInteger("eventhub.litmus.rounds", 20_000);
    private static final long ROUND_DEADLINE_NANOS = TimeUnit.SECONDS.toNanos(10);

    @Test
    void ingressParkWakeAPublishNeverLeavesAParkedConsumerAsleep() throws Exception {
        ClosableMpscQueue queue = new ClosableMpscQueue(64);
        AtomicLong taken = new AtomicLong();
        Thread consumer = new Thread(() -> {
            for (int round = 0; round < ROUNDS; round++) {
                while (queue.poll() == null) {
                    if (queue.isClosed()) {
                        return;
                    }
                    queue.parkConsumer(Long.MAX_VALUE); // no timeout: only a wake-up ends this park
                }
                queue.releaseConsumed();
                taken.incrementAndGet();
            }
        }, "litmus-ingress-consumer");
        queue.consumerThread(consumer);
        consumer.start();
        try {
            for (int round = 0; round < ROUNDS; round++) {
                spinRandomly();
                assertThat(queue.offer(round)).isEqualTo(ClosableMpscQueue.OK);
                awaitCount(taken, round + 1, "ingress round " + round);
            }
        } finally {
            queue.close();
            consumer.join(TimeUnit.SECONDS.toMillis(10));
        }
        assertThat(taken.get()).isEqualTo(ROUNDS);
    }

    /**
     * A producer fills a small queue and waits for room, each time with no bound but the round's deadline; the
     * consumer takes a random number of elements at a random pace, hands the slots back, and parks with no timeout
     * once it has taken everything. Only the consumer's wake-up can end the producer's wait in time, and only the
     * producer's offer the consumer's park. Without the consumer's two looks at the waiter this fails within a few
     * rounds; the narrower window the fenced look closes (a waiter's CAS racing the consumer's opaque look after its
     * release store) needs a store-load reordering, which the rounds reach only now and then.
     */
    @Test
    void ingressSpaceWaiterAProducerWaitingForRoomIsNeverLeftAsleep() throws Exception {
        final int capacity = 8;
        final int rounds = ROUNDS / 2;
        ClosableMpscQueue queue = new ClosableMpscQueue(capacity);
        AtomicLong taken = new AtomicLong();
        Thread consumer = new Thread(() -> {
            while (true) {
                int batch = 1 + ThreadLocalRandom.current().nextInt(capacity);
                int got = 0;
                while (got < batch && queue.poll() != null) {
                    got++;
                    spinRandomly();
                }
                if (got > 0) {
                    queue.releaseConsumed();
                    taken.addAndGet(got);
                    continue;
                }
                if (queue.isClosed()) {
                    return;
                }
                queue.parkConsumer(Long.MAX_VALUE); // no timeout: only an offer or the close ends this park
            }
        }, "litmus-space-consumer");
        queue.consumerThread(consumer);
        consumer.start();
        long offered = 0;
        try {
            for (int round = 0; round < rounds; round++) {
                spinRandomly();
                int result;
                while ((result = queue.offer(offered)) == ClosableMpscQueue.FULL) {
                    long start = System.nanoTime();
                    queue.parkProducer(1, ROUND_DEADLINE_NANOS, ROUND_DEADLINE_NANOS);
                    if (System.nanoTime() - start >= ROUND_DEADLINE_NANOS) {
                        throw new AssertionError("space round " + round + ": the producer waited "
                                + Duration.ofNanos(ROUND_DEADLINE_NANOS) + " for room, " + taken.get() + " of "
                                + offered + " taken (a lost wake-up)");
                    }
                }
                assertThat(result).isEqualTo(ClosableMpscQueue.OK);
                offered++;
            }
            awaitCount(taken, offered, "the last elements");
        } finally {
            queue.close();
            consumer.join(TimeUnit.SECONDS.toMillis(10));
        }
        assertThat(consumer.isAlive()).isFalse();
        assertThat(taken.get()).isEqualTo(rounds);
    }

    @Test
    void asyncTailConsumerParkedAnEventNeverWaitsForASleepingOwnThread() throws Exception {
        asyncRounds(null);
    }

    @Test
    void asyncTailScheduledAnEventNeverWaitsForAnUnscheduledExecutorTask() throws Exception {
        ExecutorService executor = Executors.newSingleThreadExecutor();
        try {
            asyncRounds(executor);
        } finally {
            executor.shutdownNow();
            assertThat(executor.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
        }
    }

    /** One event at a time through a hub into an async subscription; each must arrive before the next is sent. */
    private static void asyncRounds(ExecutorService executor) throws Exception {
        final int rounds = ROUNDS / 4; // each round crosses three threads and two Dekker pairs
        AtomicLong delivered = new AtomicLong();
        try (EventHub<Integer> hub = EventHub.<Integer>builder().name("litmus-async").idle(IdleStrategy.PARK)
                .build()) {
            SubscriptionBuilder<Integer> builder = hub.events();
            (executor == null ? builder.async() : builder.async(executor))
                    .subscribe((event, sequence, nanos) -> delivered.incrementAndGet());
            for (int round = 0; round < rounds; round++) {
                spinRandomly();
                hub.publish(round);
                awaitCount(delivered, round + 1, "async round " + round);
            }
        }
        assertThat(delivered.get()).isEqualTo(rounds);
    }

    @Test
    void cancelHandshakeNoCallBeginsAfterAwaitQuiescenceReturnsOneCallPerCheck() throws Exception {
        gateRounds(1);
    }

    @Test
    void cancelHandshakeNoCallBeginsAfterAwaitQuiescenceReturnsRoundsOfCalls() throws Exception {
        gateRounds(8);
    }

    /**
     * The caller loops over calls ({@code callsPerOpen == 1}: enter, check, began, call, exit) or rounds of calls
     * (enter, then {@code callsPerOpen} checked calls, exit: {@code began} is never said), as the dispatcher does.
     * The canceller sets the end, waits with {@link CallGate#awaitQuiescence}, and takes the count of calls begun;
     * the caller then goes on for a while, and no call may begin any more.
     */
    private static void gateRounds(int callsPerOpen) throws Exception {
        final int rounds = ROUNDS / 10;
        for (int round = 0; round < rounds; round++) {
            CallGate gate = new CallGate();
            java.util.concurrent.atomic.AtomicBoolean ended = new java.util.concurrent.atomic.AtomicBoolean();
            AtomicLong begun = new AtomicLong();
            AtomicLong loops = new AtomicLong();
            AtomicReference<Throwable> failure = new AtomicReference<>();
            Thread caller = new Thread(() -> {
                try {
                    for (int i = 0; i < 2_000; i++) {
                        long open = gate.enter();
                        try {
                            for (int c = 0; c < callsPerOpen; c++) {
                                if (ended.get()) {
                                    break;
                                }
                                spinRandomly(); // the way from the check to the call: the window a canceller races
                                begun.incrementAndGet(); // the call begins: counted before began is said
                                if (callsPerOpen == 1) {
                                    gate.began(open);
                                }
                                Thread.onSpinWait(); // the handler runs
                            }
                        } finally {
                            gate.exit(open);
                        }
                        loops.incrementAndGet();
                    }
                } catch (Throwable t) {
                    failure.set(t);
                }
            }, "litmus-gate-caller");
            caller.start();
            spinRandomly();
            ended.set(true);
            gate.awaitQuiescence(null);
            long afterCancel = begun.get();
            caller.join(TimeUnit.SECONDS.toMillis(10));
            assertThat(caller.isAlive()).isFalse();
            assertThat(failure.get()).isNull();
            assertThat(begun.get()).as("calls begun after awaitQuiescence returned (round %d, %d loops run)", round,
                    loops.get()).isEqualTo(afterCancel);
        }
    }

    private static void spinRandomly() {
        int spins = ThreadLocalRandom.current().nextInt(64);
        for (int i = 0; i < spins; i++) {
            Thread.onSpinWait();
        }
    }

    /** Waits (spin, then yield, then a short park) for {@code count} to reach {@code expected}, within a deadline. */
    private static void awaitCount(AtomicLong count, long expected, String what) {
        long deadline = System.nanoTime() + ROUND_DEADLINE_NANOS;
        for (int i = 0; count.get() < expected; i++) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(what + ": not delivered within " + Duration.ofNanos(ROUND_DEADLINE_NANOS)
                        + " (a lost wake-up)");
            }
            if (i < 1_000) {
                Thread.onSpinWait();
            } else if (i < 2_000) {
                Thread.yield();
            } else {
                LockSupport.parkNanos(10_000);
            }
        }
    }
}
