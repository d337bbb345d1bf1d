package dev.eventhub;

/**
 * An extension point of the engine for handlers built into the library: a handler that implements it is told, on
 * the owner, once its subscription's registration is over (replay done and the subscription live, or ended during
 * registration), before the subscribing thread is released. A state view decides there whether the history it
 * replayed was complete. Like {@link AsyncDelivery.BatchEnd}, it costs nothing to handlers that do not implement it:
 * the dispatcher looks once per registration, never per event.
 */
interface RegistrationHook {

    /**
     * Registration is over. Owner only; called once.
     *
     * @param subscription the subscription, live or already ended
     */
    void registered(Subscription subscription);
}
