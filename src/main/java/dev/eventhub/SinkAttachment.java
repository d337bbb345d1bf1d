package dev.eventhub;

import java.lang.System.Logger.Level;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A sink driven by an async {@code BLOCK} subscription: the handler writes each event, ends the sink's batch (see
 * {@link Sink#endOfBatch()}) and flushes when the consumer has drained its buffer (the batch also ends every
 * {@link #SETTLE_EVERY} records and before the close), and closes the sink once when the subscription ends. Every call into the sink holds
 * {@link #lock}, because the end can be decided on another thread (a cancel, the hub closing) while the consumer is
 * inside {@code accept}. That thread never waits for the lock: if the consumer holds it (a sink stuck in a write),
 * it leaves the close to the consumer, so that a stuck sink cannot make {@code close()} of the hub hang.
 */
final class SinkAttachment<T> implements EventHandler<T>, AsyncDelivery.BatchEnd, SinkSubscription {
    private static final System.Logger LOG = System.getLogger("dev.eventhub");
    private static final VarHandle WRITTEN =
            VarHandles.field(MethodHandles.lookup(), SinkAttachment.class, "written", long.class);
    private static final VarHandle NOT_WRITTEN =
            VarHandles.field(MethodHandles.lookup(), SinkAttachment.class, "notWritten", long.class);

    /** Unsettled records after which the sink is asked to end its batch even if the consumer has not caught up. */
    static final int SETTLE_EVERY = 1024;

    private final Sink<? super T> sink;
    private final String hubName;
    /** The feeding subscription's name, known before it is registered (a failure can come during a replay). */
    private final String name;
    private Subscription subscription;

    private final ReentrantLock lock = new ReentrantLock();
    /** Written under lock; read without it only to decide whether to try the lock again. */
    private volatile boolean closed;
    // Guarded by lock.
    private boolean dirty;
    /** Records accepted since the sink last settled its batch (see Sink#endOfBatch). */
    private long unsettled;
    /** The subscription ended while the consumer held the lock: it closes the sink when it lets go. */
    private volatile boolean closeRequested;

    private volatile long written;
    private volatile long notWritten;
    private volatile Throwable lastFailure;

    SinkAttachment(Sink<? super T> sink, String hubName, String name) {
        this.sink = sink;
        this.hubName = hubName;
        this.name = name;
    }

    /** The user's sink, for diagnostics. */
    Sink<? super T> sink() {
        return sink;
    }

    /** Binds the subscription that feeds this sink; closes the sink when it ends. */
    SinkAttachment<T> bind(Subscription feeding) {
        this.subscription = feeding;
        feeding.ended().whenComplete((reason, impossible) -> close());
        return this;
    }

    @Override
    public void onEvent(T event, long sequence, long timestampNanos) {
        lock.lock();
        try {
            if (closed) {
                NOT_WRITTEN.setRelease(this, notWritten + 1);
                return;
            }
            try {
                sink.accept(event, sequence, timestampNanos);
                WRITTEN.setRelease(this, written + 1);
                unsettled++;
                dirty = true;
            } catch (Throwable failure) {
                lost(failure, 1, "could not write event " + sequence);
            }
            if (unsettled >= SETTLE_EVERY) {
                settle();
            }
        } finally {
            unlock();
        }
    }

    @Override
    public void endOfBatch() {
        lock.lock();
        try {
            if (closed || !dirty) {
                return;
            }
            dirty = false;
            settle();
            try {
                sink.flush();
            } catch (Throwable failure) {
                failed("could not flush", failure, notWritten);
            }
        } finally {
            unlock();
        }
    }

    /** Asks the sink to write what it gathered; moves what it could not write from written to notWritten. Locked. */
    private void settle() {
        if (unsettled == 0) {
            return;
        }
        try {
            sink.endOfBatch();
            unsettled = 0;
        } catch (Throwable failure) {
            lost(failure, 0, "could not write a batch");
        }
    }

    /**
     * A call into the sink failed: {@code plain} records are lost unless the failure says exactly how many of the
     * unsettled ones (and the one being accepted, if {@code plain} is 1) were not written. Locked.
     */
    private void lost(Throwable failure, long plain, String what) {
        long lost;
        if (failure instanceof SinkWriteException exact) {
            lost = Math.min(exact.notWritten(), unsettled + plain);
            WRITTEN.setRelease(this, written - (lost - plain)); // the current record, if any, was never counted
            unsettled = 0;
        } else if (plain == 0) {
            lost = unsettled;
            WRITTEN.setRelease(this, written - lost);
            unsettled = 0;
        } else {
            lost = plain;
        }
        long count = notWritten + lost;
        NOT_WRITTEN.setRelease(this, count);
        failed(what, failure, count);
    }

    /** The subscription ended: close now, or have the consumer do it if it is inside the sink. Any thread. */
    private void close() {
        closeRequested = true;
        if (lock.tryLock()) {
            unlock();
        }
    }

    /** Releases the lock, closing the sink first if the end came meanwhile. Lock held. */
    private void unlock() {
        try {
            if (closeRequested && !closed) {
                closed = true;
                settle();
                try {
                    sink.close();
                } catch (Throwable failure) {
                    failed("could not close", failure, notWritten);
                }
            }
        } finally {
            lock.unlock();
        }
        if (closeRequested && !closed && lock.tryLock()) { // the end came just after the check above
            unlock();
        }
    }

    /** Reports a failure: the first, then every power of two of the not-written count, so a dead disk does not flood. */
    private void failed(String what, Throwable failure, long notWrittenSoFar) {
        boolean first = lastFailure == null;
        lastFailure = failure;
        if (failure instanceof VirtualMachineError) {
            Diagnostics.handlerFailed(hubName, "the sink of attachment '" + name + "' (" + sink.getClass().getName()
                    + ")", failure);
        } else if (first || Long.bitCount(notWrittenSoFar) == 1) {
            LOG.log(Level.WARNING, "hub '" + hubName + "': sink '" + name + "' (" + sink + ") " + what + "; " + notWrittenSoFar
                    + " events not written so far; the hub and the sink go on", failure);
        }
    }

    // ------------------------------------------------------------------ SinkSubscription

    @Override
    public String name() {
        return name;
    }

    @Override
    public long written() {
        return written;
    }

    @Override
    public long notWritten() {
        return notWritten;
    }

    @Override
    public Throwable lastFailure() {
        return lastFailure;
    }

    @Override
    public void cancel() {
        subscription.cancel();
    }

    @Override
    public boolean isActive() {
        return subscription.isActive();
    }

    @Override
    public EndReason await() throws InterruptedException {
        return subscription.await();
    }

    @Override
    public boolean await(Duration timeout) throws InterruptedException {
        return subscription.await(timeout);
    }

    @Override
    public boolean await(long timeout, TimeUnit unit) throws InterruptedException {
        return subscription.await(timeout, unit);
    }

    @Override
    public CompletionStage<EndReason> ended() {
        return subscription.ended();
    }

    @Override
    public EndReason endReason() {
        return subscription.endReason();
    }

    @Override
    public Throwable failure() {
        return subscription.failure();
    }

    @Override
    public long delivered() {
        return subscription.delivered();
    }

    @Override
    public long dropped() {
        return subscription.dropped();
    }

    @Override
    public long lastSequence() {
        return subscription.lastSequence();
    }

    @Override
    public String toString() {
        return "SinkSubscription{name=" + name + ", sink=" + sink + ", written=" + written + ", notWritten=" + notWritten + ", "
                + subscription + '}';
    }
}
