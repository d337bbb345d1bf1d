package dev.eventhub;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;

/**
 * Selection against a naive reference: random subscriptions mixing {@code where} clauses (a single-valued attribute
 * and a labels attribute), exact topics, topic patterns and filters, some live and some replaying the whole history,
 * over random events, must each receive exactly the events a plain matcher written from the documented rules selects,
 * in sequence order. Whatever serves a subscription (the subscriber array, the topic index, the attribute index, or
 * replay), the answer must be the same.
 */
class SelectionModelProperties {
    static final List<String> TOPICS = List.of("ns1/pod/a", "ns1/pod/b", "ns2/svc/c", "ns2", "x");
    static final List<String> PATTERNS = List.of("ns1/**", "*/pod/*", "ns2/*/c", "ns2/**", "x/*");
    static final List<String> TYPES = List.of("container", "image", "network");
    static final List<String> LABELS = List.of("l1", "l2", "l3");

    /** An event; {@code labels} null means the labels function says "none". */
    record Ev(int id, String topic, String type, List<String> labels) {
    }

    /** What one subscription selects, and whether it replays from the start. */
    record Spec(Set<String> topics, Set<String> patterns, Set<String> types, Set<String> labels, int filterModulus,
                boolean replay) {

        boolean selects(Ev e) {
            if (!topics.isEmpty() || !patterns.isEmpty()) {
                boolean any = e.topic() != null && (topics.contains(e.topic())
                        || patterns.stream().anyMatch(p -> patternMatches(p, e.topic())));
                if (!any) {
                    return false;
                }
            }
            if (!types.isEmpty() && !types.contains(e.type())) {
                return false;
            }
            if (!labels.isEmpty() && (e.labels() == null || e.labels().stream().noneMatch(labels::contains))) {
                return false;
            }
            return filterModulus == 0 || e.id() % filterModulus != 0;
        }
    }

    /** The documented pattern rule, naively: {@code *} one segment, {@code **} (last only) zero or more. */
    static boolean patternMatches(String pattern, String topic) {
        String[] p = pattern.split("/", -1);
        String[] t = topic.split("/", -1);
        for (int i = 0; i < p.length; i++) {
            if (p[i].equals("**") && i == p.length - 1) {
                return t.length >= i;
            }
            if (i >= t.length || !(p[i].equals("*") || p[i].equals(t[i]))) {
                return false;
            }
        }
        return t.length == p.length;
    }

    @Provide
    Arbitrary<List<Ev>> events() {
        Arbitrary<String> topic = Arbitraries.of(TOPICS).injectNull(0.1);
        Arbitrary<String> type = Arbitraries.of(TYPES);
        Arbitrary<List<String>> labels = Arbitraries.of(LABELS).list().ofMaxSize(3).uniqueElements().injectNull(0.2);
        return Combinators.combine(topic, type, labels).as((t, ty, l) -> new Ev(0, t, ty, l)).list().ofMaxSize(60);
    }

    @Provide
    Arbitrary<List<Spec>> specs() {
        Arbitrary<Set<String>> topics = Arbitraries.frequencyOf(Tuple.of(3, Arbitraries.just(Set.<String>of())),
                Tuple.of(2, Arbitraries.of(TOPICS).set().ofMinSize(1).ofMaxSize(2)));
        Arbitrary<Set<String>> patterns = Arbitraries.frequencyOf(Tuple.of(3, Arbitraries.just(Set.<String>of())),
                Tuple.of(2, Arbitraries.of(PATTERNS).set().ofMinSize(1).ofMaxSize(2)));
        Arbitrary<Set<String>> types = Arbitraries.of(TYPES).set().ofMaxSize(2);
        Arbitrary<Set<String>> labels = Arbitraries.of(LABELS).set().ofMaxSize(2);
        Arbitrary<Integer> filter = Arbitraries.of(0, 0, 2, 3);
        Arbitrary<Boolean> replay = Arbitraries.of(true, false);
        return Combinators.combine(topics, patterns, types, labels, filter, replay).as(Spec::new).list()
                .ofMinSize(1).ofMaxSize(12);
    }

    @Property(tries = 300)
    void everySubscriptionGetsExactlyWhatTheNaiveMatcherSelects(@ForAll("events") List<Ev> raw,
                                                                @ForAll("specs") List<Spec> specs) {
        List<Ev> events = new ArrayList<>();
        for (int i = 0; i < raw.size(); i++) {
            Ev e = raw.get(i);
            events.add(new Ev(i + 1, e.topic(), e.type(), e.labels()));
        }
        EventHub<Ev> hub = EventHub.<Ev>builder().name("selection").capacity(1 << 8).history(1 << 8)
                .topic(Ev::topic).attribute("type", Ev::type).attribute("label", Ev::labels).buildManual();
        try {
            List<List<Integer>> got = new ArrayList<>();
            int half = events.size() / 2;
            for (Spec spec : specs) {
                got.add(new ArrayList<>());
                if (!spec.replay()) {
                    subscribe(hub, spec, got.get(got.size() - 1));
                }
            }
            publish(hub, events.subList(0, half));
            for (int i = 0; i < specs.size(); i++) {
                if (specs.get(i).replay()) {
                    subscribe(hub, specs.get(i), got.get(i));
                }
            }
            publish(hub, events.subList(half, events.size()));
            for (int i = 0; i < specs.size(); i++) {
                Spec spec = specs.get(i);
                List<Integer> expected = events.stream().filter(spec::selects).map(Ev::id).toList();
                assertThat(got.get(i)).as("%s", spec).containsExactlyElementsOf(expected);
            }
        } finally {
            hub.close();
        }
    }

    private static void subscribe(EventHub<Ev> hub, Spec spec, List<Integer> into) {
        SubscriptionBuilder<Ev> builder = hub.events();
        if (spec.replay()) {
            builder.afterSequence(0);
        }
        if (!spec.topics().isEmpty()) {
            builder.topics(spec.topics().toArray(new String[0]));
        }
        for (String pattern : spec.patterns()) {
            builder.topicPattern(pattern);
        }
        // Values of one name given in two calls are ORed like values given in one.
        for (String type : spec.types()) {
            builder.where("type", type);
        }
        if (!spec.labels().isEmpty()) {
            builder.where("label", spec.labels().toArray());
        }
        if (spec.filterModulus() != 0) {
            int modulus = spec.filterModulus();
            builder.filter(e -> e.id() % modulus != 0);
        }
        builder.subscribe((e, sequence, nanos) -> into.add(e.id()));
    }

    private static void publish(EventHub<Ev> hub, List<Ev> events) {
        for (Ev e : events) {
            assertThat(hub.offer(e)).isTrue();
        }
        while (hub.dispatcher().doWork() > 0) {
            // drain
        }
    }
}
