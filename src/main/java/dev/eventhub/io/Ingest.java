package dev.eventhub.io;

import dev.eventhub.EventHub;
import dev.eventhub.HubClosedException;
import dev.eventhub.Subscription;
import dev.eventhub.internal.Checks;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.DoubleSupplier;
import java.util.function.LongSupplier;

/**
 * Pulls events from an {@link EventSource} into a hub on a thread of its own ({@code eventhub-<hub>-ingest}), and
 * reconnects when the source fails: Swarm's engine event monitor, without its mistake of restarting the stream
 * from "now" and losing what happened during the gap. Each reconnect hands the source the last item it delivered.
 *
 * <p><b>Backoff.</b> After a failure (or a clean end of the stream) the ingest waits, then reconnects. The waits
 * start at {@code initial} and grow by {@code multiplier} up to {@code max}; each is scaled by a random factor in
 * {@code [1 - jitter, 1 + jitter)} so that many clients do not reconnect in step. A connection that stayed up for
 * {@code healthyAfter} resets the wait to {@code initial}. Defaults: 800 ms, 30 s, 2, 0.2, 2 minutes.
 *
 * <p><b>Stop.</b> {@link #stop()} closes the connection, interrupts a wait or a blocked publish, and returns once
 * the thread has ended; idempotent. The hub closing stops the ingest in the same way (the connection closed, a wait
 * or a blocked open interrupted), so its thread ends within the hub's {@code drainTimeout} even if the source
 * never sends again; {@link #await(Duration)} waits for that.
 *
 * <p><b>Threading.</b> Every method may be called from any thread.
 *
 * @param <T> the event type
 */
public final class Ingest<T> {
    private static final System.Logger LOG = System.getLogger("dev.eventhub");
    /** Most items published in one call: the dispatcher's round. */
    private static final int BATCH = 256;

    /** Where an ingest is. */
    public enum State {
        /** Opening the source. */
        CONNECTING,
        /** Pulling items. */
        CONNECTED,
        /** Waiting before the next attempt. */
        BACKING_OFF,
        /** Stopped: by {@link #stop()} or because the hub closed. */
        STOPPED
    }

    /** Waits between attempts; injectable for tests. */
    @FunctionalInterface
    public interface Sleeper {
        /**
         * Waits {@code nanos}.
         *
         * @param nanos how long
         * @throws InterruptedException if interrupted (by {@link Ingest#stop()})
         */
        void sleep(long nanos) throws InterruptedException;
    }

    private final EventHub<T> hub;
    private final EventSource<T> source;
    private final long initialNanos;
    private final long maxNanos;
    private final double multiplier;
    private final double jitter;
    private final long healthyNanos;
    private final LongSupplier nanoClock;
    private final Sleeper sleeper;
    private final DoubleSupplier random;
    private final Thread thread;
    private final CountDownLatch stopped = new CountDownLatch(1);

    private volatile State state = State.CONNECTING;
    private volatile boolean stopping;
    /** Ends when the hub closes; cancelled when the ingest ends first. Set before the thread starts. */
    private Subscription hubWatch;
    private volatile EventSource.Connection<T> connection;
    /** Guards {@link #closingConnection}: no interrupt from {@link #halt()} lands while the thread closes. */
    private final Object interruptLock = new Object();
    /** Whether the ingest's thread is closing its connection; guarded by {@link #interruptLock}. */
    private boolean closingConnection;
    private volatile long failures;
    private volatile long reconnects;
    private volatile long ingested;
    private volatile Throwable lastFailure;
    private volatile long lastDelayNanos;

    private Ingest(Builder<T> builder) {
        this.hub = builder.hub;
        this.source = builder.source;
        this.initialNanos = builder.initialNanos;
        this.maxNanos = builder.maxNanos;
        this.multiplier = builder.multiplier;
        this.jitter = builder.jitter;
        this.healthyNanos = builder.healthyNanos;
        this.nanoClock = builder.nanoClock;
        this.sleeper = builder.sleeper;
        this.random = builder.random;
        this.thread = new Thread(this::run, "eventhub-" + hub.name() + "-ingest");
        this.thread.setDaemon(true);
    }

    /**
     * An ingest to configure before {@link Builder#start()}.
     *
     * @param hub    where the items go
     * @param source where they come from
     * @param <T>    the event type
     * @return the builder
     * @throws NullPointerException if an argument is null
     */
    public static <T> Builder<T> builder(EventHub<T> hub, EventSource<T> source) {
        return new Builder<>(Checks.notNull("hub", hub), Checks.notNull("source", source));
    }

    /**
     * Options of an ingest.
     *
     * @param <T> the event type
     */
    public static final class Builder<T> {
        private final EventHub<T> hub;
        private final EventSource<T> source;
        private long initialNanos = TimeUnit.MILLISECONDS.toNanos(800);
        private long maxNanos = TimeUnit.SECONDS.toNanos(30);
        private double multiplier = 2.0;
        private double jitter = 0.2;
        private long healthyNanos = TimeUnit.MINUTES.toNanos(2);
        private LongSupplier nanoClock = System::nanoTime;
        private Sleeper sleeper = TimeUnit.NANOSECONDS::sleep;
        private DoubleSupplier random = () -> ThreadLocalRandom.current().nextDouble();

