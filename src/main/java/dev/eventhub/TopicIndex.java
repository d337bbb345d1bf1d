package dev.eventhub;

import java.util.HashMap;

/**
 * The subscriptions that filter by topic, indexed so that dispatching an event costs a hash lookup for its exact
 * topic plus a walk of its segments through a trie of patterns, whatever the number of subscriptions: the cost
 * grows with the subscriptions an event matches, not with those it does not.
 *
 * <p>A subscription with several topics and patterns sits in several places; the dispatcher delivers to it once
 * per event (it remembers the last sequence it matched). Subscriptions are added and removed only on the
 * dispatcher, between events; an ended subscription is removed at the next round, and emptied buckets and trie
 * nodes are pruned, so the index never keeps a cancelled subscription or its topic. Confined to the dispatcher.
 */
final class TopicIndex {
    private final HashMap<String, Bucket> exact = new HashMap<>();
    /**
     * The commonest pattern shape, literal segments then one {@code *} ({@code default/pod/*}), by its literal
     * prefix: an event's topic up to its last {@code /} finds them with one probe instead of a walk through the trie,
     * which with many such patterns costs a cache miss per level. Every other pattern lives in the trie.
     */
    private final SegmentMap<Bucket> childrenOf = new SegmentMap<>();
    private final Node root = new Node();
    private int size;

    boolean isEmpty() {
        return size == 0;
    }

    int size() {
        return size;
    }

    void add(DispatcherSubscription subscription) {
        for (String topic : subscription.topics) {
            exact.computeIfAbsent(topic, key -> new Bucket()).add(subscription);
        }
        for (TopicPattern pattern : subscription.patterns) {
            String prefix = childrenPrefix(pattern);
            if (prefix != null) {
                Bucket bucket = childrenOf.get(prefix);
                if (bucket == null) {
                    bucket = new Bucket();
                    childrenOf.put(prefix, bucket);
                }
                bucket.add(subscription);
                continue;
            }
            Node node = root;
            for (String segment : pattern.segments) {
                node = segment.equals(TopicPattern.ONE) ? node.star() : node.child(segment);
            }
            (pattern.rest ? node.rest() : node.here()).add(subscription);
        }
        size++;
    }

    /** For {@code a/b/*} (literal segments, then one {@code *}, at least one literal), {@code a/b}; else null. */
    private static String childrenPrefix(TopicPattern pattern) {
        String[] segments = pattern.segments;
        int n = segments.length;
        if (pattern.rest || n < 2 || !segments[n - 1].equals(TopicPattern.ONE)) {
            return null;
        }
        for (int i = 0; i < n - 1; i++) {
            if (segments[i].equals(TopicPattern.ONE)) {
                return null;
            }
        }
        return String.join("/", java.util.Arrays.asList(segments).subList(0, n - 1));
    }

    void remove(DispatcherSubscription subscription) {
        for (String topic : subscription.topics) {
            Bucket bucket = exact.get(topic);
            if (bucket != null && bucket.remove(subscription) && bucket.size == 0) {
                exact.remove(topic);
            }
        }
        for (TopicPattern pattern : subscription.patterns) {
            String prefix = childrenPrefix(pattern);
            if (prefix != null) {
                Bucket bucket = childrenOf.get(prefix);
                if (bucket != null && bucket.remove(subscription) && bucket.size == 0) {
                    childrenOf.remove(prefix);
                }
                continue;
            }
            removePattern(root, pattern, 0, subscription);
        }
        size--;
    }

    /** Removes from the node the pattern ends at; returns whether {@code node} is now empty and can be pruned. */
    private static boolean removePattern(Node node, TopicPattern pattern, int depth, DispatcherSubscription subscription) {
        if (depth == pattern.segments.length) {
            Bucket bucket = pattern.rest ? node.rest : node.here;
            if (bucket != null) {
                bucket.remove(subscription);
                if (bucket.size == 0) {
                    if (pattern.rest) {
                        node.rest = null;
                    } else {
                        node.here = null;
                    }
                }
            }
            return node.isEmpty();
        }
        String segment = pattern.segments[depth];
        if (segment.equals(TopicPattern.ONE)) {
            if (node.star != null && removePattern(node.star, pattern, depth + 1, subscription)) {
                node.star = null;
            }
        } else if (node.children != null) {
            Node child = node.children.get(segment);
            if (child != null && removePattern(child, pattern, depth + 1, subscription)) {
                node.children.remove(segment);
                if (node.children.isEmpty()) {
                    node.children = null;
                }
            }
        }
        return node.isEmpty();
    }

    /** Delivers the event to every indexed subscription its topic matches. */
    void dispatch(String topic, Dispatcher dispatcher, Object event, long sequence, long stamp) {
        Bucket bucket = exact.get(topic);
        if (bucket != null) {
            bucket.deliver(dispatcher, event, sequence, stamp);
        }
        if (!childrenOf.isEmpty()) {
            int last = topic.lastIndexOf('/');
            if (last > 0) {
                Bucket children = childrenOf.get(topic, 0, last);
                if (children != null) {
                    children.deliver(dispatcher, event, sequence, stamp);
                }
            }
        }
        if (!root.isEmpty()) {
            match(root, topic, 0, dispatcher, event, sequence, stamp);
        }
    }

