package dev.eventhub;

import dev.eventhub.io.Sinks;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
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
 *   <li>{@code impl = buffered}: the same thread formats the same record (seq, the time read from a clock like
 *       the hub's and formatted as the sink does: a second's text kept, nine fraction digits per record, the same
 *       encoder) and writes it to a {@code BufferedOutputStream} of 64 KiB over a file, then closes it; the
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
    static final Function<Integer, String> ENCODER = n -> "{\"n\":" + n + ",\"name\":\"c" + (n % 3) + "\"}";

    @Param({"sink", "buffered"})
    public String impl;

    private Path dir;
    private Path file;
    private Integer[] events;
    private long expectedBytes;
    private final EpochClock clock = new EpochClock();

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        dir = Files.createTempDirectory("jsonfile-bench");
        file = dir.resolve("events.log");
        events = new Integer[RECORDS];
        expectedBytes = 0;
        for (int i = 0; i < RECORDS; i++) {
            events[i] = BASE + i;
            // sequences 1, 2, 3...; every time text has the same length
            expectedBytes += line(i + 1, BASE + i, 0, new TimeText(), new StringBuilder()).length();
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

    static StringBuilder line(long sequence, Integer event, long epochNanos, TimeText time, StringBuilder out) {
        out.append("{\"seq\":").append(sequence).append(",\"time\":\"");
        return time.append(epochNanos, out).append("\",\"event\":").append(ENCODER.apply(event)).append("}\n");
    }

    /**
     * RFC 3339 UTC with nine fraction digits, as the sink formats its stamps: the date and time of a second formatted
     * once and kept, the nine digits of the fraction appended for every record.
     */
    static final class TimeText {
        private static final DateTimeFormatter SECOND =
                DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.").withZone(ZoneOffset.UTC);
        private long second = Long.MIN_VALUE;
        private String secondText;

        StringBuilder append(long epochNanos, StringBuilder out) {
            long seconds = Math.floorDiv(epochNanos, 1_000_000_000L);
            int nanos = (int) Math.floorMod(epochNanos, 1_000_000_000L);
            if (seconds != second) {
                secondText = SECOND.format(Instant.ofEpochSecond(seconds));
                second = seconds;
            }
            out.append(secondText);
            for (int scale = 100_000_000; scale > 0; scale /= 10) {
                out.append((char) ('0' + nanos / scale % 10));
            }
            return out.append('Z');
        }
    }

    /** Epoch nanoseconds as the hub's default clock reads them: nanoTime plus an offset from the wall clock. */
    static final class EpochClock {
        private final long offset;

        EpochClock() {
            Instant wall = Instant.now();
            offset = wall.getEpochSecond() * 1_000_000_000L + wall.getNano() - System.nanoTime();
        }

        long now() {
            return offset + System.nanoTime();
        }
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
        TimeText time = new TimeText();
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file), 1 << 16)) {
            long sequence = 1;
            for (Integer event : events) {
                line.setLength(0);
                out.write(line(sequence++, event, clock.now(), time, line).toString()
                        .getBytes(StandardCharsets.UTF_8));
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