        private Builder(EventHub<T> hub, EventSource<T> source) {
            this.hub = hub;
            this.source = source;
        }

        /**
         * The waits between attempts.
         *
         * @param initial    the first wait, positive
         * @param max        the longest wait, at least {@code initial}
         * @param multiplier how much each wait grows, at least 1
         * @return this builder
         * @throws NullPointerException     if a duration is null
         * @throws IllegalArgumentException if a value is out of range
         */
        public Builder<T> backoff(Duration initial, Duration max, double multiplier) {
            Checks.positive("initial", initial);
            Checks.positive("max", max);
            if (max.compareTo(initial) < 0) {
                throw new IllegalArgumentException("max: " + max + " (expected: at least initial, " + initial + ")");
            }
            if (!(multiplier >= 1.0) || Double.isInfinite(multiplier)) {
                throw new IllegalArgumentException("multiplier: " + multiplier + " (expected: a finite number >= 1)");
            }
            this.initialNanos = Checks.toNanos(initial);
            this.maxNanos = Checks.toNanos(max);
            this.multiplier = multiplier;
            return this;
        }

        /**
         * How much each wait is randomised: by a factor in {@code [1 - fraction, 1 + fraction)}.
         *
         * @param fraction from 0 (none) to 1
         * @return this builder
         * @throws IllegalArgumentException if out of range
         */
        public Builder<T> jitter(double fraction) {
            if (!(fraction >= 0 && fraction <= 1)) {
                throw new IllegalArgumentException("jitter: " + fraction + " (expected: from 0 to 1)");
            }
            this.jitter = fraction;
            return this;
        }

        /**
         * How long a connection must stay up for the next wait to start again from {@code initial}.
         *
         * @param period positive
         * @return this builder
         * @throws NullPointerException     if {@code period} is null
         * @throws IllegalArgumentException if not positive
         */
        public Builder<T> healthyAfter(Duration period) {
            this.healthyNanos = Checks.toNanos(Checks.positive("healthyAfter", period));
            return this;
        }

        /**
         * The monotonic clock that measures how long a connection stayed up (tests).
         *
         * @param nanoTime like {@link System#nanoTime()}
         * @return this builder
         * @throws NullPointerException if {@code nanoTime} is null
         */
        public Builder<T> clock(LongSupplier nanoTime) {
            this.nanoClock = Checks.notNull("clock", nanoTime);
            return this;
        }

        /**
         * How to wait between attempts (tests).
         *
         * @param sleeper waits the given nanoseconds, interruptibly
         * @return this builder
         * @throws NullPointerException if {@code sleeper} is null
         */
        public Builder<T> sleeper(Sleeper sleeper) {
            this.sleeper = Checks.notNull("sleeper", sleeper);
            return this;
        }

        /**
         * The random numbers in {@code [0, 1)} behind the jitter (tests).
         *
         * @param random the source
         * @return this builder
         * @throws NullPointerException if {@code random} is null
         */
        public Builder<T> random(DoubleSupplier random) {
            this.random = Checks.notNull("random", random);
            return this;
        }

        /**
         * Starts the ingest's thread.
         *
         * @return the running ingest
         * @throws HubClosedException if the hub is closed
         */
        public Ingest<T> start() {
            if (hub.isClosed()) {
                throw new HubClosedException(hub.name(), "Ingest.start");
            }
            Ingest<T> ingest = new Ingest<>(this);
            ingest.hubWatch = HubEnd.watch(hub, "ingest-hub-end", ingest::halt);
            ingest.thread.start();
            return ingest;
        }
    }

    private void run() {
        T resume = null;
        // The items the source has at hand, published together: at most what one publishAll takes.
        final List<T> batch = new ArrayList<>();
        final int batchMax = Math.min(BATCH, hub.capacity());
        long delay = initialNanos;
        try {
            while (!stopping && !hub.isClosed()) {
                state = State.CONNECTING;
                long connectedAt = Long.MIN_VALUE;
                try {
                    EventSource.Connection<T> open = source.open(resume);
                    connection = open;
                    Throwable thrown = null;
                    try {
                        if (stopping || hub.isClosed()) {
                            break;
                        }
                        state = State.CONNECTED;
                        connectedAt = nanoClock.getAsLong();
                        batch.clear(); // what a failed publish left
                        while (!stopping && open.next(batch, batchMax)) {
                            int size = batch.size();
                            if (size == 1) {
                                hub.publish(batch.get(0));
                            } else if (size > 1) {
                                hub.publishAll(batch); // one claim, and at most one wake-up of the dispatcher
                            } else {
                                throw new IllegalStateException("the source's next(batch, max) returned true "
                                        + "and added nothing (expected: at least one item)");
                            }
                            resume = batch.get(size - 1);
                            ingested += size;
                            batch.clear();
                        }
                    } catch (Throwable t) {
                        thrown = t;
                        throw t;
                    } finally {
                        connection = null;
                        closeUninterrupted(open, thrown);
                    }
                } catch (HubClosedException closed) {
                    break;
                } catch (InterruptedException interrupted) {
                    if (stopping) {
                        break;
                    }
                    failed(interrupted);
                } catch (Exception failure) {
                    if (stopping) {
                        break;
                    }
                    failed(failure);
                }
                if (stopping || hub.isClosed()) {
                    break;
                }
                if (connectedAt != Long.MIN_VALUE && nanoClock.getAsLong() - connectedAt >= healthyNanos) {
                    delay = initialNanos; // it was healthy: start the backoff over
                }
                state = State.BACKING_OFF;
                long wait = jittered(delay);
                lastDelayNanos = wait;
                sleeper.sleep(wait);
                delay = (long) Math.min((double) maxNanos, delay * multiplier);
                reconnects++;
            }
        } catch (InterruptedException stoppedWhileWaiting) {
            // stop() interrupts the wait
        } finally {
            hubWatch.cancel();
            state = State.STOPPED;
            stopped.countDown();
        }
    }

