package dev.eventhub;

import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.RandomAccess;

/**
 * The subscriptions that select only by attributes ({@code where}), found from an event's values so that an event
 * costs what it matches, not what is subscribed (target P8). Owner-confined, like the {@link TopicIndex}: entries come
 * and go only through the dispatcher's commands, and it is walked only while dispatching.
 *
 * <p><b>Layout.</b> Per attribute, a hash map from a value to what is indexed under it: the subscription itself when
 * it is the only one (the usual case for a name or an id, and one pointer less to follow), else a {@link Bucket}.
 * Each subscription is indexed under one of its clauses (an attribute and the values it wants), once per value of
 * that clause; its other clauses, and its filter, are checked when the index finds it. The clause chosen is the one
 * whose values hold the fewest subscriptions when it registers, so that with
 * {@code where("type", "container").where("name", "web-7")} the second and later subscriptions go under their own
 * name, not all under {@code container}; and the first, which went under {@code container} when nothing told its
 * clauses apart, follows them under its name (see {@link #add}). An attribute under which nothing is indexed costs an
 * event nothing: its values are not even computed for the index.
 *
 * <p><b>Dispatch, in two passes over the batch.</b> {@link #lookUp} computes each indexed attribute's values for every
 * event of the batch and looks each value up, touching what it finds; {@link #deliver} then hands the events over, in
 * sequence order, as one event at a time would. With many subscriptions each lookup misses the cache several times
 * (the event, its value, the map's entry, the subscription); one event at a time, each miss waits for the one before,
 * while in one loop over the batch the misses of different events overlap. A subscription reached through two of the
 * event's values (two labels) is delivered once ({@code matchedSequence}).
 */
final class AttributeIndex {
    /** What {@link #lookUp} leaves for an event whose values are a collection: looked up value by value later. */
    private static final Object MANY = new Object();

    /** One map per attribute, from a value to its subscription or bucket; null until the attribute has an entry. */
    private final HashMap<Object, Object>[] byValue;
    /** Per attribute, what {@link #lookUp} found for each event of the batch: a subscription, a bucket, MANY or null. */
    private final Object[][] found;
    private int size;
    /** Read from what a lookup found, so that the read is not optimised away: it brings the lines in. */
    private long touched;

    @SuppressWarnings("unchecked")
    AttributeIndex(int attributes) {
        this.byValue = new HashMap[attributes];
        this.found = new Object[attributes][];
    }

    boolean isEmpty() {
        return size == 0;
    }

    int size() {
        return size;
    }

    /**
     * Indexes a subscription with where clauses under its most selective clause now. A subscription that was alone
     * under one of the newcomer's other values, which the newcomer therefore avoided, moves to its own clause on the
     * attribute the newcomer chose, if it has one and would be alone there too: that attribute is the one that tells
     * them apart. So with {@code where("type", "container").where("name", ...)}, the first subscription, indexed under
     * {@code container} when nothing told the clauses apart, moves under its name when the second arrives, and an
     * event then takes one lookup, not two. Owner only.
     */
    void add(DispatcherSubscription subscription) {
        final int[] attributes = subscription.whereAttributes;
        final Object[][] values = subscription.whereValues;
        int best = 0;
        long fewest = Long.MAX_VALUE;
        for (int clause = 0; clause < attributes.length; clause++) {
            long held = held(attributes[clause], values[clause]);
            if (held < fewest) {
                fewest = held;
                best = clause;
            }
        }
        indexUnder(subscription, best);
        for (int clause = 0; clause < attributes.length; clause++) {
            HashMap<Object, Object> map = byValue[attributes[clause]];
            if (clause == best || map == null) {
                continue;
            }
            for (Object value : values[clause]) {
                if (map.get(value) instanceof DispatcherSubscription alone && alone != subscription
                        && alone.whereValues[alone.indexedClause].length == 1) {
                    int target = clauseOn(alone, attributes[best]);
                    if (target >= 0 && held(attributes[best], alone.whereValues[target]) == 0) {
                        remove(alone);
                        indexUnder(alone, target);
                    }
                }
            }
        }
    }

    /** How many subscriptions are indexed under these values of the attribute. */
    private long held(int attribute, Object[] values) {
        HashMap<Object, Object> map = byValue[attribute];
        long held = 0;
        for (Object value : values) {
            held += map == null ? 0 : count(map.get(value));
        }
        return held;
    }

    /** The subscription's clause on this attribute, or -1. */
    private static int clauseOn(DispatcherSubscription subscription, int attribute) {
        final int[] attributes = subscription.whereAttributes;
        for (int clause = 0; clause < attributes.length; clause++) {
            if (attributes[clause] == attribute) {
                return clause;
            }
        }
        return -1;
    }

    private void indexUnder(DispatcherSubscription subscription, int best) {
        final int[] attributes = subscription.whereAttributes;
        final Object[][] values = subscription.whereValues;
        HashMap<Object, Object> map = byValue[attributes[best]];
        if (map == null) {
            map = byValue[attributes[best]] = new HashMap<>();
        }
        for (Object value : values[best]) {
            map.merge(value, subscription, AttributeIndex::join);
        }
        subscription.indexedClause = best;
        subscription.otherAttribute = -1;
        subscription.otherValue = null;
        if (attributes.length == 2 && values[1 - best].length == 1) {
            subscription.otherAttribute = attributes[1 - best];
            subscription.otherValue = values[1 - best][0];
        }
        size++;
    }

