package dev.eventhub.io;

import dev.eventhub.internal.Checks;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
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
 */
public final class JsonFileReader {
    private final Path path;
    private long sinceNanos = Long.MIN_VALUE;
    private long untilNanos = Long.MAX_VALUE;

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
        boolean torn = false;
        List<String> problems = new ArrayList<>();
        for (int f = 0; f < files.size(); f++) {
            Path file = files.get(f);
            boolean newest = f == files.size() - 1;
            try (InputStream raw = Files.newInputStream(file);
                 InputStream in = file.getFileName().toString().endsWith(".gz") ? new GZIPInputStream(raw) : raw) {
                LineReader lines = new LineReader(in);
                String line;
                long number = 0;
                while ((line = lines.next()) != null) {
                    number++;
                    if (!lines.terminated()) {
                        if (newest) {
                            torn = true;
                            problems.add(file + ":" + number + ": torn last line (" + line.length()
                                    + " characters without a line break), skipped");
                        } else {
                            problems.add(file + ":" + number + ": last line without a line break, skipped");
                        }
                        break;
                    }
                    JsonRecord record;
                    try {
                        record = JsonRecord.parse(line);
                    } catch (IllegalArgumentException bad) {
                        problems.add(file + ":" + number + ": not a record (" + bad.getMessage() + "), skipped");
                        continue;
                    }
                    if (record.timeNanos() >= sinceNanos && record.timeNanos() <= untilNanos) {
                        consumer.accept(record);
                        records++;
                    }
                }
            } catch (NoSuchFileException rotatedAway) {
                problems.add(file + ": rotated away while reading, skipped");
            }
        }
        return new Result(records, torn, problems);
    }

    /** Lines of UTF-8 text, telling whether each ended with a line break. */
    static final class LineReader {
        private final BufferedReader in;
        private boolean terminated;

        LineReader(InputStream in) {
            this.in = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8), 1 << 16);
        }

        String next() throws IOException {
            StringBuilder line = new StringBuilder(256);
            int c;
            while ((c = in.read()) >= 0) {
                if (c == '\n') {
                    terminated = true;
                    return line.toString();
                }
                line.append((char) c);
            }
            terminated = false;
            return line.length() == 0 ? null : line.toString();
        }

        boolean terminated() {
            return terminated;
        }
    }
}
