package dev.eventhub;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class StateViewTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    /** An object's state, or its deletion; the key is {@code name}. */
    record Obj(String name, int version, String label, boolean deleted) {
        static Obj of(String name, int version) {
            return new Obj(name, version, "l" + (version % 3), false);
        }

        static Obj gone(String name) {
            return new Obj(name, -1, null, true);
        }
    }

    private static StateView<String, Obj> view(EventHub<Obj> hub) {
        return hub.stateView(Obj::name, Obj::deleted);
    }

    private static void drain(EventHub<?> hub) {
        while (hub.dispatcher().doWork() > 0) {
            // step the manual hub until nothing is left
        }
    }

    /** Replays what a watcher is told into a map, and records every call that contradicts what it had seen. */
    static class Replica implements StateWatcher<String, Obj> {
        final Map<String, Obj> seen = new ConcurrentHashMap<>();
        final List<String> calls = new CopyOnWriteArrayList<>();
        final List<String> violations = new CopyOnWriteArrayList<>();

        @Override
        public void onAdd(String key, Obj value, boolean initial) {
            calls.add("add " + key + " v" + value.version() + (initial ? " initial" : ""));
            if (seen.put(key, value) != null) {
                violations.add("add of a known key " + key);
            }
        }

        @Override
        public void onUpdate(String key, Obj old, Obj now) {
            calls.add("update " + key + " v" + old.version() + "->v" + now.version());
            Obj had = seen.put(key, now);
            if (had != old) {
                violations.add("update of " + key + " from " + old + " but the watcher had " + had);
            }
        }

        @Override
        public void onDelete(String key, Obj last) {
            calls.add("delete " + key + " v" + last.version());
            if (seen.remove(key) == null) {
                violations.add("delete of an unknown key " + key);
            }
        }
    }

    /** An executor the test runs by hand: a watcher on it is as slow as the test wants. */
    static final class ManualExecutor implements Executor {
        final ArrayDeque<Runnable> tasks = new ArrayDeque<>();

        @Override
        public synchronized void execute(Runnable task) {
            tasks.add(task);
        }

        void runAll() {
            Runnable task;
            while ((task = poll()) != null) {
                task.run();
            }
        }

        private synchronized Runnable poll() {
            return tasks.poll();
        }
    }

    @Test
    void keepsTheLastStateOfEveryKeyInEventOrder() {
        try (EventHub<Obj> hub = EventHub.<Obj>builder().buildManual()) {
            StateView<String, Obj> view = view(hub);
            assertThat(view.hasSynced()).as("an empty hub has no history to miss").isTrue();
            hub.offer(Obj.of("a", 1));
            hub.offer(Obj.of("b", 1));
            hub.offer(Obj.of("a", 2));
            hub.offer(Obj.gone("b"));
            hub.offer(Obj.gone("never-there"));
            drain(hub);

            assertThat(view.get("a")).isEqualTo(Obj.of("a", 2));
            assertThat(view.get("b")).isNull();
            assertThat(view.size()).isEqualTo(1);
            assertThat(view.snapshot()).containsExactly(Map.entry("a", Obj.of("a", 2)));
            assertThat(view.lastSequence()).isEqualTo(5);
            assertThat(view.errors()).isZero();
        }
    }

    @Test
    void startsFromRetainedHistoryAndIsSyncedWhenTheRingReachesBackToTheFirstEvent() {
        try (EventHub<Obj> hub = EventHub.<Obj>builder().history(16).buildManual()) {
            for (int i = 1; i <= 10; i++) {
                hub.offer(Obj.of("k" + (i % 4), i));
            }
            drain(hub);
            StateView<String, Obj> view = view(hub);
            assertThat(view.hasSynced()).isTrue();
            assertThat(view.snapshot()).containsOnlyKeys("k0", "k1", "k2", "k3");
            assertThat(view.get("k2").version()).isEqualTo(10);
        }
    }

    /**
     * Regression: on a threaded hub, {@code replace} returned as soon as the relist's future completed, which the
     * dispatcher did before it marked the view synced, so a caller could read {@code hasSynced() == false} right
     * after {@code replace} returned. Sixty tries, because the window is the few instructions between the two (without the fix it failed within a few).
     */
    @Test
    void replaceReturnsOnlyOnceTheViewIsSyncedOnAThreadedHub() throws InterruptedException {
        for (int attempt = 0; attempt < 60; attempt++) {
            try (EventHub<Obj> hub = EventHub.<Obj>builder().name("relist-race").history(4).build()) {
                for (int i = 1; i <= 10; i++) {
                    hub.publish(Obj.of("k" + i, i));
                }
                await().atMost(Duration.ofSeconds(10)).until(() -> hub.stats().published() == 10);
                StateView<String, Obj> view = view(hub);
                assertThat(view.hasSynced()).as("history was truncated").isFalse();
                view.replace(List.of(Obj.of("k1", 1)));
                assertThat(view.hasSynced()).as("synced when replace returned, attempt %d", attempt).isTrue();
            }
        }
    }

    @Test
    void truncatedHistoryLeavesTheViewUnsyncedUntilARelist() throws InterruptedException {
        try (EventHub<Obj> hub = EventHub.<Obj>builder().history(4).buildManual()) {
            for (int i = 1; i <= 10; i++) {
                hub.offer(Obj.of("k" + i, i));
            }
            drain(hub);
            StateView<String, Obj> view = view(hub);
            assertThat(view.hasSynced()).isFalse();
            assertThat(view.awaitSynced(Duration.ZERO)).isFalse();
            assertThat(view.snapshot()).containsOnlyKeys("k7", "k8", "k9", "k10");

            view.replace(List.of(Obj.of("k1", 1), Obj.of("k10", 10)));
            assertThat(view.hasSynced()).isTrue();
            assertThat(view.awaitSynced(Duration.ZERO)).isTrue();
            assertThat(view.snapshot()).containsOnlyKeys("k1", "k10");
        }
    }

    @Test
    void relistDeletesMissingKeysAddsNewOnesAndUpdatesOnlyChangedOnes() throws InterruptedException {
        ManualExecutor executor = new ManualExecutor();
        try (EventHub<Obj> hub = EventHub.<Obj>builder().buildManual()) {
            StateView<String, Obj> view = view(hub);
            hub.offer(Obj.of("keep", 1));
            hub.offer(Obj.of("change", 1));
            hub.offer(Obj.of("drop", 7));
            drain(hub);
            Replica replica = new Replica();
            view.watch(replica, executor);
            executor.runAll();
            replica.calls.clear();

            view.replace(List.of(Obj.of("keep", 1), Obj.of("change", 2), Obj.of("new", 1)));
            executor.runAll();

            assertThat(replica.calls).containsExactlyInAnyOrder("delete drop v7", "update change v1->v2", "add new v1");
            assertThat(replica.violations).isEmpty();
            assertThat(replica.seen).isEqualTo(view.snapshot());
        }
    }

    @Test
    void relistTakesEffectAfterEveryEventAcceptedBeforeTheCall() throws InterruptedException {
        try (EventHub<Obj> hub = EventHub.<Obj>builder().buildManual()) {
            StateView<String, Obj> view = view(hub);
            hub.offer(Obj.of("stale", 1)); // accepted, not yet dispatched
            view.replace(List.of(Obj.of("fresh", 1)));
            assertThat(view.get("fresh")).as("the relist waits for its place in the order").isNull();
            hub.offer(Obj.of("later", 1)); // accepted after the call: applied after the relist
            drain(hub);
            assertThat(view.snapshot()).containsOnlyKeys("fresh", "later");
        }
    }

    @Test
    void relistFromAnotherThreadReturnsOnceApplied() throws InterruptedException {
        try (EventHub<Obj> hub = EventHub.<Obj>builder().build()) {
            StateView<String, Obj> view = view(hub);
            for (int i = 0; i < 1000; i++) {
                hub.publish(Obj.of("k" + i, 1));
            }
            view.replace(List.of(Obj.of("only", 1)));
            assertThat(view.snapshot()).containsOnlyKeys("only");
            assertThat(view.lastSequence()).isEqualTo(1000);
        }
    }

    @Test
    void relistRejectsBadItemsBeforeChangingAnything() throws InterruptedException {
        try (EventHub<Obj> hub = EventHub.<Obj>builder().buildManual()) {
            StateView<String, Obj> view = view(hub);
            hub.offer(Obj.of("a", 1));
            drain(hub);
            assertThatThrownBy(() -> view.replace(null)).isInstanceOf(NullPointerException.class)
                    .hasMessageContaining("items: null");
            List<Obj> withNull = new ArrayList<>(List.of(Obj.of("b", 1)));
            withNull.add(null);
            assertThatThrownBy(() -> view.replace(withNull)).isInstanceOf(NullPointerException.class)
                    .hasMessageContaining("items[1]: null");
            assertThatThrownBy(() -> view.replace(List.of(Obj.gone("a")))).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("items[0]").hasMessageContaining("deletion");
            StateView<String, Obj> badKeys = hub.stateView(o -> o.name().isEmpty() ? null : o.name(), Obj::deleted);
            assertThatThrownBy(() -> badKeys.replace(List.of(Obj.of("", 1)))).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("items[0]").hasMessageContaining("gave null");
            assertThat(view.snapshot()).containsOnlyKeys("a");
        }
    }

    @Test
    void indexesFollowEveryChange() throws InterruptedException {
        try (EventHub<Obj> hub = EventHub.<Obj>builder().buildManual()) {
            StateView<String, Obj> view = view(hub);
            hub.offer(new Obj("a", 1, "red", false));
            hub.offer(new Obj("b", 1, "red", false));
            drain(hub);
            view.index("label", Obj::label).index("letters", o -> List.of(o.name(), "any"));
            assertThat(view.byIndex("label", "red")).containsExactlyInAnyOrder(view.get("a"), view.get("b"));

            hub.offer(new Obj("a", 2, "blue", false));
            hub.offer(Obj.gone("b"));
            hub.offer(new Obj("c", 1, null, false)); // no label: not in that index
            drain(hub);
            assertThat(view.byIndex("label", "red")).isEmpty();
            assertThat(view.byIndex("label", "blue")).containsExactly(new Obj("a", 2, "blue", false));
            assertThat(view.byIndex("letters", "any")).extracting(Obj::name).containsExactlyInAnyOrder("a", "c");
            assertThat(view.byIndex("letters", "b")).isEmpty();

            view.replace(List.of(new Obj("d", 1, "blue", false)));
            assertThat(view.byIndex("label", "blue")).extracting(Obj::name).containsExactly("d");
            assertThat(view.byIndex("letters", "any")).extracting(Obj::name).containsExactly("d");
        }
    }

    @Test
    void indexArgumentsAreChecked() {
        try (EventHub<Obj> hub = EventHub.<Obj>builder().buildManual()) {
            StateView<String, Obj> view = view(hub).index("label", Obj::label);
            assertThatThrownBy(() -> view.index("label", Obj::name)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("name: \"label\"");
            assertThatThrownBy(() -> view.index(" ", Obj::name)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("name: \" \"");
            assertThatThrownBy(() -> view.index("x", null)).isInstanceOf(NullPointerException.class)
                    .hasMessageContaining("function: null");
            assertThatThrownBy(() -> view.byIndex("nope", "v")).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("name: \"nope\"").hasMessageContaining("[label]");
            assertThatThrownBy(() -> view.byIndex("label", null)).isInstanceOf(NullPointerException.class)
                    .hasMessageContaining("value: null");
            assertThatThrownBy(() -> view.get(null)).isInstanceOf(NullPointerException.class)
                    .hasMessageContaining("key: null");
            assertThatThrownBy(() -> view.watch(null)).isInstanceOf(NullPointerException.class)
                    .hasMessageContaining("watcher: null");
            assertThatThrownBy(() -> view.watch(new Replica(), null)).isInstanceOf(NullPointerException.class)
                    .hasMessageContaining("executor: null");
            assertThatThrownBy(() -> view.resyncEvery(Duration.ZERO)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("period: PT0S");
            assertThatThrownBy(() -> view.awaitSynced(Duration.ofSeconds(-1)))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("timeout: PT-1S");
            assertThatThrownBy(() -> hub.stateView(null, Obj::deleted)).isInstanceOf(NullPointerException.class)
                    .hasMessageContaining("key: null");
            assertThatThrownBy(() -> hub.stateView(Obj::name, null)).isInstanceOf(NullPointerException.class)
                    .hasMessageContaining("isDeletion: null");
        }
    }

    @Test
    void aFailingKeyFunctionSkipsTheEventCountsItAndTheViewGoesOn() {
        try (EventHub<Obj> hub = EventHub.<Obj>builder().buildManual()) {
            StateView<String, Obj> view = hub.stateView(o -> {
                if (o.version() == 13) {
                    throw new IllegalStateException("unlucky");
                }
                return o.name();
            }, Obj::deleted);
            view.index("broken", o -> {
                throw new IllegalStateException("index function");
            });
            hub.offer(Obj.of("a", 13));
            hub.offer(Obj.of("b", 1));
            drain(hub);
            assertThat(view.snapshot()).containsOnlyKeys("b");
            assertThat(view.errors()).isEqualTo(2); // the skipped event, and b left out of the broken index
            assertThat(view.isActive()).isTrue();
        }
    }

    @Test
    void aLateWatcherGetsTheCurrentStateAsInitialAddsThenLiveChanges() throws InterruptedException {
        try (EventHub<Obj> hub = EventHub.<Obj>builder().build()) {
            StateView<String, Obj> view = view(hub);
            hub.publish(Obj.of("a", 1));
            hub.publish(Obj.of("b", 1));
            await().atMost(WAIT).until(() -> view.size() == 2);
            Replica replica = new Replica();
            StateView.Watch watch = view.watch(replica);
            await().atMost(WAIT).until(() -> replica.seen.size() == 2);
            assertThat(replica.calls).containsExactlyInAnyOrder("add a v1 initial", "add b v1 initial");

            hub.publish(Obj.of("a", 2));
            hub.publish(Obj.gone("b"));
            hub.publish(Obj.of("c", 1));
            await().atMost(WAIT).until(() -> replica.seen.equals(view.snapshot()) && view.size() == 2
                    && watch.backlog() == 0);
            assertThat(replica.violations).isEmpty();
            assertThat(watch.delivered()).isEqualTo(replica.calls.size());
            assertThat(watch.dropped()).isZero();
        }
    }

    @Test
    void aWatcherJoiningWhileProducersRunMissesNothingAndDoublesNothing() throws Exception {
        try (EventHub<Obj> hub = EventHub.<Obj>builder().build()) {
            StateView<String, Obj> view = view(hub);
            int producers = 2;
            int perProducer = 20_000;
            CountDownLatch go = new CountDownLatch(1);
            List<Thread> threads = new ArrayList<>();
            for (int p = 0; p < producers; p++) {
                int id = p;
                Thread thread = new Thread(() -> {
                    try {
                        go.await();
                        for (int i = 1; i <= perProducer; i++) {
                            String key = "p" + id + "-" + (i % 50);
                            hub.publish(i % 7 == 0 ? Obj.gone(key) : Obj.of(key, i));
                        }
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                });
                thread.start();
                threads.add(thread);
            }
            go.countDown();
            List<Replica> replicas = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                Replica replica = new Replica();
                view.watch(replica);
                replicas.add(replica);
            }
            for (Thread thread : threads) {
                thread.join();
            }
            await().atMost(WAIT).until(() -> view.lastSequence() == (long) producers * perProducer);
            Map<String, Obj> finalState = view.snapshot();
            for (Replica replica : replicas) {
                await().atMost(WAIT).until(() -> replica.seen.equals(finalState));
                assertThat(replica.violations).isEmpty();
            }
        }
    }

    @Test
    void pendingChangesToOneKeyCoalesce() throws InterruptedException {
        ManualExecutor executor = new ManualExecutor();
        try (EventHub<Obj> hub = EventHub.<Obj>builder().buildManual()) {
            StateView<String, Obj> view = view(hub);
            hub.offer(Obj.of("upd-del", 1));
            hub.offer(Obj.of("del-add", 1));
            hub.offer(Obj.of("upd-upd", 1));
            drain(hub);
            Replica replica = new Replica();
            StateView.Watch watch = view.watch(replica, executor);
            executor.runAll();
            replica.calls.clear();

            hub.offer(Obj.of("add-upd", 1));
            hub.offer(Obj.of("add-upd", 2));
            hub.offer(Obj.of("add-del", 1));
            hub.offer(Obj.gone("add-del"));
            hub.offer(Obj.of("upd-del", 2));
            hub.offer(Obj.gone("upd-del"));
            hub.offer(Obj.gone("del-add"));
            hub.offer(Obj.of("del-add", 2));
            hub.offer(Obj.of("upd-upd", 2));
            hub.offer(Obj.of("upd-upd", 3));
            drain(hub);
            assertThat(watch.backlog()).isEqualTo(4);
            executor.runAll();

            assertThat(replica.calls).containsExactly("add add-upd v2", "delete upd-del v2",
                    "update del-add v1->v2", "update upd-upd v1->v3");
            assertThat(replica.violations).isEmpty();
            assertThat(replica.seen).isEqualTo(view.snapshot());
        }
    }

    @Test
    void aStalledWatcherHoldsOneChangePerKeyAndConvergesWhenReleased() throws Exception {
        int keys = 1_000;
        int updates = 1_000_000;
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch stalled = new CountDownLatch(1);
        try (EventHub<Obj> hub = EventHub.<Obj>builder().history(0).capacity(1 << 12).build()) {
            StateView<String, Obj> view = view(hub);
            Replica replica = new Replica() {
                @Override
                public void onAdd(String key, Obj value, boolean initial) {
                    if (stalled.getCount() > 0) {
                        stalled.countDown();
                        try {
                            release.await();
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                    }
                    super.onAdd(key, value, initial);
                }
            };
            StateView.Watch watch = view.watch(replica);
            hub.publish(Obj.of("k0", 0));
            stalled.await();
            long before = usedHeapAfterGc();
            for (int i = 1; i <= updates; i++) {
                hub.publish(Obj.of("k" + (i % keys), i));
            }
            await().atMost(Duration.ofSeconds(60)).until(() -> view.lastSequence() == updates + 1);
            // One pending change per key, plus the one change whose call is stalled.
            assertThat(watch.backlog()).isLessThanOrEqualTo(keys + 1);
            long retained = usedHeapAfterGc() - before;
            // A million queued changes would hold well over 50 MB (each a map entry plus an event); one pending
            // change per key holds about 1,000 x ~150 B. The margin absorbs what the JVM itself moves around.
            assertThat(retained).as("heap retained while the watcher is stalled").isLessThan(8L << 20);

            release.countDown();
            await().atMost(WAIT).until(() -> watch.backlog() == 0 && replica.seen.equals(view.snapshot()));
            assertThat(replica.violations).isEmpty();
            assertThat(watch.delivered()).isLessThan(3L * keys);
        }
    }

    private static long usedHeapAfterGc() {
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 3; i++) { // a few full collections settle what the first leaves behind
            System.gc();
            used = Math.min(used, ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
        }
        return used;
    }

    @Test
    void aThrowingWatcherIsRemovedAndNothingElseIsAffected() throws InterruptedException {
        try (EventHub<Obj> hub = EventHub.<Obj>builder().build()) {
            StateView<String, Obj> view = view(hub);
            StateView.Watch failing = view.watch(new StateWatcher<String, Obj>() {
                @Override
                public void onAdd(String key, Obj value, boolean initial) {
                    if (key.equals("boom")) {
                        throw new IllegalStateException("watcher bug");
                    }
                }
            });
            Replica healthy = new Replica();
            view.watch(healthy);
            hub.publish(Obj.of("boom", 1));
            assertThat(failing.await(WAIT)).isTrue();
            assertThat(failing.endReason()).isEqualTo(EndReason.HANDLER_FAILED);
            assertThat(failing.failure()).hasMessage("watcher bug");
            hub.publish(Obj.of("after", 1));
            await().atMost(WAIT).until(() -> healthy.seen.keySet().equals(Set.of("boom", "after")));
            assertThat(view.isActive()).isTrue();
            assertThat(view.watchers()).isEqualTo(1);
        }
    }

    @Test
    void cancelIsIdempotentSafeInsideTheCallbackAndFinal() throws InterruptedException {
        try (EventHub<Obj> hub = EventHub.<Obj>builder().build()) {
            StateView<String, Obj> view = view(hub);
            AtomicReference<StateView.Watch> self = new AtomicReference<>();
            List<String> calls = new CopyOnWriteArrayList<>();
            CountDownLatch created = new CountDownLatch(1);
            self.set(view.watch(new StateWatcher<String, Obj>() {
                @Override
                public void onAdd(String key, Obj value, boolean initial) throws InterruptedException {
                    created.await();
                    calls.add(key);
                    self.get().cancel();
                    self.get().cancel();
                }
            }));
            created.countDown();
            hub.publish(Obj.of("first", 1));
            hub.publish(Obj.of("second", 1));
            assertThat(self.get().await(WAIT)).isTrue();
            assertThat(self.get().endReason()).isEqualTo(EndReason.CANCELLED);

            Replica other = new Replica();
            StateView.Watch watch = view.watch(other);
            await().atMost(WAIT).until(() -> other.seen.size() == 2);
            watch.cancel();
            watch.cancel();
            int seen = other.calls.size();
            hub.publish(Obj.of("third", 1));
            Replica witness = new Replica();
            view.watch(witness);
            await().atMost(WAIT).until(() -> witness.seen.size() == 3);
            assertThat(other.calls).hasSize(seen);
            assertThat(calls).containsExactly("first");
            assertThat(view.watchers()).isEqualTo(1);
        }
    }

    @Test
    void resyncRedeliversTheStateAsUnchangedUpdatesOnTheDeadlineTracking() {
        ManualClock clock = new ManualClock();
        ManualExecutor executor = new ManualExecutor();
        try (EventHub<Obj> hub = EventHub.<Obj>builder().clock(clock).buildManual()) {
            StateView<String, Obj> view = view(hub);
            hub.offer(Obj.of("a", 1));
            hub.offer(Obj.of("b", 1));
            drain(hub);
            Replica replica = new Replica();
            view.watch(replica, executor);
            executor.runAll();
            Periodic resync = view.resyncEvery(Duration.ofSeconds(30));
            drain(hub);
            replica.calls.clear();

            clock.advance(Duration.ofSeconds(29));
            drain(hub);
            executor.runAll();
            assertThat(replica.calls).isEmpty();

            clock.advance(Duration.ofSeconds(2));
            drain(hub);
            executor.runAll();
            assertThat(replica.calls).containsExactlyInAnyOrder("update a v1->v1", "update b v1->v1");
            assertThat(resync.published()).isEqualTo(1);
            assertThat(replica.violations).isEmpty();

            view.close();
            drain(hub);
            assertThat(resync.isActive()).isFalse();
        }
    }

    @Test
    void closingTheHubLetsWatchersDeliverWhatIsPendingThenEndsThem() throws InterruptedException {
        CountDownLatch release = new CountDownLatch(1);
        EventHub<Obj> hub = EventHub.<Obj>builder().name("closing").build();
        StateView<String, Obj> view = view(hub);
        Replica replica = new Replica() {
            @Override
            public void onAdd(String key, Obj value, boolean initial) {
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                super.onAdd(key, value, initial);
            }
        };
        StateView.Watch watch = view.watch(replica);
        for (int i = 0; i < 100; i++) {
            hub.publish(Obj.of("k" + i, i));
        }
        Thread closer = new Thread(hub::close);
        closer.start();
        await().atMost(WAIT).until(hub::isClosed);
        release.countDown();
        closer.join();
        assertThat(watch.await(WAIT)).isTrue();
        assertThat(watch.endReason()).isEqualTo(EndReason.HUB_CLOSED);
        assertThat(replica.seen).hasSize(100).isEqualTo(view.snapshot());
        assertThat(view.isActive()).isFalse();
        assertThat(view.get("k5")).as("reads still answer after the end").isNotNull();
        assertThatThrownBy(() -> view.watch(new Replica())).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("state view of hub 'closing'").hasMessageContaining("HUB_CLOSED");
        assertThatThrownBy(() -> view.replace(List.of())).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("replace");
        assertThatThrownBy(() -> view.resyncEvery(Duration.ofSeconds(1))).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> hub.stateView(Obj::name, Obj::deleted)).isInstanceOf(HubClosedException.class);
        await().atMost(WAIT).until(() -> Thread.getAllStackTraces().keySet().stream()
                .noneMatch(t -> t.getName().startsWith("eventhub-closing-") && t.isAlive()));
    }

    @Test
    void closingTheViewDetachesItAndItsWatchersButNotTheHub() throws InterruptedException {
        try (EventHub<Obj> hub = EventHub.<Obj>builder().build()) {
            StateView<String, Obj> view = view(hub);
            Replica replica = new Replica();
            StateView.Watch watch = view.watch(replica);
            hub.publish(Obj.of("a", 1));
            await().atMost(WAIT).until(() -> replica.seen.size() == 1);
            view.close();
            view.close();
            assertThat(watch.await(WAIT)).isTrue();
            assertThat(watch.endReason()).isEqualTo(EndReason.CANCELLED);
            hub.publish(Obj.of("b", 1));
            Subscription witness = hub.events().afterSequence(0).limit(2).subscribe(event -> { });
            assertThat(witness.await(WAIT)).isTrue();
            assertThat(view.snapshot()).containsOnlyKeys("a");
            assertThat(hub.isClosed()).isFalse();
        }
    }

    @Test
    void anExecutorThatRefusesTheWatcherEndsItWithTheRejection() {
        Executor refusing = task -> {
            throw new RejectedExecutionException("pool is shut down");
        };
        try (EventHub<Obj> hub = EventHub.<Obj>builder().buildManual()) {
            StateView<String, Obj> view = view(hub);
            StateView.Watch watch = view.watch(new Replica(), refusing);
            hub.offer(Obj.of("a", 1));
            drain(hub);
            assertThat(watch.endReason()).isEqualTo(EndReason.HANDLER_FAILED);
            assertThat(watch.failure()).isInstanceOf(RejectedExecutionException.class);
            assertThat(view.watchers()).isZero();
            assertThat(view.get("a")).isNotNull();
        }
    }

    @Test
    void aViewMadeInsideAHandlerStartsFromTheHistory() throws InterruptedException {
        try (EventHub<Obj> hub = EventHub.<Obj>builder().build()) {
            hub.publish(Obj.of("a", 1));
            AtomicReference<StateView<String, Obj>> made = new AtomicReference<>();
            CountDownLatch done = new CountDownLatch(1);
            hub.events().afterSequence(0).limit(1).subscribe(event -> {
                made.set(view(hub));
                done.countDown();
            });
            assertThat(done.await(10, TimeUnit.SECONDS)).isTrue();
            assertThat(made.get().awaitSynced(WAIT)).isTrue();
            assertThat(made.get().snapshot()).containsOnlyKeys("a");
        }
    }

    @Test
    void watcherCallbacksNeverRunOnTheDispatcher() throws InterruptedException {
        try (EventHub<Obj> hub = EventHub.<Obj>builder().name("iso").build()) {
            StateView<String, Obj> view = view(hub);
            Map<String, String> threads = Collections.synchronizedMap(new HashMap<>());
            view.watch(new StateWatcher<String, Obj>() {
                @Override
                public void onAdd(String key, Obj value, boolean initial) {
                    threads.put(key, Thread.currentThread().getName());
                }
            });
            hub.publish(Obj.of("a", 1));
            await().atMost(WAIT).until(() -> threads.containsKey("a"));
            assertThat(threads.get("a")).startsWith("eventhub-iso-watcher-");
        }
    }
}
