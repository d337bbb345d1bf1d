package dev.eventhub;

/** Thrown by an operation that needs an open hub, such as {@code publish} or {@code subscribe}, after close. */
public final class HubClosedException extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    /** The name of the closed hub. */
    private final String hubName;

    HubClosedException(String hubName, String operation) {
        super("hub '" + hubName + "' is closed: " + operation + " refused");
        this.hubName = hubName;
    }

    /** {@return the name of the closed hub} */
    public String hubName() {
        return hubName;
    }
}
