package dev.eventhub;

/**
 * The last {@code capacity} events with their stamps, for replay. Event {@code s} lives at index
 * {@code s & mask}; sequences start at 1. Confined to the dispatcher thread: appends happen while dispatching and
 * replays while registering, both on that thread, so no field here needs a memory-ordering mode.
 *
 * <p>The ring holds references to the user's events, so it keeps up to {@code capacity} of them reachable.
 */
final class HistoryRing {
    private final Object[] events;
    private final long[] stamps;
    private final int capacity;
    private final int mask;
    /** Stamp of the newest event no longer retained, {@code Long.MIN_VALUE} while none was evicted. */
    private long evictedStamp = Long.MIN_VALUE;

    HistoryRing(int capacity) {
        this.capacity = capacity;
        this.mask = capacity - 1;
        this.events = new Object[capacity];
        this.stamps = new long[capacity];
    }

    int capacity() {
        return capacity;
    }

    /**
     * Appends {@code batch[0, count)} as sequences {@code first, first + 1...}, all stamped {@code stamp}, in two
     * array copies and two fills (one of each when the ring does not wrap). An event appended evicts the one
     * {@code capacity} sequences older; only the newest evicted event's stamp is kept, so it is the only one read.
     */
    void appendAll(long first, Object[] batch, int count, long stamp) {
        if (capacity == 0) {
            evictedStamp = stamp;
            return;
        }
        final long last = first + count - 1;
        if (last > capacity) {
            long newestEvicted = last - capacity;
            evictedStamp = newestEvicted >= first ? stamp : stamps[(int) (newestEvicted & mask)];
        }
        final int kept = Math.min(count, capacity); // a batch larger than the ring leaves only its newest
        final int index = (int) ((last - kept + 1) & mask);
        final int head = Math.min(kept, capacity - index);
        System.arraycopy(batch, count - kept, events, index, head);
        java.util.Arrays.fill(stamps, index, index + head, stamp);
        if (head < kept) {
            System.arraycopy(batch, count - kept + head, events, 0, kept - head);
            java.util.Arrays.fill(stamps, 0, kept - head, stamp);
        }
    }

    /** The oldest retained sequence when {@code last} is the newest event: {@code last + 1} when none is kept. */
    long firstRetained(long last) {
        return Math.max(1, last - capacity + 1);
    }

    long evictedStamp() {
        return evictedStamp;
    }

    Object event(long sequence) {
        return events[(int) (sequence & mask)];
    }

    long stamp(long sequence) {
        return stamps[(int) (sequence & mask)];
    }

    /**
     * The first retained sequence in {@code [first, last]} stamped at or after {@code nanos}, or {@code last + 1}
     * if none is. Stamps never decrease along the sequence, so this is a binary search.
     */
    long firstAtOrAfter(long nanos, long first, long last) {
        long low = first;
        long high = last + 1;
        while (low < high) {
            long middle = (low + high) >>> 1;
            if (stamp(middle) < nanos) {
                low = middle + 1;
            } else {
                high = middle;
            }
        }
        return low;
    }

    /** Drops every reference to user events (after the hub terminates). */
    void clear() {
        java.util.Arrays.fill(events, null);
    }
}
