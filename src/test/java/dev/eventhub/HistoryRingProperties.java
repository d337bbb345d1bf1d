package dev.eventhub;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * The dispatcher appends a batch at a time: the ring must then hold exactly the last {@code capacity} events with their
 * stamps, and report as evicted the stamp of the newest event it no longer holds, as a plain list of everything
 * appended says.
 */
class HistoryRingProperties {

    @Property(tries = 500)
    void aRingHoldsTheLastCapacityEventsOfItsBatchesAndTheNewestEvictedStamp(
            @ForAll("capacities") int capacity, @ForAll("batchSizes") List<Integer> batches) {
        HistoryRing ring = new HistoryRing(capacity);
        List<Object> events = new ArrayList<>(); // every event appended, sequence s at index s - 1
        List<Long> stamps = new ArrayList<>();
        long stamp = 1_000;
        for (int size : batches) {
            long first = events.size() + 1;
            Object[] batch = new Object[size + 3]; // room beyond the batch, as the dispatcher's array has
            for (int i = 0; i < size; i++) {
                batch[i] = "e" + (first + i);
                events.add(batch[i]);
                stamps.add(stamp);
            }
            ring.appendAll(first, batch, size, stamp);
            long last = events.size();
            long newestEvicted = last - capacity;
            assertThat(ring.evictedStamp()).isEqualTo(newestEvicted >= 1 ? stamps.get((int) newestEvicted - 1)
                    : Long.MIN_VALUE);
            assertThat(ring.firstRetained(last)).isEqualTo(Math.max(1, newestEvicted + 1));
            for (long s = Math.max(1, newestEvicted + 1); s <= last; s++) {
                assertThat(ring.event(s)).as("event %d", s).isEqualTo(events.get((int) s - 1));
                assertThat(ring.stamp(s)).as("stamp %d", s).isEqualTo(stamps.get((int) s - 1));
            }
            stamp += 7;
        }
    }

    @Provide
    Arbitrary<Integer> capacities() {
        return Arbitraries.of(0, 1, 2, 4, 8, 16, 256, 1024);
    }

    @Provide
    Arbitrary<List<Integer>> batchSizes() {
        return Arbitraries.integers().between(1, 300).list().ofMinSize(1).ofMaxSize(12);
    }
}
