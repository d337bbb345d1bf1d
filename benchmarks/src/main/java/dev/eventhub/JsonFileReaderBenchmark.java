package dev.eventhub;

import dev.eventhub.io.JsonFileReader;
import dev.eventhub.io.Sinks;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Target P11: {@code JsonFileReader} returns records at &ge; 0.5&times; the rate of a plain byte scan that only
 * counts the lines of the same file, in the same run (gzip excluded).
 *
 * <p>The setup writes {@value #RECORDS} records through the {@code json-file} sink (one uncompressed file, no
 * rotation), each a container event of about 150 bytes as the {@code events} command's tests use. Both benchmarks then
 * read that file, which the page cache holds after the first read:
 * <ul>
 *   <li>{@code reader}: {@code JsonFileReader.read}, every record parsed (sequence, time, event) and handed to a
 *       consumer that sums the sequences;</li>
 *   <li>{@code lineScan}: the reference, a 64 KiB-buffered {@code InputStream} whose bytes are compared with
 *       {@code '\n'} and counted, nothing decoded.</li>
 * </ul>
 * Each invocation checks its count (and the reader its sum of sequences), so a reader that skipped or invented
 * records fails the run. The score is records (lines) per second ({@code @OperationsPerInvocation}); P11 is the
 * ratio {@code reader / lineScan}, which {@code report.py} computes from one run.
 *
 * <p>Run: {@code java -jar benchmarks/target/benchmarks.jar JsonFileReaderBenchmark -f 3 -wi 3 -i 5 -r 1s}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
public class JsonFileReaderBenchmark {
    static final int RECORDS = 50_000; // about 8 MiB: many invocations per 1 s iteration, so the JIT is done early
    private static final String[] NAMES = {"web", "db", "cache"};
    private static final String[] ACTIONS = {"create", "start", "die", "stop", "destroy"};
    private static final long EXPECTED_SUM = (long) RECORDS * (RECORDS + 1) / 2;

    private Path dir;
    private Path file;
    private final byte[] buffer = new byte[1 << 16];

    static String encode(Integer i) {
        return "{\"type\":\"container\",\"action\":\"" + ACTIONS[i % 5] + "\",\"id\":\"c" + (i % 3)
                + "4f1e2d3c\",\"name\":\"" + NAMES[i % 3] + "\",\"image\":\"registry/img" + (i % 3) + ":1.0\"}";
    }

    @Setup(Level.Trial)
    public void write() throws IOException {
        dir = Files.createTempDirectory("eventhub-p11");
        file = dir.resolve("events.log");
        try (Sink<Integer> sink = Sinks.open("json-file", Map.of("path", file.toString()),
                JsonFileReaderBenchmark::encode)) {
            long t0 = 1_795_000_000_000_000_000L;
            for (int i = 1; i <= RECORDS; i++) {
                sink.accept(i, i, t0 + i * 1_234_567L);
            }
        }
    }

    @TearDown(Level.Trial)
    public void delete() throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    @Benchmark
    @OperationsPerInvocation(RECORDS)
    public long reader() throws IOException {
        long[] sum = new long[2];
        JsonFileReader.Result result = JsonFileReader.of(file).read(record -> {
            sum[0] += record.sequence();
            sum[1]++;
        });
        if (sum[1] != RECORDS || sum[0] != EXPECTED_SUM || result.records() != RECORDS
                || !result.problems().isEmpty()) {
            throw new IllegalStateException("read " + sum[1] + " records (sum " + sum[0] + "), expected " + RECORDS
                    + "; problems: " + result.problems());
        }
        return sum[0];
    }

    @Benchmark
    @OperationsPerInvocation(RECORDS)
    public long lineScan() throws IOException {
        long lines = 0;
        try (InputStream in = Files.newInputStream(file)) {
            int n;
            while ((n = in.read(buffer)) > 0) {
                for (int i = 0; i < n; i++) {
                    if (buffer[i] == '\n') {
                        lines++;
                    }
                }
            }
        }
        if (lines != RECORDS) {
            throw new IllegalStateException("counted " + lines + " lines, expected " + RECORDS);
        }
        return lines;
    }
}
