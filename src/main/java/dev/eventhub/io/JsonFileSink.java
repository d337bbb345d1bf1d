package dev.eventhub.io;

import dev.eventhub.Sink;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPOutputStream;

/**
 * The {@code json-file} sink: one JSON object per line, {@code {"seq":7,"time":"2026-11-23T23:20:34.661862100Z",
 * "event":<the encoded event>}}, in a file that rotates by size, like Docker's {@code json-file} log driver.
 *
 * <p>Each record is written with one positional write; a write that fails is undone (the file is cut back to where
 * it was), so the file never holds half a record, and the next record is tried again. Rotation happens between
 * records: when the next one would take the file past {@code max-size}, {@code path} becomes {@code path.1}
 * ({@code path.1.gz} with {@code compress}), older ones shift up, and the oldest beyond {@code max-file} is deleted.
 * A file left with a torn last line by a killed process is cut back to its last complete record when reopened.
 */
final class JsonFileSink<T> implements Sink<T> {
    static final String NAME = "json-file";
    private static final Pattern SIZE = Pattern.compile("(\\d{1,15})([kmg]?)", Pattern.CASE_INSENSITIVE);
    private static final DateTimeFormatter TIME =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.nnnnnnnnn'Z'").withZone(ZoneOffset.UTC);
    private static final Set<PosixFilePermission> MODE = PosixFilePermissions.fromString("rw-r-----");

    enum Fsync { NEVER, FLUSH, RECORD }

    /** Options, validation and opening for the registry. */
    static final class Factory implements SinkFactory {
        @Override
        public Map<String, String> options() {
            Map<String, String> options = new LinkedHashMap<>();
            options.put("path", "the file to write; rotated files are path.1, path.2, ... (required)");
            options.put("max-size", "rotate before the file would pass this size: a number with k, m or g "
                    + "(default: no rotation)");
            options.put("max-file", "files to keep, the current one included (default 1)");
            options.put("compress", "gzip rotated files: true or false (default false)");
            options.put("fsync", "when to force writes to the disk: never, flush or record (default never)");
            return options;
        }

        @Override
        public Set<String> required() {
            return Set.of("path");
        }

        @Override
        public void validate(Map<String, String> options) {
            Settings.of(options);
        }

        @Override
        public <T> Sink<T> open(Map<String, String> options, Function<? super T, String> encoder) throws IOException {
            return new JsonFileSink<>(Settings.of(options), encoder);
        }
    }

    /** Validated options. */
    record Settings(Path path, long maxSize, int maxFile, boolean compress, Fsync fsync) {
        static Settings of(Map<String, String> options) {
            String pathText = options.get("path");
            if (pathText.isBlank()) {
                throw invalid("path", pathText, "a file path");
            }
            Path path;
            try {
                path = Path.of(pathText);
            } catch (RuntimeException e) {
                throw invalid("path", pathText, "a file path (" + e.getMessage() + ")");
            }
            long maxSize = options.containsKey("max-size") ? size(options.get("max-size")) : -1;
            int maxFile = 1;
            if (options.containsKey("max-file")) {
                String text = options.get("max-file");
                try {
                    maxFile = Integer.parseInt(text);
                } catch (NumberFormatException e) {
                    maxFile = 0;
                }
                if (maxFile < 1 || maxFile > 1000) {
                    throw invalid("max-file", text, "a whole number from 1 to 1000");
                }
            }
            boolean compress = false;
            if (options.containsKey("compress")) {
                String text = options.get("compress");
                if (!text.equals("true") && !text.equals("false")) {
                    throw invalid("compress", text, "true or false");
                }
                compress = text.equals("true");
                if (compress && (maxFile < 2 || maxSize < 0)) {
                    throw invalid("compress", text, "false unless max-file is at least 2 and max-size is set; "
                            + "there is nothing rotated to compress otherwise");
                }
            }
            Fsync fsync = Fsync.NEVER;
            if (options.containsKey("fsync")) {
                String text = options.get("fsync");
                try {
                    fsync = Fsync.valueOf(text.toUpperCase(Locale.ROOT));
                } catch (IllegalArgumentException e) {
                    throw invalid("fsync", text, "never, flush or record");
                }
                if (!text.equals(text.toLowerCase(Locale.ROOT))) {
                    throw invalid("fsync", text, "never, flush or record");
                }
            }
            return new Settings(path, maxSize, maxFile, compress, fsync);
        }

