package dev.eventhub;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** The dispatcher appends a batch at a time; that must leave the ring exactly as appending event by event does. */
class HistoryRingProperties {

    @Property(tries = 500)
    void appendingABatchIsAppendingItsEventsOneByOne(@ForAll("capacities") int capacity,
                                                     @ForAll("batchSizes") List<Integer> batches) {
        HistoryRing bulk = new HistoryRing(capacity);
        HistoryRing single = new HistoryRing(capacity);
        long sequence = 0;
        long stamp = 1_000;
        for (int size : batches) {
            Object[] batch = new Object[size + 3]; // room beyond the batch, as the dispatcher's array has
            for (int i = 0; i < size; i++) {
                batch[i] = "e" + (sequence + 1 + i);
                single.append(sequence + 1 + i, batch[i], stamp);
            }
            bulk.appendAll(sequence + 1, batch, size, stamp);
            sequence += size;
            stamp += 7;
            assertThat(bulk.evictedStamp()).isEqualTo(single.evictedStamp());
            for (long s = single.firstRetained(sequence); s <= sequence; s++) {
                assertThat(bulk.event(s)).as("event %d", s).isEqualTo(single.event(s)).isEqualTo("e" + s);
                assertThat(bulk.stamp(s)).as("stamp %d", s).isEqualTo(single.stamp(s));
            }
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