    /** Takes a subscription out; empty buckets go too. Never called while the index is walked. Owner only. */
    void remove(DispatcherSubscription subscription) {
        final int clause = subscription.indexedClause;
        final HashMap<Object, Object> map = byValue[subscription.whereAttributes[clause]];
        for (Object value : subscription.whereValues[clause]) {
            map.computeIfPresent(value, (v, held) -> leave(held, subscription));
        }
        subscription.indexedClause = -1;
        subscription.otherAttribute = -1;
        subscription.otherValue = null;
        size--;
    }

    private static int count(Object held) {
        return held == null ? 0 : held instanceof Bucket bucket ? bucket.count : 1;
    }

    /** What a value holds once {@code added} (a subscription) joins {@code held}. */
    private static Object join(Object held, Object added) {
        Bucket bucket;
        if (held instanceof Bucket existing) {
            bucket = existing;
        } else {
            bucket = new Bucket();
            bucket.add((DispatcherSubscription) held);
        }
        bucket.add((DispatcherSubscription) added);
        return bucket;
    }

    /** What a value holds once {@code leaving} has left {@code held}; null when nothing. */
    private static Object leave(Object held, DispatcherSubscription leaving) {
        if (held == leaving) {
            return null;
        }
        if (held instanceof Bucket bucket && bucket.remove(leaving)) {
            return bucket.count == 0 ? null : bucket.count == 1 ? bucket.subscriptions[0] : bucket;
        }
        return held;
    }

    /**
     * The first pass: for each attribute with entries, computes the values of every event of the batch and looks each
     * single value up. Called before any event of the batch is delivered. Owner only.
     */
    void lookUp(Dispatcher dispatcher, Object[] batch, int count) {
        final HashMap<Object, Object>[] byValue = this.byValue;
        long touched = this.touched;
        for (int attribute = 0; attribute < byValue.length; attribute++) {
            final HashMap<Object, Object> map = byValue[attribute];
            if (map == null || map.isEmpty()) {
                continue;
            }
            final Object[] values = dispatcher.batchAttributeValues(attribute, batch, count);
            Object[] found = this.found[attribute];
            if (found == null) {
                found = this.found[attribute] = new Object[batch.length];
            }
            for (int i = 0; i < count; i++) {
                final Object value = values[i];
                final Object held = value == null ? null : value instanceof Collection<?> ? MANY : map.get(value);
                found[i] = held;
                if (held instanceof DispatcherSubscription subscription) {
                    touched += subscription.touch();
                }
            }
        }
        this.touched = touched;
    }

    /**
     * The second pass: hands each event of the batch to what {@link #lookUp} found for it, event by event in sequence
     * order, attribute by attribute. Owner only.
     */
    void deliver(Dispatcher dispatcher, Object[] batch, int count, long first, long stamp) {
        final HashMap<Object, Object>[] byValue = this.byValue;
        for (int i = 0; i < count; i++) {
            final Object event = batch[i];
            final long sequence = first + i;
            for (int attribute = 0; attribute < byValue.length; attribute++) {
                final Object[] found = this.found[attribute];
                if (found == null || found[i] == null) {
                    continue; // nothing found, or not looked up this batch (what a batch found is cleared here)
                }
                final Object held = found[i];
                found[i] = null;
                if (held == MANY) {
                    deliverEach(byValue[attribute], (Collection<?>) dispatcher.attributeValues(attribute, event,
                            sequence), dispatcher, event, sequence, stamp);
                } else if (held != null) {
                    deliverHeld(held, dispatcher, event, sequence, stamp);
                }
            }
        }
    }

    private static void deliverEach(HashMap<Object, Object> map, Collection<?> values, Dispatcher dispatcher,
                                    Object event, long sequence, long stamp) {
        if (values instanceof List<?> list && values instanceof RandomAccess) {
            for (int i = 0, n = list.size(); i < n; i++) {
                deliverValue(map, list.get(i), dispatcher, event, sequence, stamp);
            }
        } else {
            for (Object value : values) {
                deliverValue(map, value, dispatcher, event, sequence, stamp);
            }
        }
    }

    private static void deliverValue(HashMap<Object, Object> map, Object value, Dispatcher dispatcher, Object event,
                                     long sequence, long stamp) {
        if (value != null) {
            Object held = map.get(value);
            if (held != null) {
                deliverHeld(held, dispatcher, event, sequence, stamp);
            }
        }
    }

    private static void deliverHeld(Object held, Dispatcher dispatcher, Object event, long sequence, long stamp) {
        if (held instanceof DispatcherSubscription subscription) {
            dispatcher.deliverByAttribute(subscription, event, sequence, stamp);
            return;
        }
        final Bucket bucket = (Bucket) held;
        final DispatcherSubscription[] subscriptions = bucket.subscriptions;
        for (int i = 0, n = bucket.count; i < n; i++) {
            dispatcher.deliverByAttribute(subscriptions[i], event, sequence, stamp);
        }
    }

    /** The subscriptions indexed under one value, when there are two or more; registration order. */
    private static final class Bucket {
        DispatcherSubscription[] subscriptions = new DispatcherSubscription[2];
        int count;

        void add(DispatcherSubscription subscription) {
            if (count == subscriptions.length) {
                subscriptions = Arrays.copyOf(subscriptions, count * 2);
            }
            subscriptions[count++] = subscription;
        }

        boolean remove(DispatcherSubscription subscription) {
            for (int i = 0; i < count; i++) {
                if (subscriptions[i] == subscription) {
                    System.arraycopy(subscriptions, i + 1, subscriptions, i, count - i - 1);
                    subscriptions[--count] = null;
                    return true;
                }
            }
            return false;
        }
    }
}
