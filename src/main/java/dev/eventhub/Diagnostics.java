package dev.eventhub;

import java.lang.System.Logger.Level;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.Timespan;

/**
 * What the hub reports about its subscribers: a {@link System.Logger} line for what an operator must see, and a JFR
 * event ({@code dev.eventhub.*}) for everything, to be recorded with {@code -XX:StartFlightRecording} or JMC. JFR
 * events cost nothing when no recording enables them; strings are built only when needed.
 */
final class Diagnostics {
    private static final System.Logger LOG = System.getLogger("dev.eventhub");

    private Diagnostics() {
    }

    /**
     * Loads the JFR event classes on the calling thread (a subscriber being created), not on the dispatcher the
     * first time something goes wrong: loading them takes long enough to stall a round.
     */
    static void load() {
        new SlowHandlerEvent().isEnabled();
        new DroppedEvent().isEnabled();
        new GapEvent().isEnabled();
        new DisconnectedEvent().isEnabled();
        new BehindEvent().isEnabled();
    }

    /**
     * A subscription's handler, filter or executor threw, and that ended the subscription with
     * {@code HANDLER_FAILED}. Logged at WARNING; a {@link VirtualMachineError} ({@code OutOfMemoryError},
     * {@code StackOverflowError}, {@code InternalError}) is logged at ERROR and also handed to the current thread's
     * {@link Thread.UncaughtExceptionHandler}, so that an application's policy for fatal errors (alert, heap dump,
     * halt) sees it, while the hub goes on serving its other subscribers. The decision and why: EventHandler's
     * class documentation.
     */
    static void handlerFailed(String hub, String what, Throwable failure) {
        if (!(failure instanceof VirtualMachineError)) {
            LOG.log(Level.WARNING, "hub '" + hub + "': " + what + " threw; that subscription ended with "
                    + "HANDLER_FAILED", failure);
            return;
        }
        LOG.log(Level.ERROR, "hub '" + hub + "': " + what + " threw a JVM error (" + failure.getClass().getName()
                + "); that subscription ended with HANDLER_FAILED, the hub goes on, and the error is passed to the "
                + "thread's uncaught-exception handler", failure);
        Thread thread = Thread.currentThread();
        try {
            thread.getUncaughtExceptionHandler().uncaughtException(thread, failure);
        } catch (Throwable ignored) {
            // The application's handler failed too; the hub has logged the error and goes on.
        }
    }

    /** {@code 'name' (handler class)}: how log lines name a subscription. */
    static String describe(DispatcherSubscription subscription) {
        return "'" + subscription.name + "' (" + handlerClass(subscription) + ")";
    }

    /** The class of the user's handler (the consumer behind a consumer adapter): the JFR events' handler field. */
    static String handlerClass(DispatcherSubscription subscription) {
        Object handler = subscription.handler instanceof ConsumerHandler<?> adapter ? adapter.consumer()
                : subscription.handler instanceof SinkAttachment<?> sink ? sink.sink() : subscription.handler;
        return handler.getClass().getName();
    }

    /** A handler call took at least the hub's slow-handler threshold. */
    static void slowHandler(String hub, DispatcherSubscription subscription, long sequence, long nanos) {
        if (LOG.isLoggable(Level.WARNING)) {
            LOG.log(Level.WARNING, "hub '" + hub + "': the handler of subscription " + describe(subscription) + " took "
                    + TimeUnit.NANOSECONDS.toMillis(nanos) + " ms for event " + sequence);
        }
        SlowHandlerEvent event = new SlowHandlerEvent();
        if (event.isEnabled()) {
            event.hub = hub;
            event.subscription = subscription.name;
            event.handler = handlerClass(subscription);
            event.sequence = sequence;
            event.took = nanos;
            event.commit();
        }
    }

    /** At most one backpressure line per this many nanoseconds, across hubs. */
    static final long BACKPRESSURE_LOG_NANOS = TimeUnit.SECONDS.toNanos(10);
    /** System.nanoTime() of the last backpressure line, or 0; any thread that logs one (CAS). */
    private static final AtomicLong lastBackpressureLog = new AtomicLong();

    /**
     * Forgets the last backpressure line, so that the next one is logged whatever the rate limit says: for tests in
     * this package, which share one JVM-wide limiter. Not on any hub path.
     */
    static void resetBackpressureLog() {
        lastBackpressureLog.set(0);
    }

    /** Whether a backpressure line may be logged now (rate limit); claims the slot if so. */
    private static boolean backpressureLogDue() {
        long now = System.nanoTime();
        long last = lastBackpressureLog.get();
        return (last == 0 || now - last >= BACKPRESSURE_LOG_NANOS) && lastBackpressureLog.compareAndSet(last, now);
    }

    /**
     * A dispatcher round took at least the threshold. If it waited for a lossless ({@code BLOCK}) async buffer, that
     * is backpressure doing its job: INFO, at most once per {@link #BACKPRESSURE_LOG_NANOS}. Otherwise some inline
     * handler is slow (the next rounds find which): WARNING, with the advice to make it async.
     */
    static void slowRound(String hub, int events, int subscribers, long nanos, boolean waitedForBlockBuffer) {
        if (waitedForBlockBuffer) {
            if (LOG.isLoggable(Level.INFO) && backpressureLogDue()) {
                LOG.log(Level.INFO, "hub '" + hub + "': dispatching " + events + " events took "
                        + TimeUnit.NANOSECONDS.toMillis(nanos) + " ms waiting for room in a lossless (BLOCK) "
                        + "subscriber's buffer: backpressure, producers are slowed to its pace");
            }
        } else if (LOG.isLoggable(Level.WARNING)) {
            LOG.log(Level.WARNING, "hub '" + hub + "': dispatching " + events + " events to " + subscribers
                    + " subscribers took " + TimeUnit.NANOSECONDS.toMillis(nanos)
                    + " ms; every subscriber waits for inline handlers (consider async() for a slow inline handler)");
        }
    }

