package dev.eventhub;

import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Flow;
import org.reactivestreams.tck.TestEnvironment;
import org.reactivestreams.tck.flow.FlowPublisherVerification;
import org.testng.annotations.AfterClass;

/**
 * The Reactive Streams TCK's publisher verification against {@code hub.events()...publisher()}. A publisher of n
 * elements replays n events from history with {@code limit(n)}; a failed publisher is one of a closed hub.
 */
public class PublisherTckTest extends FlowPublisherVerification<Integer> {
    /** Elements a test publisher can emit: all of them come from the hub's history. */
    private static final int HISTORY = 1 << 10;
    /** Generous: the CI machine is a shared 2-core box. */
    private static final long TIMEOUT_MILLIS = 2_000;
    private static final long NO_SIGNAL_MILLIS = 100;
    /** What an "unbounded" test publisher's producer publishes at most, so that it stops on its own. */
    private static final int UNBOUNDED_EVENTS = 1 << 20;

    private final List<EventHub<Integer>> hubs = new CopyOnWriteArrayList<>();

    public PublisherTckTest() {
        super(new TestEnvironment(TIMEOUT_MILLIS, NO_SIGNAL_MILLIS), TIMEOUT_MILLIS);
    }

    @Override
    public Flow.Publisher<Integer> createFlowPublisher(long elements) {
        EventHub<Integer> hub = EventHub.<Integer>builder().name("tck").history(HISTORY).build();
        hubs.add(hub);
        if (elements > HISTORY) {
            // "Unbounded" (the rule 3.17 tests): live events from a producer that starts once the subscriber is
            // registered, so nothing is missed, and a BLOCK buffer, so a subscriber with unbounded demand sees no
            // onError. (A replay here would outrun the history: a Flow subscriber gets onError for that.)
            Thread producer = new Thread(() -> {
                try {
                    for (int i = 0; i < UNBOUNDED_EVENTS; i++) {
                        hub.publish(i);
                    }
                } catch (HubClosedException | InterruptedException closed) {
                    // the test is over
                }
            }, "tck-producer");
            producer.setDaemon(true);
            Flow.Publisher<Integer> live = hub.events().limit(elements).buffer(HISTORY, Overflow.BLOCK).publisher();
            java.util.concurrent.atomic.AtomicBoolean started = new java.util.concurrent.atomic.AtomicBoolean();
            return subscriber -> {
                live.subscribe(subscriber);
                if (started.compareAndSet(false, true)) {
                    producer.start();
                }
            };
        }
        for (int i = 0; i < elements; i++) {
            hub.offer(i);
        }
        if (elements == 0) {
            return hub.events().until(Instant.now().minusSeconds(1)).publisher(); // ends at once, empty
        }
        return hub.events().afterSequence(0).limit(elements).publisher();
    }

    @Override
    public Flow.Publisher<Integer> createFailedFlowPublisher() {
        EventHub<Integer> hub = EventHub.<Integer>builder().name("tck-closed").build();
        Flow.Publisher<Integer> publisher = hub.events().publisher();
        hub.close();
        return publisher;
    }

    @Override
    public long maxElementsFromPublisher() {
        return Long.MAX_VALUE - 1;
    }

    /** Closes every hub the verification made, then checks that none left a thread (TestNG has no Jupiter extensions). */
    @AfterClass(alwaysRun = true)
    public void closeHubs() {
        hubs.forEach(EventHub::close);
        HubThreads.assertNoneLeft("PublisherTckTest");
    }
}
