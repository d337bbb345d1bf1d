package dev.eventhub;


import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Arrays;
import java.util.concurrent.locks.LockSupport;

/**
 * Bounded multi-producer, single-consumer array queue that can be closed: the hub's ingress.
 *
 * <p><b>Algorithm</b> (the one JCTools' {@code MpscArrayQueue} uses). A producer claims slot {@code i} by a CAS
 * of the producer index from {@code i} to {@code i + 1}, then stores the element into the slot with release
 * semantics. The consumer reads the slot at the consumer index with acquire semantics; {@code null} means "not
 * yet stored" (the slot was claimed, or nothing was offered). It clears the slot and advances the consumer index
 * with a release store, which hands the slot back to producers. Producers cache a limit ({@code consumer index +
 * capacity}) and read the consumer index only when their claim reaches that limit.
 *
 * <p><b>Close.</b> The producer index word holds {@code count << 1 | CLOSED}. {@link #close()} sets the bit with
 * a CAS, after which no claim can succeed, so the number of accepted elements is fixed the moment close returns
 * and the consumer can drain exactly that many. This is why the hub does not use JCTools' queue itself: with a
 * closed flag kept beside the queue, a producer that read "open" just before close can land its element after
 * the consumer's final drain, and an accepted event would be lost. Folding the flag into the word that producers
 * CAS anyway costs nothing on the publish path.
 *
 * <p><b>Parking.</b> A consumer that has nothing to do may {@link #parkConsumer(long) park}. It first raises
 * {@code consumerParked} (a volatile store, so a full fence) and then re-checks for elements; a producer reads the
 * flag after its CAS (also a full fence). One of the two always sees the other, so a publish never leaves the
 * consumer asleep. The flag is read on every offer but written only when the consumer parks, so it lives on the
 * producers' cache line.
 *
 * <p><b>Waiting for room.</b> A producer that finds the queue full may {@link #parkProducer park} until the
 * consumer has freed half of it; see there for the pair of fields that keeps that wake-up from being lost.
 *
 * <p><b>Threads.</b> {@code offer}, {@code offerAll}, {@code parkProducer}, {@code close}, {@code acceptedCount},
 * {@code size} and {@code wakeConsumer} may be called from any thread; {@code poll}, {@code pollBlocking},
 * {@code releaseConsumed} and {@code parkConsumer} only from the one consumer thread. Writes made by a producer
 * before offering an element are visible to the consumer after it polls that element.
 *
 * <p>Accessor prefixes follow JCTools: {@code lv} volatile load, {@code lp} plain load, {@code lo} opaque load,
 * {@code sv} volatile store, {@code so} ordered (release) store, {@code sp} plain store, {@code cas}
 * compare-and-set.
 */
final class ClosableMpscQueue extends MpscQueueConsumerFields {
    /** {@link #offer} results: a status, never an exception, on the publish path. */
    static final int OK = 0;
    static final int FULL = 1;
    static final int CLOSED = 2;

    long p01, p02, p03, p04, p05, p06, p07, p08, p09, p10, p11, p12, p13, p14, p15;

    ClosableMpscQueue(int capacity) {
        super(capacity);
    }

    /**
     * Offers an element. Any thread.
     *
     * @return {@link #OK}, {@link #FULL} or {@link #CLOSED}
     */
    int offer(Object element) {
        final long capacity = this.capacity;
        long limit = lvProducerLimit();
        long word;
        long index;
        do {
            word = lvProducerWord();
            if ((word & CLOSED_BIT) != 0) {
                return CLOSED;
            }
            index = word >>> 1;
            if (index >= limit) {
                limit = lvConsumerIndex() + capacity;
                if (index >= limit) {
                    return FULL;
                }
                // Racy by design: a producer may overwrite a newer limit with an older, lower one. A lower
                // limit only makes someone re-read the consumer index; it is never too high.
                soProducerLimit(limit);
            }
        } while (!casProducerWord(word, word + 2));
        soElement((int) (index & mask), element);
        if (lvConsumerParked()) {
            wakeConsumer();
        }
        return OK;
    }

