package dev.eventhub;

import java.io.IOException;
import java.io.InputStream;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.ref.PhantomReference;
import java.lang.ref.Reference;
import java.lang.ref.ReferenceQueue;
import java.util.Collections;
import java.util.Map;
import java.util.Set;
import java.util.WeakHashMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/**
 * The loop that hands one inline subscription its share of a batch, with one copy of the loop's code for each pair of
 * filter class and handler class.
 *
 * <p><b>Why copies.</b> The loop calls {@code filter.test} and {@code handler.onEvent} for every event. With one
 * copy, those two call sites see every subscriber's classes, and from three classes on the JIT gives up on them: each
 * call becomes a lookup in the class's interface table and an indirect jump, a few nanoseconds that are paid for every
 * subscriber and event even when the filter rejects it. The JIT keeps a profile per method, so a method that only
 * ever sees one filter class and one handler class gets both calls inlined. Each pair therefore gets its own class,
 * defined as a hidden class from the bytes of {@link InlineDeliveryLoop} (same code, own profile). Subscribers of the
 * same classes share one.
 *
 * <p><b>Bounds.</b> At most {@value #MAX_COPIES} copies are alive in the JVM at once; beyond that, and wherever a
 * copy cannot be defined (the class bytes are not readable, hidden classes are not supported), subscribers share the
 * normally loaded {@link InlineDeliveryLoop}, which behaves the same at the speed of one copy for all (reaching the
 * bound is logged once, at INFO). A pair given the shared loop because of the bound is not remembered as such: its
 * next subscription asks again, and gets a copy once there is room. The table of copies holds handler classes
 * through a {@link ClassValue} and filter classes weakly, so it keeps no application class loader alive; a copy
 * whose classes are gone is unloaded with them, and no longer counts once the collector has found it unreachable
 * (each call to {@link #forSubscriber} first takes those off the count).
 *
 * <p>Async subscriptions, and calls timed after a slow round, take the dispatcher's general loop.
 */
abstract class InlineDelivery {
    static final int MAX_COPIES = 256;

    private static final byte[] TEMPLATE = templateBytes();
    private static final InlineDelivery SHARED = new InlineDeliveryLoop();
    /** Copies alive: incremented before one is defined, decremented when one fails or is found unreachable. */
    private static final AtomicInteger COPIES = new AtomicInteger();
    /** Where the collector puts the copies nothing uses any more; {@link #reclaim()} takes them off the count. */
    private static final ReferenceQueue<InlineDelivery> UNREACHABLE = new ReferenceQueue<>();
    /** Keeps each copy's phantom reference alive until the copy is collected (a reference itself must be reachable). */
    private static final Set<Reference<InlineDelivery>> TRACKED = ConcurrentHashMap.newKeySet();
    private static final AtomicBoolean BOUND_LOGGED = new AtomicBoolean();
    private static final ClassValue<Map<Class<?>, InlineDelivery>> BY_HANDLER_CLASS = new ClassValue<>() {
        @Override
        protected Map<Class<?>, InlineDelivery> computeValue(Class<?> handlerClass) {
            return Collections.synchronizedMap(new WeakHashMap<>());
        }
    };

    /**
     * What a {@link #deliver} call did besides the number of calls it returns. One per dispatcher, owner only.
     */
    static final class Outcome {
        /** The sequence of the last event handed to the handler (meaningless when none was). */
        long last;
        /** What the filter or the handler threw, which ended the loop; null if nothing did. */
        Throwable failure;
    }

    /**
     * Hands {@code batch[from, count)} (sequences {@code first + i}, all stamped {@code stamp}) to the subscription's
     * handler, each event its filter accepts, in order; stops early when the subscription ends (checked before each
     * event), after {@code left} calls, or at the first throw, which it leaves in {@code outcome.failure}.
     *
     * @return how many times the handler was called and returned
     */
    abstract long deliver(DispatcherSubscription subscription, Object[] batch, int from, int count, long first,
                          long stamp, long left, Outcome outcome);

    /**
     * The loop for a subscription with this filter (null: none) and this handler. Thread-safe; called by the
     * subscribing thread as it makes the subscription (defining a copy takes about 0.25 ms), never per event.
     */
    static InlineDelivery forSubscriber(Predicate<?> filter, EventHandler<?> handler) {
        if (TEMPLATE == null) {
            return SHARED;
        }
        Class<?> filterClass = filter == null ? InlineDelivery.class : filter.getClass();
        Map<Class<?>, InlineDelivery> byFilterClass = BY_HANDLER_CLASS.get(handler.getClass());
        reclaim();
        synchronized (byFilterClass) {
            InlineDelivery loop = byFilterClass.get(filterClass);
            if (loop != null) {
                return loop;
            }
            if (COPIES.incrementAndGet() > MAX_COPIES) {
                COPIES.decrementAndGet();
                if (BOUND_LOGGED.compareAndSet(false, true)) {
                    System.getLogger("dev.eventhub").log(System.Logger.Level.INFO, MAX_COPIES + " pairs of filter "
                            + "and handler classes have their own delivery loop; later pairs share one, and their "
                            + "calls are indirect again, until copies are unloaded with their classes (logged once)");
                }
                return SHARED; // not remembered: the pair's next subscription asks again
            }
            loop = copy();
            if (loop == SHARED) {
                COPIES.decrementAndGet(); // it cannot be defined here, and never will be: remembered
            } else {
                TRACKED.add(new PhantomReference<>(loop, UNREACHABLE));
            }
            byFilterClass.put(filterClass, loop);
            return loop;
        }
    }

    /** Takes the copies the collector found unreachable off the count. Any thread. */
    private static void reclaim() {
        Reference<? extends InlineDelivery> gone;
        while ((gone = UNREACHABLE.poll()) != null) {
            if (TRACKED.remove(gone)) {
                COPIES.decrementAndGet();
            }
        }
    }

    /**
     * How many copies are alive in this JVM, as last reclaimed (at most {@link #MAX_COPIES}: a subscription refused at
     * the bound counts itself past it for a moment before it takes itself off).
     */
    static int copies() {
        reclaim();
        return Math.min(COPIES.get(), MAX_COPIES);
    }

    private static InlineDelivery copy() {
        try {
            MethodHandles.Lookup copy = MethodHandles.lookup().defineHiddenClass(TEMPLATE, true);
            return (InlineDelivery) copy.findConstructor(copy.lookupClass(), MethodType.methodType(void.class))
                    .invoke();
        } catch (Throwable unsupported) { // LinkageError, UnsupportedOperationException (a native image), ...
            return SHARED;
        }
    }

    private static byte[] templateBytes() {
        try (InputStream in = InlineDelivery.class.getResourceAsStream("InlineDeliveryLoop.class")) {
            return in == null ? null : in.readAllBytes();
        } catch (IOException | SecurityException unreadable) {
            return null;
        }
    }
}
