/**
 * The hub: its public API ({@link dev.eventhub.EventHub}, {@link dev.eventhub.SubscriptionBuilder},
 * {@link dev.eventhub.Subscription}, {@link dev.eventhub.StateView} and the types they use) and its engine, which is
 * package-private. What connects a hub to the outside lives in {@code dev.eventhub.io}, built on this package's
 * public API only; this package imports no other package of the library but the unexported
 * {@code dev.eventhub.internal} (a test reads the class files to keep it so).
 *
 * <h2>Conventions of the engine</h2>
 *
 * <p><b>Names.</b> Public types about the hub as a whole carry the {@code Hub} prefix ({@code HubStats},
 * {@code HubClosedException}); engine types are named for what they do ({@code ClosableMpscQueue},
 * {@code Dispatcher}, {@code DispatcherSubscription}, {@code AsyncDelivery}, {@code WatchDelivery},
 * {@code CallGate}, {@code Shutdown}). A type's name says who may call it where that is its point, as JCTools
 * does: {@code ClosableMpscQueue} is many producers, one consumer.
 *
 * <p><b>Who may call what.</b> Every engine method says in its comment which thread may call it: <em>owner only</em>
 * (the thread running {@code Dispatcher.doWork()}, which owns every field not marked shared), <em>consumer</em> (an
 * async subscription's or a watcher's consumer), or <em>any thread</em>. Other threads reach the owner only through
 * its command queue ({@code OwnerCommand}, a sealed type), the ingress, and the volatile fields that
 * {@code docs/concurrency.md} lists one by one with their writers, readers and memory mode.
 *
 * <p><b>Memory modes.</b> A shared field is either {@code volatile} or accessed through a {@code VarHandle} looked
 * up once per class ({@code VarHandles.field}) with the mode named at the call: {@code setRelease} for a single
 * writer publishing a value, {@code getVolatile}/{@code setVolatile} where a store must not pass a later load (the
 * two sides of a Dekker pair), {@code compareAndSet} where several threads race. Owner-confined fields are plain.
 * {@code ClosableMpscQueue}, the one padded lock-free structure, wraps each access in an accessor named with
 * JCTools' prefixes: {@code lv}/{@code lp} volatile/plain load, {@code sv}/{@code so}/{@code sp}
 * volatile/ordered (release)/plain store, {@code cas} compare-and-set. A benign race carries a one-line comment
 * saying why it is benign.
 *
 * <p><b>Padding.</b> Only where two threads write neighbouring hot fields: {@code ClosableMpscQueue} keeps the
 * producers' claim word and the consumer's index on separate cache lines (15 longs of padding either side, the
 * JCTools layout). Nothing else is padded; padding nobody measured is not added.
 *
 * <p><b>Handshakes.</b> Each Dekker pair and handshake is written once and has a litmus test named after it
 * ({@code HandshakeLitmusTest}): the ingress park/wake, the async tail/consumer-parked wake-up, and the cancel
 * handshake ({@code CallGate}).
 *
 * <p><b>Hot path.</b> Publish, dispatch and deliver allocate nothing, take no lock and call no user code unguarded:
 * every handler, filter, topic and clock call is wrapped so that its failure ends only its own subscription.
 */
package dev.eventhub;
