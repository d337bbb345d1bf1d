/**
 * What connects a hub to the outside, built on the hub's public API only (the rule a test enforces): sinks in the
 * manner of Docker's log drivers ({@link dev.eventhub.io.Sinks}, {@link dev.eventhub.io.SinkFactory}, the
 * {@code json-file} kind) and their reader ({@link dev.eventhub.io.JsonFileReader},
 * {@link dev.eventhub.io.JsonRecord}); Docker's log copier ({@link dev.eventhub.io.LineCopier},
 * {@link dev.eventhub.io.LogLine}); and a reconnecting ingest from a remote stream ({@link dev.eventhub.io.Ingest},
 * {@link dev.eventhub.io.EventSource}, {@link dev.eventhub.io.JsonLinesTcpSource}). The JSON codec and the sink's
 * writer are package-private.
 */
package dev.eventhub.io;
