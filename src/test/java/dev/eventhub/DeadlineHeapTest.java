package dev.eventhub;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

class DeadlineHeapTest {
    private static final class Item extends Deadline {
        Item(long at) {
            deadlineNanos = at;
        }
    }

    /** Random adds, removals of arbitrary members and polls agree with a PriorityQueue model. */
    @Property(tries = 300)
    void behavesLikeAPriorityQueueWithRemoval(@ForAll @Size(max = 200) List<@IntRange(min = 0, max = 50) Integer> ops) {
        DeadlineHeap heap = new DeadlineHeap();
        PriorityQueue<Item> model = new PriorityQueue<>(Comparator.comparingLong(item -> item.deadlineNanos));
        List<Item> members = new ArrayList<>();
        for (int op : ops) {
            if (op < 30) {
                Item item = new Item(op * 7L % 23);
                heap.add(item);
                model.add(item);
                members.add(item);
            } else if (op < 42 && !members.isEmpty()) {
                Item item = members.remove(op % members.size());
                assertThat(heap.remove(item)).isTrue();
                assertThat(heap.remove(item)).isFalse();
                model.remove(item);
            } else {
                Item polled = (Item) heap.poll();
                Item expected = model.poll();
                if (expected == null) {
                    assertThat(polled).isNull();
                } else {
                    assertThat(polled.deadlineNanos).isEqualTo(expected.deadlineNanos);
                    members.remove(polled);
                    model.remove(polled);
                    model.add(expected);
                    model.remove(polled);
                }
            }
            assertThat(heap.size()).isEqualTo(model.size());
            assertThat(heap.next()).isEqualTo(model.isEmpty() ? Long.MAX_VALUE : model.peek().deadlineNanos);
        }
    }
}
