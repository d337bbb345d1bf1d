package dev.eventhub;

/**
 * What another thread asks of the dispatcher, carried by its command queue and applied on the owner between two
 * events, in the order offered. The set is closed: a subscription to register or unlink, a schedule to start or
 * stop, or a task to run in the hub's order (a state view's relist).
 *
 * <p>Each kind says what it does on the owner ({@link #applyOn}) and what becomes of it if the hub terminates while it
 * is still queued ({@link #abandon}), so the dispatcher needs no {@code instanceof} chain and a new kind cannot be
 * forgotten in one of the two places.
 */
sealed interface OwnerCommand permits DispatcherSubscription, PeriodicTask, OwnerCommand.Task {

    /** Applies the command. Owner only. */
    void applyOn(Dispatcher dispatcher);

    /** The hub terminated with this command still queued: release whoever waits for it. Any thread. */
    void abandon();

    /**
     * Work to run on the owner at its place in the hub's order. If the hub terminates first it is dropped: its
     * submitter learns of the end through its own subscription (a state view does).
     */
    record Task(Runnable work) implements OwnerCommand {
        @Override
        public void applyOn(Dispatcher dispatcher) {
            work.run();
        }

        @Override
        public void abandon() {
        }
    }
}
