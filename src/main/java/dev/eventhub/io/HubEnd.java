package dev.eventhub.io;

import dev.eventhub.EndReason;
import dev.eventhub.EventHub;
import dev.eventhub.Subscription;

/**
 * How an adapter hears that its hub closed, through the public API only: a subscription that selects nothing ends
 * with {@link EndReason#HUB_CLOSED} when the hub closes, after the hub has drained its lossless subscribers.
 */
final class HubEnd {
    private HubEnd() {
    }

    /**
     * Runs {@code action} when {@code hub} closes (on the thread that ends the subscription: keep it short and
     * non-blocking). Cancel the returned subscription when the adapter ends first. {@code name} names the
     * subscription (in the hub's list of subscriptions and its metrics) after the adapter.
     *
     * @throws dev.eventhub.HubClosedException if the hub is already closed
     */
    static Subscription watch(EventHub<?> hub, String name, Runnable action) {
        Subscription watch = hub.events().name(name).filter(event -> false).subscribe((event, sequence, stamp) -> {
        });
        watch.ended().thenAccept(reason -> {
            if (reason == EndReason.HUB_CLOSED) {
                action.run();
            }
        });
        return watch;
    }
}
