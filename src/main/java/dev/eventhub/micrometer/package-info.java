/**
 * Micrometer metrics for a hub: {@link dev.eventhub.micrometer.EventHubMetrics}, a {@code MeterBinder} with the
 * hub's counters and every subscription's lag, buffer and drops, tagged {@code hub} and {@code subscription}.
 *
 * <p>It needs {@code io.micrometer:micrometer-core} (1.x) on the class path or module path: an optional dependency
 * of eventhub ({@code requires static micrometer.core}), so a user who does not export metrics through Micrometer
 * needs nothing more. Nothing outside this package touches a Micrometer class. Built on the hub's public API only.
 */
package dev.eventhub.micrometer;