    /**
     * Offers a batch of elements as one claim: they take consecutive slots, so no other producer's element lands
     * between two of them, and the batch is accepted whole or not at all. Any thread. The caller has checked that
     * no element is null and that the batch is no larger than the capacity.
     *
     * <p>One CAS of the producer word by {@code 2 * n} claims {@code n} slots; the elements are then stored in
     * order with release semantics, so the consumer can start on the first while the last are being stored.
     *
     * @return {@link #OK}, {@link #FULL} (fewer than {@code n} free slots) or {@link #CLOSED}
     */
    int offerAll(java.util.List<?> elements) {
        final int n = elements.size();
        if (n == 0) {
            return isClosed() ? CLOSED : OK;
        }
        final long capacity = this.capacity;
        long limit = lvProducerLimit();
        long word;
        long index;
        do {
            word = lvProducerWord();
            if ((word & CLOSED_BIT) != 0) {
                return CLOSED;
            }
            index = word >>> 1;
            if (index + n > limit) {
                limit = lvConsumerIndex() + capacity;
                if (index + n > limit) {
                    return FULL;
                }
                soProducerLimit(limit); // racy as in offer: a lower limit only costs a re-read
            }
        } while (!casProducerWord(word, word + 2L * n));
        final long mask = this.mask;
        if (elements instanceof java.util.RandomAccess) {
            for (int i = 0; i < n; i++) {
                soElement((int) ((index + i) & mask), elements.get(i));
            }
        } else {
            long slot = index;
            for (Object element : elements) {
                soElement((int) (slot++ & mask), element);
            }
        }
        if (lvConsumerParked()) {
            wakeConsumer();
        }
        return OK;
    }

    /**
     * Closes the queue to producers. Any thread, idempotent.
     *
     * @return the number of elements ever accepted; no more will be
     */
    long close() {
        long word;
        do {
            word = lvProducerWord();
            if ((word & CLOSED_BIT) != 0) {
                return word >>> 1;
            }
        } while (!casProducerWord(word, word | CLOSED_BIT));
        wakeConsumer();
        Thread waiter = lvSpaceWaiter();
        if (waiter != null) {
            wakeSpaceWaiter(waiter); // to see the queue closed now, not when its park ends
        }
        return word >>> 1;
    }

    boolean isClosed() {
        return (lvProducerWord() & CLOSED_BIT) != 0;
    }

    /** Elements accepted so far, including those not yet polled. Any thread. */
    long acceptedCount() {
        return lvProducerWord() >>> 1;
    }


    /** Accepted but not yet polled; an estimate when called off the consumer thread. */
    long size() {
        // Read the consumer first: it never passes the producer, so the difference is never negative.
        long consumed = lvConsumerIndex();
        long produced = lvProducerWord() >>> 1;
        return Math.max(0, produced - consumed);
    }

    int capacity() {
        return (int) capacity;
    }

    /**
     * Whether the next element is not there yet: nothing was accepted beyond what was polled, or the next slot is
     * claimed but its element not stored yet (the next look will see it). Consumer thread only.
     *
     * <p>It reads the next slot, not the producers' claim word: an idle consumer looks here on every turn of its idle
     * loop, and reading the claim word would pull the producers' hot cache line across cores on every look, which
     * under a steady stream drags producer and consumer into lockstep (each claim then misses the cache). A slot is
     * written once, by the producer that claimed it. A consumer about to park re-checks the claim word instead
     * ({@link #parkConsumer}), which is the Dekker pair with a producer's claim.
     */
    boolean isEmpty() {
        return lvElement((int) (lpCursor() & mask)) == null;
    }

    /**
     * Takes the next element, or returns {@code null} if the next slot holds none yet (empty, or claimed by a
     * producer that has not stored into it). Consumer thread only.
     */
    Object poll() {
        final long index = lpCursor();
        final int offset = (int) (index & mask);
        final Object element = lvElement(offset);
        if (element == null) {
            return null;
        }
        spElement(offset, null);
        advance(index + 1);
        return element;
    }

