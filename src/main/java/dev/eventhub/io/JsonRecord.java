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
        if (!starts(b, from, to, SEQ)) {
            return null;
        }
        int i = from + SEQ.length();
        boolean negative = i < to && b[i] == '-';
        if (negative) {
            i++;
        }
        int digitsStart = i;
        long seq = 0;
        while (i < to && b[i] >= '0' && b[i] <= '9') {
            if (i - digitsStart >= 18) {
                return null;
            }
            seq = seq * 10 + (b[i] - '0');
            i++;
        }
        if (i == digitsStart || b[digitsStart] == '0' && i - digitsStart > 1 || !starts(b, i, to, TIME)) {
            return null;
        }
        i += TIME.length();
        if (to - i < 21) {
            return null;
        }
        char[] time = new char[Math.min(32, to - i)];
        for (int k = 0; k < time.length; k++) {
            time[k] = (char) (b[i + k] & 0xff);
        }
        long nanos = instant(new String(time), 0);
        if (nanos == Long.MIN_VALUE) {
            return null;
        }
        while (i < to && b[i] != '"') {
            i++;
        }
        if (!starts(b, i, to, EVENT)) {
            return null;
        }
        int eventStart = i + EVENT.length();
        int eventEnd = Json.skipValue(b, eventStart, to, 1);
        if (eventEnd != to - 1 || b[eventEnd] != '}') {
            return null;
        }
        return new JsonRecord(negative ? -seq : seq, nanos,
                new String(b, eventStart, eventEnd - eventStart, StandardCharsets.UTF_8), null);
    }

    private static boolean starts(byte[] b, int at, int to, String ascii) {
        if (to - at < ascii.length()) {
            return false;
        }
        for (int k = 0; k < ascii.length(); k++) {
            if (b[at + k] != ascii.charAt(k)) {
                return false;
            }
        }
        return true;
    }

    /**
     * {@code yyyy-MM-ddTHH:mm:ss[.f{1,9}]Z} at {@code at}, followed by {@code "}, as epoch nanoseconds; Long.MIN_VALUE
     * for anything else (another form, a date that does not exist, a year outside 1678-2261).
     */
    private static long instant(String s, int at) {
        if (s.length() < at + 21 || s.charAt(at + 4) != '-' || s.charAt(at + 7) != '-' || s.charAt(at + 10) != 'T'
                || s.charAt(at + 13) != ':' || s.charAt(at + 16) != ':') {
            return Long.MIN_VALUE;
        }
        int year = number(s, at, 4);
        int month = number(s, at + 5, 2);
        int day = number(s, at + 8, 2);
        int hour = number(s, at + 11, 2);
        int minute = number(s, at + 14, 2);
        int second = number(s, at + 17, 2);
        if (year < 1678 || year > 2261 || month < 1 || month > 12 || day < 1 || hour < 0 || hour > 23 || minute < 0
                || minute > 59 || second < 0 || second > 59) {
            return Long.MIN_VALUE;
        }
        boolean leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
        int length = month == 2 ? (leap ? 29 : 28) : (month == 4 || month == 6 || month == 9 || month == 11) ? 30 : 31;
        if (day > length) {
            return Long.MIN_VALUE;
        }
        int i = at + 19;
        long fraction = 0;
        if (s.charAt(i) == '.') {
            int start = ++i;
            while (i < s.length() && s.charAt(i) >= '0' && s.charAt(i) <= '9') {
                if (i - start >= 9) {
                    return Long.MIN_VALUE;
                }
                fraction = fraction * 10 + (s.charAt(i) - '0');
                i++;
            }
            if (i == start) {
                return Long.MIN_VALUE;
            }
            for (int k = i - start; k < 9; k++) {
                fraction *= 10;
            }
        }
        if (i + 1 >= s.length() || s.charAt(i) != 'Z' || s.charAt(i + 1) != '"') {
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
        long seconds = days * 86_400L + hour * 3_600L + minute * 60L + second;
        return seconds * 1_000_000_000L + fraction;
    }

    private static int number(String s, int at, int digits) {
        int value = 0;
        for (int i = at; i < at + digits; i++) {
            char c = s.charAt(i);
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
