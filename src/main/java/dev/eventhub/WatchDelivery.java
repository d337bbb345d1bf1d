package dev.eventhub;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

/**
 * One {@link StateWatcher} of a {@link StateView}: its pending changes, coalesced per key, and the thread or executor
 * tasks that deliver them.
 *
 * <p><b>Pending changes.</b> A map from key to {@link Change}, guarded by this object's monitor. The view adds to it
 * under its own lock (view lock, then this monitor; never the other way round); the consumer swaps the whole map for
 * an empty one and delivers the batch without holding anything. A change records what the watcher last saw for the
 * key ({@code before}) and what the view holds now ({@code after}); a second change to a key already pending only
 * moves {@code after}. So the map never holds more than one entry per key, whatever the event rate: a stalled
 * watcher costs O(keys), not O(events), and what it is finally told takes it exactly to the view's state.
 *
 * <p><b>Final cancel.</b> As for async subscriptions: each callback is one call of the {@link CallGate} {@code calls}
 * (enter, check the end, began, call, exit), so a canceller on another thread never waits for a running callback.
 */
final class WatchDelivery<K, T> implements StateView.Watch, Runnable {
    private static final Object ABSENT = StateView.ABSENT;
    /** Batches an executor task delivers before it gives its thread back (watchers sharing a pool take turns). */
    static final int TASK_BATCHES = 16;

    private static final VarHandle END =
            VarHandles.field(MethodHandles.lookup(), WatchDelivery.class, "end", EndReason.class);
    private static final VarHandle DELIVERED =
            VarHandles.field(MethodHandles.lookup(), WatchDelivery.class, "delivered", long.class);
    private static final VarHandle IN_FLIGHT =
            VarHandles.field(MethodHandles.lookup(), WatchDelivery.class, "inFlight", int.class);

    /** What one key went through since the watcher last heard of it. */
    private static final class Change {
        /** The value the watcher last saw, or ABSENT if it does not know the key. */
        final Object before;
        /** The value the view holds now, or ABSENT if the key is gone. */
        Object after;
        /** The value before the latest deletion: what {@code onDelete} reports. */
        Object last;
        /** A synthetic add for an entry that existed when the watcher joined. */
        final boolean initial;

        Change(Object before, Object after, boolean initial) {
            this.before = before;
            this.after = after;
            this.initial = initial;
        }
    }

    private final StateView<K, T> view;
    private final StateWatcher<? super K, ? super T> watcher;
    /** Null: a thread of its own. */
    private final Executor executor;
    private final String threadName;
    /** Given or generated; see {@link Subscription#name()}. */
    private final String name;
    /** Creation order within the hub, for {@code subscriptions()}. */
    final long ordinal;
    private final CompletableFuture<EndReason> endedFuture = new CompletableFuture<>();

    // Guarded by this.
    private LinkedHashMap<K, Change> pending = new LinkedHashMap<>();
    /** The map the consumer delivered last, cleared, to take the place of {@code pending} at the next swap. */
    private LinkedHashMap<K, Change> spare = new LinkedHashMap<>();
    /** Executor mode: a task is queued or running. */
    private boolean scheduled;
    /** The view ended: deliver what is pending, then end with this. */
    private EndReason inputEnd;
    /** Thread mode: the consumer waits on this monitor. */
    private boolean waiting;

    // Shared.
    private volatile EndReason end;
    private volatile Throwable failure;
    private volatile long delivered;
    private volatile long lastSequence;
    /** Changes taken from {@code pending} and not yet delivered. */
    private volatile int inFlight;
    /** The cancel handshake with cancellers: one call per handler call (see CallGate). */
    private final CallGate calls = new CallGate();
    /** The thread delivering now (its own thread, or the executor's while a task runs). */
    private volatile Thread consumer;

    WatchDelivery(StateView<K, T> view, StateWatcher<? super K, ? super T> watcher, Executor executor, String name,
                  long ordinal, String threadName) {
        this.view = view;
        this.name = name;
        this.ordinal = ordinal;
        this.watcher = watcher;
        this.executor = executor;
        this.threadName = threadName;
    }

    // ------------------------------------------------------------------ fed by the view (under its lock)

    /** A current entry when the watcher joins. Before {@link #start()}. */
    synchronized void initial(K key, T value) {
        pending.put(key, new Change(ABSENT, value, true));
    }