    /** From this many ready elements on, {@link #drain} copies and clears in bulk. */
    private static final int BULK = 16;

    /**
     * Takes the elements in the slots from the cursor on into {@code into[at...]}, up to {@code max}, stopping at the
     * first slot that holds none yet: {@link #poll()} in a loop, but with the slots first looked at (acquire loads),
     * then, from {@value #BULK} on, copied and cleared in bulk. Copying reference by reference into another array costs, under G1, a
     * store-load fence per element (its post-write barrier for a store across heap regions into an old array);
     * {@code System.arraycopy} marks the cards of the range once, and clearing stores nulls, which need no barrier.
     * Consumer thread only.
     *
     * @return how many it took
     */
    int drain(Object[] into, int at, int max) {
        final long cursor = lpCursor();
        final int capacity = buffer.length;
        final int offset = (int) (cursor & mask);
        final int limit = Math.min(max, capacity); // a full buffer must not be counted twice round
        int ready = 0;
        while (ready < limit && lvElement((offset + ready) & (int) mask) != null) {
            ready++;
        }
        if (ready < BULK) { // a call to arraycopy costs more than a few fenced stores
            for (int i = 0; i < ready; i++) {
                final int slot = (offset + i) & (int) mask;
                into[at + i] = buffer[slot];
                buffer[slot] = null;
            }
        } else {
            copyOut(offset, ready, into, at);
        }
        final long next = cursor + ready;
        spCursor(next);
        if ((next & ~releaseMask) != (cursor & ~releaseMask)) { // passed a release point: as poll would have
            soConsumerIndex(next);
        }
        return ready;
    }

    /** Copies {@code count} elements from slot {@code offset} on (wrapping) to {@code into[at...]} and clears them. */
    private void copyOut(int offset, int count, Object[] into, int at) {
        final int ready = count;
        final int capacity = buffer.length;
        final int head = Math.min(ready, capacity - offset); // up to the end of the buffer, the rest from its start
        System.arraycopy(buffer, offset, into, at, head);
        Arrays.fill(buffer, offset, offset + head, null);
        if (head < ready) {
            System.arraycopy(buffer, 0, into, at + head, ready - head);
            Arrays.fill(buffer, 0, ready - head, null);
        }
    }

    /**
     * Moves the consumer's cursor; hands the freed slots to producers (the consumer index) only every
     * {@code min(64, capacity / 4)} elements and at {@link #releaseConsumed()}. A producer that finds the queue full re-reads
     * the consumer index on every attempt: publishing it per element would move its cache line between the two
     * cores once per element, which under saturation costs more than the dispatch itself.
     */
    private void advance(long cursor) {
        spCursor(cursor);
        if ((cursor & releaseMask) == 0) {
            soConsumerIndex(cursor);
        }
    }

    /**
     * Hands every polled slot back to producers, and wakes the producer waiting for room once half of the queue is
     * free. Consumer thread only; the dispatcher calls it after each batch.
     */
    void releaseConsumed() {
        long cursor = lpCursor();
        if (lpConsumerIndex() != cursor) {
            soConsumerIndex(cursor);
        }
        // Opaque: a waiter this misses (its CAS not yet visible) is seen by the next batch's look, or by the fenced
        // look before the consumer parks; a consumer that does neither frees no room either.
        Thread waiter = loSpaceWaiter();
        if (waiter != null && acceptedCount() - cursor <= capacity - capacity / 2) {
            wakeSpaceWaiter(waiter);
        }
    }

    private void wakeSpaceWaiter(Thread waiter) {
        if (casSpaceWaiter(waiter, null)) {
            LockSupport.unpark(waiter);
        }
    }

