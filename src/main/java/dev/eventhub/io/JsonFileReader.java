package dev.eventhub.io;

import dev.eventhub.internal.Checks;
import dev.eventhub.internal.LineScanner;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.Consumer;
import java.util.zip.GZIPInputStream;

/**
 * Reads what the {@code json-file} sink wrote: the rotated set oldest to newest ({@code path.N[.gz]} ...
 * {@code path.1[.gz]}, then {@code path}), optionally only records stamped within {@code [since, until]}.
 *
 * <p>Every complete record is recovered. A torn last line of the newest file (a process killed mid-write; it has
 * no line break) is skipped and reported as such; any other line that is not a record is skipped and reported with
 * its file and line number. Nothing is skipped silently: see {@link Result}.
 *
 * <p><b>Two formats.</b> Each line may be this library's envelope ({@code {"seq":..,"time":..,"event":..}}) or a
 * record of Docker's {@code json-file} log driver ({@code {"log":"text\n","stream":"stdout","time":".."}}), as
 * {@link JsonRecord#parse} describes; a set may mix them. A Docker record has no sequence: the reader gives it its
 * ordinal in this read instead, 1 for the first Docker record of the oldest file read, counting every Docker record
 * read whether {@code since}/{@code until} select it or not. That ordinal orders the records of one read; it is not
 * stable across reads, since rotation deletes the oldest files.
 *
 * <p><b>Bounded lines.</b> A line longer than {@link #maxLineBytes(int)} (default 1 MiB) is never held whole: the
 * reader skips to its line break and reports it with its file, line number, byte offset and length. Lines are read
 * from a byte buffer and decoded one at a time, so reading runs at about the speed of the disk.
 */
public final class JsonFileReader {
    /** The default limit on a line: 1 MiB. */
    public static final int DEFAULT_MAX_LINE_BYTES = LineScanner.DEFAULT_MAX_LINE_BYTES;

    private final Path path;
    private long sinceNanos = Long.MIN_VALUE;
    private long untilNanos = Long.MAX_VALUE;
    private int maxLineBytes = DEFAULT_MAX_LINE_BYTES;

    private JsonFileReader(Path path) {
        this.path = path;
    }

    /**
     * A reader of the set written to {@code path}.
     *
     * @param path the sink's {@code path} option
     * @return the reader
     * @throws NullPointerException if {@code path} is null
     */
    public static JsonFileReader of(Path path) {
        return new JsonFileReader(Checks.notNull("path", path));
    }

    /**
     * Only records stamped at or after {@code since}.
     *
     * @param since the earliest time, inclusive
     * @return this reader
     * @throws NullPointerException if {@code since} is null
     */
    public JsonFileReader since(Instant since) {
        this.sinceNanos = Checks.epochNanos(Checks.notNull("since", since));
        return this;
    }

    /**
     * Only records stamped at or before {@code until}.
     *
     * @param until the latest time, inclusive
     * @return this reader
     * @throws NullPointerException if {@code until} is null
     */
    public JsonFileReader until(Instant until) {
        this.untilNanos = Checks.epochNanos(Checks.notNull("until", until));
        return this;
    }

    /**
     * The longest line read as a record; a longer one is skipped and reported, never held whole.
     *
     * @param bytes the limit in bytes, without the line break, from 16 to 2^30; default 1 MiB
     * @return this reader
     * @throws IllegalArgumentException naming {@code maxLineBytes} and the value when out of range
     */
    public JsonFileReader maxLineBytes(int bytes) {
        this.maxLineBytes = LineScanner.maxLineBytes(bytes);
        return this;
    }

    /**
     * What a read found besides the records.
     *
     * @param records  records handed to the consumer
     * @param tornTail whether the newest file ended in a torn line (skipped)
     * @param problems one line per skipped line, naming its file and line number, the torn tail included
     */
    public record Result(long records, boolean tornTail, List<String> problems) {
        /**
         * Copies the problems.
         *
         * @param problems one line per skipped line
         * @param records records handed to the consumer
         * @param tornTail whether the newest file ended in a torn line
         * @throws NullPointerException if {@code problems} is null
         */
        public Result {
            problems = List.copyOf(problems);
        }
    }

