package dev.eventhub;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Attribute filters ({@code where}): Docker's rule, the index that serves them, and what happens around it. The full
 * matrix against a naive matcher, replay included, is {@link SelectionModelProperties}.
 */
class AttributeTest {
    record Container(String type, String name, List<String> labels) {
    }

    private static EventHub<Container> hub(AtomicInteger calls) {
        return EventHub.<Container>builder().name("attributes")
                .attribute("type", c -> {
                    calls.incrementAndGet();
                    return c.type();
                })
                .attribute("name", Container::name)
                .attribute("label", Container::labels)
                .buildManual();
    }

    private static void drain(EventHub<?> hub) {
        while (hub.dispatcher().doWork() > 0) {
            // step until nothing is left
        }
    }

    @Test
    void sameNameIsOredDifferentNamesAreAndedLabelsMatchAnyValue() {
        AtomicInteger calls = new AtomicInteger();
        try (EventHub<Container> hub = hub(calls)) {
            List<String> webOrDb = new ArrayList<>();
            List<String> prod = new ArrayList<>();
            hub.events().where("type", "container").where("name", "web", "db").subscribe(c -> webOrDb.add(c.name()));
            hub.events().where("label", "prod").subscribe(c -> prod.add(c.name()));
            hub.offer(new Container("container", "web", List.of("prod", "eu")));
            hub.offer(new Container("image", "web", List.of()));
            hub.offer(new Container("container", "db", null));
            hub.offer(new Container("container", "cache", List.of("eu", "prod")));
            drain(hub);
            assertThat(webOrDb).containsExactly("web", "db");
            assertThat(prod).containsExactly("web", "cache");
        }
    }

    /**
     * The first subscription goes under {@code type} when nothing tells its clauses apart; the second, which avoids
     * that value, takes it under its name with it, so that an event needs one lookup. A subscription that would not be
     * alone under its other value stays where it is, and every subscription still gets exactly its events.
     */
    @Test
    void theFirstSubscriptionMovesUnderTheAttributeThatTellsItFromTheSecond() {
        AtomicInteger calls = new AtomicInteger();
        try (EventHub<Container> hub = hub(calls)) {
            List<String> first = new ArrayList<>();
            List<String> second = new ArrayList<>();
            List<String> imageWeb = new ArrayList<>();
            DispatcherSubscription web = (DispatcherSubscription) hub.events().where("type", "container")
                    .where("name", "web").subscribe(c -> first.add(c.type() + "/" + c.name()));
            drain(hub);
            assertThat(web.whereAttributes[web.indexedClause]).as("alone: under its first clause, type")
                    .isEqualTo(hub.dispatcher().attributeIndex("type"));
            DispatcherSubscription imageX = (DispatcherSubscription) hub.events().where("type", "image")
                    .where("name", "x").subscribe(c -> { });
            DispatcherSubscription image = (DispatcherSubscription) hub.events().where("type", "image")
                    .where("name", "web").subscribe(c -> imageWeb.add(c.type() + "/" + c.name()));
            drain(hub);
            assertThat(image.whereAttributes[image.indexedClause]).isEqualTo(hub.dispatcher().attributeIndex("name"));
            assertThat(imageX.whereAttributes[imageX.indexedClause]).as("moved with the newcomer that avoided it")
                    .isEqualTo(hub.dispatcher().attributeIndex("name"));
            assertThat(web.whereAttributes[web.indexedClause]).as("not under the newcomer's values: stays")
                    .isEqualTo(hub.dispatcher().attributeIndex("type"));
            DispatcherSubscription db = (DispatcherSubscription) hub.events().where("type", "container")
                    .where("name", "db").subscribe(c -> second.add(c.type() + "/" + c.name()));
            drain(hub);
            assertThat(db.whereAttributes[db.indexedClause]).isEqualTo(hub.dispatcher().attributeIndex("name"));
            assertThat(web.whereAttributes[web.indexedClause]).as("web is held by image under its name: stays")
                    .isEqualTo(hub.dispatcher().attributeIndex("type"));
            image.cancel();
            drain(hub);
            DispatcherSubscription cache = (DispatcherSubscription) hub.events().where("type", "container")
                    .where("name", "cache").subscribe(c -> { });
            drain(hub);
            assertThat(cache.whereAttributes[cache.indexedClause]).isEqualTo(hub.dispatcher().attributeIndex("name"));
            assertThat(web.whereAttributes[web.indexedClause]).as("alone under container, alone under web: moves")
                    .isEqualTo(hub.dispatcher().attributeIndex("name"));
            for (String type : List.of("container", "image")) {
                for (String name : List.of("web", "db", "cache")) {
                    hub.offer(new Container(type, name, null));
                }
            }
            drain(hub);
            assertThat(first).containsExactly("container/web");
            assertThat(second).containsExactly("container/db");
            assertThat(imageWeb).as("cancelled before the events").isEmpty();
            assertThat(hub.dispatcher().attributeIndexedSubscriptions()).isEqualTo(4);
        }
    }