    /**
     * Parks a producer that found no room for {@code need} elements, until the consumer has freed half of the queue,
     * the queue is closed, the thread is interrupted, or {@code nanos} have passed; it may also return early. Any
     * producer thread; the caller offers again after it.
     *
     * <p>One producer at a time is the waiter the consumer wakes: it CASes itself into {@code spaceWaiter} (a full
     * fence) and then looks for room; the consumer stores its index and then reads {@code spaceWaiter}. The
     * consumer wakes the waiter when half of the queue is free, not at each freed slot, so a producer and a slow
     * consumer do not trade one slot per wake-up. A producer that finds the place taken parks at most
     * {@code othersNanos}, to look again.
     */
    void parkProducer(int need, long nanos, long othersNanos) {
        Thread me = Thread.currentThread();
        if (lvSpaceWaiter() != null || !casSpaceWaiter(null, me)) {
            LockSupport.parkNanos(this, Math.min(nanos, othersNanos));
            return;
        }
        try {
            if (capacity - (acceptedCount() - lvConsumerIndex()) < need && !isClosed()) {
                LockSupport.parkNanos(this, nanos);
            }
        } finally {
            casSpaceWaiter(me, null); // unless the consumer took it to wake this thread
        }
    }

    /**
     * Takes the next element, waiting for a producer that has claimed its slot but not yet stored into it;
     * {@code null} only when nothing is accepted beyond what was polled. Consumer thread only.
     */
    Object pollBlocking() {
        final long index = lpCursor();
        if (index == acceptedCount()) {
            return null;
        }
        final int offset = (int) (index & mask);
        Object element;
        while ((element = lvElement(offset)) == null) {
            // The claim is made; the store follows within a few instructions unless the producer was descheduled.
            Thread.onSpinWait();
        }
        spElement(offset, null);
        advance(index + 1);
        return element;
    }

    /** Sets the thread that {@link #wakeConsumer()} unparks. Called once, before the consumer starts. */
    void consumerThread(Thread thread) {
        this.consumerThread = thread;
    }

    /**
     * Parks the consumer unless an element is present or {@link #wakeConsumer()} was called since the last park.
     * Consumer thread only.
     *
     * @param nanos longest park, or {@code Long.MAX_VALUE} for no limit
     */
    void parkConsumer(long nanos) {
        releaseConsumed();
        svConsumerParked(true);
        try {
            if (lpCursor() == acceptedCount() && !isClosed()) {
                Thread waiter = lvSpaceWaiter(); // after the fence: a waiter registered before it is seen here
                if (waiter != null) {
                    wakeSpaceWaiter(waiter);
                }
                if (nanos == Long.MAX_VALUE) {
                    LockSupport.park(this);
                } else {
                    LockSupport.parkNanos(this, nanos);
                }
            }
        } finally {
            soConsumerParked(false);
        }
    }

    /** Unparks the consumer (a permit is kept if it is not parked yet). Any thread. */
    void wakeConsumer() {
        Thread thread = this.consumerThread;
        if (thread != null) {
            LockSupport.unpark(thread);
        }
    }
}

/** Read-mostly fields: shared by producers and the consumer, written once (but for a producer waiting for room). */
abstract class MpscQueueColdFields {
    static final long CLOSED_BIT = 1L;
    static final VarHandle ELEMENTS = MethodHandles.arrayElementVarHandle(Object[].class);
    private static final VarHandle SPACE_WAITER =
            VarHandles.field(MethodHandles.lookup(), MpscQueueColdFields.class, "spaceWaiter", Thread.class);

    final Object[] buffer;
    final long mask;
    final long capacity;
    /** The consumer publishes its index when {@code (cursor & releaseMask) == 0}: every min(64, capacity / 4). */
    final long releaseMask;
    /** Written once before the consumer starts; read by producers only when the consumer is parked. */
    volatile Thread consumerThread;
    /**
     * The producer waiting for room, or null: CASed in and out by producers only while the queue is full, and to
     * null by the consumer that wakes it. Read (opaque) by the consumer once per batch, so it lives with fields
     * producers only read, not on their claim line.
     */
    private volatile Thread spaceWaiter;

