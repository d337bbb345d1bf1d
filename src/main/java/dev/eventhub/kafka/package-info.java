/**
 * The Kafka bridge: the {@code kafka} sink kind (registered in {@link dev.eventhub.io.Sinks}; see
 * {@link dev.eventhub.kafka.KafkaSinkFactory}) sends a hub's events to a topic, and {@link dev.eventhub.kafka.KafkaSource}
 * reads a topic into a hub through {@link dev.eventhub.io.Ingest}, resuming every partition after the last record
 * it published.
 *
 * <p>It needs {@code org.apache.kafka:kafka-clients} (4.x) on the class path or module path: an optional
 * dependency of eventhub ({@code requires static kafka.clients}), so a user who does not use the bridge needs
 * nothing more. Without it the {@code kafka} sink kind is still listed and validates its options, but opening one
 * fails with a message saying what is missing.
 */
package dev.eventhub.kafka;
