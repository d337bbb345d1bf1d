package dev.eventhub.cli;

import dev.eventhub.io.JsonFileReader;
import dev.eventhub.io.JsonRecord;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPInputStream;

/**
 * The {@code events} command: prints what a {@code json-file} sink wrote, like {@code docker events} /
 * {@code isula events}, from the rotated set oldest first, then (with {@code --follow}) as the file grows and
 * rotates.
 */
final class Events {
    static final String USAGE = """
            usage: java -jar eventhub.jar events (--path <file> | --kafka <servers> --topic <topic>) [options]

            Prints the events a json-file sink wrote to <file> (and its rotated files <file>.1, <file>.2.gz, ...),
            oldest first, like `docker events`.

              --path <file>          the sink's path option (required)
              --since <time>         only events at or after <time>
              --until <time>         only events at or before <time>; with --follow, stop there
                                     <time> is RFC 3339 (2026-11-23T10:00:00Z, 2026-11-23T11:00:00+01:00),
                                     Unix seconds (1763892000, 1763892000.25), or a duration ago (10m, 2h, 1h30m)
              --filter <key=value>   repeatable; the same key is ORed, different keys are ANDed; keys:
                                     type, action (or event), name, id, container (id or name), image
              --format json          print each record as the json-file line it was read from
              --follow               keep printing as the file grows, across rotation, until --until or Ctrl-C
              --kafka <servers> --topic <topic>
                                     instead of --path: read the topic a kafka sink wrote to, all partitions (in
                                     order within each); without --follow, up to the end offsets at start; needs
                                     kafka-clients on the class path (exit 1 without it)

            exit codes: 0 done, 1 I/O error, 2 bad usage
            """;
    static final Set<String> FILTER_KEYS = Set.of("type", "action", "event", "name", "id", "container", "image");
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.nnnnnnnnnxxx");
    private static final long POLL_MILLIS = 100;

    private final PrintStream out;
    private final PrintStream err;
    private final Path path;
    private final long sinceNanos;
    private final long untilNanos;
    private final Map<String, List<String>> filters;
    private final boolean json;
    private final boolean follow;
    private final Clock clock;
    private final ZoneId zone;
    private long lastPrinted;
    private KafkaEvents kafka; // --kafka: the topic reader, else null

    private Events(PrintStream out, PrintStream err, Path path, long sinceNanos, long untilNanos,
                   Map<String, List<String>> filters, boolean json, boolean follow, Clock clock) {
        this.out = out;
        this.err = err;
        this.path = path;
        this.sinceNanos = sinceNanos;
        this.untilNanos = untilNanos;
        this.filters = filters;
        this.json = json;
        this.follow = follow;
        this.clock = clock;
        this.zone = clock.getZone();
    }

