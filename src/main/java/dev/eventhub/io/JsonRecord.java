package dev.eventhub.io;

import dev.eventhub.internal.Checks;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One line of {@code json-file} output: the event's sequence, its hub time and the encoded event (JSON text).
 *
 * @param sequence  the event's sequence in its hub
 * @param timeNanos its stamp, in nanoseconds since the epoch
 * @param event     the encoded event, one JSON value
 */
public record JsonRecord(long sequence, long timeNanos, String event) {
    private static final Pattern EVENT_KEY = Pattern.compile("\"event\"\\s*:");

    /**
     * Checks the fields.
     *
     * @param event the encoded event, one JSON value
     * @param sequence the event's sequence in its hub
     * @param timeNanos its stamp, in nanoseconds since the epoch
     * @throws NullPointerException if {@code event} is null
     */
    public JsonRecord {
        Checks.notNull("event", event);
    }

    /**
     * Parses one line written by the {@code json-file} sink (without its line break).
     *
     * @param line the line
     * @return the record
     * @throws NullPointerException     if {@code line} is null
     * @throws IllegalArgumentException saying what is wrong with it
     */
    public static JsonRecord parse(String line) {
        Checks.notNull("line", line);
        Object value = Json.parse(line);
        if (!(value instanceof Map<?, ?> object)) {
            throw new IllegalArgumentException("not a JSON object");
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
        long sequence;
        Instant instant;
        try {
            sequence = seq.longValueExact();
            instant = Instant.parse(time);
        } catch (ArithmeticException | DateTimeParseException e) {
            throw new IllegalArgumentException("bad \"seq\" or \"time\": " + e.getMessage());
        }
        String last = null;
        for (Object key : object.keySet()) {
            last = (String) key;
        }
        if (object.size() != 3 || !"event".equals(last)) {
            throw new IllegalArgumentException("expected exactly \"seq\", \"time\" and \"event\", in that order");
        }
        Matcher key = EVENT_KEY.matcher(line);
        key.find(); // present, and neither value before it (a number, an instant) can contain it
        String event = line.substring(key.end(), line.lastIndexOf('}')).strip();
        return new JsonRecord(sequence, Checks.epochNanos(instant), event);
    }

    /** {@return the time as an instant} */
    public Instant time() {
        return Instant.ofEpochSecond(Math.floorDiv(timeNanos, 1_000_000_000L), Math.floorMod(timeNanos, 1_000_000_000L));
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
