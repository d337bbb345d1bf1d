package dev.eventhub;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.Flow;

/**
 * The Reactive Streams side of an async subscription that serves a {@link Flow.Subscriber}
 * ({@link FlowPublisher}): the demand the subscriber signalled, the error to end it with, and its terminal
 * signal. {@link AsyncDelivery} holds one only for a Flow subscriber (null otherwise, so the others pay one null
 * check per event) and asks it before each delivery whether there is demand (rule 1.1).
 *
 * <p><b>Fields.</b> {@code demand}: added to by any thread with a CAS ({@link #request}), taken by the consumer with
 * an atomic decrement after each delivery; {@code Long.MAX_VALUE} means unbounded and is never decremented (rule
 * 3.17). {@code error}: written by any thread before the subscription's end is decided (a CAS, so ordered before),
 * read by the consumer after it saw the end. {@code terminalSignalled} (volatile): the consumer (the one thread that
 * signals, rule 1.3), or the subscribing thread when no consumer ever started, never both.
 */
final class FlowDemand {
    private static final VarHandle DEMAND =
            VarHandles.field(MethodHandles.lookup(), FlowDemand.class, "demand", long.class);

    private final Flow.Subscriber<Object> subscriber;
    /** Events requested and not yet delivered; Long.MAX_VALUE means unbounded (rule 3.17). */
    private volatile long demand;
    /** An error to signal with onError when the subscription ends (a bad request, a refusing executor). */
    private volatile Throwable error;
    private volatile boolean terminalSignalled;

    @SuppressWarnings("unchecked")
    FlowDemand(Flow.Subscriber<?> subscriber) {
        this.subscriber = (Flow.Subscriber<Object>) subscriber;
    }

    /** Whether the subscriber may receive one more event now. Consumer. */
    boolean hasDemand() {
        return demand > 0;
    }

    /** One event was delivered. Consumer. */
    void delivered() {
        if (demand != Long.MAX_VALUE) {
            DEMAND.getAndAdd(this, -1L);
        }
    }

    /** Adds demand, saturating at Long.MAX_VALUE (rule 3.17). Any thread; the caller then wakes the consumer. */
    void request(long n) {
        long current;
        long next;
        do {
            current = demand;
            next = current + n < 0 ? Long.MAX_VALUE : current + n;
        } while (!DEMAND.compareAndSet(this, current, next));
    }

    /** The error to end with, set before the subscription's end is decided. Any thread. */
    void failWith(Throwable failure) {
        error = failure;
    }

    /**
     * Tells the subscriber how the subscription ended, once, after its last onNext. Consumer (or the subscribing
     * thread when no consumer ever started).
     */
    void signalTerminal(Subscription subscription, String hubName, int buffer) {
        if (terminalSignalled) {
            return;
        }
        terminalSignalled = true;
        EndReason reason = subscription.endReason();
        Throwable failure = error;
        try {
            if (failure != null) {
                subscriber.onError(failure);
                return;
            }
            switch (reason) {
                case LIMIT_REACHED, UNTIL_REACHED, HUB_CLOSED -> subscriber.onComplete();
                case OVERFLOW -> subscriber.onError(new IllegalStateException("subscriber of hub '" + hubName
                        + "' fell more than " + buffer + " events behind its demand and was disconnected "
                        + "(Overflow.DISCONNECT); " + subscription.dropped() + " events dropped"));
                case HISTORY_TRUNCATED -> subscriber.onError(new IllegalStateException("the history of hub '"
                        + hubName + "' no longer reaches back to the requested start, and a Flow subscriber cannot be "
                        + "told of a gap"));
                default -> {
                    // CANCELLED: no signal (rule 3.7 after cancel); HANDLER_FAILED from onNext: rule 2.13.
                }
            }
        } catch (Throwable thrown) {
            System.getLogger("dev.eventhub").log(System.Logger.Level.WARNING, "hub '" + hubName
                    + "': a Flow subscriber threw from its terminal signal (rule 2.13)", thrown);
        }
    }
}