    @Test
    void eachAttributeFunctionIsCalledOncePerEventWhateverServesTheSubscriptions() {
        AtomicInteger calls = new AtomicInteger();
        try (EventHub<Container> hub = hub(calls)) {
            for (int i = 0; i < 50; i++) { // indexed under type or name, all of them asking for type
                hub.events().where("type", "container").where("name", "n" + i).subscribe(c -> { });
            }
            for (int i = 0; i < 10; i++) {
                hub.offer(new Container("container", "n" + i, null));
            }
            drain(hub);
            assertThat(calls.get()).isEqualTo(10);
        }
    }

    @Test
    void aThrowingAttributeFunctionGivesNoValueAndTheHubGoesOn() {
        try (EventHub<String> hub = EventHub.<String>builder().name("throwing")
                .attribute("kind", e -> {
                    if (e.startsWith("bad")) {
                        throw new IllegalStateException("no kind for " + e);
                    }
                    return e.substring(0, 1);
                }).buildManual()) {
            List<String> got = new ArrayList<>();
            hub.events().where("kind", "a", "b").subscribe(got::add);
            List<String> all = new ArrayList<>();
            hub.subscribe(all::add);
            for (String e : List.of("a1", "bad1", "b2", "bad2", "a3")) {
                hub.offer(e);
            }
            drain(hub);
            assertThat(got).containsExactly("a1", "b2", "a3");
            assertThat(all).hasSize(5);
        }
    }

    /**
     * A value held by one subscription is held directly, by two or more in a bucket: joining and leaving in any order
     * must keep delivering to exactly those still there. (Which subscription hears an event first is not promised:
     * they may be indexed under different clauses.)
     */
    @Test
    void subscriptionsSharingAValueJoinAndLeaveInAnyOrder() {
        EventHub<Container> hub = hub(new AtomicInteger());
        try {
            List<String> got = new ArrayList<>();
            List<Subscription> web = new ArrayList<>();
            for (String who : List.of("a", "b", "c")) {
                web.add(hub.events().where("name", "web").where("type", "container")
                        .subscribe(c -> got.add(who + ":" + c.name())));
            }
            Subscription db = hub.events().where("name", "db").subscribe(c -> got.add("d:" + c.name()));
            drain(hub);
            hub.offer(new Container("container", "web", null));
            hub.offer(new Container("container", "db", null));
            drain(hub);
            assertThat(got).containsExactlyInAnyOrder("a:web", "b:web", "c:web", "d:db");

            got.clear();
            web.get(1).cancel();
            drain(hub);
            hub.offer(new Container("container", "web", null));
            drain(hub);
            assertThat(got).containsExactlyInAnyOrder("a:web", "c:web");

            got.clear();
            web.get(0).cancel();
            drain(hub);
            hub.offer(new Container("container", "web", null));
            hub.offer(new Container("image", "web", null));
            drain(hub);
            assertThat(got).as("one left under the value, its other clause still checked").containsExactly("c:web");

            got.clear();
            Subscription again = hub.events().where("name", "web").subscribe(c -> got.add("e:" + c.name()));
            drain(hub);
            hub.offer(new Container("container", "web", null));
            drain(hub);
            assertThat(got).containsExactlyInAnyOrder("c:web", "e:web");

            web.get(2).cancel();
            again.cancel();
            db.cancel();
            drain(hub);
            assertThat(hub.dispatcher().attributeIndexedSubscriptions()).isZero();
        } finally {
            hub.close();
        }
    }

    @Test
    void theIndexIsPrunedOnCancelAndAtTheEnd() {
        AtomicInteger calls = new AtomicInteger();
        EventHub<Container> hub = hub(calls);
        try {
            List<Subscription> subscriptions = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                subscriptions.add(hub.events().where("name", "n" + i).subscribe(c -> { }));
            }
            Subscription limited = hub.events().where("name", "n7").limit(1).subscribe(c -> { });
            drain(hub);
            assertThat(hub.dispatcher().attributeIndexedSubscriptions()).isEqualTo(101);
            subscriptions.forEach(Subscription::cancel);
            hub.offer(new Container("container", "n7", null));
            drain(hub);
            assertThat(limited.endReason()).isEqualTo(EndReason.LIMIT_REACHED);
            drain(hub);
            assertThat(hub.dispatcher().attributeIndexedSubscriptions()).isZero();
        } finally {
            hub.close();
        }
    }

    @Test
    void whereCombinesWithTopicsAndFilterAndWorksForAsyncSubscriptionsToo() throws InterruptedException {
        try (EventHub<Container> hub = EventHub.<Container>builder().name("combined").topic(Container::name)
                .attribute("type", Container::type).build()) {
            List<String> got = java.util.Collections.synchronizedList(new ArrayList<>());
            Subscription s = hub.events().topics("web", "db").where("type", "container")
                    .filter(c -> c.labels() != null).async().subscribe(c -> got.add(c.name()));
            hub.publish(new Container("container", "web", List.of()));
            hub.publish(new Container("image", "web", List.of()));
            hub.publish(new Container("container", "db", null));
            hub.publish(new Container("container", "cache", List.of()));
            hub.publish(new Container("container", "db", List.of()));
            hub.close();
            assertThat(s.endReason()).isEqualTo(EndReason.HUB_CLOSED);
            assertThat(got).containsExactly("web", "db");
        }
    }
}