    /**
     * One change of the view. Called under the view's lock.
     *
     * @return whether the caller must {@link #submit()} this watcher once it has released the view's lock
     */
    synchronized boolean changed(K key, Object old, Object now) {
        if (end != null || inputEnd != null) {
            return false;
        }
        Change change = pending.get(key);
        if (change == null) {
            change = new Change(old, now, false);
            if (now == ABSENT) {
                change.last = old;
            }
            pending.put(key, change);
            return signal();
        }
        if (now == ABSENT) {
            change.last = old;
            if (change.before == ABSENT) {
                pending.remove(key); // it came and went before the watcher heard of it
                return false;
            }
        }
        change.after = now;
        return false;
    }

    /** Queues an unchanged update for every entry with nothing pending. Under the view's lock. */
    synchronized boolean resync(Map<K, T> state) {
        if (end != null || inputEnd != null) {
            return false;
        }
        boolean added = false;
        for (Map.Entry<K, T> entry : state.entrySet()) {
            if (!pending.containsKey(entry.getKey())) {
                pending.put(entry.getKey(), new Change(entry.getValue(), entry.getValue(), false));
                added = true;
            }
        }
        return added && signal();
    }

    /** The view ended: deliver what is pending, then end with {@code reason}. */
    synchronized boolean endInput(EndReason reason) {
        if (end != null || inputEnd != null) {
            return false;
        }
        inputEnd = reason;
        return signal();
    }

    /** Something to deliver: wake the thread, or tell the caller to submit a task if none is scheduled. */
    private boolean signal() {
        if (executor == null) {
            if (waiting) {
                notify();
            }
            return false;
        }
        if (scheduled) {
            return false;
        }
        scheduled = true;
        return true;
    }

    // ------------------------------------------------------------------ delivery

    /** Starts delivering: the thread, or a first task if the watcher joined a non-empty view. */
    void start() {
        if (executor == null) {
            Thread thread = new Thread(this, threadName);
            thread.setDaemon(true);
            view.dispatcher().consumerThread(thread);
            thread.start();
            return;
        }
        boolean submit;
        synchronized (this) {
            submit = !pending.isEmpty() && signal();
        }
        if (submit) {
            submit();
        }
    }

    /** Executor mode: hands a delivery task to the executor. Never under a lock. */
    void submit() {
        try {
            executor.execute(this);
        } catch (Throwable rejected) {
            synchronized (this) {
                scheduled = false;
            }
            if (finish(EndReason.HANDLER_FAILED, rejected)) {
                Diagnostics.handlerFailed(view.hubName(), "the executor of state view watcher '" + name + "' (refusing its task)",
                        rejected);
            }
        }
    }

    @Override
    public void run() {
        consumer = Thread.currentThread();
        if (executor == null) {
            try {
                LinkedHashMap<K, Change> batch;
                while ((batch = take(true)) != null) {
                    deliver(batch);
                }
            } finally {
                consumer = null;
                view.dispatcher().consumerThreadEnded(Thread.currentThread());
            }
            return;
        }
        try {
            for (int i = 0; i < TASK_BATCHES; i++) {
                LinkedHashMap<K, Change> batch = take(false);
                if (batch == null) {
                    return;
                }
                deliver(batch);
            }
        } finally {
            consumer = null;
        }
        submit(); // more to do: go to the back of the executor's queue, still scheduled
    }

    /**
     * Takes everything pending, or returns null when there is nothing to do: ended, or (executor mode) idle.
     *
     * @param block thread mode: wait for changes
     */
    private LinkedHashMap<K, Change> take(boolean block) {
        EndReason finishWith;
        synchronized (this) {
            while (true) {
                if (end != null) {
                    pending.clear();
                    scheduled = false;
                    return null;
                }
                if (!pending.isEmpty()) {
                    LinkedHashMap<K, Change> batch = pending;
                    pending = spare != null ? spare : new LinkedHashMap<>();
                    spare = null;
                    IN_FLIGHT.setRelease(this, batch.size());
                    lastSequence = view.lastSequence();
                    return batch;
                }
                if (inputEnd != null) {
                    finishWith = inputEnd;
                    scheduled = false;
                    break;
                }
                if (!block) {
                    scheduled = false;
                    return null;
                }
                waiting = true;
                try {
                    wait();
                } catch (InterruptedException ignored) {
                    // Our own thread: only an end stops it, and that is checked above.
                } finally {
                    waiting = false;
                }
            }
        }
        finish(finishWith, null);
        return null;
    }