    MpscQueueColdFields(int capacity) {
        this.buffer = new Object[capacity];
        this.mask = capacity - 1;
        this.capacity = capacity;
        this.releaseMask = Math.max(1, Math.min(64, capacity / 4)) - 1;
    }

    final Thread lvSpaceWaiter() {
        return spaceWaiter;
    }

    final Thread loSpaceWaiter() {
        return (Thread) SPACE_WAITER.getOpaque(this);
    }

    final boolean casSpaceWaiter(Thread expected, Thread next) {
        return SPACE_WAITER.compareAndSet(this, expected, next);
    }

    final Object lvElement(int offset) {
        return ELEMENTS.getAcquire(buffer, offset);
    }

    final void soElement(int offset, Object element) {
        ELEMENTS.setRelease(buffer, offset, element);
    }

    final void spElement(int offset, Object element) {
        buffer[offset] = element;
    }
}

abstract class MpscQueuePad1 extends MpscQueueColdFields {
    long p01, p02, p03, p04, p05, p06, p07, p08, p09, p10, p11, p12, p13, p14, p15;

    MpscQueuePad1(int capacity) {
        super(capacity);
    }
}

/** Written by producers: the claim word, the cached limit; and the parked flag they read on every offer. */
abstract class MpscQueueProducerFields extends MpscQueuePad1 {

    private static final VarHandle PRODUCER_WORD =
            VarHandles.field(MethodHandles.lookup(), MpscQueueProducerFields.class, "producerWord", long.class);
    private static final VarHandle PRODUCER_LIMIT =
            VarHandles.field(MethodHandles.lookup(), MpscQueueProducerFields.class, "producerLimit", long.class);
    private static final VarHandle CONSUMER_PARKED =
            VarHandles.field(MethodHandles.lookup(), MpscQueueProducerFields.class, "consumerParked", boolean.class);

    /** {@code accepted << 1 | CLOSED_BIT}. */
    private volatile long producerWord;
    private volatile long producerLimit;
    private volatile boolean consumerParked;

    MpscQueueProducerFields(int capacity) {
        super(capacity);
        PRODUCER_LIMIT.setRelease(this, (long) capacity);
    }

    final long lvProducerWord() {
        return producerWord;
    }

    final boolean casProducerWord(long expected, long next) {
        return PRODUCER_WORD.compareAndSet(this, expected, next);
    }

    final long lvProducerLimit() {
        return producerLimit;
    }

    final void soProducerLimit(long limit) {
        PRODUCER_LIMIT.setRelease(this, limit);
    }

    final boolean lvConsumerParked() {
        return consumerParked;
    }

    final void svConsumerParked(boolean parked) {
        consumerParked = parked;
    }

    final void soConsumerParked(boolean parked) {
        CONSUMER_PARKED.setRelease(this, parked);
    }
}

abstract class MpscQueuePad2 extends MpscQueueProducerFields {
    long p01, p02, p03, p04, p05, p06, p07, p08, p09, p10, p11, p12, p13, p14, p15;

    MpscQueuePad2(int capacity) {
        super(capacity);
    }
}

/** Written by the consumer only. */
abstract class MpscQueueConsumerFields extends MpscQueuePad2 {

    private static final VarHandle CONSUMER_INDEX =
            VarHandles.field(MethodHandles.lookup(), MpscQueueConsumerFields.class, "consumerIndex", long.class);

    /** Slots up to here are free for producers: lags {@link #cursor} by less than {@code min(64, capacity / 4)}. */
    private volatile long consumerIndex;
    /** The next element to poll; the consumer's own, never read by producers. */
    private long cursor;

    MpscQueueConsumerFields(int capacity) {
        super(capacity);
    }

    final long lpCursor() {
        return cursor;
    }

    final void spCursor(long value) {
        cursor = value;
    }

    final long lvConsumerIndex() {
        return consumerIndex;
    }

    final long lpConsumerIndex() {
        return (long) CONSUMER_INDEX.get(this);
    }

    final void soConsumerIndex(long index) {
        CONSUMER_INDEX.setRelease(this, index);
    }
}
