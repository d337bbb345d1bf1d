package dev.eventhub;

import dev.eventhub.internal.Checks;
import java.util.Arrays;

/**
 * A parsed topic pattern: {@code /}-separated segments where {@code *} is exactly one segment and {@code **}, only
 * as the last segment, is zero or more ({@code default/**} matches {@code default} and everything below it).
 * Matching walks the topic string in place: nothing is allocated per event.
 */
final class TopicPattern {
    static final String ONE = "*";
    static final String REST = "**";

    final String text;
    /** The segments, with a trailing {@code **} removed (see {@link #rest}). */
    final String[] segments;
    /** Whether the pattern ended in {@code **}. */
    final boolean rest;

    private TopicPattern(String text, String[] segments, boolean rest) {
        this.text = text;
        this.segments = segments;
        this.rest = rest;
    }

    /** Parses and validates; the message names the pattern and what is wrong with it. */
    static TopicPattern parse(String argument, String pattern) {
        Checks.notNull(argument, pattern);
        if (pattern.isEmpty()) {
            throw new IllegalArgumentException(argument + ": \"\" (expected: a pattern such as default/pod/*)");
        }
        String[] parts = pattern.split("/", -1);
        for (int i = 0; i < parts.length; i++) {
            String part = parts[i];
            if (part.isEmpty()) {
                throw new IllegalArgumentException(argument + ": \"" + pattern + "\" (expected: no empty segment; "
                        + "segment " + (i + 1) + " is empty)");
            }
            if (part.equals(REST) && i != parts.length - 1) {
                throw new IllegalArgumentException(argument + ": \"" + pattern + "\" (expected: '**' only as the "
                        + "last segment)");
            }
            if (part.contains("*") && !part.equals(ONE) && !part.equals(REST)) {
                throw new IllegalArgumentException(argument + ": \"" + pattern + "\" (expected: '*' and '**' only "
                        + "as whole segments, not in '" + part + "')");
            }
        }
        boolean rest = parts[parts.length - 1].equals(REST);
        String[] segments = rest ? Arrays.copyOf(parts, parts.length - 1) : parts;
        return new TopicPattern(pattern, segments, rest);
    }

    /** Whether the topic matches; used for replay, where the index is not involved. */
    boolean matches(String topic) {
        int start = 0;
        for (String segment : segments) {
            if (start > topic.length()) {
                return false; // the topic has fewer segments
            }
            int end = topic.indexOf('/', start);
            if (end < 0) {
                end = topic.length();
            }
            if (!segment.equals(ONE)
                    && !(segment.length() == end - start && topic.regionMatches(start, segment, 0, end - start))) {
                return false;
            }
            start = end + 1;
        }
        return rest || start == topic.length() + 1;
    }

    @Override
    public String toString() {
        return text;
    }
}
