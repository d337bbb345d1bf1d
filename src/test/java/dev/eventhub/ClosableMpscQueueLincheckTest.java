package dev.eventhub;

import java.util.ArrayDeque;
import java.util.List;
import org.jetbrains.lincheck.datastructures.IntGen;
import org.jetbrains.lincheck.datastructures.ModelCheckingOptions;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.Param;
import org.jetbrains.lincheck.datastructures.StressOptions;
import org.junit.jupiter.api.Test;

/**
 * Lincheck on the hub's ingress ({@link ClosableMpscQueue}): model checking (every interleaving of small scenarios, which finds
 * ordering bugs) and stress (real threads, which also finds a missing {@code volatile} the model cannot see).
 *
 * <p><b>Sequential specification</b> ({@link Spec}): a FIFO queue of capacity {@value #CAPACITY} with a closed flag.
 * {@code offer(x)} returns CLOSED once closed, FULL when it holds {@value #CAPACITY} elements, otherwise appends and
 * returns OK; {@code offerAll(x)} offers the batch {@code [x, x + 10]} as one: CLOSED, FULL unless both fit, or both
 * appended in order; {@code close()} sets the flag and returns how many elements were ever accepted; {@code acceptedCount()}
 * is that number; {@code poll()} removes and returns the head, or null when empty.
 *
 * <p>{@code poll()} here is {@link ClosableMpscQueue#pollBlocking()} when something was accepted, the operation the dispatcher
 * uses whenever it must not miss a claimed element. The plain {@link ClosableMpscQueue#poll()} is deliberately <em>not</em>
 * linearizable: it returns null for a slot that a producer has claimed but not yet filled, as JCTools' relaxed poll
 * does, and the dispatcher simply tries again in its next round. The consumer operations share one non-parallel group:
 * the ingress has exactly one consumer thread.
 */
@Param(name = "x", gen = IntGen.class, conf = "1:9")
public class ClosableMpscQueueLincheckTest {
    static final int CAPACITY = 2;

    private final ClosableMpscQueue ingress = new ClosableMpscQueue(CAPACITY);

    @Operation
    public int offer(@Param(name = "x") int x) {
        return ingress.offer(x);
    }

    /** A batch of two, {@code x} then {@code x + 10}: one claim, both or neither. */
    @Operation
    public int offerAll(@Param(name = "x") int x) {
        return ingress.offerAll(List.of(x, x + 10));
    }

    @Operation
    public long close() {
        return ingress.close();
    }

    @Operation
    public long acceptedCount() {
        return ingress.acceptedCount();
    }

    @Operation(nonParallelGroup = "consumer")
    public Object poll() {
        return ingress.pollBlocking();
    }

    @Test
    void modelChecking() {
        new ModelCheckingOptions().iterations(Integer.getInteger("eventhub.lincheck.iterations", 20))
                .invocationsPerIteration(1_000).threads(3).actorsPerThread(3).actorsBefore(2).actorsAfter(2)
                .sequentialSpecification(Spec.class).check(getClass());
    }

    @Test
    void stress() {
        new StressOptions().iterations(Integer.getInteger("eventhub.lincheck.iterations", 20))
                .invocationsPerIteration(2_000).threads(3).actorsPerThread(3).actorsBefore(2).actorsAfter(2)
                .sequentialSpecification(Spec.class).check(getClass());
    }

    /** The sequential specification: see the class documentation. */
    public static final class Spec {
        private final ArrayDeque<Integer> queue = new ArrayDeque<>();
        private boolean closed;
        private long accepted;

        public int offer(int x) {
            if (closed) {
                return ClosableMpscQueue.CLOSED;
            }
            if (queue.size() == CAPACITY) {
                return ClosableMpscQueue.FULL;
            }
            queue.add(x);
            accepted++;
            return ClosableMpscQueue.OK;
        }

        public int offerAll(int x) {
            if (closed) {
                return ClosableMpscQueue.CLOSED;
            }
            if (queue.size() + 2 > CAPACITY) {
                return ClosableMpscQueue.FULL;
            }
            queue.add(x);
            queue.add(x + 10);
            accepted += 2;
            return ClosableMpscQueue.OK;
        }

        public long close() {
            closed = true;
            return accepted;
        }

        public long acceptedCount() {
            return accepted;
        }

        public Object poll() {
            return queue.poll();
        }
    }
}
