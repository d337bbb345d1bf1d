package dev.eventhub;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import java.util.Collections;
import java.util.List;
import java.util.function.IntConsumer;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The publish → dispatch → deliver path allocates nothing per event inside the hub (target P6), for every way events
 * come in and are selected. Measured with the JVM's per-thread allocation counter on a hub stepped by the test
 * thread, so producer, dispatcher and handler all run here and every byte they allocate is counted. Events are
 * reused, so anything counted is the hub's own.
 */
class AllocationTest {
    private static final int BURST = 256;
    private static final int WARM_UP = 1_200 * BURST;
    private static final int MEASURED = 4_000 * BURST;
    /** Slack for one-off costs (a clock re-calibration allocates an Instant once a second). */
    private static final long SLACK_BYTES = 16 * 1024;

    @Test
    void steadyStatePublishAndDeliverAllocatesNothing() {
        EventHub<Object> hub = EventHub.builder().name("alloc").capacity(1 << 10).history(1 << 10).buildManual();
        long[] seen = new long[1];
        Object event = new Object();
        hub.subscribe((e, sequence, nanos) -> seen[0] += sequence);
        hub.events().filter(e -> e == event).subscribe((e, sequence, nanos) -> seen[0]++);
        hub.events().filter(e -> e != event).subscribe((e, sequence, nanos) -> seen[0]--);

        assertAllocatesNothing(hub, "events", burst -> {
            for (int j = 0; j < BURST; j++) {
                hub.offer(event);
            }
        });
        assertThat(hub.stats().published()).isEqualTo(WARM_UP + MEASURED);
    }

    @Test
    void publishAllAllocatesNothingPerEvent() {
        EventHub<Object> hub = EventHub.builder().name("alloc-batch").capacity(1 << 10).history(1 << 10)
                .buildManual();
        long[] seen = new long[1];
        hub.subscribe((e, sequence, nanos) -> seen[0]++);
        List<Object> batch = Collections.nCopies(BURST, new Object());
        assertAllocatesNothing(hub, "events published in batches", burst -> {
            try {
                hub.publishAll(batch);
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
        });
        assertThat(seen[0]).isEqualTo(WARM_UP + MEASURED);
    }

    @Test
    void topicRoutingAllocatesNothingEither() {
        EventHub<Object> hub = EventHub.builder().name("alloc-topics").capacity(1 << 10)
                .topic(event -> (String) event).buildManual();
        String[] events = new String[16];
        long[] seen = new long[1];
        for (int i = 0; i < events.length; i++) {
            events[i] = "ns" + (i % 4) + "/pod/p" + i;
            hub.events().topics(events[i]).subscribe((e, sequence, nanos) -> seen[0]++);
        }
        hub.events().topicPattern("ns1/pod/*").subscribe((e, sequence, nanos) -> seen[0]++);
        hub.events().topicPattern("ns2/**").subscribe((e, sequence, nanos) -> seen[0]++);

        assertAllocatesNothing(hub, "routed events", cycle(hub, events));
        assertThat(seen[0]).isEqualTo((WARM_UP + MEASURED) / 16L * (16 + 4 + 4));
    }

    @Test
    void attributeRoutingAllocatesNothingEither() {
        String[] names = new String[16];
        List<String> labels = List.of("prod", "eu");
        EventHub<String> hub = EventHub.<String>builder().name("alloc-where").capacity(1 << 10)
                .attribute("type", e -> "container").attribute("name", e -> e).attribute("label", e -> labels)
                .buildManual();
        long[] seen = new long[1];
        for (int i = 0; i < names.length; i++) {
            names[i] = "c" + i;
            hub.events().where("type", "container").where("name", names[i])
                    .subscribe((e, sequence, nanos) -> seen[0]++);
        }
        hub.events().where("label", "eu").subscribe((e, sequence, nanos) -> seen[0]++);

        assertAllocatesNothing(hub, "events routed by attributes", cycle(hub, names));
        assertThat(seen[0]).isEqualTo((WARM_UP + MEASURED) * 2L);
    }

    /** One burst: the events in turn, over and over. */
    private static <T> IntConsumer cycle(EventHub<T> hub, T[] events) {
        return burst -> {
            for (int j = 0; j < BURST; j++) {
                hub.offer(events[j % events.length]);
            }
        };
    }

    /**
     * Warms up, then measures what the test thread allocates while it publishes {@link #MEASURED} events in bursts
     * ({@code publishBurst}) and steps the dispatcher after each; closes the hub.
     */
    private static void assertAllocatesNothing(EventHub<?> hub, String what, IntConsumer publishBurst) {
        java.lang.management.ThreadMXBean bean = ManagementFactory.getThreadMXBean();
        Assumptions.assumeTrue(bean instanceof com.sun.management.ThreadMXBean
                && ((com.sun.management.ThreadMXBean) bean).isThreadAllocatedMemorySupported());
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) bean;
        Dispatcher dispatcher = hub.dispatcher();
        long before = 0;
        for (int round = 0; round < 2; round++) {
            if (round == 1) {
                before = threads.getCurrentThreadAllocatedBytes();
            }
            for (int i = 0; i < (round == 0 ? WARM_UP : MEASURED); i += BURST) {
                publishBurst.accept(i);
                while (dispatcher.doWork() > 0) {
                    // drain the burst
                }
            }
        }
        long allocated = threads.getCurrentThreadAllocatedBytes() - before;
        hub.close();
        assertThat(allocated).as("bytes allocated for %d %s", MEASURED, what).isLessThan(SLACK_BYTES);
    }
}