        private static long size(String text) {
            Matcher m = SIZE.matcher(text);
            if (!m.matches()) {
                throw invalid("max-size", text, "a positive size such as 512k, 10m or 1g");
            }
            long number = Long.parseLong(m.group(1));
            int shift = switch (m.group(2).toLowerCase(Locale.ROOT)) {
                case "k" -> 10;
                case "m" -> 20;
                case "g" -> 30;
                default -> 0;
            };
            if (number <= 0 || number > (Long.MAX_VALUE >> shift)) {
                throw invalid("max-size", text, "a positive size such as 512k, 10m or 1g");
            }
            return number << shift;
        }

        private static IllegalArgumentException invalid(String option, String value, String expected) {
            return new IllegalArgumentException(option + ": '" + value + "' for sink '" + NAME + "' (expected: "
                    + expected + ")");
        }
    }

    private final Settings settings;
    private final Function<? super T, String> encoder;
    private final StringBuilder line = new StringBuilder(256);
    private FileChannel channel;
    private long size;
    private boolean closed;

    JsonFileSink(Settings settings, Function<? super T, String> encoder) throws IOException {
        this.settings = settings;
        this.encoder = encoder;
        open();
    }

    @Override
    public void accept(T event, long sequence, long timestampNanos) throws IOException {
        if (closed) {
            throw new IOException(this + " is closed");
        }
        String encoded = encoder.apply(event);
        if (encoded == null || !Json.isValue(encoded)) {
            throw new IOException("the encoder gave " + (encoded == null ? "null" : "text that is not one JSON value")
                    + " for event " + sequence);
        }
        line.setLength(0);
        line.append("{\"seq\":").append(sequence).append(",\"time\":\"");
        TIME.formatTo(Instant.ofEpochSecond(Math.floorDiv(timestampNanos, 1_000_000_000L),
                Math.floorMod(timestampNanos, 1_000_000_000L)), line);
        line.append("\",\"event\":");
        for (int i = 0, n = encoded.length(); i < n; i++) {
            char c = encoded.charAt(i);
            line.append(c == '\n' || c == '\r' ? ' ' : c); // only whitespace between tokens can be a raw line break
        }
        line.append("}\n");
        byte[] bytes = line.toString().getBytes(StandardCharsets.UTF_8);
        if (channel == null) {
            open(); // an earlier failure closed it; a full disk may have cleared
        }
        if (settings.maxSize() > 0 && size > 0 && size + bytes.length > settings.maxSize()) {
            rotate();
        }
        write(bytes);
    }

    private void write(byte[] bytes) throws IOException {
        long before = size;
        try {
            ByteBuffer buffer = ByteBuffer.wrap(bytes);
            long at = before;
            while (buffer.hasRemaining()) {
                at += channel.write(buffer, at);
            }
            size = at;
            if (settings.fsync() == Fsync.RECORD) {
                channel.force(false);
            }
        } catch (IOException failure) {
            try {
                channel.truncate(before); // never leave half a record behind
            } catch (IOException | RuntimeException ignored) {
                // The channel is unusable; reopening cuts the torn tail.
            }
            closeChannel();
            throw failure;
        }
    }

