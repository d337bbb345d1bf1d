package dev.eventhub.io;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The little JSON the json-file sink and its reader need, with no dependency: quoting a string, checking that an
 * encoder's output is one JSON value, and a strict parser (RFC 8259) into maps, lists, strings, {@link BigDecimal}s,
 * booleans and {@link #NULL}.
 */
final class Json {
    /** JSON {@code null}, distinct from "no such field". */
    static final Object NULL = new Object() {
        @Override
        public String toString() {
            return "null";
        }
    };
    private static final int MAX_DEPTH = 256;

    private final String text;
    private int at;

    private Json(String text) {
        this.text = text;
    }

    /** Appends {@code value} as a JSON string, escaping what RFC 8259 requires and nothing else. */
    static StringBuilder quote(StringBuilder out, String value) {
        out.append('"');
        for (int i = 0, n = value.length(); i < n; i++) {
            char c = value.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.append('"');
    }

    /**
     * Parses one JSON value that must fill {@code text} (surrounding whitespace allowed).
     *
     * @throws IllegalArgumentException saying where and what is wrong
     */
    static Object parse(String text) {
        Json parser = new Json(text);
        parser.space();
        Object value = parser.value(0);
        parser.space();
        if (parser.at != text.length()) {
            throw parser.error("unexpected text after the value");
        }
        return value;
    }

    /**
     * Whether {@code text} is exactly one JSON value (surrounding whitespace allowed): the grammar {@link #parse}
     * accepts, checked in one pass that builds nothing and allocates nothing, since the json-file sink checks every
     * record an encoder gives it.
     */
    static boolean isValue(String text) {
        int at = skipSpace(text, 0);
        at = checkValue(text, at, 0);
        return at >= 0 && skipSpace(text, at) == text.length();
    }

    /** The index after the value that starts at {@code at}, or -1 if none does. */
    private static int checkValue(String text, int at, int depth) {
        if (depth > MAX_DEPTH || at >= text.length()) {
            return -1;
        }
        char c = text.charAt(at);
        switch (c) {
            case '{' -> {
                at = skipSpace(text, at + 1);
                if (at < text.length() && text.charAt(at) == '}') {
                    return at + 1;
                }
                while (true) {
                    if (at >= text.length() || text.charAt(at) != '"') {
                        return -1;
                    }
                    at = checkString(text, at);
                    if (at < 0) {
                        return -1;
                    }
                    at = skipSpace(text, at);
                    if (at >= text.length() || text.charAt(at) != ':') {
                        return -1;
                    }
                    at = checkValue(text, skipSpace(text, at + 1), depth + 1);
                    if (at < 0) {
                        return -1;
                    }
                    at = skipSpace(text, at);
                    if (at >= text.length()) {
                        return -1;
                    }
                    char next = text.charAt(at);
                    if (next == '}') {
                        return at + 1;
                    }
                    if (next != ',') {
                        return -1;
                    }
                    at = skipSpace(text, at + 1);
                }
            }
            case '[' -> {
                at = skipSpace(text, at + 1);
                if (at < text.length() && text.charAt(at) == ']') {
                    return at + 1;
                }
                while (true) {
                    at = checkValue(text, at, depth + 1);
                    if (at < 0) {
                        return -1;
                    }
                    at = skipSpace(text, at);
                    if (at >= text.length()) {
                        return -1;
                    }
                    char next = text.charAt(at);
                    if (next == ']') {
                        return at + 1;
                    }
                    if (next != ',') {
                        return -1;
                    }
                    at = skipSpace(text, at + 1);
                }
            }
            case '"' -> {
                return checkString(text, at);
            }
            case 't' -> {
                return text.startsWith("true", at) ? at + 4 : -1;
            }
            case 'f' -> {
                return text.startsWith("false", at) ? at + 5 : -1;
            }
            case 'n' -> {
                return text.startsWith("null", at) ? at + 4 : -1;
            }
            default -> {
                return checkNumber(text, at);
            }
        }
    }

    /** The index after the string whose quote is at {@code at}, or -1. */
    private static int checkString(String text, int at) {
        int n = text.length();
        at++;
        while (at < n) {
            char c = text.charAt(at++);
            if (c == '"') {
                return at;
            }
            if (c < 0x20) {
                return -1;
            }
            if (c == '\\') {
                if (at >= n) {
                    return -1;
                }
                switch (text.charAt(at++)) {
                    case '"', '\\', '/', 'b', 'f', 'n', 'r', 't' -> {
                    }
                    case 'u' -> {
                        if (at + 4 > n) {
                            return -1;
                        }
                        for (int end = at + 4; at < end; at++) {
                            if (Character.digit(text.charAt(at), 16) < 0) {
                                return -1;
                            }
                        }
                    }
                    default -> {
                        return -1;
                    }
                }
            }
        }
        return -1;
    }

    /** The index after the number at {@code at}, or -1. */
    private static int checkNumber(String text, int at) {
        int n = text.length();
        if (at < n && text.charAt(at) == '-') {
            at++;
        }
        if (at < n && text.charAt(at) == '0') {
            at++;
        } else {
            int start = at;
            at = skipDigits(text, at);
            if (at == start) {
                return -1;
            }
        }
        if (at < n && text.charAt(at) == '.') {
            int start = ++at;
            at = skipDigits(text, at);
            if (at == start) {
                return -1;
            }
        }
        if (at < n && (text.charAt(at) == 'e' || text.charAt(at) == 'E')) {
            at++;
            if (at < n && (text.charAt(at) == '+' || text.charAt(at) == '-')) {
                at++;
            }
            int start = at;
            at = skipDigits(text, at);
            if (at == start) {
                return -1;
            }
        }
        return at;
    }

    private static int skipDigits(String text, int at) {
        while (at < text.length() && text.charAt(at) >= '0' && text.charAt(at) <= '9') {
            at++;
        }
        return at;
    }

    private static int skipSpace(String text, int at) {
        while (at < text.length()) {
            char c = text.charAt(at);
            if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
                return at;
            }
            at++;
        }
        return at;
    }

    private Object value(int depth) {
        if (depth > MAX_DEPTH) {
            throw error("nested deeper than " + MAX_DEPTH);
        }
        if (at >= text.length()) {
            throw error("unexpected end");
        }
        char c = text.charAt(at);
        return switch (c) {
            case '{' -> object(depth);
            case '[' -> array(depth);
            case '"' -> string();
            case 't' -> literal("true", Boolean.TRUE);
            case 'f' -> literal("false", Boolean.FALSE);
            case 'n' -> literal("null", NULL);
            default -> {
                if (c == '-' || (c >= '0' && c <= '9')) {
                    yield number();
                }
                throw error("unexpected '" + c + "'");
            }
        };
    }

    private Map<String, Object> object(int depth) {
        at++;
        Map<String, Object> map = new LinkedHashMap<>();
        space();
        if (peek() == '}') {
            at++;
            return map;
        }
        while (true) {
            space();
            if (peek() != '"') {
                throw error("expected a string key");
            }
            String key = string();
            space();
            expect(':');
            space();
            map.put(key, value(depth + 1));
            space();
            char c = next();
            if (c == '}') {
                return map;
            }
            if (c != ',') {
                at--;
                throw error("expected ',' or '}'");
            }
        }
    }

    private List<Object> array(int depth) {
        at++;
        List<Object> list = new ArrayList<>();
        space();
        if (peek() == ']') {
            at++;
            return Collections.unmodifiableList(list);
        }
        while (true) {
            space();
            list.add(value(depth + 1));
            space();
            char c = next();
            if (c == ']') {
                return Collections.unmodifiableList(list);
            }
            if (c != ',') {
                at--;
                throw error("expected ',' or ']'");
            }
        }
    }

    private String string() {
        at++;
        StringBuilder out = null;
        int start = at;
        while (true) {
            if (at >= text.length()) {
                throw error("unterminated string");
            }
            char c = text.charAt(at);
            if (c == '"') {
                String value = out == null ? text.substring(start, at) : out.append(text, start, at).toString();
                at++;
                return value;
            }
            if (c < 0x20) {
                throw error("control character in a string");
            }
            if (c == '\\') {
                if (out == null) {
                    out = new StringBuilder();
                }
                out.append(text, start, at);
                at++;
                char e = next();
                switch (e) {
                    case '"', '\\', '/' -> out.append(e);
                    case 'b' -> out.append('\b');
                    case 'f' -> out.append('\f');
                    case 'n' -> out.append('\n');
                    case 'r' -> out.append('\r');
                    case 't' -> out.append('\t');
                    case 'u' -> {
                        if (at + 4 > text.length()) {
                            throw error("short \\u escape");
                        }
                        try {
                            out.append((char) Integer.parseInt(text.substring(at, at + 4), 16));
                        } catch (NumberFormatException bad) {
                            throw error("bad \\u escape");
                        }
                        at += 4;
                    }
                    default -> {
                        at--;
                        throw error("bad escape '\\" + e + "'");
                    }
                }
                start = at;
            } else {
                at++;
            }
        }
    }

    private BigDecimal number() {
        int start = at;
        if (peek() == '-') {
            at++;
        }
        if (peek() == '0') {
            at++;
        } else if (!digits()) {
            throw error("expected a digit");
        }
        if (peek() == '.') {
            at++;
            if (!digits()) {
                throw error("expected a digit after '.'");
            }
        }
        if (peek() == 'e' || peek() == 'E') {
            at++;
            if (peek() == '+' || peek() == '-') {
                at++;
            }
            if (!digits()) {
                throw error("expected a digit in the exponent");
            }
        }
        return new BigDecimal(text.substring(start, at));
    }

    private boolean digits() {
        int start = at;
        while (at < text.length() && text.charAt(at) >= '0' && text.charAt(at) <= '9') {
            at++;
        }
        return at > start;
    }

    private Object literal(String word, Object value) {
        if (!text.startsWith(word, at)) {
            throw error("expected " + word);
        }
        at += word.length();
        return value;
    }

    private void space() {
        while (at < text.length()) {
            char c = text.charAt(at);
            if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
                return;
            }
            at++;
        }
    }

    private char peek() {
        return at < text.length() ? text.charAt(at) : '\0';
    }

    private char next() {
        if (at >= text.length()) {
            throw error("unexpected end");
        }
        return text.charAt(at++);
    }

    private void expect(char c) {
        if (next() != c) {
            at--;
            throw error("expected '" + c + "'");
        }
    }

    private IllegalArgumentException error(String what) {
        return new IllegalArgumentException(what + " at column " + (at + 1));
    }
}
