package dev.eventhub;

import java.util.Arrays;

/**
 * A binary min-heap of {@link Deadline}s by time, indexed so that removal is O(log n): a cancelled subscription
 * leaves the heap at once instead of lingering until its time. Confined to the dispatcher thread.
 */
final class DeadlineHeap {
    private static final int INITIAL_CAPACITY = 16;

    private Deadline[] heap = new Deadline[INITIAL_CAPACITY];
    private int size;

    int size() {
        return size;
    }

    /** The earliest deadline, or {@code Long.MAX_VALUE} when empty. */
    long next() {
        return size == 0 ? Long.MAX_VALUE : heap[0].deadlineNanos;
    }

    void add(Deadline deadline) {
        if (deadline.heapIndex >= 0) {
            throw new IllegalStateException("already scheduled");
        }
        if (size == heap.length) {
            heap = Arrays.copyOf(heap, size * 2);
        }
        deadline.heapIndex = size;
        heap[size++] = deadline;
        siftUp(deadline.heapIndex);
    }

    /** Removes and returns the earliest deadline, or {@code null} when empty. */
    Deadline poll() {
        if (size == 0) {
            return null;
        }
        Deadline first = heap[0];
        removeAt(0);
        return first;
    }

    /** Removes the deadline if it is in this heap; returns whether it was. */
    boolean remove(Deadline deadline) {
        int index = deadline.heapIndex;
        if (index < 0 || index >= size || heap[index] != deadline) {
            return false;
        }
        removeAt(index);
        return true;
    }

    void clear() {
        for (int i = 0; i < size; i++) {
            heap[i].heapIndex = -1;
            heap[i] = null;
        }
        size = 0;
    }

    private void removeAt(int index) {
        Deadline removed = heap[index];
        removed.heapIndex = -1;
        int last = --size;
        if (index != last) {
            Deadline moved = heap[last];
            heap[index] = moved;
            moved.heapIndex = index;
            heap[last] = null;
            siftDown(index);
            if (heap[index] == moved) {
                siftUp(index);
            }
        } else {
            heap[last] = null;
        }
    }

    private void siftUp(int index) {
        Deadline moving = heap[index];
        while (index > 0) {
            int parent = (index - 1) >>> 1;
            Deadline above = heap[parent];
            if (above.deadlineNanos <= moving.deadlineNanos) {
                break;
            }
            heap[index] = above;
            above.heapIndex = index;
            index = parent;
        }
        heap[index] = moving;
        moving.heapIndex = index;
    }

    private void siftDown(int index) {
        Deadline moving = heap[index];
        int half = size >>> 1;
        while (index < half) {
            int child = 2 * index + 1;
            int right = child + 1;
            if (right < size && heap[right].deadlineNanos < heap[child].deadlineNanos) {
                child = right;
            }
            if (moving.deadlineNanos <= heap[child].deadlineNanos) {
                break;
            }
            heap[index] = heap[child];
            heap[index].heapIndex = index;
            index = child;
        }
        heap[index] = moving;
        moving.heapIndex = index;
    }
}
