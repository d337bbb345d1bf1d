package dev.eventhub.io;

import dev.eventhub.Sink;
import dev.eventhub.SinkWriteException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Arrays;
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
 * "event":<the encoded event>}}, in a file that rotates by size, like Docker's {@code json-file} log driver. With
 * {@code format=docker}, a {@link LogLine} is written as Docker's driver writes it,
 * {@code {"log":"text\n","stream":"stdout","time":"2026-11-23T23:20:34.661862100Z"}} (the copier's time, nine
 * fraction digits; a part of a long line that is not its last has no {@code \n}), so that log shippers that read
 * Docker's files read this one; every other event keeps the envelope above.
 *
 * <p><b>Batches.</b> {@code accept} encodes a record into a buffer; {@link #endOfBatch()} (the attachment calls it
 * when its consumer has caught up, and at least every 1024 records) writes the buffer with one positional write. A
 * write that fails is undone (the file is cut back to where it was), so the file never holds half a record, and
 * every record of that write is reported as not written ({@link dev.eventhub.SinkWriteException} with the exact
 * count); the next record is tried again. The buffer is also written early when it passes 1 MiB, and before a
 * rotation. Rotation happens between records: when the next one would take the file past {@code max-size},
 * {@code path} becomes {@code path.1} ({@code path.1.gz} with {@code compress}), older ones shift up, and the oldest
 * beyond {@code max-file} is deleted. A file left with a torn last line by a killed process is cut back to its last
 * complete record when reopened.
 *
 * <p><b>fsync.</b> {@code record} forces the file to the disk after every write, that is once per batch: a record is
 * durable before the attachment takes the next batch (and before {@code endOfBatch}, {@code flush} or
 * {@code close} returns). {@code flush} forces when the attachment has caught up; {@code never} leaves it to the OS.
 *
 * <p><b>Mode.</b> Every file the sink creates (the current file, and a compressed rotated file) is created with
 * mode {@code 0640} on a POSIX file system (narrower if the umask says so; never widened afterwards); plain rotated
 * files are the current file renamed.
 */
final class JsonFileSink<T> implements Sink<T> {
    static final String NAME = "json-file";
    private static final Pattern SIZE = Pattern.compile("(\\d{1,15})([kmg]?)", Pattern.CASE_INSENSITIVE);
    private static final DateTimeFormatter TIME =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.nnnnnnnnn'Z'").withZone(ZoneOffset.UTC);
    private static final Set<PosixFilePermission> MODE = PosixFilePermissions.fromString("rw-r-----");

    enum Fsync { NEVER, FLUSH, RECORD }

    /** What a record looks like: the hub's envelope, or Docker's log record for a LogLine. */
    enum Format { HUB, DOCKER }