    private void deliver(LinkedHashMap<K, Change> batch) {
        int left = batch.size();
        for (Map.Entry<K, Change> entry : batch.entrySet()) {
            if (!call(entry.getKey(), entry.getValue())) {
                break;
            }
            IN_FLIGHT.setRelease(this, --left);
        }
        IN_FLIGHT.setRelease(this, 0);
        batch.clear();
        synchronized (this) {
            spare = batch;
        }
    }

    @SuppressWarnings("unchecked")
    private boolean call(K key, Change change) {
        calls.starting(System.nanoTime()); // for subscriptions(): how long a stuck callback has run
        final long epoch = calls.enter(); // a StoreLoad before the end check
        try {
            if (end != null) {
                return false;
            }
            calls.began(epoch);
            try {
                if (change.before == ABSENT) {
                    watcher.onAdd(key, (T) change.after, change.initial);
                } else if (change.after == ABSENT) {
                    watcher.onDelete(key, (T) change.last);
                } else {
                    watcher.onUpdate(key, (T) change.before, (T) change.after);
                }
            } catch (Throwable thrown) {
                if (finish(EndReason.HANDLER_FAILED, thrown)) {
                    // Removed from the view; the view and the other watchers go on.
                    Diagnostics.handlerFailed(view.hubName(), "state view watcher '" + name + "' ("
                            + watcher.getClass().getName() + ")", thrown);
                }
                return false;
            }
            DELIVERED.setRelease(this, delivered + 1);
            return true;
        } finally {
            calls.exit(epoch);
        }
    }

    /** Decides the end, once. Any thread; never under the view's lock or this monitor. */
    private boolean finish(EndReason reason, Throwable thrown) {
        if (end != null) {
            return false;
        }
        failure = thrown;
        if (!END.compareAndSet(this, (EndReason) null, reason)) {
            return false;
        }
        view.remove(this);
        view.dispatcher().unlisted(this);
        synchronized (this) {
            pending.clear();
            if (waiting) {
                notify();
            }
        }
        endedFuture.complete(reason);
        return true;
    }

    // ------------------------------------------------------------------ monitoring

    /** This watcher as {@code subscriptions()} shows it. Any thread; takes this watcher's monitor briefly. */
    SubscriptionInfo info(long head, long now, long slowNanos) {
        long buffered = backlog();
        long since = calls.callingSince();
        long inCall = since == CallGate.NOT_CALLING ? 0 : Math.max(0, now - since);
        long seen = lastSequence;
        return new SubscriptionInfo(name, SubscriptionInfo.Kind.WATCHER, "state view watcher", delivered, 0,
                buffered, 0, buffered > 0 ? Math.max(0, head - seen) : 0, seen, inCall >= slowNanos,
                java.time.Duration.ofNanos(inCall));
    }

    // ------------------------------------------------------------------ Watch

    @Override
    public String name() {
        return name;
    }

    @Override
    public void cancel() {
        finish(EndReason.CANCELLED, null);
        if (Thread.currentThread() == consumer) {
            return;
        }
        calls.awaitQuiescence(null);
    }

    @Override
    public boolean isActive() {
        return end == null;
    }

    @Override
    public EndReason await() throws InterruptedException {
        return Ends.await(endedFuture);
    }

    @Override
    public boolean await(Duration timeout) throws InterruptedException {
        return Ends.await(endedFuture, timeout);
    }

    @Override
    public boolean await(long timeout, TimeUnit unit) throws InterruptedException {
        return Ends.await(endedFuture, timeout, unit);
    }

    @Override
    public CompletionStage<EndReason> ended() {
        return endedFuture.minimalCompletionStage();
    }

    @Override
    public EndReason endReason() {
        return end;
    }

    @Override
    public Throwable failure() {
        return end == EndReason.HANDLER_FAILED ? failure : null;
    }

    /** Watcher calls made (adds, updates, deletes). */
    @Override
    public long delivered() {
        return delivered;
    }

    /** Always 0: a watcher loses no state. Changes it was too slow to see one by one are coalesced, not dropped. */
    @Override
    public long dropped() {
        return 0;
    }

    /** The view's sequence when this watcher last took its pending changes: once delivered, it has seen that state. */
    @Override
    public long lastSequence() {
        return lastSequence;
    }

    @Override
    public int backlog() {
        synchronized (this) {
            return pending.size() + inFlight;
        }
    }

    @Override
    public String toString() {
        return "Watch{" + name + ", delivered=" + delivered + ", backlog=" + backlog()
                + (end == null ? "" : ", ended=" + end) + '}';
    }
}
