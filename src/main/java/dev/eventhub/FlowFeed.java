package dev.eventhub;

import dev.eventhub.internal.Checks;
import java.lang.System.Logger.Level;
import java.util.concurrent.Flow;

/**
 * A {@link Flow.Subscriber} that publishes what it receives into a hub ({@link EventHub#flowSubscriber()}). Its
 * demand follows the hub's free ingress capacity: it requests at most a batch, never more than the hub has room
 * for when it asks, and asks again when half of it has arrived. So nothing is dropped and nothing is buffered here:
 * an item that still finds the hub full (other producers took the room) waits in {@code publish}, which is the
 * backpressure reaching the upstream publisher. When the hub closes, the upstream subscription is cancelled.
 *
 * <p>Signals arrive serially (Reactive Streams rule 1.3, with happens-before between them), so the fields below
 * need no synchronisation.
 */
final class FlowFeed<T> implements Flow.Subscriber<T> {
    private static final System.Logger LOG = System.getLogger("dev.eventhub");
    /** Most items requested at once: enough to keep a busy upstream streaming, small next to any hub capacity. */
    private static final int MAX_BATCH = 256;

    private final EventHub<T> hub;
    private final int batch;
    private Flow.Subscription upstream;
    private long outstanding;
    private boolean done;

    FlowFeed(EventHub<T> hub, int capacity) {
        this.hub = hub;
        this.batch = Math.max(1, Math.min(MAX_BATCH, capacity / 2));
    }

    @Override
    public void onSubscribe(Flow.Subscription subscription) {
        Checks.notNull("subscription", subscription);
        if (upstream != null || done) {
            subscription.cancel(); // rule 2.5: one subscription at a time
            return;
        }
        if (hub.isClosed()) {
            done = true;
            subscription.cancel();
            return;
        }
        upstream = subscription;
        requestMore();
    }

    @Override
    public void onNext(T item) {
        Checks.notNull("item", item);
        if (done) {
            return;
        }
        outstanding--;
        try {
            hub.publish(item); // takes a free slot at once; waits only if other producers took the room
        } catch (HubClosedException closed) {
            stop();
            return;
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
            LOG.log(Level.WARNING, "hub '" + hub.name() + "': a Flow feed was interrupted while the hub was full; "
                    + "one item was not published and the upstream subscription is cancelled");
            stop();
            return;
        }
        requestMore();
    }

    private void requestMore() {
        if (outstanding > batch / 2) {
            return;
        }
        long free = hub.freeCapacity();
        long wanted = Math.max(1, Math.min(batch, free)) - outstanding;
        if (wanted > 0) {
            outstanding += wanted;
            upstream.request(wanted);
        }
    }

    private void stop() {
        done = true;
        if (upstream != null) {
            upstream.cancel();
        }
    }

    @Override
    public void onError(Throwable failure) {
        Checks.notNull("failure", failure);
        done = true;
        LOG.log(Level.DEBUG, "hub '" + hub.name() + "': a Flow feed's upstream failed", failure);
    }

    @Override
    public void onComplete() {
        done = true;
    }
}
