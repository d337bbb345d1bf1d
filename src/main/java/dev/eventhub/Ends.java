package dev.eventhub;

import dev.eventhub.internal.Checks;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Waiting for a subscription's end, shared by every {@link Subscription}: the end is a future never failed. */
final class Ends {
    private Ends() {
    }

    static EndReason await(CompletableFuture<EndReason> end) throws InterruptedException {
        try {
            return end.get();
        } catch (ExecutionException impossible) {
            throw new IllegalStateException(impossible);
        }
    }

    static boolean await(CompletableFuture<EndReason> end, Duration timeout) throws InterruptedException {
        Checks.notNegative("timeout", timeout);
        return awaitNanos(end, Checks.toNanos(timeout));
    }

    static boolean await(CompletableFuture<EndReason> end, long timeout, TimeUnit unit) throws InterruptedException {
        Checks.notNegative("timeout", timeout);
        Checks.notNull("unit", unit);
        return awaitNanos(end, unit.toNanos(timeout));
    }

    private static boolean awaitNanos(CompletableFuture<EndReason> end, long nanos) throws InterruptedException {
        try {
            end.get(nanos, TimeUnit.NANOSECONDS);
            return true;
        } catch (TimeoutException e) {
            return false;
        } catch (ExecutionException impossible) {
            throw new IllegalStateException(impossible);
        }
    }
}
