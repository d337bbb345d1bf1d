package dev.eventhub;

import java.time.Duration;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

/**
 * One subscriber's place in a hub: a handle to watch and end it.
 *
 * <p><b>Lifecycle.</b> Active from the moment {@code subscribe} returns until it ends, once, for one
 * {@link EndReason}. The end is decided by whichever comes first: {@link #cancel()}, the {@code until} time, the
 * {@code limit}, a handler failure, or the hub closing.
 *
 * <p><b>Threading.</b> Every method may be called from any thread, including from inside the subscription's own
 * handler. Counters are read without locking: each is exact once the subscription has ended.
 */
public interface Subscription {

    /**
     * {@return the subscription's name} The one given to {@link SubscriptionBuilder#name(String)} (or to a watcher,
     * an attachment or a Flow publisher), otherwise one the hub generated when it was made, stable for its life and
     * unique within its hub ({@code sub-7}, {@code watcher-8}). It names the subscription in log lines, JFR events,
     * the thread of an async subscription or watcher ({@code eventhub-<hub>-<name>}), {@link EventHub#subscriptions()}
     * and metrics. Names given by users need not be unique.
     */
    String name();

    /**
     * Ends the subscription with {@link EndReason#CANCELLED} unless it has already ended. Idempotent.
     *
     * <p>When it returns on a thread other than the hub's dispatcher, no handler call for this subscription
     * begins afterwards (a call already running may still be finishing; to wait for everything, use
     * {@link #await()}). To guarantee that, it waits for the dispatcher to finish the batch it may be delivering,
     * so it can wait as long as an inline handler runs. Called from a handler, it returns at once and takes
     * effect before the next delivery.
     */
    void cancel();

    /** {@return whether the subscription has not ended yet} */
    boolean isActive();

    /**
     * Waits until the subscription ends.
     *
     * @return why it ended
     * @throws IllegalStateException if called from a handler on the hub's dispatcher for an inline subscription that
     *                               has not ended: only the dispatcher could end it, and it would be waiting
     * @throws InterruptedException if interrupted while waiting
     */
    EndReason await() throws InterruptedException;

    /**
     * Waits at most {@code timeout} for the subscription to end.
     *
     * @param timeout how long to wait at most
     * @return whether it ended
     * @throws IllegalArgumentException if {@code timeout} is negative
     * @throws InterruptedException     if interrupted while waiting
     */
    boolean await(Duration timeout) throws InterruptedException;

    /**
     * Waits at most {@code timeout} in {@code unit} for the subscription to end, like {@link #await(Duration)}.
     *
     * @param timeout how long to wait at most
     * @param unit    the unit of {@code timeout}
     * @return whether it ended
     * @throws IllegalArgumentException if {@code timeout} is negative
     * @throws NullPointerException     if {@code unit} is null
     * @throws InterruptedException     if interrupted while waiting
     */
    boolean await(long timeout, TimeUnit unit) throws InterruptedException;

    /**
     * {@return a stage that completes with the end reason when the end is decided} That may be while a handler call
     * is still running.
     * Dependent actions that are not {@code *Async} run on the thread that ends the subscription, which may be
     * the hub's dispatcher: keep them short, or use the {@code *Async} variants.
     */
    CompletionStage<EndReason> ended();

    /** {@return why the subscription ended, or {@code null} while it is active} */
    EndReason endReason();

    /** {@return the exception of a {@link EndReason#HANDLER_FAILED} end, otherwise {@code null}} */
    Throwable failure();

    /**
     * {@return events handed to the handler so far} An inline subscription's count (and {@link #lastSequence()}) is
     * brought up to date once the dispatcher has handed it a batch, so a reading taken meanwhile (from its own handler
     * too) may be behind by the events of that batch; both are exact once the subscription has ended.
     */
    long delivered();

    /**
     * {@return events this subscription should have received that it will not} overflow drops, and events left
     * undelivered when close timed out. Gaps in history before the subscription began are not counted here;
     * they are reported through {@link EventHandler#onGap(long)}.
     */
    long dropped();

    /** {@return the sequence of the last event handed to the handler, or 0 if none} */
    long lastSequence();
}
