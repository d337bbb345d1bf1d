package dev.eventhub;

/**
 * Something the dispatcher must act on at a time of its clock: a subscription's {@code until}. Kept in a
 * {@link DeadlineHeap}; both fields belong to the dispatcher thread.
 */
abstract class Deadline {
    /** Fires once the dispatcher's clock is strictly past this value (deadlines are inclusive). */
    long deadlineNanos = Long.MAX_VALUE;
    /** Position in the heap, or -1 when not in one. */
    int heapIndex = -1;
}
