package dev.eventhub.cli;

import dev.eventhub.internal.Clauses;
import dev.eventhub.internal.LineScanner;
import dev.eventhub.io.JsonFileReader;
import dev.eventhub.io.JsonRecord;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
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
              --max-line <size>      skip (and report) lines longer than this: bytes, or a number with k or m;
                                     default 1m
              --kafka <servers> --topic <topic>
                                     instead of --path: read the topic a kafka sink wrote to, all partitions (in
                                     order within each); without --follow, up to the end offsets at start; needs
                                     kafka-clients on the class path (exit 1 without it)

            Reads this library's records and those of Docker's json-file log driver
            ({"log":"..","stream":"stdout","time":".."}, printed as <time> <stream> <text>).

            exit codes: 0 done (lines that are not records are reported on standard error and skipped);
                        1 an I/O error (no such file, permission denied, a directory), a file holding binary
                          data, or a --follow target replaced by a symbolic link: one line on standard error;
                        2 bad usage
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
    private final int maxLineBytes;
    private long lastPrinted;
    private long lastDockerTime = Long.MIN_VALUE;
    private boolean printedDocker;
    private long dockerRead;
    private boolean catchingUp;
    private boolean binary;
    private KafkaEvents kafka; // --kafka: the topic reader, else null

    private Events(PrintStream out, PrintStream err, Path path, long sinceNanos, long untilNanos,
                   Map<String, List<String>> filters, boolean json, boolean follow, Clock clock, int maxLineBytes) {
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
        this.maxLineBytes = maxLineBytes;
    }

    /** Parses the arguments after {@code events}; throws {@link UsageException} with a one-line reason. */
    static Events parse(List<String> args, PrintStream out, PrintStream err, Clock clock) {
        Path path = null;
        long since = Long.MIN_VALUE;
        long until = Long.MAX_VALUE;
        Map<String, List<String>> filters = new TreeMap<>();
        boolean json = false;
        boolean follow = false;
        int maxLine = LineScanner.DEFAULT_MAX_LINE_BYTES;
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
                case "--max-line" -> maxLine = size("--max-line", value(args, ++i, arg));
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
        Events events = new Events(out, err, path, since, until, filters, json, follow, clock, maxLine);
        events.kafka = kafka.isEmpty() ? null : KafkaEvents.of(path, kafka, events, err);
        return events;
    }

    /** A line limit: bytes, or a number with k or m (binary units), from 16 bytes to 1g. */
    static int size(String option, String text) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("([0-9]{1,10})([kKmMgG]?)").matcher(text);
        if (m.matches()) {
            long number = Long.parseLong(m.group(1));
            int shift = switch (m.group(2).toLowerCase(java.util.Locale.ROOT)) {
                case "k" -> 10;
                case "m" -> 20;
                case "g" -> 30;
                default -> 0;
            };
            if (number <= (1L << 30) >> shift) {
                long bytes = number << shift;
                if (bytes >= LineScanner.MIN_MAX_LINE_BYTES) {
                    return (int) bytes;
                }
            }
        }
        throw new UsageException(option + ": '" + text + "' (expected: a size from 16 bytes to 1g, such as 65536, "
                + "512k or 4m)");
    }

    private static String value(List<String> args, int index, String option) {
        if (index >= args.size()) {
            throw new UsageException(option + ": missing value");
        }
        return args.get(index);
    }

    /** RFC 3339, Unix seconds with an optional fraction, or a duration before now; in epoch nanoseconds. */
    static long time(String option, String text, Clock clock) {
        try {
            if (text.matches("\\d{1,12}(\\.\\d{1,9})?")) {
                return new BigDecimal(text).movePointRight(9).longValueExact();
            }
            if (!text.isEmpty() && Character.isDigit(text.charAt(0)) && !text.contains("-") && !text.contains(":")) {
                Duration ago = Durations.parse(option, text);
                return nanos(clock.instant().minus(ago));
            }
            return nanos(OffsetDateTime.parse(text).toInstant());
        } catch (ArithmeticException | java.time.DateTimeException outOfRange) {
            if (outOfRange instanceof DateTimeParseException) {
                throw new UsageException(option + ": '" + text + "' (expected: an RFC 3339 time such as "
                        + "2026-11-23T10:00:00Z, Unix seconds such as 1763892000.5, or a duration ago such as 10m)");
            }
            throw new UsageException(option + ": '" + text + "' (expected: a time between the years 1678 and 2261)");
        }
    }

    private static long nanos(Instant instant) {
        return Math.addExact(Math.multiplyExact(instant.getEpochSecond(), 1_000_000_000L), instant.getNano());
    }

    /** A failure that ends the command with exit code 1 and this one-line message. */
    private static final class Stop extends IOException {
        private static final long serialVersionUID = 1L;

        Stop(String message) {
            super(message, null);
        }
    }

    int run() throws InterruptedException {
        if (kafka != null) {
            return kafka.run(sinceNanos, untilNanos, follow, clock);
        }
        try {
            if (Files.isDirectory(path)) {
                throw new Stop(path + ": is a directory, not a json-file log");
            }
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
            return binary ? 1 : 0;
        } catch (IOException e) {
            out.flush();
            err.println("eventhub events: " + describe(e));
            return 1;
        } catch (UncheckedIOException e) {
            out.flush();
            err.println("eventhub events: " + describe(e.getCause()));
            return 1;
        }
    }

    /** One line for an I/O failure: the file and what went wrong, without the exception's class. */
    static String describe(IOException e) {
        if (e instanceof Stop) {
            return e.getMessage();
        }
        if (e instanceof AccessDeniedException denied) {
            return denied.getFile() + ": permission denied";
        }
        if (e instanceof NoSuchFileException missing) {
            return missing.getFile() + ": no such file (removed while being read?)";
        }
        if (e instanceof FileSystemException fs) {
            return (fs.getFile() == null ? "" : fs.getFile() + ": ")
                    + Objects.requireNonNullElse(fs.getReason(), "file system error");
        }
        if (e instanceof java.util.zip.ZipException zip) {
            return "a .gz file is not valid gzip data: " + zip.getMessage();
        }
        if (e instanceof java.io.EOFException) {
            return "a .gz file ends early (truncated)";
        }
        return Objects.requireNonNullElse(e.getMessage(), e.getClass().getSimpleName());
    }

    private static Instant instant(long nanos) {
        return Instant.ofEpochSecond(Math.floorDiv(nanos, 1_000_000_000L), Math.floorMod(nanos, 1_000_000_000L));
    }

    private static InputStream decompressed(Path file, InputStream raw) throws IOException {
        return file.getFileName().toString().endsWith(".gz") ? new GZIPInputStream(raw, 1 << 16) : raw;
    }

    /** Prints the lines a scanner finds until it has nothing more; the file's unterminated tail stays pending. */
    private void lines(Path file, LineScanner lines) throws IOException {
        LineScanner.Kind kind;
        while ((kind = lines.next()) != LineScanner.Kind.END) {
            if (kind == LineScanner.Kind.TOO_LONG) {
                err.println("eventhub events: " + file + ":" + lines.lineNumber() + ": line longer than "
                        + maxLineBytes + " bytes (" + lines.lineBytes() + " bytes at offset " + lines.lineOffset()
                        + "), skipped");
            } else {
                line(file, lines.lineNumber(), lines.line());
            }
        }
    }

    /** Prints a whole rotated file, reporting a last line without a line break. */
    private void printFile(Path file, InputStream raw) throws IOException {
        try (InputStream in = decompressed(file, raw)) {
            LineScanner lines = new LineScanner(in, maxLineBytes, 0);
            lines(file, lines);
            if (lines.pendingBytes() > 0) {
                err.println("eventhub events: " + file + ":" + (lines.lineNumber() + 1) + ": last line without a "
                        + "line break (" + lines.pendingBytes() + " bytes), skipped");
            }
        }
    }

    private void line(Path file, long number, String line) throws IOException {
        JsonRecord record;
        try {
            record = JsonRecord.parse(line);
        } catch (IllegalArgumentException bad) {
            if (isBinary(line)) {
                binary = true;
                throw new Stop(file + ":" + number + ": binary data, not a json-file log");
            }
            err.println("eventhub events: " + file + ":" + number + ": not a record (" + bad.getMessage()
                    + "), skipped");
            return;
        }
        if (record.isDocker()) {
            // No sequence: when rotated files are read again (after a rotation), a Docker record stamped at or
            // before the latest one printed counts as printed. Only files rotated more than once between two polls
            // are read again, so an out-of-order record there (stdout and stderr interleave) is the one risk.
            if (catchingUp && printedDocker && record.timeNanos() <= lastDockerTime) {
                return;
            }
            lastDockerTime = printedDocker ? Math.max(lastDockerTime, record.timeNanos()) : record.timeNanos();
            printedDocker = true;
            dockerRead++;
        } else {
            if (record.sequence() <= lastPrinted) {
                return; // seen before a rotation
            }
            lastPrinted = record.sequence();
        }
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

    /**
     * Raw control characters other than tab and carriage return never occur in a JSON line (inside strings they
     * are escaped), nor does a NUL: such a line is binary data, not a damaged record.
     */
    private static boolean isBinary(String line) {
        for (int i = 0, n = line.length(); i < n; i++) {
            char c = line.charAt(i);
            if (c < 0x20 && c != '\t' && c != '\r') {
                return true;
            }
        }
        return false;
    }

    /** Docker's rule, shared with a live subscription's {@code where(...)}: {@link Clauses}. */
    private boolean matches(JsonRecord record) {
        for (Map.Entry<String, List<String>> filter : filters.entrySet()) {
            String key = filter.getKey();
            // A container is named by its id or its name, as in docker events.
            Object values = key.equals("container") ? java.util.Arrays.asList(record.field("id"), record.field("name"))
                    : record.field(key);
            if (!Clauses.accepts(values, filter.getValue().toArray())) {
                return false;
            }
        }
        return true;
    }

    /** {@code <time> <type> <action> <id> (k=v, ...)}, as {@code docker events} prints. */
    private String format(JsonRecord record) {
        StringBuilder line = new StringBuilder(128)
                .append(TIME.format(ZonedDateTime.ofInstant(record.time(), zone)));
        if (record.isDocker()) { // <time> <stream> <text>, the line break of a whole line dropped
            String text = record.log();
            if (text.endsWith("\n")) {
                text = text.substring(0, text.length() - 1);
            }
            return line.append(' ').append(record.stream()).append(' ').append(printable(text)).toString();
        }
        String type = Objects.requireNonNullElse(record.field("type"), "event");
        String action = record.field("action");
        String id = record.field("id");
        line.append(' ').append(printable(type));
        if (action != null) {
            line.append(' ').append(printable(action));
        }
        if (id != null) {
            line.append(' ').append(printable(id));
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
            attributes.forEach((k, v) -> line.append(printable(k)).append('=').append(printable(v)).append(", "));
            line.setLength(line.length() - 2);
            line.append(')');
        }
        return line.toString();
    }

    /** Control characters (a terminal's escape sequences among them) shown as {@code \\uXXXX}. */
    private static String printable(String text) {
        StringBuilder out = null;
        for (int i = 0, n = text.length(); i < n; i++) {
            char c = text.charAt(i);
            if (c < 0x20 && c != '\t' || c == 0x7f) {
                if (out == null) {
                    out = new StringBuilder(text.length() + 16).append(text, 0, i);
                }
                out.append(String.format("\\u%04x", (int) c));
            } else if (out != null) {
                out.append(c);
            }
        }
        return out == null ? text : out.toString();
    }

    /** The bytes of a channel from an offset on; the end of what is there now is the end of the stream. */
    private static final class ChannelInput extends InputStream {
        private final FileChannel channel;
        private long position;

        ChannelInput(FileChannel channel) {
            this.channel = channel;
        }

        @Override
        public int read(byte[] bytes, int from, int length) throws IOException {
            int n = channel.read(ByteBuffer.wrap(bytes, from, length), position);
            if (n <= 0) {
                return -1;
            }
            position += n;
            return n;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }
    }

    /**
     * The current file: read to its last complete line, then, with {@code --follow}, whatever is appended; when it
     * is rotated (its file key changes), the rest of the old one through the still-open channel, then the new one.
     * A {@code --follow} target that was a regular file and becomes a symbolic link ends the command: following it
     * would print whatever file the link names.
     */
    private final class Tail {
        private FileChannel channel;
        private LineScanner scanner;
        private Object key;
        private Boolean wasLink;
        private boolean reportedRemoval;

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
            if (now == null && follow && !reportedRemoval) {
                reportedRemoval = true;
                err.println("eventhub events: " + path + ": removed while being followed; what it held was read, "
                        + "waiting for it to come back");
            }
            if (now != null && !now.equals(key)) {
                reportedRemoval = false;
                read |= drain(); // the last records written before the rotation
                read |= catchUp(); // files rotated more than once since the last poll
                close();
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
            long beforeDocker = dockerRead;
            for (int attempt = 1; attempt <= 50; attempt++) {
                // The set is stable while the current file keeps its identity: the sink shifts rotated files only
                // when it rotates, which replaces the current file. So open every file to read, then read them only
                // if the current file is still the one it was before the listing (an open file can still be read
                // after it is renamed or deleted).
                Object key0 = currentKey();
                List<Path> files = new ArrayList<>();
                List<InputStream> opened = new ArrayList<>();
                try {
                    try {
                        for (Path file : toRead()) {
                            opened.add(Files.newInputStream(file));
                            files.add(file);
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
                    catchingUp = true;
                    for (int i = 0; i < files.size(); i++) {
                        printFile(files.get(i), opened.get(i));
                    }
                    return lastPrinted != before || dockerRead != beforeDocker;
                } finally {
                    catchingUp = false;
                    for (InputStream in : opened) {
                        in.close();
                    }
                }
            }
            err.println("eventhub events: " + path + " kept rotating while being read; records may be missing");
            return lastPrinted != before || dockerRead != beforeDocker;
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

        /** The sequence of a file's first record, or -1 if it has none (or went away, or is a Docker record). */
        private long firstSequence(Path file) throws IOException {
            try (InputStream in = decompressed(file, Files.newInputStream(file))) {
                LineScanner lines = new LineScanner(in, maxLineBytes, 0);
                if (lines.next() != LineScanner.Kind.LINE) {
                    return -1;
                }
                JsonRecord first = JsonRecord.parse(lines.line());
                return first.isDocker() ? -1 : first.sequence();
            } catch (IllegalArgumentException | NoSuchFileException unreadable) {
                return -1;
            }
        }

        /** Opens the current file, making sure the key it records is that file's (no rotation in between). */
        private boolean open() throws IOException {
            while (true) {
                try {
                    boolean link = Files.isSymbolicLink(path);
                    if (wasLink == null) {
                        wasLink = link;
                    } else if (link && !wasLink) {
                        throw new Stop(path + ": replaced by a symbolic link while following; stopping");
                    }
                    Object before = Files.readAttributes(path, BasicFileAttributes.class).fileKey();
                    if (Files.isDirectory(path)) {
                        throw new Stop(path + ": is a directory, not a json-file log");
                    }
                    channel = FileChannel.open(path, StandardOpenOption.READ);
                    Object after = Files.readAttributes(path, BasicFileAttributes.class).fileKey();
                    if (Objects.equals(before, after)) {
                        key = after == null ? channel : after; // no file keys here: growth is seen, rotation is not
                        scanner = new LineScanner(new ChannelInput(channel), maxLineBytes, 0);
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
                if (wasLink != null && !wasLink && Files.isSymbolicLink(path)) {
                    throw new Stop(path + ": replaced by a symbolic link while following; stopping");
                }
                Object now = Files.readAttributes(path, BasicFileAttributes.class).fileKey();
                return now == null ? key : now;
            } catch (NoSuchFileException between) {
                return null;
            }
        }

        private boolean drain() throws IOException {
            long before = scanner.offset();
            lines(path, scanner);
            return scanner.offset() != before;
        }

        /** A last line without a line break: a writer killed mid-record, or one still writing. */
        void reportTornTail() {
            if (scanner != null && scanner.pendingBytes() > 0) {
                err.println("eventhub events: " + path + ":" + (scanner.lineNumber() + 1) + ": torn last line ("
                        + scanner.pendingBytes() + " bytes without a line break), skipped");
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
