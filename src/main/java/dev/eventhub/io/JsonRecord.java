package dev.eventhub.io;

import dev.eventhub.internal.Checks;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One line of {@code json-file} output: the event's sequence, its hub time and the encoded event (JSON text).
 *
 * <p><b>Docker's records.</b> {@link #parse} also reads a record of Docker's {@code json-file} log driver,
 * {@code {"log":"<text>\n","stream":"stdout","time":"2026-12-02T05:00:00.123456789Z"}} (optionally with an
 * {@code "attrs"} object, which is not kept), whether Docker wrote it or this library did. It maps to a record whose
 * {@link #stream()} is the stream's name ({@code stdout} or {@code stderr}; null for this library's envelope), whose
 * {@link #event()} is the {@code "log"} text as one JSON string (with its trailing {@code \n} when the line was
 * whole, without it for a partial line; {@link #log()} decodes it), and whose {@link #sequence()} is 0, since Docker
 * writes none: {@link JsonFileReader} replaces it with the record's ordinal in the read.
 *
 * @param sequence  the event's sequence in its hub; for a Docker record 0 from {@link #parse}, or its ordinal in a
 *                  {@link JsonFileReader} read
 * @param timeNanos its stamp, in nanoseconds since the epoch
 * @param event     the encoded event, one JSON value; for a Docker record, the {@code "log"} text as a JSON string
 * @param stream    the stream a Docker record came from, or null for this library's envelope
 */
public record JsonRecord(long sequence, long timeNanos, String event, String stream) {
    private static final Pattern EVENT_KEY = Pattern.compile("\"event\"\\s*:");

    /**
     * Checks the fields.
     *
     * @param event the encoded event, one JSON value
     * @param sequence the event's sequence in its hub
     * @param timeNanos its stamp, in nanoseconds since the epoch
     * @param stream the stream a Docker record came from, or null
     * @throws NullPointerException if {@code event} is null
     */
    public JsonRecord {
        Checks.notNull("event", event);
    }

    /**
     * A record of this library's envelope.
     *
     * @param sequence  the event's sequence in its hub
     * @param timeNanos its stamp, in nanoseconds since the epoch
     * @param event     the encoded event, one JSON value
     * @throws NullPointerException if {@code event} is null
     */
    public JsonRecord(long sequence, long timeNanos, String event) {
        this(sequence, timeNanos, event, null);
    }

    /**
     * Parses one line (without its line break) written by the {@code json-file} sink, in this library's envelope or
     * in Docker's format (see the class description).
     *
     * @param line the line
     * @return the record
     * @throws NullPointerException     if {@code line} is null
     * @throws IllegalArgumentException saying what is wrong with it (with the column, for JSON errors)
     */
    public static JsonRecord parse(String line) {
        Checks.notNull("line", line);
        JsonRecord fast = envelope(line);
        return fast != null ? fast : general(line);
    }

    /** The general path of {@link #parse}: any JSON text, judged in full. */
    static JsonRecord general(String line) {
        Object value = Json.parse(line);
        if (!(value instanceof Map<?, ?> object)) {
            throw new IllegalArgumentException("not a JSON object");
        }
        if (object.containsKey("log")) {
            return docker(object);
        }
        if (!(object.get("seq") instanceof BigDecimal seq)) {
            throw new IllegalArgumentException("no number \"seq\"");
        }
        if (!(object.get("time") instanceof String time)) {
            throw new IllegalArgumentException("no string \"time\"");
        }
        if (!object.containsKey("event")) {
            throw new IllegalArgumentException("no \"event\"");
        }
        String last = null;
        for (Object key : object.keySet()) {
            last = (String) key;
        }
        if (object.size() != 3 || !"event".equals(last)) {
            throw new IllegalArgumentException("expected exactly \"seq\", \"time\" and \"event\", in that order");
        }
        long sequence;
        // A huge exponent (1e999999999) must not be expanded: reject what cannot be a long before converting.
        if (seq.signum() != 0 && (seq.precision() - seq.scale() > 19 || seq.scale() > 1000)) {
            throw new IllegalArgumentException("bad \"seq\": " + abbreviate(seq.toString()) + " (expected: a whole "
                    + "number that fits in 64 bits)");
        }
        try {
            sequence = seq.longValueExact();
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException("bad \"seq\": " + abbreviate(seq.toString()) + " (expected: a whole "
                    + "number that fits in 64 bits)");
        }
        long nanos = time(time);
        Matcher key = EVENT_KEY.matcher(line);
        key.find(); // present, and neither value before it (a number, an instant) can contain it
        String event = line.substring(key.end(), line.lastIndexOf('}')).strip();
        return new JsonRecord(sequence, nanos, event, null);
    }

    private static final java.lang.invoke.VarHandle LONGS = java.lang.invoke.MethodHandles.byteArrayViewVarHandle(
            long[].class, java.nio.ByteOrder.LITTLE_ENDIAN);
    private static final String SEQ = "{\"seq\":";
    private static final String TIME = ",\"time\":\"";
    private static final String EVENT = "\",\"event\":";

    /**
     * The fast path: a line exactly as the sink writes it ({@code {"seq":N,"time":"yyyy-MM-ddTHH:mm:ss[.f]Z",
     * "event":V}} with no spaces), read without building anything but the record; null for anything else, which the
     * general parser then judges. Both paths give the same record for every line the fast one accepts.
     */
    static JsonRecord envelope(String line) {
        if (!line.startsWith(SEQ)) {
            return null;
        }
        int n = line.length();
        int i = SEQ.length();
        boolean negative = i < n && line.charAt(i) == '-';
        if (negative) {
            i++;
        }
        int digitsStart = i;
        long seq = 0;
        while (i < n && line.charAt(i) >= '0' && line.charAt(i) <= '9') {
            if (i - digitsStart >= 18) {
                return null; // possibly beyond a long: the general path decides
            }
            seq = seq * 10 + (line.charAt(i) - '0');
            i++;
        }
        if (i == digitsStart || line.charAt(digitsStart) == '0' && i - digitsStart > 1 || !line.startsWith(TIME, i)) {
            return null;
        }
        i += TIME.length();
        long nanos = instant(line, i);
        if (nanos == Long.MIN_VALUE) {
            return null;
        }
        i = line.indexOf('"', i);
        if (i < 0 || !line.startsWith(EVENT, i)) {
            return null;
        }
        int eventStart = i + EVENT.length();
        int eventEnd = Json.skipValue(line, eventStart, 1); // the event is nested once, as in parse
        if (eventEnd != n - 1 || line.charAt(eventEnd) != '}') {
            return null;
        }
        return new JsonRecord(negative ? -seq : seq, nanos, line.substring(eventStart, eventEnd), null);
    }

    /**
     * {@link #envelope(String)} over the UTF-8 bytes {@code [from, to)} of a line: nothing is decoded but the event.
     */
    static JsonRecord envelope(byte[] b, int from, int to) {
        return envelope(b, from, to, null);
    }

    /**
     * {@link #envelope(byte[], int, int)} with the minute of the previous record's time at hand: records of a file are
     * written in time order, so most share their date, hour and minute with the one before, and only the seconds are
     * parsed.
     */
    static JsonRecord envelope(byte[] b, int from, int to, Reading reading) {
        return envelope(b, from, to, reading, false);
    }

    /**
     * The sink's line that starts at {@code b[from]}, before its end is known: {@code to} is the end of the bytes at
     * hand, which may hold more lines or only part of this one. The line is a record if it is one in the sink's form
     * followed by {@code '\n'}; its line break is then at {@link Reading#lineBreak()}. Parsing never reads past a line
     * break (no form of the envelope holds one, and {@link Json#skipValue(byte[], int, int, int)} takes none for
     * whitespace), so this gives the record {@link #envelope(byte[], int, int, Reading)} gives for the line, or null
     * whenever that would (or when the line is not all at hand), and the reader need not look for the line break first.
     */
    static JsonRecord envelopeLine(byte[] b, int from, int to, Reading reading) {
        return envelope(b, from, to, reading, true);
    }

    private static JsonRecord envelope(byte[] b, int from, int to, Reading reading, boolean open) {
        if (!SEQ_PREFIX.at(b, from, to)) {
            return null;
        }
        int i = from + SEQ.length();
        boolean negative = i < to && b[i] == '-';
        if (negative) {
            i++;
        }
        int digitsStart = i;
        long seq = 0;
        if (to - i >= 8) { // up to eight digits at once; the loop below takes any after them
            long w = (long) LONGS.get(b, i);
            int digits = leadingDigits(w);
            if (digits > 0) {
                seq = eightDigits(w << 8 * (8 - digits)); // moved up; the zero bytes below count as leading zeros
                i += digits;
            }
        }
        while (i < to && b[i] >= '0' && b[i] <= '9') {
            if (i - digitsStart >= 18) {
                return null;
            }
            seq = seq * 10 + (b[i] - '0');
            i++;
        }
        if (i == digitsStart || b[digitsStart] == '0' && i - digitsStart > 1 || !TIME_PREFIX.at(b, i, to)) {
            return null;
        }
        i += TIME_PREFIX.length;
        if (to - i < 21) {
            return null;
        }
        long nanos = instant(b, i, to, reading);
        if (nanos == Long.MIN_VALUE) {
            return null;
        }
        if (reading != null) {
            i = reading.timeQuote;
        } else {
            i += 19; // past the seconds: only a fraction and the Z are left before the closing quote
            while (b[i] != '"') {
                i++;
            }
        }
        if (!EVENT_PREFIX.at(b, i, to)) {
            return null;
        }
        int eventStart = i + EVENT_PREFIX.length;
        int eventEnd = Json.skipValue(b, eventStart, to, 1);
        if (open) {
            if (eventEnd < 0 || eventEnd + 1 >= to || b[eventEnd] != '}' || b[eventEnd + 1] != '\n') {
                return null;
            }
            reading.lineBreak = eventEnd + 1;
        } else if (eventEnd != to - 1 || b[eventEnd] != '}') {
            return null;
        }
        return new JsonRecord(negative ? -seq : seq, nanos,
                new String(b, eventStart, eventEnd - eventStart, StandardCharsets.UTF_8), null);
    }

    private static final Prefix SEQ_PREFIX = new Prefix(SEQ);
    private static final Prefix TIME_PREFIX = new Prefix(TIME);
    private static final Prefix EVENT_PREFIX = new Prefix(EVENT);

    /**
     * An ASCII constant of up to 16 bytes, compared a word at a time: its first eight bytes and its last eight
     * (overlapping when it is shorter than 16); one shorter than eight is compared masked, and only where eight bytes
     * are at hand (a record always has more after it).
     */
    private static final class Prefix {
        final int length;
        private final long first;
        private final long firstMask;
        private final long last;

        Prefix(String ascii) {
            length = ascii.length();
            if (length > 16) {
                throw new IllegalArgumentException("prefix longer than 16: " + ascii);
            }
            first = word(ascii, 0);
            firstMask = length >= 8 ? -1L : (1L << 8 * length) - 1;
            last = length >= 8 ? word(ascii, length - 8) : 0;
        }

        private static long word(String ascii, int from) {
            long w = 0;
            for (int k = 7; k >= 0; k--) {
                w = w << 8 | (from + k < ascii.length() ? ascii.charAt(from + k) : 0);
            }
            return w;
        }

        boolean at(byte[] b, int at, int to) {
            if (length < 8) {
                return to - at >= 8 && ((long) LONGS.get(b, at) & firstMask) == first;
            }
            return to - at >= length && (long) LONGS.get(b, at) == first
                    && (long) LONGS.get(b, at + length - 8) == last;
        }
    }

    /**
     * What a read keeps from one line to the next: the date, hour and minute last parsed (their 16 bytes as two words,
     * and the epoch nanoseconds they stand for), where the last time parsed ends, and where the last line
     * {@link #envelopeLine} parsed ends. One per read; not for sharing between threads.
     */
    static final class Reading {
        private long first = -1;
        private long second = -1;
        private long nanos = Long.MIN_VALUE;
        private int lineBreak = -1;
        /** Where the closing quote of the last time parsed is. */
        private int timeQuote = -1;

        /** {@return the index of the line break of the last line {@link #envelopeLine} parsed} */
        int lineBreak() {
            return lineBreak;
        }
    }

    /** {@link #instant(byte[], int, int)} over the characters of {@code s} from {@code at} (at most 32 are read). */
    private static long instant(String s, int at) {
        byte[] ascii = new byte[Math.max(0, Math.min(32, s.length() - at))];
        for (int k = 0; k < ascii.length; k++) {
            char c = s.charAt(at + k);
            ascii[k] = c < 0x80 ? (byte) c : 0; // no character of the form is outside ASCII
        }
        return instant(ascii, 0, ascii.length);
    }

    /**
     * {@code yyyy-MM-ddTHH:mm:ss[.f{1,9}]Z} in {@code b[at, to)}, followed by {@code "}, as epoch nanoseconds;
     * Long.MIN_VALUE for anything else (another form, a date that does not exist, a year outside 1678-2261). Read
     * straight from the bytes: nothing is allocated.
     */
    private static long instant(byte[] b, int at, int to) {
        return instant(b, at, to, null);
    }

    private static long instant(byte[] b, int at, int to, Reading minutes) {
        if (to - at < 21 || b[at + 16] != ':') {
            return Long.MIN_VALUE;
        }
        long minuteNanos;
        if (minutes != null && minutes.nanos != Long.MIN_VALUE && (long) LONGS.get(b, at) == minutes.first
                && (long) LONGS.get(b, at + 8) == minutes.second) {
            minuteNanos = minutes.nanos; // the same 16 bytes as the last time parsed, which were a valid minute
        } else {
            minuteNanos = minute(b, at);
            if (minuteNanos == Long.MIN_VALUE) {
                return Long.MIN_VALUE;
            }
            if (minutes != null) {
                minutes.first = (long) LONGS.get(b, at);
                minutes.second = (long) LONGS.get(b, at + 8);
                minutes.nanos = minuteNanos;
            }
        }
        int tens = b[at + 17] - '0';
        int ones = b[at + 18] - '0';
        if (tens < 0 || tens > 5 || ones < 0 || ones > 9) {
            return Long.MIN_VALUE;
        }
        int second = tens * 10 + ones;
        int i = at + 19;
        long fraction = 0;
        if (b[i] == '.') {
            int start = ++i;
            if (to - i >= 9) { // the sink writes nine digits: eight of them at once
                long w = (long) LONGS.get(b, i);
                if ((w & 0xF0F0F0F0F0F0F0F0L) == 0x3030303030303030L
                        && ((w + 0x0606060606060606L) & 0xF0F0F0F0F0F0F0F0L) == 0x3030303030303030L) {
                    fraction = eightDigits(w);
                    i += 8;
                }
            }
            while (i < to && b[i] >= '0' && b[i] <= '9') {
                if (i - start >= 9) {
                    return Long.MIN_VALUE;
                }
                fraction = fraction * 10 + (b[i] - '0');
                i++;
            }
            if (i == start) {
                return Long.MIN_VALUE;
            }
            for (int k = i - start; k < 9; k++) {
                fraction *= 10;
            }
        }
        if (i + 1 >= to || b[i] != 'Z' || b[i + 1] != '"') {
            return Long.MIN_VALUE;
        }
        if (minutes != null) {
            minutes.timeQuote = i + 1;
        }
        return minuteNanos + second * 1_000_000_000L + fraction;
    }

    /** How many of the word's bytes, from the lowest, are ASCII digits before the first that is not (0 to 8). */
    private static int leadingDigits(long w) {
        long highNibble = (w & 0xF0F0F0F0F0F0F0F0L) ^ 0x3030303030303030L; // a byte is 0 where it is 0x3_
        long lowNibble = ((w + 0x0606060606060606L) & 0xF0F0F0F0F0F0F0F0L) ^ 0x3030303030303030L; // 0 where _ <= 9
        long notDigit = highNibble | lowNibble; // exact up to the first byte that is not a digit, all that counts
        long flags = (notDigit | ((notDigit & 0x7F7F7F7F7F7F7F7FL) + 0x7F7F7F7F7F7F7F7FL)) & 0x8080808080808080L;
        return Long.numberOfTrailingZeros(flags) >>> 3; // 64 >>> 3 = 8 when all are digits
    }

    /**
     * The value of eight ASCII digits read as a little-endian word (the first digit in the lowest byte): pairs, then
     * fours, then all eight, each step one multiplication.
     */
    private static long eightDigits(long w) {
        long v = ((w & 0x0F0F0F0F0F0F0F0FL) * 2561) >>> 8;
        v = ((v & 0x00FF00FF00FF00FFL) * 6553601) >>> 16;
        return ((v & 0x0000FFFF0000FFFFL) * 42949672960001L) >>> 32;
    }

    /**
     * {@code yyyy-MM-ddTHH:mm} at {@code b[at]} (16 bytes, which the caller has) as epoch nanoseconds, or
     * Long.MIN_VALUE when it is not a valid minute of 1678-2261.
     */
    private static long minute(byte[] b, int at) {
        if (b[at + 4] != '-' || b[at + 7] != '-' || b[at + 10] != 'T' || b[at + 13] != ':') {
            return Long.MIN_VALUE;
        }
        int year = number(b, at, 4);
        int month = number(b, at + 5, 2);
        int day = number(b, at + 8, 2);
        int hour = number(b, at + 11, 2);
        int minute = number(b, at + 14, 2);
        if (year < 1678 || year > 2261 || month < 1 || month > 12 || day < 1 || hour < 0 || hour > 23 || minute < 0
                || minute > 59) {
            return Long.MIN_VALUE;
        }
        boolean leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
        int length = month == 2 ? (leap ? 29 : 28) : (month == 4 || month == 6 || month == 9 || month == 11) ? 30 : 31;
        if (day > length) {
            return Long.MIN_VALUE;
        }
        // Days from the civil date (Howard Hinnant's algorithm).
        int y = month <= 2 ? year - 1 : year;
        int era = Math.floorDiv(y, 400);
        int yoe = y - era * 400;
        int mp = (month + 9) % 12;
        int doy = (153 * mp + 2) / 5 + day - 1;
        int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        long days = era * 146_097L + doe - 719_468L;
        return (days * 86_400L + hour * 3_600L + minute * 60L) * 1_000_000_000L;
    }

    private static int number(byte[] b, int at, int digits) {
        int value = 0;
        for (int i = at; i < at + digits; i++) {
            int c = b[i];
            if (c < '0' || c > '9') {
                return -1_000_000;
            }
            value = value * 10 + (c - '0');
        }
        return value;
    }

    private static JsonRecord docker(Map<?, ?> object) {
        if (!(object.get("log") instanceof String log)) {
            throw new IllegalArgumentException("no string \"log\"");
        }
        if (!(object.get("stream") instanceof String stream) || stream.isEmpty()) {
            throw new IllegalArgumentException("no string \"stream\"");
        }
        if (!(object.get("time") instanceof String time)) {
            throw new IllegalArgumentException("no string \"time\"");
        }
        for (Object key : object.keySet()) {
            if (!key.equals("log") && !key.equals("stream") && !key.equals("time") && !key.equals("attrs")) {
                throw new IllegalArgumentException("unexpected key " + Json.quote(new StringBuilder(),
                        abbreviate((String) key)) + " in a Docker record (expected: log, stream, attrs, time)");
            }
        }
        if (object.containsKey("attrs") && !(object.get("attrs") instanceof Map)) {
            throw new IllegalArgumentException("\"attrs\" is not an object");
        }
        return new JsonRecord(0, time(time), Json.quote(new StringBuilder(log.length() + 2), log).toString(), stream);
    }

    /** RFC 3339 with a UTC designator or an offset, as Docker (RFC3339Nano) and this library write it. */
    private static long time(String time) {
        try {
            Instant instant = time.endsWith("Z") || time.endsWith("z") ? Instant.parse(time)
                    : OffsetDateTime.parse(time).toInstant();
            long seconds = instant.getEpochSecond();
            if (seconds >= Long.MAX_VALUE / 1_000_000_000L || seconds <= Long.MIN_VALUE / 1_000_000_000L) {
                throw new IllegalArgumentException("bad \"time\": " + abbreviate(time)
                        + " (expected: between 1677 and 2262, the range of nanoseconds in 64 bits)");
            }
            return Checks.epochNanos(instant);
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("bad \"time\": " + abbreviate(time) + " (expected: RFC 3339, such as "
                    + "2026-12-02T05:00:00.123456789Z; " + e.getMessage().replace(time, "...") + ")");
        }
    }

    private static String abbreviate(String text) {
        return text.length() <= 64 ? text : text.substring(0, 61) + "...";
    }

    /** {@return whether this is a record of Docker's json-file log driver} */
    public boolean isDocker() {
        return stream != null;
    }

    /**
     * The same record with another sequence: the ordinal a reader gives a Docker record.
     *
     * @param sequence the sequence or ordinal
     * @return the record
     */
    public JsonRecord withSequence(long sequence) {
        return new JsonRecord(sequence, timeNanos, event, stream);
    }

    /**
     * {@return the log text of a Docker record, decoded, with its trailing line break when the line was whole; for
     * this library's envelope, the event when it is a JSON string, or null}
     */
    public String log() {
        return Json.parse(event) instanceof String text ? text : null;
    }

    /** {@return the time as an instant} */
    public Instant time() {
        return Instant.ofEpochSecond(Math.floorDiv(timeNanos, 1_000_000_000L),
                Math.floorMod(timeNanos, 1_000_000_000L));
    }

    /**
     * {@return the event's top-level fields that are strings, numbers or booleans, as text, in the order written}
     * Empty when the event is not a JSON object.
     */
    public Map<String, String> fields() {
        if (!(Json.parse(event) instanceof Map<?, ?> object)) {
            return Map.of();
        }
        Map<String, String> fields = new java.util.LinkedHashMap<>();
        object.forEach((key, value) -> {
            if (value instanceof String || value instanceof BigDecimal || value instanceof Boolean) {
                fields.put((String) key, value.toString());
            }
        });
        return java.util.Collections.unmodifiableMap(fields);
    }

    /**
     * A top-level field of the event, when the event is a JSON object: a string as it is, a number or a boolean as
     * its JSON text, {@code null} for a missing field, JSON {@code null}, an object or an array.
     *
     * @param name the field's name
     * @return the field's value as text, or null
     * @throws NullPointerException if {@code name} is null
     */
    public String field(String name) {
        Checks.notNull("name", name);
        Object parsed = Json.parse(event);
        if (!(parsed instanceof Map<?, ?> object)) {
            return null;
        }
        Object value = object.get(name);
        if (value instanceof String text) {
            return text;
        }
        if (value instanceof BigDecimal number) {
            return number.toString();
        }
        if (value instanceof Boolean flag) {
            return flag.toString();
        }
        return null;
    }
}
