package dev.eventhub;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * The cancel handshake, written once: it makes "after {@code cancel()} returns, no handler call begins" true for
 * every party that calls user code (the dispatcher's rounds, an async subscription's consumer, a state view
 * watcher's consumer).
 *
 * <p><b>Protocol.</b> The caller brackets each call, or each round of calls, with {@link #enter()} and
 * {@link #exit(long)}. {@code enter} makes the epoch odd with a volatile store; the caller then reads the
 * subscription's end (volatile) before each call. A caller that checks the end once per call may also say
 * {@link #began(long)} right after that check passed. {@code exit} makes the epoch even again.
 *
 * <p>A canceller first decides the end (a CAS, so ordered before what follows), then calls
 * {@link #awaitQuiescence(BooleanSupplier)}, which reads the epoch:
 * <ul>
 *   <li>even: no call is in progress, and the caller's next {@code enter} (a volatile store, then the volatile read of
 *       the end: the two sides of a Dekker pair) sees the end, so no later call begins;</li>
 *   <li>odd: a call (or round) is in progress that may have read the end before it was set. The canceller waits until
 *       the epoch moves on, or until {@code began} says the call had already passed its check (it then runs on, but
 *       it began before the cancel: the contract is about calls that begin after).</li>
 * </ul>
 *
 * <p><b>Fields.</b> {@code epoch} is written by the calling thread only (volatile on enter, release on exit) and read
 * by cancellers; {@code started} is written by the calling thread (release) and read by cancellers. A gate is one
 * small object held in a final field of its owner: the call path pays one dereference of that field, which the JIT
 * keeps in a register across a loop of calls ({@code DispatchCostBenchmark} and {@code ThroughputBenchmark}, run
 * before and after the gate replaced the three inline copies, differed by no more than their noise).
 */
final class CallGate {
    private static final VarHandle EPOCH = VarHandles.field(MethodHandles.lookup(), CallGate.class, "epoch", long.class);
    private static final VarHandle STARTED =
            VarHandles.field(MethodHandles.lookup(), CallGate.class, "started", long.class);
    /** Spins of a waiting canceller before it parks. */
    private static final int SPINS = 100;
    private static final long PARK_NANOS = TimeUnit.MICROSECONDS.toNanos(50);

    private static final VarHandle SINCE = VarHandles.field(MethodHandles.lookup(), CallGate.class, "since", long.class);
    /** What {@link #callingSince()} returns when no call is running. */
    static final long NOT_CALLING = Long.MIN_VALUE;

    private volatile long epoch;
    private volatile long started;
    /**
     * {@code System.nanoTime()} when the latest call was entered, stored by the calling thread (release) before
     * {@link #enter()}; only for {@link #callingSince()}. Consumers' gates only (a round of the dispatcher's says
     * nothing here).
     */
    private volatile long since;

    /**
     * Opens a call (or a round of calls): the epoch becomes odd with a volatile store, so the end read after it
     * cannot be one from before. Calling thread only.
     *
     * @return the odd epoch, to pass to {@link #began} and {@link #exit}
     */
    long enter() {
        final long open = (long) EPOCH.get(this) + 1;
        EPOCH.setVolatile(this, open);
        return open;
    }

    /**
     * Records when the next call starts, before {@link #enter()}: one release store, for monitoring. Calling thread
     * only.
     */
    void starting(long nanoTime) {
        SINCE.setRelease(this, nanoTime);
    }

    /**
     * The {@code System.nanoTime()} at which the call running now started, or {@link #NOT_CALLING}: a call counts if it
     * passed its end check ({@code began}) and the epoch did not move while {@code since} was read. {@code since} is
     * stored before the epoch's volatile store in {@code enter()}, so a reader that sees that epoch sees that call's
     * start or a later one, and a later one moves the epoch. A racy estimate for monitoring, never used to decide
     * anything. Any thread.
     */
    long callingSince() {
        final long open = epoch;
        if ((open & 1) == 0 || started != open) {
            return NOT_CALLING;
        }
        final long at = (long) SINCE.getAcquire(this);
        return epoch == open ? at : NOT_CALLING;
    }

    /** The end was read and the call is about to begin: a canceller need not wait for it. Calling thread only. */
    void began(long open) {
        STARTED.setRelease(this, open);
    }

    /** Closes the call or round opened with {@code open}. Calling thread only. */
    void exit(long open) {
        EPOCH.setRelease(this, open + 1);
    }

    /**
     * After the end is decided: returns once no call can begin that has not read it. Any thread but the calling one
     * (which would wait for itself: its owner returns at once there, since a handler that cancels its own
     * subscription is the call in progress).
     *
     * @param gaveUp checked while waiting: true when the calling side is gone and will make no further call (a
     *               terminated dispatcher); may be null
     */
    void awaitQuiescence(BooleanSupplier gaveUp) {
        final long open = epoch;
        if ((open & 1) == 0) {
            return;
        }
        for (int spins = 0; epoch == open && started != open; spins++) {
            if (gaveUp != null && gaveUp.getAsBoolean()) {
                return;
            }
            if (spins < SPINS) {
                Thread.onSpinWait();
            } else {
                LockSupport.parkNanos(this, PARK_NANOS);
            }
        }
    }
}
