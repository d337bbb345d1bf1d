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
 * <p><b>Layout.</b> Per attribute, a hash map from a value to the subscriptions indexed under it. Each subscription is
 * indexed under one of its clauses (an attribute and the values it wants), once per value of that clause; its other
 * clauses, and its filter, are checked when the index finds it. The clause chosen is the one whose values hold the
 * fewest subscriptions when it registers, so that with {@code where("type", "container").where("name", "web-7")}
 * the second and later subscriptions go under their own name, not all under {@code container}.
 *
 * <p><b>Dispatch.</b> For each attribute that has entries, the event's values are computed once (the dispatcher
 * caches them per event), and each value's bucket is handed to the dispatcher; a subscription reached through two of
 * the event's values (two labels) is delivered once ({@code matchedSequence}).
 */
final class AttributeIndex {
    /** One map per attribute, from a value to its bucket; null until the attribute has an entry. */
    private final HashMap<Object, Bucket>[] byValue;
    private int size;

    @SuppressWarnings("unchecked")
    AttributeIndex(int attributes) {
        this.byValue = new HashMap[attributes];
    }

    boolean isEmpty() {
        return size == 0;
    }

    int size() {
        return size;
    }

    /** Indexes a subscription with where clauses under its most selective clause now. Owner only. */
    void add(DispatcherSubscription subscription) {
        final int[] attributes = subscription.whereAttributes;
        final Object[][] values = subscription.whereValues;
        int best = 0;
        long fewest = Long.MAX_VALUE;
        for (int clause = 0; clause < attributes.length; clause++) {
            HashMap<Object, Bucket> map = byValue[attributes[clause]];
            long held = 0;
            for (Object value : values[clause]) {
                Bucket bucket = map == null ? null : map.get(value);
                held += bucket == null ? 0 : bucket.count;
            }
            if (held < fewest) {
                fewest = held;
                best = clause;
            }
        }
        HashMap<Object, Bucket> map = byValue[attributes[best]];
        if (map == null) {
            map = byValue[attributes[best]] = new HashMap<>();
        }
        for (Object value : values[best]) {
            map.computeIfAbsent(value, v -> new Bucket()).add(subscription);
        }
        subscription.indexedClause = best;
        size++;
    }

    /** Takes a subscription out; empty buckets go too. Never called while the index is walked. Owner only. */
    void remove(DispatcherSubscription subscription) {
        final int clause = subscription.indexedClause;
        final HashMap<Object, Bucket> map = byValue[subscription.whereAttributes[clause]];
        for (Object value : subscription.whereValues[clause]) {
            Bucket bucket = map.get(value);
            if (bucket != null && bucket.remove(subscription) && bucket.count == 0) {
                map.remove(value);
            }
        }
        subscription.indexedClause = -1;
        size--;
    }

    /** Hands the event to every subscription indexed under one of its values. Owner only. */
    void dispatch(Dispatcher dispatcher, Object event, long sequence, long stamp) {
        final HashMap<Object, Bucket>[] byValue = this.byValue;
        for (int attribute = 0; attribute < byValue.length; attribute++) {
            final HashMap<Object, Bucket> map = byValue[attribute];
            if (map == null || map.isEmpty()) {
                continue;
            }
            Object values = dispatcher.attributeValues(attribute, event, sequence);
            if (values == null) {
                continue;
            }
            if (values instanceof Collection<?> many) {
                if (many instanceof List<?> list && many instanceof RandomAccess) {
                    for (int i = 0, n = list.size(); i < n; i++) {
                        deliver(map, list.get(i), dispatcher, event, sequence, stamp);
                    }
                } else {
                    for (Object value : many) {
                        deliver(map, value, dispatcher, event, sequence, stamp);
                    }
                }
            } else {
                deliver(map, values, dispatcher, event, sequence, stamp);
            }
        }
    }

    private static void deliver(HashMap<Object, Bucket> map, Object value, Dispatcher dispatcher, Object event,
                                long sequence, long stamp) {
        if (value == null) {
            return;
        }
        final Bucket bucket = map.get(value);
        if (bucket == null) {
            return;
        }
        final DispatcherSubscription[] subscriptions = bucket.subscriptions;
        for (int i = 0, n = bucket.count; i < n; i++) {
            dispatcher.deliverByAttribute(subscriptions[i], event, sequence, stamp);
        }
    }

    /** The subscriptions indexed under one value; registration order. */
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
