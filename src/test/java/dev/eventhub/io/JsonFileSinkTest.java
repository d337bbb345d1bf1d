package dev.eventhub.io;

import dev.eventhub.Sink;
import dev.eventhub.EndReason;
import dev.eventhub.EventHub;
import dev.eventhub.SinkSubscription;
import dev.eventhub.Overflow;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JsonFileSinkTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final Function<Integer, String> ENCODER = n -> "{\"n\":" + n + ",\"name\":\"c" + (n % 3) + "\"}";

    @TempDir
    Path dir;

    private Map<String, String> options(String... pairs) {
        Map<String, String> options = new HashMap<>();
        options.put("path", dir.resolve("events.log").toString());
        for (int i = 0; i < pairs.length; i += 2) {
            options.put(pairs[i], pairs[i + 1]);
        }
        return options;
    }

    private List<JsonRecord> readAll(JsonFileReader reader) throws IOException {
        List<JsonRecord> records = new ArrayList<>();
        reader.read(records::add);
        return records;
    }

    @Test
    void everyOptionRejectsBadValuesWithAMessageNamingItAndTheValue() {
        record Bad(Map<String, String> options, String message) {
        }
        List<Bad> table = List.of(
                new Bad(Map.of("path", "x", "colour", "red"), "unknown option 'colour' for sink 'json-file'"),
                new Bad(Map.of(), "missing option 'path' for sink 'json-file'"),
                new Bad(Map.of("path", " "), "path: ' ' for sink 'json-file' (expected: a file path)"),
                new Bad(Map.of("path", "x", "max-size", "10x"), "max-size: '10x' for sink 'json-file' (expected: "
                        + "a positive size such as 512k, 10m or 1g)"),
                new Bad(Map.of("path", "x", "max-size", "0"), "max-size: '0'"),
                new Bad(Map.of("path", "x", "max-size", "-1k"), "max-size: '-1k'"),
                new Bad(Map.of("path", "x", "max-size", ""), "max-size: ''"),
                new Bad(Map.of("path", "x", "max-size", "99999999999999g"), "max-size: '99999999999999g'"),
                new Bad(Map.of("path", "x", "max-file", "0"), "max-file: '0' for sink 'json-file' (expected: a whole "
                        + "number from 1 to 1000)"),
                new Bad(Map.of("path", "x", "max-file", "two"), "max-file: 'two'"),
                new Bad(Map.of("path", "x", "max-file", "1001"), "max-file: '1001'"),
                new Bad(Map.of("path", "x", "compress", "yes"), "compress: 'yes' for sink 'json-file' (expected: "
                        + "true or false)"),
                new Bad(Map.of("path", "x", "compress", "true", "max-size", "1m"), "compress: 'true' for sink "
                        + "'json-file' (expected: false unless max-file is at least 2 and max-size is set"),
                new Bad(Map.of("path", "x", "compress", "true", "max-file", "3"), "compress: 'true'"),
                new Bad(Map.of("path", "x", "fsync", "sometimes"), "fsync: 'sometimes' for sink 'json-file' "
                        + "(expected: never, flush or record)"),
                new Bad(Map.of("path", "x", "fsync", "NEVER"), "fsync: 'NEVER'"),
                new Bad(Map.of("path", "x", "format", "json"), "format: 'json' for sink 'json-file' (expected: "
                        + "hub or docker)"),
                new Bad(Map.of("path", "x", "format", "Docker"), "format: 'Docker'"),
                new Bad(Map.of("path", "x", "format", ""), "format: ''"));
        for (Bad bad : table) {
            assertThatThrownBy(() -> Sinks.open("json-file", bad.options(), ENCODER))
                    .as("%s", bad.options()).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining(bad.message());
        }
        assertThat(dir.resolve("x")).doesNotExist();
    }

    @Test
    void theRegistryRejectsUnknownNamesDuplicatesAndNulls() {
        assertThatThrownBy(() -> Sinks.open("syslog", Map.of(), ENCODER)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("name: \"syslog\" (expected: a registered sink, one of [")
                .hasMessageContaining("json-file");
        assertThatThrownBy(() -> Sinks.register("json-file", new JsonFileSink.Factory()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("a sink named 'json-file' is already registered");
        assertThatThrownBy(() -> Sinks.register(" ", new JsonFileSink.Factory()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("name: \" \"");
        assertThatThrownBy(() -> Sinks.register("x", null)).isInstanceOf(NullPointerException.class)
                .hasMessageContaining("factory: null");
        assertThatThrownBy(() -> Sinks.open(null, Map.of(), ENCODER)).isInstanceOf(NullPointerException.class)
                .hasMessageContaining("name: null");
        assertThatThrownBy(() -> Sinks.open("json-file", null, ENCODER)).isInstanceOf(NullPointerException.class)
                .hasMessageContaining("options: null");
        assertThatThrownBy(() -> Sinks.open("json-file", options(), null)).isInstanceOf(NullPointerException.class)
                .hasMessageContaining("encoder: null");
        Map<String, String> nullValue = options();
        nullValue.put("max-size", null);
        assertThatThrownBy(() -> Sinks.open("json-file", nullValue, ENCODER)).isInstanceOf(NullPointerException.class)
                .hasMessageContaining("max-size: null for sink 'json-file'");
        assertThat(Sinks.names()).contains("json-file");
    }

    @Test
    void aUserSinkKindIsRegisteredAndOpenedByName() throws IOException {
        List<String> seen = new CopyOnWriteArrayList<>();
        Sinks.register("memory-test", new SinkFactory() {
            @Override
            public Map<String, String> options() {
                return Map.of("prefix", "put before each record");
            }

            @Override
            public <T> Sink<T> open(Map<String, String> options, Function<? super T, String> encoder) {
                return new Sink<>() {
                    @Override
                    public void accept(T event, long sequence, long timestampNanos) {
                        seen.add(options.getOrDefault("prefix", "") + encoder.apply(event));
                    }

                    @Override
                    public void close() {
                    }
                };
            }
        });
        Sink<Integer> sink = Sinks.open("memory-test", Map.of("prefix", ">"), ENCODER);
        sink.accept(1, 1, 0);
        assertThat(seen).containsExactly(">{\"n\":1,\"name\":\"c1\"}");
        assertThatThrownBy(() -> Sinks.open("memory-test", Map.of("path", "x"), ENCODER))
                .hasMessageContaining("unknown option 'path' for sink 'memory-test' (known: [prefix])");
    }

    @Test
    void anAttachedSinkWritesEveryEventAsOneLineThatTheReaderGivesBack() throws Exception {
        Map<String, String> options = options();
        SinkSubscription attached;
        try (EventHub<Integer> hub = EventHub.<Integer>builder().build()) {
            attached = hub.attach(Sinks.open("json-file", options, ENCODER));
            for (int i = 1; i <= 1000; i++) {
                hub.publish(i);
            }
        }
        assertThat(attached.await(WAIT)).isTrue();
        assertThat(attached.written()).isEqualTo(1000);
        assertThat(attached.notWritten()).isZero();
        Path file = Path.of(options.get("path"));
        assertThat(Files.readAllLines(file)).hasSize(1000).first().asString()
                .matches("\\{\"seq\":1,\"time\":\"\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{9}Z\",\"event\":"
                        + "\\{\"n\":1,\"name\":\"c1\"}}");
        if (Files.getFileStore(file).supportsFileAttributeView("posix")) {
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-r-----");
        }
        List<JsonRecord> records = readAll(JsonFileReader.of(file));
        assertThat(records).hasSize(1000);
        for (int i = 0; i < 1000; i++) {
            assertThat(records.get(i).sequence()).isEqualTo(i + 1);
            assertThat(records.get(i).field("n")).isEqualTo(String.valueOf(i + 1));
            assertThat(records.get(i).field("name")).isEqualTo("c" + ((i + 1) % 3));
        }
    }

    @Test
    void rotationUnderLoadLosesNothingAndNeverSplitsARecord() throws Exception {
        Map<String, String> options = options("max-size", "16k", "max-file", "1000", "compress", "true");
        int producers = 4;
        int each = 5_000;
        SinkSubscription attached;
        try (EventHub<Integer> hub = EventHub.<Integer>builder().build()) {
            attached = hub.attach(Sinks.open("json-file", options, ENCODER));
            List<Thread> threads = new ArrayList<>();
            for (int p = 0; p < producers; p++) {
                int base = p * each;
                Thread thread = new Thread(() -> {
                    for (int i = 1; i <= each; i++) {
                        try {
                            hub.publish(base + i);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                            return;
                        }
                    }
                });
                thread.start();
                threads.add(thread);
            }
            for (Thread thread : threads) {
                thread.join();
            }
        }
        assertThat(attached.await(WAIT)).isTrue();
        JsonFileReader reader = JsonFileReader.of(Path.of(options.get("path")));
        List<Path> files = reader.files();
        assertThat(files.size()).isGreaterThan(20);
        assertThat(files.subList(0, files.size() - 1)).allMatch(f -> f.toString().endsWith(".gz"));
        for (Path file : files.subList(0, files.size() - 1)) {
            assertThat(Files.size(file)).isLessThan(16 << 10); // compressed, and each under max-size before that
        }
        List<JsonRecord> records = new ArrayList<>();
        JsonFileReader.Result result = reader.read(records::add);
        assertThat(result.problems()).isEmpty();
        assertThat(records).hasSize(producers * each);
        for (int i = 0; i < records.size(); i++) {
            assertThat(records.get(i).sequence()).isEqualTo(i + 1);
        }
        assertThat(records.stream().map(r -> Integer.parseInt(r.field("n"))).distinct().count())
                .isEqualTo(producers * each);
    }

    @Test
    void maxFileKeepsThatManyFilesAndDropsTheOldestOnly() throws Exception {
        Map<String, String> options = options("max-size", "1k", "max-file", "3");
        try (Sink<Integer> sink = Sinks.open("json-file", options, ENCODER)) {
            for (int i = 1; i <= 200; i++) {
                sink.accept(i, i, i);
            }
        }
        JsonFileReader reader = JsonFileReader.of(Path.of(options.get("path")));
        assertThat(reader.files()).extracting(p -> p.getFileName().toString())
                .containsExactly("events.log.2", "events.log.1", "events.log");
        List<JsonRecord> records = readAll(reader);
        assertThat(records.get(records.size() - 1).sequence()).isEqualTo(200);
        for (int i = 1; i < records.size(); i++) {
            assertThat(records.get(i).sequence()).isEqualTo(records.get(i - 1).sequence() + 1);
        }
    }

    @Test
    void theReaderSkipsATornTailAndReportsMalformedLinesWithFileAndLine() throws Exception {
        Path file = dir.resolve("events.log");
        try (Sink<Integer> sink = Sinks.open("json-file", options(), ENCODER)) {
            for (int i = 1; i <= 3; i++) {
                sink.accept(i, i, 1_000_000_000L * i);
            }
        }
        List<String> lines = new ArrayList<>(Files.readAllLines(file));
        lines.add(1, "not json at all");
        Files.write(file, lines);
        Files.writeString(file, "{\"seq\":4,\"time\":\"1970-01-01T00:00:04.000000000Z\",\"ev", StandardOpenOption.APPEND);

        List<JsonRecord> records = new ArrayList<>();
        JsonFileReader.Result result = JsonFileReader.of(file).read(records::add);
        assertThat(records).extracting(JsonRecord::sequence).containsExactly(1L, 2L, 3L);
        assertThat(result.tornTail()).isTrue();
        assertThat(result.problems()).hasSize(2);
        assertThat(result.problems().get(0)).startsWith(file + ":2: not a record");
        assertThat(result.problems().get(1)).startsWith(file + ":5: torn last line");

        records.clear();
        JsonFileReader.of(file).since(Instant.ofEpochSecond(2)).until(Instant.ofEpochSecond(2)).read(records::add);
        assertThat(records).extracting(JsonRecord::sequence).containsExactly(2L);

        // Reopening the sink cuts the torn tail, so the next record starts on a line of its own.
        try (Sink<Integer> sink = Sinks.open("json-file", options(), ENCODER)) {
            sink.accept(5, 5, 5_000_000_000L);
        }
        records.clear();
        JsonFileReader.Result after = JsonFileReader.of(file).read(records::add);
        assertThat(after.tornTail()).isFalse();
        assertThat(records).extracting(JsonRecord::sequence).containsExactly(1L, 2L, 3L, 5L);
    }

    @Test
    void aProcessKilledMidWriteLeavesEveryCompleteRecordReadable() throws Exception {
        Path file = dir.resolve("child.log");
        String java = ProcessHandle.current().info().command().orElse("java");
        Process child = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                JsonFileWriterMain.class.getName(), file.toString()).redirectErrorStream(true)
                .redirectOutput(dir.resolve("child.out").toFile()).start();
        try {
            await().atMost(WAIT).until(() -> JsonFileReader.of(file).files().size() >= 3);
        } finally {
            child.destroyForcibly(); // SIGKILL on POSIX: no shutdown hook, no close
            child.waitFor();
        }
        List<JsonRecord> records = new ArrayList<>();
        JsonFileReader.Result result = JsonFileReader.of(file).read(records::add);
        assertThat(records.size()).isGreaterThan(100);
        for (int i = 0; i < records.size(); i++) {
            assertThat(records.get(i).sequence()).isEqualTo(i + 1);
            assertThat(records.get(i).field("n")).isEqualTo(String.valueOf(i + 1));
        }
        // Anything skipped is the torn tail alone, and it is reported.
        assertThat(result.problems()).hasSize(result.tornTail() ? 1 : 0);
    }

    @Test
    void aFailingSinkIsCountedAndReportedWhileTheHubAndOtherSubscribersGoOn() throws Exception {
        AtomicInteger flushes = new AtomicInteger();
        CountDownLatch closed = new CountDownLatch(1);
        Sink<Integer> flaky = new Sink<>() {
            @Override
            public void accept(Integer event, long sequence, long timestampNanos) throws IOException {
                if (event % 10 == 0) {
                    throw new IOException("No space left on device");
                }
            }

            @Override
            public void flush() {
                flushes.incrementAndGet();
            }

            @Override
            public void close() {
                closed.countDown();
            }
        };
        List<Integer> others = new CopyOnWriteArrayList<>();
        SinkSubscription attached;
        try (EventHub<Integer> hub = EventHub.<Integer>builder().build()) {
            attached = hub.attach(flaky);
            hub.subscribe(others::add);
            for (int i = 1; i <= 100; i++) {
                hub.publish(i);
            }
            await().atMost(WAIT).until(() -> attached.written() + attached.notWritten() == 100);
            assertThat(attached.isActive()).isTrue();
        }
        assertThat(closed.await(WAIT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        assertThat(attached.written()).isEqualTo(90);
        assertThat(attached.notWritten()).isEqualTo(10);
        assertThat(attached.lastFailure()).hasMessage("No space left on device");
        assertThat(attached.endReason()).isEqualTo(EndReason.HUB_CLOSED);
        assertThat(others).hasSize(100);
        assertThat(flushes.get()).isPositive();
    }

    @Test
    void anUnopenablePathFailsAtOpenAndAnEncoderThatIsNotJsonIsCountedNotWritten() throws Exception {
        Path blocker = Files.writeString(dir.resolve("a-file"), "not a directory");
        assertThatThrownBy(() -> Sinks.open("json-file", Map.of("path", blocker.resolve("x.log").toString()), ENCODER))
                .isInstanceOf(IOException.class);

        SinkSubscription attached;
        try (EventHub<Integer> hub = EventHub.<Integer>builder().build()) {
            attached = hub.attach(Sinks.open("json-file", options(), (Integer n) -> n == 2 ? "{broken" : "" + n));
            for (int i = 1; i <= 3; i++) {
                hub.publish(i);
            }
        }
        assertThat(attached.await(WAIT)).isTrue();
        assertThat(attached.written()).isEqualTo(2);
        assertThat(attached.notWritten()).isEqualTo(1);
        assertThat(attached.lastFailure()).hasMessageContaining("not one JSON value for event 2");
        assertThat(readAll(JsonFileReader.of(dir.resolve("events.log")))).extracting(JsonRecord::event)
                .containsExactly("1", "3");
    }

    @Test
    void attachTakesTheSelectionOptionsAndStaysLossless() throws Exception {
        List<String> got = new CopyOnWriteArrayList<>();
        Sink<Integer> memory = new Sink<>() {
            @Override
            public void accept(Integer event, long sequence, long timestampNanos) {
                got.add(sequence + ":" + event);
            }

            @Override
            public void close() {
            }
        };
        try (EventHub<Integer> hub = EventHub.<Integer>builder().history(16).build()) {
            hub.publish(1);
            hub.publish(2);
            SinkSubscription attached = hub.events().afterSequence(0).filter(n -> n % 2 == 0).limit(2)
                    .buffer(4, Overflow.BLOCK).attach(memory);
            for (int i = 3; i <= 10; i++) {
                hub.publish(i);
            }
            assertThat(attached.await(WAIT)).isTrue();
            assertThat(attached.endReason()).isEqualTo(EndReason.LIMIT_REACHED);
            assertThat(got).containsExactly("2:2", "4:4");
            assertThatThrownBy(() -> hub.events().buffer(4, Overflow.DROP_OLDEST).attach(memory))
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("overflow: DROP_OLDEST");
            assertThatThrownBy(() -> hub.attach(null)).isInstanceOf(NullPointerException.class)
                    .hasMessageContaining("sink: null");
        }
    }

    @Test
    void recordParsingRejectsWhatTheSinkNeverWrites() {
        for (String bad : new String[] {"[]", "{}", "{\"seq\":1,\"time\":\"x\",\"event\":1}",
                "{\"seq\":1.5,\"time\":\"1970-01-01T00:00:00Z\",\"event\":1}",
                "{\"event\":1,\"seq\":1,\"time\":\"1970-01-01T00:00:00Z\"}", "{\"seq\":1"}) {
            assertThatThrownBy(() -> JsonRecord.parse(bad)).as(bad).isInstanceOf(IllegalArgumentException.class);
        }
        JsonRecord ok = JsonRecord.parse("{\"seq\":7,\"time\":\"2026-11-23T23:20:34.661862100Z\",\"event\":"
                + "{\"a\":\"x\\\"y\",\"b\":2,\"c\":true,\"d\":null,\"e\":[1]}}");
        assertThat(ok.sequence()).isEqualTo(7);
        assertThat(ok.time()).isEqualTo(Instant.parse("2026-11-23T23:20:34.661862100Z"));
        assertThat(ok.field("a")).isEqualTo("x\"y");
        assertThat(ok.field("b")).isEqualTo("2");
        assertThat(ok.field("c")).isEqualTo("true");
        assertThat(ok.field("d")).isNull();
        assertThat(ok.field("e")).isNull();
        assertThat(ok.field("missing")).isNull();
    }

    private static final long NANOS = Instant.parse("2026-11-23T23:20:34.000000100Z").getEpochSecond() * 1_000_000_000L
            + 100;

    @Test
    void formatDockerWritesEachLogLineExactlyAsDockersJsonFileDriverAndKeepsTheEnvelopeForOtherEvents()
            throws Exception {
        Map<String, String> options = options("format", "docker");
        List<Object> events = List.of(
                new LogLine("stdout", "hello", NANOS, null),
                new LogLine("stderr", "a <b> & \"q\" \\ \t\u0001 caf\u00e9 \ud83d\ude00 \u2028", NANOS + 1, null),
                new LogLine("stdout", "part one ", NANOS + 2, new LogLine.Partial("p1", 1, false)),
                new LogLine("stdout", "part two", NANOS + 2, new LogLine.Partial("p1", 2, true)),
                42);
        SinkSubscription attached;
        try (EventHub<Object> hub = EventHub.<Object>builder().build()) {
            attached = hub.attach(Sinks.open("json-file", options, (Object e) -> "{\"n\":" + e + "}"));
            for (Object event : events) {
                hub.publish(event);
            }
        }
        assertThat(attached.await(WAIT)).isTrue();
        assertThat(attached.written()).isEqualTo(5);
        List<String> lines = Files.readAllLines(Path.of(options.get("path")), StandardCharsets.UTF_8);
        assertThat(lines).hasSize(5);
        // Byte for byte what moby's jsonlog encoder writes for these lines.
        assertThat(lines.get(0)).isEqualTo("{\"log\":\"hello\\n\",\"stream\":\"stdout\","
                + "\"time\":\"2026-11-23T23:20:34.000000100Z\"}");
        assertThat(lines.get(1)).isEqualTo("{\"log\":\"a \\u003cb\\u003e \\u0026 \\\"q\\\" \\\\ \\t\\u0001 caf\u00e9 "
                + "\ud83d\ude00 \\u2028\\n\",\"stream\":\"stderr\",\"time\":\"2026-11-23T23:20:34.000000101Z\"}");
        assertThat(lines.get(2)).isEqualTo("{\"log\":\"part one \",\"stream\":\"stdout\","
                + "\"time\":\"2026-11-23T23:20:34.000000102Z\"}");
        assertThat(lines.get(3)).startsWith("{\"log\":\"part two\\n\",");
        // The round trip through the JSON parser gives the fields back.
        for (int i = 0; i < 4; i++) {
            LogLine line = (LogLine) events.get(i);
            @SuppressWarnings("unchecked")
            Map<String, Object> record = (Map<String, Object>) Json.parse(lines.get(i));
            assertThat(record.keySet()).containsExactly("log", "stream", "time");
            boolean whole = line.partial() == null || line.partial().last();
            assertThat(record.get("log")).isEqualTo(line.text() + (whole ? "\n" : ""));
            assertThat(record.get("stream")).isEqualTo(line.source());
            Instant time = Instant.parse((String) record.get("time"));
            assertThat(time.getEpochSecond() * 1_000_000_000L + time.getNano()).isEqualTo(line.timeNanos());
        }
        // Any other event keeps the hub's envelope.
        assertThat(lines.get(4)).matches("\\{\"seq\":5,\"time\":\"[^\"]+\",\"event\":\\{\"n\":42}}");
        assertThat(JsonRecord.parse(lines.get(4)).field("n")).isEqualTo("42");
    }

    @Test
    void everyFileTheSinkCreatesHasMode0640FromCreation() throws Exception {
        Path probe = dir.resolve("probe");
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.getFileStore(dir).supportsFileAttributeView("posix"));
        Files.createFile(probe, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-r-----")));
        String expected = PosixFilePermissions.toString(Files.getPosixFilePermissions(probe)); // the umask may narrow
        Files.delete(probe);
        for (String compress : List.of("true", "false")) {
            Path sub = Files.createDirectory(dir.resolve("compress-" + compress));
            Map<String, String> options = Map.of("path", sub.resolve("events.log").toString(), "max-size", "1k",
                    "max-file", "4", "compress", compress);
            try (Sink<Integer> sink = Sinks.open("json-file", options, ENCODER)) {
                for (int i = 1; i <= 200; i++) {
                    sink.accept(i, i, i);
                    if (i % 7 == 0) {
                        sink.endOfBatch();
                    }
                }
            }
            List<Path> files;
            try (Stream<Path> listing = Files.list(sub)) {
                files = listing.sorted().toList();
            }
            assertThat(files).extracting(p -> p.getFileName().toString()).containsExactlyInAnyOrder("events.log",
                    "events.log.1" + ("true".equals(compress) ? ".gz" : ""),
                    "events.log.2" + ("true".equals(compress) ? ".gz" : ""),
                    "events.log.3" + ("true".equals(compress) ? ".gz" : ""));
            for (Path file : files) {
                assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).as("%s", file)
                        .isEqualTo(expected);
            }
        }
    }

    @Test
    void aSinkThatGathersReportsExactlyWhatABatchWriteLost() throws Exception {
        List<Long> onDisk = new CopyOnWriteArrayList<>();
        Sink<Integer> gathering = new Sink<>() {
            final List<Long> batch = new ArrayList<>();

            @Override
            public void accept(Integer event, long sequence, long timestampNanos) {
                batch.add(sequence);
            }

            @Override
            public void endOfBatch() throws IOException {
                List<Long> taken = new ArrayList<>(batch);
                batch.clear();
                long lost = taken.stream().filter(s -> s % 10 == 0).count();
                taken.stream().filter(s -> s % 10 != 0).forEach(onDisk::add);
                if (lost > 0) {
                    throw new dev.eventhub.SinkWriteException("disk full", null, lost);
                }
            }

            @Override
            public void close() {
            }
        };
        SinkSubscription attached;
        try (EventHub<Integer> hub = EventHub.<Integer>builder().build()) {
            attached = hub.attach(gathering);
            for (int i = 1; i <= 5000; i++) {
                hub.publish(i);
            }
        }
        assertThat(attached.await(WAIT)).isTrue();
        assertThat(attached.notWritten()).isEqualTo(500);
        assertThat(attached.written()).isEqualTo(4500).isEqualTo(onDisk.size());
        assertThat(attached.lastFailure()).hasMessage("disk full");
    }

    @Test
    void fsyncRecordAndBatchesKeepEveryRecordWholeAcrossRotation() throws Exception {
        Map<String, String> options = options("max-size", "2k", "max-file", "1000", "fsync", "record");
        try (Sink<Integer> sink = Sinks.open("json-file", options, ENCODER)) {
            for (int i = 1; i <= 500; i++) {
                sink.accept(i, i, i);
                if (i % 50 == 0) {
                    sink.endOfBatch();
                }
            }
        }
        JsonFileReader reader = JsonFileReader.of(Path.of(options.get("path")));
        for (Path file : reader.files()) {
            assertThat(Files.size(file)).isLessThanOrEqualTo(2 << 10);
        }
        List<JsonRecord> records = readAll(reader);
        assertThat(records).extracting(JsonRecord::sequence).hasSize(500).isSorted().doesNotHaveDuplicates();
    }

    @Test
    void theSinksJsonCheckAcceptsExactlyWhatTheParserAccepts() {
        List<String> texts = List.of("1", "-0", "0.5e+3", "1E9", "-12.25", "01", "1.", ".5", "-", "1e", "+1", "true",
                "false", "null", "nul", "truex", "\"\"", "\"a\\\"b\"", "\"\\u00e9\\n\"", "\"\\u00g9\"", "\"\\x\"",
                "\"raw\ttab\"", "\"open", "{}", "[]", " { \"a\" : [1, {\"b\": null}] } ", "{\"a\":1,}", "[1,]",
                "{\"a\" 1}", "{1:2}", "[1 2]", "{\"a\":1}{", "[", "{", "", "   ", "\r\n{\"a\":\r\n1}\n", "\"é€😀\"",
                "[".repeat(257) + "]".repeat(257), "[".repeat(258) + "]".repeat(258));
        for (String text : texts) {
            boolean parses;
            try {
                Json.parse(text);
                parses = true;
            } catch (IllegalArgumentException e) {
                parses = false;
            }
            assertThat(Json.isValue(text)).as(text).isEqualTo(parses);
        }
    }

    @Test
    void anEncodersTextIsWrittenAsUtf8WithRawLineBreaksAsSpaces() throws Exception {
        String text = "{\"name\":\"é€😀\",\r\n\"n\":\n1}";
        try (Sink<Integer> sink = Sinks.open("json-file", options(), (Integer n) -> text)) {
            sink.accept(1, 7, NANOS);
            sink.endOfBatch();
        }
        String written = Files.readString(dir.resolve("events.log"), StandardCharsets.UTF_8);
        assertThat(written).isEqualTo("{\"seq\":7,\"time\":\"2026-11-23T23:20:34.000000100Z\",\"event\":"
                + "{\"name\":\"é€😀\",  \"n\": 1}}\n");
    }
}