    /**
     * {@return the files of the set that exist, oldest first}
     *
     * @throws IOException if the directory cannot be read
     */
    public List<Path> files() throws IOException {
        List<Path> files = new ArrayList<>();
        Path parent = path.toAbsolutePath().getParent();
        String name = path.getFileName().toString();
        if (parent != null && Files.isDirectory(parent)) {
            try (var listing = Files.list(parent)) {
                listing.forEach(file -> {
                    if (rotationIndex(name, file.getFileName().toString()) > 0) {
                        files.add(file);
                    }
                });
            }
        }
        files.sort(Collections.reverseOrder((a, b) -> Integer.compare(rotationIndex(name, a.getFileName().toString()),
                rotationIndex(name, b.getFileName().toString()))));
        if (Files.exists(path)) {
            files.add(path);
        }
        return files;
    }

    /** N for {@code name.N} or {@code name.N.gz}; 0 for anything else. */
    static int rotationIndex(String name, String candidate) {
        if (!candidate.startsWith(name + ".")) {
            return 0;
        }
        String rest = candidate.substring(name.length() + 1);
        if (rest.endsWith(".gz")) {
            rest = rest.substring(0, rest.length() - 3);
        }
        if (rest.isEmpty() || rest.length() > 9 || !rest.chars().allMatch(Character::isDigit) || rest.startsWith("0")) {
            return 0;
        }
        return Integer.parseInt(rest);
    }

    /**
     * Reads the set, oldest record first, handing each selected record to {@code consumer}.
     *
     * @param consumer gets the records
     * @return what else the read found
     * @throws NullPointerException if {@code consumer} is null
     * @throws IOException          if a file cannot be read (a file rotated away meanwhile is skipped)
     */
    public Result read(Consumer<? super JsonRecord> consumer) throws IOException {
        Checks.notNull("consumer", consumer);
        List<Path> files = files();
        long records = 0;
        long dockerOrdinal = 0;
        boolean torn = false;
        List<String> problems = new ArrayList<>();
        JsonRecord.Reading reading = new JsonRecord.Reading();
        for (int f = 0; f < files.size(); f++) {
            Path file = files.get(f);
            boolean newest = f == files.size() - 1;
            try (InputStream raw = Files.newInputStream(file);
                 InputStream in = file.getFileName().toString().endsWith(".gz") ? new GZIPInputStream(raw, 1 << 16)
                         : raw) {
                LineScanner lines = new LineScanner(in, maxLineBytes, 0);
                while (true) {
                    // The sink's own lines are parsed where they start, which also finds where they end; anything
                    // else (or a line not all read yet) is found by the scanner, then parsed, and decoded in full
                    // if it is not the sink's.
                    JsonRecord record = lines.pendingTooLong() ? null
                            : JsonRecord.envelopeLine(lines.buffer(), lines.position(), lines.buffered(), reading);
                    if (record != null) {
                        lines.takeLine(reading.lineBreak());
                    } else {
                        LineScanner.Kind kind = lines.next();
                        if (kind == LineScanner.Kind.END) {
                            break;
                        }
                        if (kind == LineScanner.Kind.TOO_LONG) {
                            problems.add(file + ":" + lines.lineNumber() + ": line longer than " + maxLineBytes
                                    + " bytes (" + lines.lineBytes() + " bytes at offset " + lines.lineOffset()
                                    + "), skipped");
                            continue;
                        }
                        record = JsonRecord.envelope(lines.buffer(), lines.lineStart(),
                                lines.lineStart() + (int) lines.lineBytes(), reading);
                        if (record == null) {
                            try {
                                record = JsonRecord.parse(lines.line());
                            } catch (IllegalArgumentException bad) {
                                problems.add(file + ":" + lines.lineNumber() + ": not a record (" + bad.getMessage()
                                        + "), skipped");
                                continue;
                            }
                        }
                    }
                    if (record.isDocker()) {
                        record = record.withSequence(++dockerOrdinal);
                    }
                    if (record.timeNanos() >= sinceNanos && record.timeNanos() <= untilNanos) {
                        consumer.accept(record);
                        records++;
                    }
                }
                long pending = lines.pendingBytes();
                if (pending > 0) {
                    long number = lines.lineNumber() + 1;
                    if (newest) {
                        torn = true;
                        problems.add(file + ":" + number + ": torn last line (" + pending
                                + " bytes without a line break at offset " + lines.pendingOffset() + "), skipped");
                    } else {
                        problems.add(file + ":" + number + ": last line without a line break (" + pending
                                + " bytes at offset " + lines.pendingOffset() + "), skipped");
                    }
                }
            } catch (NoSuchFileException rotatedAway) {
                problems.add(file + ": rotated away while reading, skipped");
            }
        }
        return new Result(records, torn, problems);
    }
}
