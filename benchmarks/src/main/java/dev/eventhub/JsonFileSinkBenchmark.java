package dev.eventhub;

import dev.eventhub.io.Sinks;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Stream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Target P10: a hub with a {@code json-file} sink writes records at &ge; 0.5&times; the rate of a plain writer of the
 * same bytes through a 64 KiB {@link BufferedOutputStream}, in the same run.
 *
 * <p>Each invocation writes {@value #RECORDS} records of about 90 bytes
 * ({@code {"seq":12345,"time":"2026-…Z","event":{"n":112344,"name":"c0"}}}) to a fresh file:
 * <ul>
 *   <li>{@code impl = sink}: a hub is built, a {@code json-file} sink attached (an async {@code BLOCK}
 *       subscription: it encodes each record into its buffer and writes a batch with one write), the records are
 *       published from the benchmark thread, the hub is closed (which waits until the sink has written everything)
 *       and the invocation checks {@code written() == RECORDS}, nothing not written, and the file's size;</li>
 *   <li>{@code impl = buffered}: the same thread formats the same record (seq, a fixed time text of the same length,
 *       the same encoder) and writes it to a {@code BufferedOutputStream} of 64 KiB over a file, then closes it; the
 *       invocation checks the file's size.</li>
 * </ul>
 * Both files are the same size. The score is records/s ({@code @OperationsPerInvocation(RECORDS)}); report.py
 * divides the sink's score by the buffered writer's, from the same run. The sink's figure includes building and
 * closing a hub per invocation (a fraction of a millisecond against {@value #RECORDS} records).
 *
 * <p>Run: {@code java -jar benchmarks/target/benchmarks.jar JsonFileSinkBenchmark -f 3 -wi 3 -i 5 -w 1s -r 1s}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
public class JsonFileSinkBenchmark {
    static final int RECORDS = 200_000;
    /** The first event's number (the events are numbered from here; the hub's sequences from 1). */
    static final int BASE = 100_000;
    static final String TIME = "2026-11-23T23:20:34.661862100Z";
    static final Function<Integer, String> ENCODER = n -> "{\"n\":" + n + ",\"name\":\"c" + (n % 3) + "\"}";

    @Param({"sink", "buffered"})
    public String impl;

    private Path dir;
    private Path file;
    private Integer[] events;
    private long expectedBytes;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        dir = Files.createTempDirectory("jsonfile-bench");
        file = dir.resolve("events.log");
        events = new Integer[RECORDS];
        expectedBytes = 0;
        for (int i = 0; i < RECORDS; i++) {
            events[i] = BASE + i;
            expectedBytes += line(i + 1, BASE + i, new StringBuilder()).length(); // sequences 1, 2, 3...
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path path : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        }
    }

    static StringBuilder line(long sequence, Integer event, StringBuilder out) {
        return out.append("{\"seq\":").append(sequence).append(",\"time\":\"").append(TIME).append("\",\"event\":")
                .append(ENCODER.apply(event)).append("}\n");
    }

    @Benchmark
    @OperationsPerInvocation(RECORDS)
    public long write() throws Exception {
        Files.deleteIfExists(file);
        return impl.equals("sink") ? sink() : buffered();
    }

    private long sink() throws Exception {
        SinkSubscription attached;
        try (EventHub<Integer> hub = EventHub.<Integer>builder().name("p10").capacity(1 << 14).build()) {
            attached = hub.attach(Sinks.open("json-file", Map.of("path", file.toString()), ENCODER));
            for (Integer event : events) {
                hub.publish(event);
            }
        }
        if (!attached.await(Duration.ofMinutes(1)) || attached.written() != RECORDS || attached.notWritten() != 0) {
            throw new IllegalStateException("json-file wrote " + attached.written() + " of " + RECORDS + " ("
                    + attached.notWritten() + " not written)");
        }
        return check();
    }

    private long buffered() throws IOException {
        StringBuilder line = new StringBuilder(128);
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file), 1 << 16)) {
            long sequence = 1;
            for (Integer event : events) {
                line.setLength(0);
                out.write(line(sequence++, event, line).toString().getBytes(StandardCharsets.UTF_8));
            }
        }
        return check();
    }

    private long check() throws IOException {
        long size = Files.size(file);
        if (size != expectedBytes) {
            throw new IllegalStateException(impl + " wrote " + size + " bytes, expected " + expectedBytes);
        }
        return size;
    }
}