    /** Parses the arguments after {@code events}; throws {@link UsageException} with a one-line reason. */
    static Events parse(List<String> args, PrintStream out, PrintStream err, Clock clock) {
        Path path = null;
        long since = Long.MIN_VALUE;
        long until = Long.MAX_VALUE;
        Map<String, List<String>> filters = new TreeMap<>();
        boolean json = false;
        boolean follow = false;
        Map<String, String> kafka = new TreeMap<>();
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            switch (arg) {
                case "--path" -> path = Path.of(value(args, ++i, arg));
                case "--since" -> since = time("--since", value(args, ++i, arg), clock);
                case "--until" -> until = time("--until", value(args, ++i, arg), clock);
                case "--filter" -> {
                    String filter = value(args, ++i, arg);
                    int eq = filter.indexOf('=');
                    if (eq <= 0 || eq == filter.length() - 1) {
                        throw new UsageException("--filter: '" + filter + "' (expected: key=value)");
                    }
                    String key = filter.substring(0, eq);
                    if (!FILTER_KEYS.contains(key)) {
                        throw new UsageException("--filter: unknown key '" + key + "' (expected one of "
                                + FILTER_KEYS.stream().sorted().toList() + ")");
                    }
                    filters.computeIfAbsent(key.equals("event") ? "action" : key, k -> new ArrayList<>())
                            .add(filter.substring(eq + 1));
                }
                case "--format" -> {
                    String format = value(args, ++i, arg);
                    if (!format.equals("json")) {
                        throw new UsageException("--format: '" + format + "' (expected: json)");
                    }
                    json = true;
                }
                case "--follow", "-f" -> follow = true;
                case "--kafka", "--topic" -> kafka.put(arg, value(args, ++i, arg));
                default -> throw new UsageException("unexpected argument '" + arg + "'");
            }
        }
        if (path == null && kafka.isEmpty()) {
            throw new UsageException("missing --path <file> (the json-file sink's path)");
        }
        if (since != Long.MIN_VALUE && until != Long.MAX_VALUE && since > until) {
            throw new UsageException("--since is after --until");
        }
        Events events = new Events(out, err, path, since, until, filters, json, follow, clock);
        events.kafka = kafka.isEmpty() ? null : KafkaEvents.of(path, kafka, events, err);
        return events;
    }

    private static String value(List<String> args, int index, String option) {
        if (index >= args.size()) {
            throw new UsageException(option + ": missing value");
        }
        return args.get(index);
    }

    /** RFC 3339, Unix seconds with an optional fraction, or a duration before now; in epoch nanoseconds. */
    static long time(String option, String text, Clock clock) {
        if (text.matches("\\d{1,12}(\\.\\d{1,9})?")) {
            return new BigDecimal(text).movePointRight(9).longValueExact();
        }
        if (!text.isEmpty() && Character.isDigit(text.charAt(0)) && !text.contains("-") && !text.contains(":")) {
            Duration ago = Durations.parse(option, text);
            return nanos(clock.instant().minus(ago));
        }
        try {
            return nanos(OffsetDateTime.parse(text).toInstant());
        } catch (DateTimeParseException e) {
            throw new UsageException(option + ": '" + text + "' (expected: an RFC 3339 time such as "
                    + "2026-11-23T10:00:00Z, Unix seconds such as 1763892000.5, or a duration ago such as 10m)");
        }
    }

    private static long nanos(Instant instant) {
        return Math.addExact(Math.multiplyExact(instant.getEpochSecond(), 1_000_000_000L), instant.getNano());
    }

    int run() throws InterruptedException {
        if (kafka != null) {
            return kafka.run(sinceNanos, untilNanos, follow, clock);
        }
        try {
            List<Path> files = JsonFileReader.of(path).files();
            if (files.isEmpty() && !follow) {
                err.println("eventhub events: no such file: " + path);
                return 1;
            }
            // Everything rotated away first (Tail.poll's first catch-up), then the current file, which --follow
            // keeps tailing.
            Tail tail = new Tail();
            try {
                while (true) {
                    if (tail.poll() && follow) {
                        continue;
                    }
                    if (!follow || clock.instant().isAfter(instant(untilNanos))) {
                        break;
                    }
                    TimeUnit.MILLISECONDS.sleep(POLL_MILLIS);
                }
                tail.reportTornTail();
            } finally {
                tail.close();
            }
            out.flush();
            return 0;
        } catch (IOException e) {
            err.println("eventhub events: " + e);
            return 1;
        }
    }

    private static Instant instant(long nanos) {
        return Instant.ofEpochSecond(Math.floorDiv(nanos, 1_000_000_000L), Math.floorMod(nanos, 1_000_000_000L));
    }

    /** Prints a rotated file, gzipped or not, skipping (and reporting) lines that are not records. */
    private static byte[] readAll(Path file) throws IOException {
        try (InputStream raw = Files.newInputStream(file);
             InputStream in = file.getFileName().toString().endsWith(".gz") ? new GZIPInputStream(raw) : raw) {
            return in.readAllBytes();
        }
    }

    /**
     * Prints the complete lines in {@code bytes[from, to)}, numbering from {@code firstLine}.
     *
     * @return the offset after the last complete line
     */
    private int lines(Path file, byte[] bytes, int from, int to, long firstLine) {
        int start = from;
        long number = firstLine;
        for (int i = from; i < to; i++) {
            if (bytes[i] == '\n') {
                line(file, number++, new String(bytes, start, i - start, StandardCharsets.UTF_8));
                start = i + 1;
            }
        }
        return start;
    }

    private void line(Path file, long number, String line) {
        JsonRecord record;
        try {
            record = JsonRecord.parse(line);
        } catch (IllegalArgumentException bad) {
            err.println("eventhub events: " + file + ":" + number + ": not a record (" + bad.getMessage()
                    + "), skipped");
            return;
        }
        if (record.sequence() <= lastPrinted) {
            return; // seen before a rotation
        }
        lastPrinted = record.sequence();
        if (record.timeNanos() < sinceNanos || record.timeNanos() > untilNanos || !matches(record)) {
            return;
        }
        out.println(json ? line : format(record));
    }

    /** Prints a record read from a Kafka topic, under the same --since/--until/--filter/--format rules. */
    void print(JsonRecord record, String line) {
        if (record.timeNanos() >= sinceNanos && record.timeNanos() <= untilNanos && matches(record)) {
            out.println(json ? line : format(record));
        }
    }

    private boolean matches(JsonRecord record) {
        for (Map.Entry<String, List<String>> filter : filters.entrySet()) {
            String key = filter.getKey();
            boolean any = false;
            for (String wanted : filter.getValue()) {
                if (key.equals("container") ? wanted.equals(record.field("id")) || wanted.equals(record.field("name"))
                        : wanted.equals(record.field(key))) {
                    any = true;
                    break;
                }
            }
            if (!any) {
                return false;
            }
        }
        return true;
    }

    /** {@code <time> <type> <action> <id> (k=v, ...)}, as {@code docker events} prints. */
    private String format(JsonRecord record) {
        StringBuilder line = new StringBuilder(128)
                .append(TIME.format(ZonedDateTime.ofInstant(record.time(), zone)));
        String type = Objects.requireNonNullElse(record.field("type"), "event");
        String action = record.field("action");
        String id = record.field("id");
        line.append(' ').append(type);
        if (action != null) {
            line.append(' ').append(action);
        }
        if (id != null) {
            line.append(' ').append(id);
        }
        Map<String, String> fields = record.fields();
        Map<String, String> attributes = new LinkedHashMap<>();
        for (String key : new String[] {"image", "name"}) { // first, as docker and isula print them
            if (fields.containsKey(key)) {
                attributes.put(key, fields.get(key));
            }
        }
        fields.forEach((key, value) -> {
            if (!key.equals("type") && !key.equals("action") && !key.equals("id")
                    && !(value.equals("0") && (key.equals("pid") || key.equals("exitCode")))) {
                attributes.putIfAbsent(key, value);
            }
        });
        if (action == null && id == null && attributes.isEmpty()) {
            return line.append(' ').append(record.event()).toString();
        }
        if (!attributes.isEmpty()) {
            line.append(" (");
            attributes.forEach((k, v) -> line.append(k).append('=').append(v).append(", "));
            line.setLength(line.length() - 2);
            line.append(')');
        }
        return line.toString();
    }

    /**
     * The current file: read to its last complete line, then, with {@code --follow}, whatever is appended; when it
     * is rotated (its file key changes), the rest of the old one through the still-open channel, then the new one.
     */
    private final class Tail {
        private FileChannel channel;
        private Object key;
        private long offset;
        private long lineNumber = 1;
        private final ByteArrayOutputStream pending = new ByteArrayOutputStream();

        /** Reads what is new; returns whether anything was. */
        boolean poll() throws IOException {
            boolean read = false;
            if (channel == null) {
                read |= catchUp();
                if (!open()) {
                    return read;
                }
                read |= catchUp(); // rotated between the catch-up and the open
            }
            read |= drain();
            Object now = currentKey();
            if (now != null && !now.equals(key)) {
                read |= drain(); // the last records written before the rotation
                read |= catchUp(); // files rotated more than once since the last poll
                close();
                pending.reset();
                lineNumber = 1;
                offset = 0;
                if (open()) {
                    read |= catchUp();
                    read |= drain();
                }
            }
            return read;
        }

        /**
         * Prints the rotated files holding records after the last one printed: those are found newest first, by
         * their first record, then read oldest first (records already printed are skipped by sequence).
         */
        private boolean catchUp() throws IOException {
            long before = lastPrinted;
            for (int attempt = 1; attempt <= 50; attempt++) {
                // The set is stable while the current file keeps its identity: the sink shifts rotated files only
                // when it rotates, which replaces the current file. So read everything, then print only if the
                // current file is still the one it was before the listing.
                Object key0 = currentKey();
                List<Path> files = new ArrayList<>();
                List<byte[]> contents = new ArrayList<>();
                try {
                    for (Path file : toRead()) {
                        files.add(file);
                        contents.add(readAll(file));
                    }
                } catch (NoSuchFileException movedMeanwhile) {
                    pause();
                    continue;
                }
                if (key0 == null && files.isEmpty()) {
                    return false; // nothing written yet
                }
                if (key0 == null || !key0.equals(currentKey())) {
                    pause(); // a rotation is under way: list again
                    continue;
                }
                for (int i = 0; i < files.size(); i++) {
                    lines(files.get(i), contents.get(i), 0, contents.get(i).length, 1);
                }
                return lastPrinted != before;
            }
            err.println("eventhub events: " + path + " kept rotating while being read; records may be missing");
            return lastPrinted != before;
        }

        private void pause() {
            try {
                TimeUnit.MILLISECONDS.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        /** Rotated files that may hold records after the last one printed, oldest first. */
        private List<Path> toRead() throws IOException {
            List<Path> rotated = new ArrayList<>(JsonFileReader.of(path).files());
            rotated.remove(path);
            List<Path> toRead = new ArrayList<>();
            for (int i = rotated.size() - 1; i >= 0; i--) {
                Path file = rotated.get(i);
                toRead.add(0, file);
                long first = firstSequence(file);
                if (first >= 0 && first <= lastPrinted + 1) {
                    break;
                }
            }
            return toRead;
        }

        /** The sequence of a file's first record, or -1 if it has none (or went away). */
        private long firstSequence(Path file) throws IOException {
            try (InputStream raw = Files.newInputStream(file);
                 InputStream in = file.getFileName().toString().endsWith(".gz") ? new GZIPInputStream(raw) : raw) {
                ByteArrayOutputStream first = new ByteArrayOutputStream();
                int c;
                while ((c = in.read()) >= 0 && c != '\n') {
                    first.write(c);
                }
                return c < 0 ? -1 : JsonRecord.parse(first.toString(StandardCharsets.UTF_8)).sequence();
            } catch (IllegalArgumentException unreadable) {
                return -1;
            }
        }

        /** Opens the current file, making sure the key it records is that file's (no rotation in between). */
        private boolean open() throws IOException {
            while (true) {
                try {
                    Object before = Files.readAttributes(path, BasicFileAttributes.class).fileKey();
                    channel = FileChannel.open(path, StandardOpenOption.READ);
                    Object after = Files.readAttributes(path, BasicFileAttributes.class).fileKey();
                    if (Objects.equals(before, after)) {
                        key = after == null ? channel : after; // no file keys here: growth is seen, rotation is not
                        return true;
                    }
                    close(); // rotated while opening: try again
                } catch (NoSuchFileException notYet) {
                    close();
                    return false;
                }
            }
        }

        private Object currentKey() throws IOException {
            try {
                Object now = Files.readAttributes(path, BasicFileAttributes.class).fileKey();
                return now == null ? key : now;
            } catch (NoSuchFileException between) {
                return null;
            }
        }

        private boolean drain() throws IOException {
            ByteBuffer buffer = ByteBuffer.allocate(1 << 16);
            boolean any = false;
            int n;
            while ((n = channel.read(buffer.clear(), offset)) > 0) {
                offset += n;
                pending.write(buffer.array(), 0, n);
                any = true;
            }
            if (any) {
                byte[] bytes = pending.toByteArray();
                int consumed = lines(path, bytes, 0, bytes.length, lineNumber);
                for (int i = 0; i < consumed; i++) {
                    if (bytes[i] == '\n') {
                        lineNumber++;
                    }
                }
                pending.reset();
                pending.write(bytes, consumed, bytes.length - consumed); // a line still being written
            }
            return any;
        }

        /** A last line without a line break: a writer killed mid-record, or one still writing. */
        void reportTornTail() {
            if (pending.size() > 0) {
                err.println("eventhub events: " + path + ":" + lineNumber + ": torn last line (" + pending.size()
                        + " bytes without a line break), skipped");
            }
        }

        void close() throws IOException {
            if (channel != null) {
                channel.close();
                channel = null;
            }
        }
    }
}