    @Override
    public void flush() throws IOException {
        if (channel != null && settings.fsync() == Fsync.FLUSH) {
            channel.force(false);
        }
    }

    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        if (channel != null) {
            try {
                if (settings.fsync() != Fsync.NEVER) {
                    channel.force(false);
                }
            } finally {
                closeChannel();
            }
        }
    }

    /** Opens the current file for appending (mode 0640 when created), cutting a torn last line left by a crash. */
    private void open() throws IOException {
        Path path = settings.path();
        Path parent = path.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        boolean posix = FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
        if (posix && !Files.exists(path)) {
            try {
                Files.createFile(path, PosixFilePermissions.asFileAttribute(MODE));
                Files.setPosixFilePermissions(path, MODE); // the umask may have narrowed it
            } catch (java.nio.file.FileAlreadyExistsException raced) {
                // Someone created it meanwhile: append to theirs.
            }
        }
        FileChannel opened = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.READ);
        try {
            long length = opened.size();
            long complete = completeLength(opened, length);
            if (complete < length) {
                opened.truncate(complete);
                System.getLogger("dev.eventhub").log(System.Logger.Level.WARNING, "json-file " + path + ": cut a torn "
                        + "last line of " + (length - complete) + " bytes left by an interrupted write");
            }
            channel = opened;
            size = complete;
        } catch (IOException | RuntimeException failure) {
            opened.close();
            throw failure;
        }
    }

    /** The length up to and including the last newline (0 if none). */
    private static long completeLength(FileChannel channel, long length) throws IOException {
        ByteBuffer one = ByteBuffer.allocate(4096);
        long end = length;
        while (end > 0) {
            long start = Math.max(0, end - one.capacity());
            one.clear().limit((int) (end - start));
            int read = 0;
            while (one.hasRemaining()) {
                int n = channel.read(one, start + read);
                if (n < 0) {
                    break;
                }
                read += n;
            }
            for (int i = read - 1; i >= 0; i--) {
                if (one.get(i) == '\n') {
                    return start + i + 1;
                }
            }
            end = start;
        }
        return 0;
    }

    private void closeChannel() {
        FileChannel open = channel;
        channel = null;
        if (open != null) {
            try {
                open.close();
            } catch (IOException ignored) {
                // Nothing more to lose: every record was written or counted.
            }
        }
    }

    /** Shifts the rotated files up, makes the current one {@code path.1} (gzipped if asked), opens a new one. */
    private void rotate() throws IOException {
        if (settings.fsync() != Fsync.NEVER) {
            channel.force(false);
        }
        closeChannel();
        Path path = settings.path();
        int keep = settings.maxFile();
        if (keep == 1) {
            Files.delete(path);
        } else {
            String suffix = settings.compress() ? ".gz" : "";
            Files.deleteIfExists(rotated(path, keep - 1, suffix));
            for (int i = keep - 2; i >= 1; i--) {
                Path from = rotated(path, i, suffix);
                if (Files.exists(from)) {
                    Files.move(from, rotated(path, i + 1, suffix), StandardCopyOption.REPLACE_EXISTING);
                }
            }
            Path first = rotated(path, 1, "");
            Files.move(path, first, StandardCopyOption.REPLACE_EXISTING);
            if (settings.compress()) {
                gzip(first, rotated(path, 1, ".gz"));
            }
        }
        open();
    }

    static Path rotated(Path path, int index, String suffix) {
        return path.resolveSibling(path.getFileName() + "." + index + suffix);
    }

    /** Compresses {@code from} into {@code to} through a temporary file, then deletes {@code from}. */
    private static void gzip(Path from, Path to) throws IOException {
        Path partial = to.resolveSibling(to.getFileName() + ".tmp");
        try (InputStream in = Files.newInputStream(from);
             OutputStream out = new GZIPOutputStream(Files.newOutputStream(partial), 1 << 16)) {
            in.transferTo(out);
        }
        Files.move(partial, to, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        Files.delete(from);
    }

    @Override
    public String toString() {
        return NAME + "(" + settings.path() + ")";
    }
}
