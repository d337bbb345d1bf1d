package dev.eventhub;

import java.lang.System.Logger.Level;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.function.Supplier;

/**
 * A {@link Periodic} as the dispatcher keeps it: a {@link Deadline} in the same heap as subscriptions' {@code until}.
 * When due, the dispatcher calls the supplier and offers the result to its own ingress, so the event takes the normal
 * path (sequence, stamp, history, routing). The heap fires a deadline strictly after its value, so a tick due at
 * {@code t} is stored as {@code t - 1}.
 *
 * <p>Counters have one writer, the dispatcher (release stores); {@code cancelled} is set by any thread and read by
 * the dispatcher before each tick.
 */
final class PeriodicTask extends Deadline implements Periodic, OwnerCommand {
    private static final System.Logger LOG = System.getLogger("dev.eventhub");

    private static final VarHandle PUBLISHED =
            VarHandles.field(MethodHandles.lookup(), PeriodicTask.class, "published", long.class);
    private static final VarHandle SKIPPED =
            VarHandles.field(MethodHandles.lookup(), PeriodicTask.class, "skipped", long.class);
    private static final VarHandle FAILURES =
            VarHandles.field(MethodHandles.lookup(), PeriodicTask.class, "failures", long.class);

    private final Dispatcher dispatcher;
    final long periodNanos;
    private final Supplier<?> supplier;
    /** Instead of publishing, run this on the dispatcher (a state view's resync); null for a publishing schedule. */
    private final Runnable action;
    /** The time of the next tick (owner only). */
    long due;

    private volatile boolean cancelled;
    private volatile long published;
    private volatile long skipped;
    private volatile long failures;

    PeriodicTask(Dispatcher dispatcher, long periodNanos, Supplier<?> supplier) {
        this.dispatcher = dispatcher;
        this.periodNanos = periodNanos;
        this.supplier = supplier;
        this.action = null;
    }

    /** A schedule that runs {@code action} on the dispatcher each period; {@link #published()} counts the runs. */
    PeriodicTask(Dispatcher dispatcher, long periodNanos, Runnable action) {
        this.dispatcher = dispatcher;
        this.periodNanos = periodNanos;
        this.supplier = null;
        this.action = action;
    }

    /** Schedules the first tick one period after {@code now}. Owner only. */
    void start(long now) {
        due = saturatedAdd(now, periodNanos);
        deadlineNanos = due - 1;
    }

    /**
     * Runs the tick that is due at or before {@code now} and schedules the next one. Owner only.
     *
     * @return whether to keep it in the heap
     */
    boolean fire(long now, ClosableMpscQueue ingress, String hubName) {
        if (cancelled) {
            return false;
        }
        long late = (now - due) / periodNanos; // whole periods missed beyond this tick
        if (late > 0) {
            SKIPPED.setRelease(this, skipped + late);
        }
        try {
            if (action != null) {
                action.run();
                PUBLISHED.setRelease(this, published + 1);
            } else if (!publish(ingress, hubName)) {
                cancelled = true;
                return false;
            }
        } catch (Throwable failure) {
            FAILURES.setRelease(this, failures + 1);
            SKIPPED.setRelease(this, skipped + 1);
            LOG.log(Level.WARNING, "hub '" + hubName + "': a periodic " + (action != null ? "task" : "supplier")
                    + " failed; the schedule goes on", failure);
        }
        due = saturatedAdd(due, (late + 1) * periodNanos);
        deadlineNanos = due - 1;
        return !cancelled;
    }

    /** Offers one supplied event; false if the hub is closed. A full hub skips the tick (counted). */
    private boolean publish(ClosableMpscQueue ingress, String hubName) {
        Object event = supplier.get();
        if (event == null) {
            throw new NullPointerException("the supplier of hub '" + hubName + "'.every(...) returned null");
        }
        int status = ingress.offer(event);
        if (status == ClosableMpscQueue.OK) {
            PUBLISHED.setRelease(this, published + 1);
        } else if (status == ClosableMpscQueue.CLOSED) {
            return false;
        } else {
            SKIPPED.setRelease(this, skipped + 1);
            LOG.log(Level.WARNING, "hub '" + hubName + "': a periodic tick found the hub full and was skipped");
        }
        return true;
    }

    private static long saturatedAdd(long a, long b) {
        long sum = a + b;
        return ((a ^ sum) & (b ^ sum)) < 0 ? Long.MAX_VALUE : sum;
    }

    @Override
    public void cancel() {
        if (!cancelled) {
            cancelled = true;
            dispatcher.cancelled(this);
        }
        dispatcher.awaitQuiescence();
    }

    /** Marks it cancelled without a command (the hub is terminating). */
    void stop() {
        cancelled = true;
    }

    @Override
    public boolean isActive() {
        return !cancelled && !dispatcher.isClosing();
    }

    @Override
    public long published() {
        return published;
    }

    @Override
    public long skipped() {
        return skipped;
    }

    @Override
    public long failures() {
        return failures;
    }

    // OwnerCommand: queued to be started, or to be taken out of the heap once cancelled

    @Override
    public void applyOn(Dispatcher owner) {
        owner.schedule(this);
    }

    @Override
    public void abandon() {
        stop();
    }

    @Override
    public String toString() {
        return "Periodic{hub=" + dispatcher.name() + ", period=" + periodNanos + "ns, published=" + published
                + ", skipped=" + skipped + (cancelled ? ", cancelled" : "") + '}';
    }
}
