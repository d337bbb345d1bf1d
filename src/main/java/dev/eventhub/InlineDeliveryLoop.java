package dev.eventhub;

import java.util.function.Predicate;

/**
 * The code of {@link InlineDelivery#deliver}: loaded normally as the shared fallback, and defined again as a hidden
 * class for each pair of filter class and handler class (see {@link InlineDelivery}). It must stay self-contained: no
 * lambda, no nested class, nothing that refers to this class by a name other than its own.
 */
final class InlineDeliveryLoop extends InlineDelivery {
    InlineDeliveryLoop() {
    }

    @Override
    long deliver(DispatcherSubscription subscription, Object[] batch, int from, int count, long first, long stamp,
                 long left, Outcome outcome) {
        final Predicate<Object> filter = subscription.filter;
        final EventHandler<Object> handler = subscription.handler;
        long delivered = 0;
        long last = 0;
        try {
            for (int i = from; i < count && !subscription.isEnded(); i++) {
                final Object event = batch[i];
                if (filter == null || filter.test(event)) {
                    handler.onEvent(event, first + i, stamp);
                    last = first + i;
                    if (++delivered >= left) {
                        break;
                    }
                }
            }
        } catch (Throwable failure) {
            outcome.failure = failure;
        }
        outcome.last = last;
        return delivered;
    }
}