    /** {@code start} is where the next segment begins; {@code topic.length() + 1} means none is left. */
    private static void match(Node node, String topic, int start, Dispatcher dispatcher, Object event,
                              long sequence, long stamp) {
        if (node.rest != null) {
            node.rest.deliver(dispatcher, event, sequence, stamp);
        }
        if (start > topic.length()) {
            if (node.here != null) {
                node.here.deliver(dispatcher, event, sequence, stamp);
            }
            return;
        }
        int end = topic.indexOf('/', start);
        if (end < 0) {
            end = topic.length();
        }
        if (node.children != null) {
            Node child = node.children.get(topic, start, end);
            if (child != null) {
                match(child, topic, end + 1, dispatcher, event, sequence, stamp);
            }
        }
        if (node.star != null) {
            match(node.star, topic, end + 1, dispatcher, event, sequence, stamp);
        }
    }

    /** Subscriptions at one place in the index. */
    static final class Bucket {
        private DispatcherSubscription[] subscriptions = new DispatcherSubscription[2];
        private int size;

        void add(DispatcherSubscription subscription) {
            if (size == subscriptions.length) {
                subscriptions = java.util.Arrays.copyOf(subscriptions, size * 2);
            }
            subscriptions[size++] = subscription;
        }

        boolean remove(DispatcherSubscription subscription) {
            for (int i = 0; i < size; i++) {
                if (subscriptions[i] == subscription) {
                    subscriptions[i] = subscriptions[--size];
                    subscriptions[size] = null;
                    return true;
                }
            }
            return false;
        }

        void deliver(Dispatcher dispatcher, Object event, long sequence, long stamp) {
            final DispatcherSubscription[] subscriptions = this.subscriptions;
            for (int i = 0, n = size; i < n; i++) {
                dispatcher.deliverIndexed(subscriptions[i], event, sequence, stamp);
            }
        }
    }

    /** A trie node: the path from the root is a sequence of literal segments and {@code *}s. */
    static final class Node {
        SegmentMap<Node> children;
        Node star;
        /** Patterns that end exactly here. */
        Bucket here;
        /** Patterns that end here with {@code **}: this node's path and anything below it. */
        Bucket rest;

        Node child(String segment) {
            if (children == null) {
                children = new SegmentMap<>();
            }
            Node child = children.get(segment);
            if (child == null) {
                child = new Node();
                children.put(segment, child);
            }
            return child;
        }

        Node star() {
            if (star == null) {
                star = new Node();
            }
            return star;
        }

        Bucket here() {
            if (here == null) {
                here = new Bucket();
            }
            return here;
        }

        Bucket rest() {
            if (rest == null) {
                rest = new Bucket();
            }
            return rest;
        }

        boolean isEmpty() {
            return children == null && star == null && here == null && rest == null;
        }
    }

    /**
     * Child nodes by segment, looked up by a region of the topic string so that matching allocates nothing (a
     * {@code HashMap} would need a substring per segment). Open addressing with linear probing; removal rebuilds,
     * which is rare (a pattern's last subscription going away).
     */
    static final class SegmentMap<V> {
        private String[] keys = new String[4];
        private Object[] values = new Object[4];
        private int size;

        boolean isEmpty() {
            return size == 0;
        }

        V get(String segment) {
            return get(segment, 0, segment.length());
        }

        @SuppressWarnings("unchecked")
        V get(String text, int from, int to) {
            final String[] keys = this.keys;
            final int mask = keys.length - 1;
            final int length = to - from;
            for (int i = hash(text, from, to) & mask; ; i = (i + 1) & mask) {
                String key = keys[i];
                if (key == null) {
                    return null;
                }
                if (key.length() == length && text.regionMatches(from, key, 0, length)) {
                    return (V) values[i];
                }
            }
        }

        void put(String segment, V node) {
            if ((size + 1) * 2 > keys.length) {
                resize(keys.length * 2);
            }
            insert(segment, node);
            size++;
        }

        void remove(String segment) {
            String[] oldKeys = keys;
            Object[] oldValues = values;
            keys = new String[oldKeys.length];
            values = new Object[oldValues.length];
            size = 0;
            for (int i = 0; i < oldKeys.length; i++) {
                if (oldKeys[i] != null && !oldKeys[i].equals(segment)) {
                    insert(oldKeys[i], oldValues[i]);
                    size++;
                }
            }
        }

        private void resize(int capacity) {
            String[] oldKeys = keys;
            Object[] oldValues = values;
            keys = new String[capacity];
            values = new Object[capacity];
            for (int i = 0; i < oldKeys.length; i++) {
                if (oldKeys[i] != null) {
                    insert(oldKeys[i], oldValues[i]);
                }
            }
        }

        private void insert(String segment, Object node) {
            final int mask = keys.length - 1;
            int i = hash(segment, 0, segment.length()) & mask;
            while (keys[i] != null) {
                i = (i + 1) & mask;
            }
            keys[i] = segment;
            values[i] = node;
        }

        private static int hash(String text, int from, int to) {
            int h = 0;
            for (int i = from; i < to; i++) {
                h = 31 * h + text.charAt(i);
            }
            return h ^ (h >>> 16);
        }
    }
}
