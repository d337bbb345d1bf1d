package dev.eventhub;

/** Why a {@link Subscription} ended. Once decided, it never changes. */
public enum EndReason {
    /** {@link Subscription#cancel()} was called. */
    CANCELLED,
    /** The subscription's {@code until} time passed; every event stamped at or before it that matched was delivered. */
    UNTIL_REACHED,
    /** The subscription delivered its {@code limit} of events. */
    LIMIT_REACHED,
    /** The hub closed; every event it accepted was offered to the subscription first (within the drain timeout). */
    HUB_CLOSED,
    /** The handler or the filter threw; {@link Subscription#failure()} holds the exception. */
    HANDLER_FAILED,
    /** An isolated subscriber fell further behind than its buffer allows and its overflow policy disconnects. */
    OVERFLOW,
    /** The subscription required complete history, and the hub's history no longer reached back far enough. */
    HISTORY_TRUNCATED
}
