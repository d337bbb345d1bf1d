package dev.eventhub.internal;

import java.io.IOException;
import java.io.InputStream;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Internal: public only so that every package of the module can share it. Lines of UTF-8 text read from a stream
 * with a bounded line length: bytes are read into a buffer, newlines found by a plain byte scan, and each line
 * decoded on its own (malformed UTF-8 becomes U+FFFD), with no per-character call.
 *
 * <p>A line longer than the limit is never held whole: once the limit is passed the scanner drops what it holds and
 * skips to the next newline, counting, then reports the line as {@link Kind#TOO_LONG} with its offset and length.
 * The buffer never grows past {@code maxLineBytes + 1} bytes (at least 64 KiB).
 *
 * <p>End of stream is not final: {@link #next()} returns {@link Kind#END} when the stream has nothing more, and a
 * later call reads again (a file being followed). What a caller does with an unterminated tail is its choice:
 * {@link #pendingBytes()} and {@link #pendingText()} tell what is held.
 */
public final class LineScanner {
    /** The default limit on a line from outside: 1 MiB. */
    public static final int DEFAULT_MAX_LINE_BYTES = 1 << 20;
    /** The smallest limit accepted. */
    public static final int MIN_MAX_LINE_BYTES = 16;
    /** The largest limit accepted (a Java array must hold the line). */
    public static final int MAX_MAX_LINE_BYTES = (1 << 30);
    private static final int INITIAL = 1 << 16;
    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class,
            ByteOrder.LITTLE_ENDIAN);

    /** What {@link #next()} found. */
    public enum Kind {
        /** A complete line: {@link #line()}. */
        LINE,
        /** A line longer than the limit, skipped: {@link #lineOffset()} and {@link #lineBytes()}. */
        TOO_LONG,
        /** Nothing more for now; {@link #pendingBytes()} may be held (a line without its line break yet). */
        END
    }

    private final InputStream in;
    private final int maxLineBytes;
    private byte[] buffer;
    private int start; // first byte of the current line in buffer
    private int scanned; // bytes before this are known not to be '\n'
    private int limit; // end of valid data
    private long bufferOffset; // stream offset of buffer[0]
    private boolean skipping;
    private long skipStart;
    private long lineOffset;
    private long lineBytes;
    private long lineNumber;
    private String line;
    private int lineFrom;

    /**
     * A scanner of {@code in}, whose first byte is at {@code offset}.
     *
     * @param in           the stream (not closed by the scanner)
     * @param maxLineBytes the longest line accepted, without its line break
     * @param offset       the offset of the stream's first byte, for reports
     */
    public LineScanner(InputStream in, int maxLineBytes, long offset) {
        this.in = Checks.notNull("in", in);
        this.maxLineBytes = maxLineBytes(maxLineBytes);
        this.buffer = new byte[Math.min(INITIAL, maxLineBytes + 1)];
        this.bufferOffset = offset;
    }

    /**
     * Checks a line limit.
     *
     * @param value the limit in bytes
     * @return the value
     * @throws IllegalArgumentException naming the option and the value when out of range
     */
    public static int maxLineBytes(int value) {
        if (value < MIN_MAX_LINE_BYTES || value > MAX_MAX_LINE_BYTES) {
            throw new IllegalArgumentException("maxLineBytes: " + value + " (expected: from " + MIN_MAX_LINE_BYTES
                    + " to " + MAX_MAX_LINE_BYTES + ")");
        }
        return value;
    }

    /**
     * Reads to the next line, skipped line or end of the stream.
     *
     * @return what was found
     * @throws IOException if the stream fails
     */
    public Kind next() throws IOException {
        while (true) {
            int newline = newline(buffer, scanned, limit);
            if (newline >= 0) {
                lineNumber++;
                int end = newline;
                scanned = newline + 1;
                int from = start;
                start = newline + 1;
                if (skipping) {
                    skipping = false;
                    lineOffset = skipStart;
                    lineBytes = bufferOffset + end - skipStart;
                    line = null;
                    return Kind.TOO_LONG;
                }
                lineOffset = bufferOffset + from;
                lineBytes = end - from;
                lineFrom = from;
                line = null; // decoded when asked for
                return Kind.LINE;
            }
            scanned = limit;
            if (skipping) {
                bufferOffset += limit; // nothing held while skipping
                start = scanned = limit = 0;
            } else if (limit - start > maxLineBytes) {
                skipping = true;
                skipStart = bufferOffset + start;
                bufferOffset += limit;
                start = scanned = limit = 0;
            } else if (limit == buffer.length) {
                if (start > 0) { // move the partial line to the front
                    System.arraycopy(buffer, start, buffer, 0, limit - start);
                    bufferOffset += start;
                    limit -= start;
                    scanned -= start;
                    start = 0;
                } else {
                    buffer = Arrays.copyOf(buffer, (int) Math.min((long) buffer.length * 2, maxLineBytes + 1L));
                }
            }
            int n = in.read(buffer, limit, buffer.length - limit);
            if (n < 0) {
                return Kind.END;
            }
            if (n == 0) {
                return Kind.END; // a non-blocking source with nothing now
            }
            limit += n;
        }
    }

    /**
     * Takes the line that starts at {@link #position()} and ends at {@code newline}, a line break the caller found in
     * {@link #buffer()} (for instance by parsing the line) with none before it: what {@link #next()} would have
     * returned as a {@link Kind#LINE}, without scanning for the line break again.
     *
     * @param newline the index of the line's {@code '\\n'} in {@link #buffer()}, below {@link #buffered()}
     * @throws IllegalStateException if a long line is being skipped or {@code newline} is not a line break there
     */
    public void takeLine(int newline) {
        if (skipping || newline < start || newline >= limit || buffer[newline] != '\n') {
            throw new IllegalStateException("no line break at " + newline + " (line from " + start + ", "
                    + limit + " bytes buffered" + (skipping ? ", skipping a long line)" : ")"));
        }
        lineNumber++;
        lineOffset = bufferOffset + start;
        lineBytes = newline - start;
        lineFrom = start;
        line = null;
        start = scanned = newline + 1;
    }

    /** {@return where the next line starts in {@link #buffer()}; meaningless while a long line is skipped} */
    public int position() {
        return start;
    }

    /** {@return the end of the bytes read into {@link #buffer()}} */
    public int buffered() {
        return limit;
    }

    /**
     * The first {@code '\\n'} in {@code bytes[from, to)}, or -1: eight bytes at a time (a zero-byte test on the
     * word XORed with newlines; the lowest flagged byte is always a true match), then byte by byte.
     */
    static int newline(byte[] bytes, int from, int to) {
        int i = from;
        for (; i + 8 <= to; i += 8) {
            long x = (long) LONGS.get(bytes, i) ^ 0x0A0A0A0A0A0A0A0AL;
            long found = (x - 0x0101010101010101L) & ~x & 0x8080808080808080L;
            if (found != 0) {
                return i + (Long.numberOfTrailingZeros(found) >>> 3);
            }
        }
        for (; i < to; i++) {
            if (bytes[i] == '\n') {
                return i;
            }
        }
        return -1;
    }

    /** {@return the line found by the last {@link #next()} that returned {@link Kind#LINE}, decoded from UTF-8} */
    public String line() {
        if (line == null) {
            line = new String(buffer, lineFrom, (int) lineBytes, StandardCharsets.UTF_8);
        }
        return line;
    }

    /** {@return the buffer holding the last line's bytes, valid until the next call of {@link #next()}} */
    public byte[] buffer() {
        return buffer;
    }

    /** {@return where the last line's bytes start in {@link #buffer()}} */
    public int lineStart() {
        return lineFrom;
    }

    /** {@return the stream offset where the last line or skipped line began} */
    public long lineOffset() {
        return lineOffset;
    }

    /** {@return the length in bytes of the last line or skipped line, without its line break} */
    public long lineBytes() {
        return lineBytes;
    }

    /** {@return the number of the last line or skipped line, from 1} */
    public long lineNumber() {
        return lineNumber;
    }

    /** {@return the bytes read after the last line break: held, or counted while skipping} */
    public long pendingBytes() {
        return skipping ? bufferOffset + limit - skipStart : limit - start;
    }

    /** {@return whether the bytes after the last line break are more than the limit (and not held)} */
    public boolean pendingTooLong() {
        return skipping;
    }

    /** {@return the stream offset of the bytes after the last line break} */
    public long pendingOffset() {
        return skipping ? skipStart : bufferOffset + start;
    }

    /** {@return the bytes after the last line break as text, or null when they are too long to be held} */
    public String pendingText() {
        return skipping ? null : new String(buffer, start, limit - start, StandardCharsets.UTF_8);
    }

    /** {@return the offset after the last byte read} */
    public long offset() {
        return bufferOffset + limit;
    }

    /** {@return the size of the buffer now: never more than the limit plus one, or 64 KiB} */
    public int bufferCapacity() {
        return buffer.length;
    }

    /** {@return the limit on a line, in bytes} */
    public int maxLineBytes() {
        return maxLineBytes;
    }
}
