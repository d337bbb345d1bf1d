package dev.eventhub;

/** Thrown by an operation that needs an open hub, such as {@code publish} or {@code subscribe}, after close. */
public final class HubClosedException extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    /** The name of the closed hub. */
    private final String hubName;

    /**
     * An operation refused because the hub is closed; public so that what is built on a hub (its sinks, copiers,
     * ingests) refuses in the same words.
     *
     * @param hubName   the name of the closed hub
     * @param operation what was refused, such as {@code publish}
     */
    public HubClosedException(String hubName, String operation) {
        super("hub '" + hubName + "' is closed: " + operation + " refused");
        this.hubName = hubName;
    }

    /** {@return the name of the closed hub} */
    public String hubName() {
        return hubName;
    }
}