    /** An async subscription's overflow policy dropped events. */
    static void dropped(String hub, DispatcherSubscription subscription, Overflow policy, long count) {
        DroppedEvent event = new DroppedEvent();
        if (event.isEnabled()) {
            event.hub = hub;
            event.subscription = subscription.name;
            event.handler = handlerClass(subscription);
            event.policy = policy.name();
            event.count = count;
            event.commit();
        }
    }

    /** A subscription's handler is told of a gap. */
    static void gap(String hub, DispatcherSubscription subscription, long missed) {
        GapEvent event = new GapEvent();
        if (event.isEnabled()) {
            event.hub = hub;
            event.subscription = subscription.name;
            event.handler = handlerClass(subscription);
            event.missed = missed;
            event.commit();
        }
    }

    /** An async subscription was ended with OVERFLOW. */
    static void disconnected(String hub, DispatcherSubscription subscription, int buffer) {
        if (LOG.isLoggable(Level.WARNING)) {
            LOG.log(Level.WARNING, "hub '" + hub + "': subscriber " + describe(subscription) + " fell " + buffer
                    + " events behind and was disconnected (OVERFLOW)");
        }
        DisconnectedEvent event = new DisconnectedEvent();
        if (event.isEnabled()) {
            event.hub = hub;
            event.subscription = subscription.name;
            event.handler = handlerClass(subscription);
            event.buffer = buffer;
            event.commit();
        }
    }

    /**
     * An async buffer stayed above its high watermark for the slow-handler threshold. A lossless ({@code BLOCK})
     * subscriber whose consumer took events meanwhile is backpressure, expected: INFO, at most once per
     * {@link #BACKPRESSURE_LOG_NANOS}. A consumer that took nothing, or a lossy one about to drop: WARNING. The JFR
     * event is recorded either way.
     */
    static void behind(String hub, DispatcherSubscription subscription, long used, int size, long nanos, boolean lossless,
                       boolean progressing) {
        if (lossless && progressing) {
            if (LOG.isLoggable(Level.INFO) && backpressureLogDue()) {
                LOG.log(Level.INFO, "hub '" + hub + "': lossless subscriber " + describe(subscription) + " has " + used
                        + " of " + size + " buffered events and keeps draining: backpressure, producers are slowed "
                        + "to its pace");
            }
        } else if (LOG.isLoggable(Level.WARNING)) {
            LOG.log(Level.WARNING, "hub '" + hub + "': subscriber " + describe(subscription) + " has " + used + " of "
                    + size + " buffered events and has been above " + (int) (size * 0.75) + " for "
                    + TimeUnit.NANOSECONDS.toMillis(nanos) + " ms" + (progressing ? "" : " without taking any"));
        }
        BehindEvent event = new BehindEvent();
        if (event.isEnabled()) {
            event.hub = hub;
            event.subscription = subscription.name;
            event.handler = handlerClass(subscription);
            event.buffered = used;
            event.buffer = size;
            event.above = nanos;
            event.commit();
        }
    }

    @Name("dev.eventhub.SlowHandler")
    @Label("Slow handler")
    @Category("eventhub")
    @Description("A subscription's handler call took at least the hub's slow-handler threshold")
    static final class SlowHandlerEvent extends Event {
        @Label("Hub")
        String hub;
        @Label("Subscription")
        String subscription;
        @Label("Handler")
        String handler;
        @Label("Sequence")
        long sequence;
        @Label("Took")
        @Timespan(Timespan.NANOSECONDS)
        long took;
    }

    @Name("dev.eventhub.Dropped")
    @Label("Events dropped")
    @Category("eventhub")
    @Description("An async subscription's overflow policy dropped events")
    static final class DroppedEvent extends Event {
        @Label("Hub")
        String hub;
        @Label("Subscription")
        String subscription;
        @Label("Handler")
        String handler;
        @Label("Policy")
        String policy;
        @Label("Count")
        long count;
    }

    @Name("dev.eventhub.Gap")
    @Label("Gap reported")
    @Category("eventhub")
    @Description("A subscription's handler was told it missed events (overflow or truncated history)")
    static final class GapEvent extends Event {
        @Label("Hub")
        String hub;
        @Label("Subscription")
        String subscription;
        @Label("Handler")
        String handler;
        @Label("Missed")
        long missed;
    }

    @Name("dev.eventhub.Disconnected")
    @Label("Subscriber disconnected")
    @Category("eventhub")
    @Description("An async subscription with Overflow.DISCONNECT fell a full buffer behind and was ended")
    static final class DisconnectedEvent extends Event {
        @Label("Hub")
        String hub;
        @Label("Subscription")
        String subscription;
        @Label("Handler")
        String handler;
        @Label("Buffer")
        long buffer;
    }

    @Name("dev.eventhub.Behind")
    @Label("Subscriber behind")
    @Category("eventhub")
    @Description("An async subscription's buffer stayed above its high watermark for the slow-handler threshold")
    static final class BehindEvent extends Event {
        @Label("Hub")
        String hub;
        @Label("Subscription")
        String subscription;
        @Label("Handler")
        String handler;
        @Label("Buffered")
        long buffered;
        @Label("Buffer")
        long buffer;
        @Label("Above watermark for")
        @Timespan(Timespan.NANOSECONDS)
        long above;
    }
}