    /**
     * Closes the connection on the ingest's thread with no interrupt pending and none to come from {@link #halt()}:
     * a source may still be talking to its server as it closes (Kafka's consumer, interrupted there, logged an error
     * with a stack trace at every stop). An interrupt that was pending is restored afterwards. A failure to close is
     * thrown, or added to what the reading threw, as try-with-resources does.
     */
    private void closeUninterrupted(EventSource.Connection<T> open, Throwable thrown) throws Exception {
        boolean interrupted;
        synchronized (interruptLock) {
            closingConnection = true;
            interrupted = Thread.interrupted();
        }
        try {
            open.close();
        } catch (Exception failed) {
            if (thrown == null) {
                throw failed;
            }
            thrown.addSuppressed(failed); // as try-with-resources would
        } finally {
            synchronized (interruptLock) {
                closingConnection = false;
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private long jittered(long nanos) {
        double factor = 1 - jitter + 2 * jitter * random.getAsDouble();
        return Math.max(1, (long) (nanos * factor));
    }

    private void failed(Throwable failure) {
        long count = failures + 1;
        failures = count;
        lastFailure = failure;
        if (Long.bitCount(count) == 1) { // 1st, 2nd, 4th, 8th...: visible without flooding the log
            LOG.log(Level.WARNING, "ingest into hub '" + hub.name() + "': the source failed (" + count
                    + " failures so far); reconnecting with backoff", failure);
        }
    }

    // ------------------------------------------------------------------ any thread

    /** {@return where the ingest is now} */
    public State state() {
        return state;
    }

    /** {@return failures so far: connects that failed and streams that broke} */
    public long failures() {
        return failures;
    }

    /** {@return the last failure, or null} */
    public Throwable lastFailure() {
        return lastFailure;
    }

    /** {@return items published into the hub so far} */
    public long ingested() {
        return ingested;
    }

    /** {@return reconnects so far (each after a wait)} */
    public long reconnects() {
        return reconnects;
    }

    /** {@return the last wait, jitter included, in nanoseconds; 0 before the first} */
    public long lastDelayNanos() {
        return lastDelayNanos;
    }

    /**
     * Tells the thread to end, for {@link #stop()} and when the hub closes: closes the connection (its close makes a
     * waiting {@code next()} return), and interrupts a backoff, an open or a publish waiting for room, unless the
     * thread is closing the connection itself (it then ends without waiting for anything). Does not wait for the
     * thread: when the hub closes, it runs on whichever thread ended the hub's subscriptions.
     */
    private void halt() {
        stopping = true;
        EventSource.Connection<T> open = connection;
        if (open != null) {
            try {
                open.close();
            } catch (Exception ignored) {
                // Stopping anyway.
            }
        }
        synchronized (interruptLock) {
            if (!closingConnection) {
                thread.interrupt();
            }
        }
    }

    /**
     * Stops the ingest: closes the connection, interrupts a wait, and returns once the thread has ended. Idempotent.
     *
     * @throws InterruptedException if interrupted while waiting for the thread
     */
    public void stop() throws InterruptedException {
        halt();
        thread.join();
    }

    /**
     * Waits at most {@code timeout} for the ingest to stop (the hub closed, or {@link #stop()}).
     *
     * @param timeout how long to wait at most
     * @return whether it stopped
     * @throws IllegalArgumentException if {@code timeout} is negative
     * @throws InterruptedException     if interrupted while waiting
     */
    public boolean await(Duration timeout) throws InterruptedException {
        Checks.notNegative("timeout", timeout);
        return stopped.await(Checks.toNanos(timeout), TimeUnit.NANOSECONDS);
    }

    @Override
    public String toString() {
        return "Ingest{hub=" + hub.name() + ", state=" + state + ", ingested=" + ingested + ", failures=" + failures
                + ", reconnects=" + reconnects + '}';
    }
}
