package dev.eventhub;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Flow;
import org.reactivestreams.tck.TestEnvironment;
import org.reactivestreams.tck.flow.FlowSubscriberBlackboxVerification;
import org.testng.annotations.AfterClass;

/** The Reactive Streams TCK's subscriber verification against {@code hub.flowSubscriber()}. */
public class SubscriberTckTest extends FlowSubscriberBlackboxVerification<Integer> {
    private final List<EventHub<Integer>> hubs = new CopyOnWriteArrayList<>();

    public SubscriberTckTest() {
        super(new TestEnvironment(2_000, 100));
    }

    @Override
    public Flow.Subscriber<Integer> createFlowSubscriber() {
        EventHub<Integer> hub = EventHub.<Integer>builder().name("tck-feed").capacity(64).build();
        hubs.add(hub);
        return hub.flowSubscriber();
    }

    @Override
    public Integer createElement(int element) {
        return element;
    }

    /** Closes every hub the verification made, then checks that none left a thread (TestNG has no Jupiter extensions). */
    @AfterClass(alwaysRun = true)
    public void closeHubs() {
        hubs.forEach(EventHub::close);
        HubThreads.assertNoneLeft("SubscriberTckTest");
    }
}
