package dev.eventhub;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.InputStream;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/**
 * The inline delivery loop: one hidden copy per pair of filter class and handler class, and within one batch the
 * same stops as the general loop (a limit, a throw, a cancel from the handler), each ending only its own
 * subscription.
 */
class InlineDeliveryTest {
    static final class Evens implements Predicate<Object> {
        @Override
        public boolean test(Object event) {
            return (Integer) event % 2 == 0;
        }
    }

    static final class Odds implements Predicate<Object> {
        @Override
        public boolean test(Object event) {
            return (Integer) event % 2 != 0;
        }
    }

    static final class Collect implements EventHandler<Object> {
        final List<Object> seen = new ArrayList<>();

        @Override
        public void onEvent(Object event, long sequence, long timestampNanos) {
            seen.add(event);
        }
    }

    static final class Count implements EventHandler<Object> {
        long count;

        @Override
        public void onEvent(Object event, long sequence, long timestampNanos) {
            count++;
        }
    }

    @Test
    void eachPairOfClassesGetsItsOwnHiddenCopyOfTheLoop() {
        InlineDelivery evensCollect = InlineDelivery.forSubscriber(new Evens(), new Collect());
        InlineDelivery oddsCollect = InlineDelivery.forSubscriber(new Odds(), new Collect());
        InlineDelivery evensCount = InlineDelivery.forSubscriber(new Evens(), new Count());
        InlineDelivery noFilterCount = InlineDelivery.forSubscriber(null, new Count());

        assertThat(InlineDelivery.forSubscriber(new Evens(), new Collect())).as("same classes, other instances")
                .isSameAs(evensCollect);
        assertThat(InlineDelivery.forSubscriber(null, new Count())).isSameAs(noFilterCount);
        assertThat(List.of(evensCollect, oddsCollect, evensCount, noFilterCount)).doesNotHaveDuplicates()
                .allSatisfy(loop -> {
                    assertThat(loop.getClass().isHidden()).as("a hidden copy").isTrue();
                    assertThat(loop).isInstanceOf(InlineDelivery.class);
                });
        assertThat(InlineDelivery.copies()).isBetween(4, InlineDelivery.MAX_COPIES);
    }

    /**
     * Copies are counted while alive, not for the life of the JVM: a program that makes and drops subscriptions of
     * new classes (a plug-in reloaded, a test suite) once reached the bound for good, and every later pair shared the
     * slow loop. Here the bound is reached with filter classes of our own, they are dropped, and a new pair gets its
     * copy again once the collector has found theirs unreachable.
     */
    @Test
    void copiesWhoseClassesAreGoneMakeRoomForNewPairs() throws Throwable {
        byte[] evens;
        try (InputStream in = Evens.class.getResourceAsStream("InlineDeliveryTest$Evens.class")) {
            evens = in.readAllBytes();
        }
        int before = InlineDelivery.copies();
        List<Predicate<?>> filters = new ArrayList<>();
        for (int i = before; i < InlineDelivery.MAX_COPIES; i++) {
            filters.add(newFilterClass(evens));
        }
        for (Predicate<?> filter : filters) {
            assertThat(InlineDelivery.forSubscriber(filter, new Count()).getClass().isHidden()).isTrue();
        }
        assertThat(InlineDelivery.copies()).isEqualTo(InlineDelivery.MAX_COPIES);
        Predicate<?> late = newFilterClass(evens);
        assertThat(InlineDelivery.forSubscriber(late, new Count())).as("past the bound: the shared loop")
                .isInstanceOf(InlineDeliveryLoop.class).matches(loop -> !loop.getClass().isHidden());

        filters.clear(); // the classes can go, and their copies with them
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            System.gc();
            InlineDelivery.forSubscriber(null, new Count()); // the Count table lets go of entries whose class is gone
            return InlineDelivery.copies() <= before;
        });
        assertThat(InlineDelivery.forSubscriber(late, new Count()).getClass().isHidden())
                .as("the pair refused at the bound gets its copy once there is room").isTrue();
    }

    /** A class of its own, with the code of {@code bytes}: a hidden class, so it can be unloaded when dropped. */
    private static Predicate<?> newFilterClass(byte[] bytes) throws Throwable {
        MethodHandles.Lookup lookup = MethodHandles.lookup().defineHiddenClass(bytes, true);
        return (Predicate<?>) lookup.findConstructor(lookup.lookupClass(), MethodType.methodType(void.class)).invoke();
    }

    @Test
    void withinOneBatchALimitAThrowAndACancelEndOnlyTheirOwnSubscription() {
        EventHub<Integer> hub = EventHub.<Integer>builder().name("inline").buildManual();
        try {
            Collect limited = new Collect();
            Subscription limit = hub.events().filter(new Evens()).limit(3).subscribe(limited);
            RuntimeException thrown = new IllegalStateException("filter fails at 5");
            Collect beforeThrow = new Collect();
            Subscription failing = hub.events().filter(event -> {
                if (event == 5) {
                    throw thrown;
                }
                return true;
            }).subscribe(beforeThrow);
            AtomicReference<Subscription> self = new AtomicReference<>();
            List<Integer> beforeCancel = new ArrayList<>();
            self.set(hub.events().subscribe((event, sequence, nanos) -> {
                beforeCancel.add(event);
                if (event == 4) {
                    self.get().cancel();
                }
            }));
            Collect all = new Collect();
            Subscription plain = hub.events().subscribe(all);
            hub.dispatcher().doWork(); // registers them

            for (int i = 1; i <= 10; i++) {
                assertThat(hub.offer(i)).isTrue();
            }
            assertThat(hub.dispatcher().doWork()).as("one round takes the whole batch").isEqualTo(10);

            assertThat(limited.seen).containsExactly(2, 4, 6);
            assertThat(limit.endReason()).isEqualTo(EndReason.LIMIT_REACHED);
            assertThat(limit.delivered()).isEqualTo(3);
            assertThat(limit.lastSequence()).isEqualTo(6);

            assertThat(beforeThrow.seen).containsExactly(1, 2, 3, 4);
            assertThat(failing.endReason()).isEqualTo(EndReason.HANDLER_FAILED);
            assertThat(failing.failure()).isSameAs(thrown);
            assertThat(failing.delivered()).isEqualTo(4);
            assertThat(failing.lastSequence()).isEqualTo(4);

            assertThat(beforeCancel).containsExactly(1, 2, 3, 4);
            assertThat(self.get().endReason()).isEqualTo(EndReason.CANCELLED);

            assertThat(all.seen).containsExactly(1, 2, 3, 4, 5, 6, 7, 8, 9, 10);
            assertThat(plain.delivered()).isEqualTo(10);
            assertThat(plain.lastSequence()).isEqualTo(10);
            assertThat(hub.stats().delivered()).isEqualTo(3 + 4 + 4 + 10);
        } finally {
            hub.close();
        }
    }
}
