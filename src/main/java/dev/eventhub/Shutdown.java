package dev.eventhub;

import java.lang.System.Logger.Level;
import java.util.concurrent.TimeUnit;

/**
 * How a hub closes, from whichever thread calls {@link EventHub#close()}. The dispatcher's own part (drain what was
 * accepted, end the subscriptions, stop) runs on the owner in {@link Dispatcher#doWork()}; this class is the rest,
 * which needs no owner state: start closing, wait for the owner within the drain timeout, give up on it if it does
 * not finish, then wait for async consumers to deliver what they buffered, and count what anyone did not receive.
 *
 * <p><b>Bounded.</b> Everything here waits until one deadline, {@code drainTimeout} after {@code close()} began;
 * whatever is still behind then is ended with {@code HUB_CLOSED} and its undelivered events are counted as dropped
 * and logged, so {@code close()} never hangs.
 *
 * <p><b>Threads.</b> Any thread, any number of times (idempotent). Called from a handler on the dispatcher, it only
 * starts closing: the round in progress finishes the job when the handler returns.
 */
final class Shutdown {
    private static final System.Logger LOG = System.getLogger("dev.eventhub");

    private final String name;
    private final Dispatcher dispatcher;
    /** The dispatcher thread; null for a hub stepped by hand. */
    private final Thread thread;
    private final long drainTimeoutNanos;

    Shutdown(String name, Dispatcher dispatcher, Thread thread, long drainTimeoutNanos) {
        this.name = name;
        this.dispatcher = dispatcher;
        this.thread = thread;
        this.drainTimeoutNanos = drainTimeoutNanos;
    }

    /** {@link EventHub#close()}. Any thread. */
    void close() {
        dispatcher.beginClose();
        if (dispatcher.isOwner()) {
            if (thread == null && !dispatcher.inRound()) {
                // A hub stepped by hand, closed by the stepping thread between rounds: finish here.
                while (!dispatcher.isTerminated()) {
                    dispatcher.doWork();
                }
                awaitAsyncQuietly(System.nanoTime() + drainTimeoutNanos);
            }
            return;
        }
        if (thread == null) {
            return; // manual mode, closed from another thread: the stepping thread finishes it
        }
        try {
            long deadline = System.nanoTime() + drainTimeoutNanos;
            if (!dispatcher.awaitTermination(drainTimeoutNanos)) {
                LOG.log(Level.WARNING, "hub '" + name + "': close did not finish within the drain timeout; "
                        + "ending the remaining subscriptions");
                forceTerminate();
                thread.interrupt();
                return;
            }
            thread.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(Math.max(0, deadline - System.nanoTime()))));
            awaitAsync(deadline);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** {@link EventHub#awaitTermination}: the owner has terminated and its thread has stopped. Any other thread. */
    boolean awaitTermination(long nanos) throws InterruptedException {
        long start = System.nanoTime();
        if (!dispatcher.awaitTermination(nanos)) {
            return false;
        }
        if (thread != null && thread != Thread.currentThread()) {
            long left = nanos - (System.nanoTime() - start);
            thread.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(Math.max(0, left))));
            return !thread.isAlive();
        }
        return true;
    }

    /**
     * Gives up on a dispatcher that did not finish closing in time (an inline handler is stuck, or the backlog is
     * too slow to deliver): ends every subscription with HUB_CLOSED and counts what each did not receive.
     */
    private void forceTerminate() {
        if (!dispatcher.abandonClosing()) {
            return;
        }
        long accepted = dispatcher.acceptedCount();
        for (DispatcherSubscription subscription : dispatcher.activeNow()) {
            // An upper bound: the events after its last delivery, whether or not its filter would have taken them.
            long behind = accepted - subscription.lastSequence();
            if (subscription.finish(EndReason.HUB_CLOSED, null) && behind > 0) {
                subscription.addDropped(behind);
                LOG.log(Level.WARNING, "hub '" + name + "': close timed out; subscription "
                        + Diagnostics.describe(subscription) + " was ended with up to "
                        + behind + " accepted events undelivered");
            }
        }
        dispatcher.endAll(EndReason.HUB_CLOSED, true);
        dispatcher.releaseTerminationWaiters();
    }

    private void awaitAsyncQuietly(long deadline) {
        try {
            awaitAsync(deadline);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * After termination: waits until every async subscription has delivered what it buffered and its own thread
     * has stopped, until {@code deadline} ({@link System#nanoTime()}); then ends the rest, counting what each did
     * not deliver as dropped.
     */
    private void awaitAsync(long deadline) throws InterruptedException {
        final Thread current = Thread.currentThread();
        for (DispatcherSubscription subscription : dispatcher.activeNow()) {
            // Closed from an async handler: its own subscription finishes once that handler returns, so waiting
            // for it here could only time out (and, on a one-thread executor, nothing else could run it).
            if (subscription.async != null && !subscription.async.runsOn(current)) {
                awaitOne(subscription, deadline);
            }
        }
        for (Thread consumer : dispatcher.consumerThreads()) {
            if (consumer == current) {
                continue;
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                break;
            }
            consumer.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
        }
    }

    private void awaitOne(DispatcherSubscription subscription, long deadline) throws InterruptedException {
        long left = deadline - System.nanoTime();
        if (left > 0 && subscription.await(left, TimeUnit.NANOSECONDS)) {
            return;
        }
        long behind = subscription.async.backlog();
        if (subscription.finish(EndReason.HUB_CLOSED, null)) {
            if (behind > 0) {
                subscription.addDropped(behind);
            }
            LOG.log(Level.WARNING, "hub '" + name + "': close timed out; async subscription "
                    + Diagnostics.describe(subscription) + " was ended with "
                    + behind + " buffered events undelivered");
        }
    }
}
