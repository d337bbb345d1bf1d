package dev.eventhub;

import static org.assertj.core.api.Assertions.assertThat;

import dev.eventhub.StateViewTest.ManualExecutor;
import dev.eventhub.StateViewTest.Obj;
import dev.eventhub.StateViewTest.Replica;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;

/**
 * A {@link StateView} against a plain map, on a hub stepped by hand. A random program puts and deletes keys, relists,
 * steps the dispatcher, lets resync ticks come due, adds watchers at random points (some fast, delivered after every
 * action; some slow, delivered only when the program says or at the very end), delivers and cancels them. Checked:
 * <ul>
 *   <li>whenever the hub has dispatched everything, {@code snapshot()} equals the model (events and relists applied in
 *       the order they were accepted/called);</li>
 *   <li>no watcher is ever told something that contradicts what it was told before (an add of a key it knows, an
 *       update or delete of one it does not, an update whose {@code old} is not what it last saw);</li>
 *   <li>at the end, every watcher still active, once delivered, has replayed exactly {@code snapshot()};</li>
 *   <li>a watcher's backlog never exceeds the keys it knows plus the keys the view holds.</li>
 * </ul>
 */
class StateViewModelProperties {
    private static final int KEYS = 6;

    sealed interface Action permits Put, Delete, Relist, Step, Tick, Join, Deliver, Cancel {
    }

    record Put(int key, int version) implements Action {
    }

    record Delete(int key) implements Action {
    }

    /** A relist of the given keys, each with a version. */
    record Relist(Map<Integer, Integer> items) implements Action {
    }

    record Step() implements Action {
    }

    /** Moves the clock one resync period on. */
    record Tick() implements Action {
    }

    record Join(boolean slow) implements Action {
    }

    record Deliver(int watcher) implements Action {
    }

    record Cancel(int watcher) implements Action {
    }

    @Property(tries = 1000)
    void everyWatcherConvergesToTheSnapshotAndTheSnapshotToTheModel(@ForAll("programs") List<Action> program)
            throws InterruptedException {
        ManualClock clock = new ManualClock();
        Map<String, Obj> model = new LinkedHashMap<>();
        List<Watcher> watchers = new ArrayList<>();
        try (EventHub<Obj> hub = EventHub.<Obj>builder().clock(clock).history(1 << 10).buildManual()) {
            StateView<String, Obj> view = hub.stateView(Obj::name, Obj::deleted);
            view.resyncEvery(Duration.ofSeconds(1));
            for (Action action : program) {
                if (action instanceof Put put) {
                    Obj obj = Obj.of("k" + put.key(), put.version());
                    hub.offer(obj);
                    model.put(obj.name(), obj);
                } else if (action instanceof Delete delete) {
                    hub.offer(Obj.gone("k" + delete.key()));
                    model.remove("k" + delete.key());
                } else if (action instanceof Relist relist) {
                    List<Obj> items = new ArrayList<>();
                    relist.items().forEach((key, version) -> items.add(Obj.of("k" + key, version)));
                    view.replace(items);
                    model.clear();
                    items.forEach(item -> model.put(item.name(), item));
                } else if (action instanceof Step) {
                    drain(hub);
                    assertThat(view.snapshot()).isEqualTo(model);
                } else if (action instanceof Tick) {
                    clock.advance(Duration.ofSeconds(1));
                } else if (action instanceof Join join) {
                    Watcher watcher = new Watcher(join.slow());
                    watcher.watch = view.watch(watcher.replica, watcher.executor);
                    watchers.add(watcher);
                } else if (action instanceof Deliver deliver) {
                    if (!watchers.isEmpty()) {
                        watchers.get(deliver.watcher() % watchers.size()).executor.runAll();
                    }
                } else if (action instanceof Cancel cancel) {
                    if (!watchers.isEmpty()) {
                        watchers.get(cancel.watcher() % watchers.size()).watch.cancel();
                    }
                }
                for (Watcher watcher : watchers) {
                    assertThat(watcher.watch.backlog()).isLessThanOrEqualTo(2 * KEYS);
                    if (!watcher.slow) {
                        watcher.executor.runAll();
                    }
                }
            }
            drain(hub);
            Map<String, Obj> snapshot = view.snapshot();
            assertThat(snapshot).isEqualTo(model);
            for (Watcher watcher : watchers) {
                watcher.executor.runAll();
                assertThat(watcher.replica.violations).isEmpty();
                if (watcher.watch.isActive()) {
                    assertThat(watcher.replica.seen).isEqualTo(snapshot);
                    assertThat(watcher.watch.backlog()).isZero();
                }
                Statistics.label("watcher").collect(watcher.slow ? "slow" : "fast",
                        watcher.watch.isActive() ? "active" : "cancelled");
            }
        }
    }

    private static final class Watcher {
        final boolean slow;
        final ManualExecutor executor = new ManualExecutor();
        final Replica replica = new Replica();
        StateView.Watch watch;

        Watcher(boolean slow) {
            this.slow = slow;
        }
    }

    private static void drain(EventHub<?> hub) {
        while (hub.dispatcher().doWork() > 0) {
            // until idle
        }
    }

    @Provide
    Arbitrary<List<Action>> programs() {
        Arbitrary<Integer> key = Arbitraries.integers().between(0, KEYS - 1);
        Arbitrary<Integer> version = Arbitraries.integers().between(1, 4);
        Arbitrary<Action> put = Combinators.combine(key, version).as(Put::new);
        Arbitrary<Action> delete = key.map(Delete::new);
        Arbitrary<Action> relist = Arbitraries.maps(key, version).ofMaxSize(KEYS).map(Relist::new);
        Arbitrary<Action> step = Arbitraries.just(new Step());
        Arbitrary<Action> tick = Arbitraries.just(new Tick());
        Arbitrary<Action> join = Arbitraries.of(true, false).map(Join::new);
        Arbitrary<Action> deliver = Arbitraries.integers().between(0, 7).map(Deliver::new);
        Arbitrary<Action> cancel = Arbitraries.integers().between(0, 7).map(Cancel::new);
        Arbitrary<Action> action = Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(8, put), net.jqwik.api.Tuple.of(4, delete), net.jqwik.api.Tuple.of(1, relist),
                net.jqwik.api.Tuple.of(4, step), net.jqwik.api.Tuple.of(1, tick), net.jqwik.api.Tuple.of(2, join),
                net.jqwik.api.Tuple.of(2, deliver), net.jqwik.api.Tuple.of(1, cancel));
        return action.list().ofMaxSize(60);
    }
}