    /** Buffered bytes past which a batch is written before it ends. */
    static final int BUFFER_LIMIT = 1 << 20;

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
            options.put("fsync", "when to force writes to the disk: never, flush (when caught up) or record (after "
                    + "every write, which holds one batch of records) (default never)");
            options.put("format", "hub (the seq/time/event envelope) or docker (a LogLine as Docker's json-file "
                    + "driver writes it; other events keep the envelope) (default hub)");
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
    record Settings(Path path, long maxSize, int maxFile, boolean compress, Fsync fsync, Format format) {
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
                // The exact spellings: case mapping would take look-alikes ("\uFB02ush" upper-cases to FLUSH).
                fsync = switch (text) {
                    case "never" -> Fsync.NEVER;
                    case "flush" -> Fsync.FLUSH;
                    case "record" -> Fsync.RECORD;
                    default -> throw invalid("fsync", text, "never, flush or record");
                };
            }
            Format format = Format.HUB;
            if (options.containsKey("format")) {
                String text = options.get("format");
                switch (text) {
                    case "hub" -> format = Format.HUB;
                    case "docker" -> format = Format.DOCKER;
                    default -> throw invalid("format", text, "hub or docker");
                }
            }
            return new Settings(path, maxSize, maxFile, compress, fsync, format);
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
    /** The records gathered since the last write: {@code length} bytes, {@code gathered} records. */
    private byte[] buffer = new byte[1 << 16];
    private int length;
    private int gathered;
    /** The second whose date and time {@link #secondText} holds ("2026-11-23T23:20:34."), or MIN_VALUE. */
    private long second = Long.MIN_VALUE;
    private final byte[] secondText = new byte[20];
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
        int start = length;
        if (settings.format() == Format.DOCKER && event instanceof LogLine logLine) {
            encodeDocker(logLine);
        } else {
            encodeEnvelope(event, sequence, timestampNanos);
        }
        int bytes = length - start;
        if (channel == null) {
            try {
                open(); // an earlier failure closed it; a full disk may have cleared
            } catch (IOException | RuntimeException failure) {
                length = start;
                throw failure;
            }
        }
        if (settings.maxSize() > 0 && size + start > 0 && size + start + bytes > settings.maxSize()) {
            // The record does not fit: what is gathered goes to this file, the record starts the next one.
            if (start > 0) {
                length = start;
                writeGathered(1); // if it throws, the gathered records and this one are reported as not written
                System.arraycopy(buffer, start, buffer, 0, bytes);
            }
            length = 0;
            rotate(); // if it throws, only this record is lost: the gathered ones are written
            length = bytes;
        }
        gathered++;
        if (length >= BUFFER_LIMIT) {
            writeGathered(0);
        }
    }

    /** Writes the gathered records with one write. */
    @Override
    public void endOfBatch() throws IOException {
        writeGathered(0);
    }

    private static final byte[] SEQ = ascii("{\"seq\":");
    private static final byte[] TIME_FIELD = ascii(",\"time\":\"");
    private static final byte[] EVENT_FIELD = ascii("\",\"event\":");
    private static final byte[] LOG_FIELD = ascii("{\"log\":");
    private static final byte[] STREAM_FIELD = ascii(",\"stream\":");

    private static byte[] ascii(String text) {
        return text.getBytes(StandardCharsets.US_ASCII);
    }

    /**
     * The envelope, encoded straight into the buffer. The encoder's text is checked to be one JSON value (a check
     * that allocates nothing), so a record on disk is always valid JSON.
     */
    private void encodeEnvelope(T event, long sequence, long timestampNanos) throws IOException {
        String encoded = encoder.apply(event);
        if (encoded == null || !Json.isValue(encoded)) {
            throw new IOException("the encoder gave " + (encoded == null ? "null" : "text that is not one JSON value")
                    + " for event " + sequence);
        }
        bytes(SEQ);
        number(sequence);
        bytes(TIME_FIELD);
        time(timestampNanos);
        bytes(EVENT_FIELD);
        utf8(encoded, true); // only whitespace between tokens can be a raw line break: it becomes a space
        room(2);
        buffer[length++] = '}';
        buffer[length++] = '\n';
    }

    /** Docker's json-file record (moby's jsonlog): log, stream, time; the same escaping as Docker's encoder. */
    private void encodeDocker(LogLine logLine) {
        bytes(LOG_FIELD);
        dockerQuote(logLine.text(), logLine.partial() == null || logLine.partial().last());
        bytes(STREAM_FIELD);
        dockerQuote(logLine.source(), false);
        bytes(TIME_FIELD);
        time(logLine.timeNanos());
        room(3);
        buffer[length++] = '"';
        buffer[length++] = '}';
        buffer[length++] = '\n';
    }

    /**
     * Quotes into the buffer as Docker's jsonlog encoder does: {@code \\ \" \n \r \t} escaped by name, other
     * control characters and {@code < > &} as a backslash, {@code u00} and two hex digits, U+2028 and U+2029
     * likewise, and a lone surrogate (text that is not UTF-8 there) as U+FFFD escaped the same way.
     */
    private void dockerQuote(String value, boolean newline) {
        int n = value.length();
        room(n + 2);
        buffer[length++] = '"';
        for (int i = 0; i < n; i++) {
            char c = value.charAt(i);
            switch (c) {
                case '"' -> escape('"');
                case '\\' -> escape('\\');
                case '\n' -> escape('n');
                case '\r' -> escape('r');
                case '\t' -> escape('t');
                case '<', '>', '&' -> unicodeEscape(c);
                case '\u2028', '\u2029' -> unicodeEscape(c);
                default -> {
                    if (c < 0x20) {
                        unicodeEscape(c);
                    } else if (c < 0x80) {
                        room(1);
                        buffer[length++] = (byte) c;
                    } else if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(value.charAt(i + 1))) {
                        codePoint(Character.toCodePoint(c, value.charAt(++i)));
                    } else if (Character.isSurrogate(c)) {
                        unicodeEscape('\ufffd');
                    } else {
                        codePoint(c);
                    }
                }
            }
        }
        room(3);
        if (newline) {
            buffer[length++] = '\\';
            buffer[length++] = 'n';
        }
        buffer[length++] = '"';
    }

    private void escape(char c) {
        room(2);
        buffer[length++] = '\\';
        buffer[length++] = (byte) c;
    }

    /** A backslash, u and four lowercase hex digits. */
    private void unicodeEscape(char c) {
        room(6);
        buffer[length++] = '\\';
        buffer[length++] = 'u';
        buffer[length++] = HEX[(c >> 12) & 0xF];
        buffer[length++] = HEX[(c >> 8) & 0xF];
        buffer[length++] = HEX[(c >> 4) & 0xF];
        buffer[length++] = HEX[c & 0xF];
    }

    private static final byte[] HEX = ascii("0123456789abcdef");

    /** Appends RFC 3339 UTC with nine fraction digits, without the quotes. */
    private void time(long epochNanos) {
        long seconds = Math.floorDiv(epochNanos, 1_000_000_000L);
        int nanos = (int) Math.floorMod(epochNanos, 1_000_000_000L);
        if (seconds != second) {
            String text = TIME.format(Instant.ofEpochSecond(seconds, 0)); // yyyy-MM-ddTHH:mm:ss.000000000Z
            if (text.length() != 30) {
                utf8(text.substring(0, text.length() - 10), false);
                digits(nanos);
                room(1);
                buffer[length++] = 'Z';
                return;
            }
            for (int i = 0; i < 20; i++) {
                secondText[i] = (byte) text.charAt(i);
            }
            second = seconds;
        }
        room(30);
        System.arraycopy(secondText, 0, buffer, length, 20);
        length += 20;
        digits(nanos);
        buffer[length++] = 'Z';
    }

    private void digits(int nanos) {
        room(10);
        for (int i = length + 8; i >= length; i--) {
            buffer[i] = (byte) ('0' + nanos % 10);
            nanos /= 10;
        }
        length += 9;
    }

    /** Appends {@code value} in decimal, as {@link Long#toString(long)} would, without a string. */
    private void number(long value) {
        room(20);
        if (value < 0) {
            if (value == Long.MIN_VALUE) {
                utf8(Long.toString(value), false);
                return;
            }
            buffer[length++] = '-';
            value = -value;
        }
        int count = 1;
        for (long rest = value / 10; rest != 0; rest /= 10) {
            count++;
        }
        for (int i = length + count - 1; i >= length; i--) {
            buffer[i] = (byte) ('0' + value % 10);
            value /= 10;
        }
        length += count;
    }

    private void bytes(byte[] bytes) {
        room(bytes.length);
        System.arraycopy(bytes, 0, buffer, length, bytes.length);
        length += bytes.length;
    }

    /**
     * Appends {@code text} as UTF-8 (a lone surrogate as {@code ?}, as {@link String#getBytes} does); with
     * {@code breaksToSpaces}, a raw CR or LF becomes a space.
     */
    private void utf8(String text, boolean breaksToSpaces) {
        int n = text.length();
        room(n);
        byte[] out = buffer;
        int at = length;
        int i = 0;
        for (; i < n; i++) { // the ASCII fast path: one byte per char
            char c = text.charAt(i);
            if (c >= 0x80) {
                break;
            }
            out[at++] = (byte) (breaksToSpaces && (c == '\n' || c == '\r') ? ' ' : c);
        }
        length = at;
        for (; i < n; i++) {
            char c = text.charAt(i);
            if (c < 0x80) {
                room(1);
                buffer[length++] = (byte) (breaksToSpaces && (c == '\n' || c == '\r') ? ' ' : c);
            } else if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(text.charAt(i + 1))) {
                codePoint(Character.toCodePoint(c, text.charAt(++i)));
            } else if (Character.isSurrogate(c)) {
                room(1);
                buffer[length++] = '?';
            } else {
                codePoint(c);
            }
        }
    }

    /** Appends one code point of U+0080 or more as UTF-8. */
    private void codePoint(int c) {
        room(4);
        if (c < 0x800) {
            buffer[length++] = (byte) (0xC0 | (c >> 6));
        } else if (c < 0x10000) {
            buffer[length++] = (byte) (0xE0 | (c >> 12));
            buffer[length++] = (byte) (0x80 | ((c >> 6) & 0x3F));
        } else {
            buffer[length++] = (byte) (0xF0 | (c >> 18));
            buffer[length++] = (byte) (0x80 | ((c >> 12) & 0x3F));
            buffer[length++] = (byte) (0x80 | ((c >> 6) & 0x3F));
        }
        buffer[length++] = (byte) (0x80 | (c & 0x3F));
    }

    private void room(int bytes) {
        if (length + bytes > buffer.length) {
            buffer = Arrays.copyOf(buffer, Math.max(buffer.length * 2, length + bytes));
        }
    }

    /**
     * Writes the gathered bytes with one positional write (a loop only if the OS takes less); on failure cuts the
     * file back and reports the gathered records, plus {@code more} (the record being accepted), as not written.
     */
    private void writeGathered(int more) throws IOException {
        if (length == 0) {
            return;
        }
        int records = gathered + more;
        ByteBuffer bytes = ByteBuffer.wrap(buffer, 0, length);
        length = 0;
        gathered = 0;
        if (more == 0 && buffer.length > BUFFER_LIMIT * 2) {
            buffer = new byte[1 << 16]; // one huge record must not keep a huge buffer
        }
        if (channel == null) {
            try {
                open();
            } catch (IOException | RuntimeException failure) {
                throw new SinkWriteException(this + " could not reopen its file; " + records + " records not written",
                        failure, records);
            }
        }
        long before = size;
        try {
            long at = before;
            while (bytes.hasRemaining()) {
                at += channel.write(bytes, at);
            }
            size = at;
            if (settings.fsync() == Fsync.RECORD) {
                channel.force(false);
            }
        } catch (IOException | RuntimeException failure) {
            try {
                channel.truncate(before); // never leave half a record behind
            } catch (IOException | RuntimeException ignored) {
                // The channel is unusable; reopening cuts the torn tail.
            }
            closeChannel();
            size = before;
            throw new SinkWriteException(this + " could not write " + records + " records: " + failure, failure,
                    records);
        }
    }

    @Override
    public void flush() throws IOException {
        writeGathered(0);
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
        try {
            writeGathered(0);
        } finally {
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
    }

    /** Opens the current file for appending (mode 0640 when created), cutting a torn last line left by a crash. */
    private void open() throws IOException {
        Path path = settings.path();
        Path parent = path.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        if (!Files.exists(path)) {
            try {
                Files.newByteChannel(path, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
                        modeAttributes()).close();
            } catch (java.nio.file.FileAlreadyExistsException raced) {
                // Someone created it meanwhile: append to theirs.
            }
        }
        FileChannel opened = FileChannel.open(path, StandardOpenOption.WRITE, StandardOpenOption.READ);
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

    /** Mode 0640 at creation where the file system has POSIX permissions; nothing otherwise. */
    private static FileAttribute<?>[] modeAttributes() {
        return FileSystems.getDefault().supportedFileAttributeViews().contains("posix")
                ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(MODE)}
                : new FileAttribute<?>[0];
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
        Files.deleteIfExists(partial); // left by an interrupted rotation; created afresh with the mode below
        try (InputStream in = Files.newInputStream(from);
             OutputStream out = new GZIPOutputStream(Channels.newOutputStream(Files.newByteChannel(partial,
                     Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE), modeAttributes())), 1 << 16)) {
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
