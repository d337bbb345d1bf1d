/**
 * eventhub: an embeddable, in-process event hub.
 *
 * <ul>
 *   <li>{@code dev.eventhub}: the hub, its API and its engine (the engine is package-private);</li>
 *   <li>{@code dev.eventhub.io}: what connects a hub to the outside, built on the hub's public API only: sinks and
 *       the json-file driver, its reader, the log copier, the reconnecting ingest and its sources;</li>
 *   <li>{@code dev.eventhub.kafka}: the Kafka bridge, the {@code kafka} sink and {@code KafkaSource}. It needs
 *       kafka-clients, an optional dependency ({@code requires static}): nothing else in the jar touches it;</li>
 *   <li>{@code dev.eventhub.micrometer}: {@code EventHubMetrics}, a Micrometer {@code MeterBinder} for one hub. It
 *       needs micrometer-core, an optional dependency ({@code requires static}) in the same way.</li>
 * </ul>
 * {@code dev.eventhub.internal} (argument checks shared by both) is not exported, and the command line in
 * {@code dev.eventhub.cli} is reached through the jar's main class. The hub package never imports the others.
 */
module dev.eventhub {
    requires jdk.jfr;
    requires static kafka.clients;
    requires static micrometer.core;

    exports dev.eventhub;
    exports dev.eventhub.io;
    exports dev.eventhub.kafka;
    exports dev.eventhub.micrometer;
}
