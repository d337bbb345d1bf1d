package dev.eventhub;

import dev.eventhub.internal.Checks;
import java.util.concurrent.Flow;

/**
 * The Reactive Streams view of a hub selection ({@link SubscriptionBuilder#publisher()}). Each subscriber gets an
 * isolated hub subscription whose consumer delivers only what was requested; the rules it keeps:
 * <ul>
 *   <li>1.9: {@code onSubscribe} first, before the hub subscription is registered, so a {@code request} made
 *       inside it is kept and no {@code onNext} can overlap it;</li>
 *   <li>1.1 and 3.17: demand is counted and saturates at {@code Long.MAX_VALUE};</li>
 *   <li>1.3 and 1.7: {@code onNext}, {@code onComplete} and {@code onError} all come from the consumer, in order,
 *       and nothing after a terminal signal;</li>
 *   <li>3.9: a non-positive request ends the subscription with {@code onError(IllegalArgumentException)};</li>
 *   <li>2.13: a subscriber that throws from {@code onNext} has its subscription ended (HANDLER_FAILED) and gets no
 *       further signal.</li>
 * </ul>
 */
final class FlowPublisher<T> implements Flow.Publisher<T> {
    private final EventHub<T> hub;
    private final SubscriptionBuilder<T> settings;
    /** Flow subscribers so far: the n-th is named after the publisher and n (see SubscriptionBuilder#name). */
    private final java.util.concurrent.atomic.AtomicLong subscribers = new java.util.concurrent.atomic.AtomicLong();

    FlowPublisher(EventHub<T> hub, SubscriptionBuilder<T> settings) {
        this.hub = hub;
        this.settings = settings;
    }

    @Override
    public void subscribe(Flow.Subscriber<? super T> subscriber) {
        Checks.notNull("subscriber", subscriber);
        DispatcherSubscription subscription = settings.newFlowSubscription(
                (event, sequence, timestampNanos) -> subscriber.onNext(event), subscriber,
                subscribers.incrementAndGet());
        FlowSubscription handle = new FlowSubscription(subscription);
        try {
            subscriber.onSubscribe(handle);
        } catch (Throwable failure) {
            subscription.finish(EndReason.HANDLER_FAILED, failure); // rule 2.13
            return;
        }
        if (!subscription.isActive()) {
            // Cancelled inside onSubscribe (no signal, rule 3.7), or failed by a bad request there: that one must
            // still reach the subscriber as onError (rule 3.9), and no consumer will ever run to signal it.
            subscription.async.signalIfNeverStarted();
            return;
        }
        try {
            hub.subscribe(subscription);
            subscription.async.signalIfNeverStarted();
        } catch (HubClosedException closed) {
            if (subscription.finish(EndReason.HUB_CLOSED, null)) {
                subscriber.onError(closed); // nothing was delivered, so this cannot overlap onNext
            }
        }
    }

    @Override
    public String toString() {
        return "Flow.Publisher{hub=" + hub.name() + '}';
    }

    /** The {@link Flow.Subscription} handed to the subscriber. */
    static final class FlowSubscription implements Flow.Subscription {
        private final DispatcherSubscription subscription;

        FlowSubscription(DispatcherSubscription subscription) {
            this.subscription = subscription;
        }

        @Override
        public void request(long n) {
            if (n <= 0) {
                subscription.async.failFlow(new IllegalArgumentException(
                        "n: " + n + " (expected: > 0, Reactive Streams rule 3.9)"));
                return;
            }
            subscription.async.request(n);
        }

        @Override
        public void cancel() {
            // Not Subscription.cancel(): rule 3.5 wants cancel to return promptly, and a Flow subscriber tolerates
            // signals already in flight (rule 2.8).
            subscription.finish(EndReason.CANCELLED, null);
        }

        /** The hub subscription behind this handle, for its counters. */
        Subscription hubSubscription() {
            return subscription;
        }
    }
}
