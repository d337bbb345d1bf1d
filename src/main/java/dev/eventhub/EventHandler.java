package dev.eventhub;

/**
 * Receives events of a subscription, with their place in the hub's order and their time.
 *
 * <p><b>Threading.</b> Calls for one subscription never overlap and come in sequence order. An inline
 * subscription is called on the hub's dispatcher thread, so a handler that blocks delays every subscriber of the
 * hub; writes made by the publisher before publishing are visible to the handler.
 *
 * <p><b>Failures.</b> A handler that throws ends its own subscription with {@link EndReason#HANDLER_FAILED}
 * (the exception is kept in {@link Subscription#failure()}); nothing else is affected. This holds for every
 * {@code Throwable}, including a {@link VirtualMachineError} such as {@code OutOfMemoryError} or
 * {@code StackOverflowError}: the thread that sees such an error is rarely the one that caused it, and letting it
 * kill the dispatcher would lose every accepted event of every other subscriber. It is not swallowed, though: it is
 * logged at ERROR (other failures at WARNING) and handed to the calling thread's
 * {@link Thread.UncaughtExceptionHandler} (by default: printed to {@code System.err}), where an application that
 * treats such errors as fatal can act on them, for example by halting the JVM.
 *
 * @param <T> the event type
 */
@FunctionalInterface
public interface EventHandler<T> {

    /**
     * Receives one event.
     *
     * @param event the event, as published
     * @param sequence its place in the hub's total order: 1, 2, 3, ... with no gaps across the hub
     * @param timestampNanos when the dispatcher took it, in nanoseconds since the epoch (the hub's clock);
     *                       never decreases along the sequence
     * @throws Exception to end this subscription with {@link EndReason#HANDLER_FAILED}
     */
    void onEvent(T event, long sequence, long timestampNanos) throws Exception;

    /**
     * Told that events this subscription should have received will not come, before the next event is delivered.
     * {@code missed} is exact for events dropped by an overflow policy and for history truncated under an
     * {@code afterSequence} replay; for a {@code since} replay it is an upper bound (the hub knows how many events
     * it evicted, not how many of them were stamped after the requested time).
     *
     * @param missed how many events were missed, at least 1
     * @throws Exception to end this subscription with {@link EndReason#HANDLER_FAILED}
     */
    default void onGap(long missed) throws Exception {
    }
}
