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

    /**
     * Appends {@code value} as a JSON string, escaping what RFC 8259 requires, and also any unpaired surrogate (as
     * {@code \\uD800}...): UTF-8 cannot carry one, so written raw it would become {@code ?}; escaped, it survives
     * encoding to bytes and {@link #parse} gives back the same string. Paired surrogates (characters beyond the BMP)
     * are written as they are.
     */
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
                        hex(out, c);
                    } else if (Character.isHighSurrogate(c) && i + 1 < n
                            && Character.isLowSurrogate(value.charAt(i + 1))) {
                        out.append(c).append(value.charAt(++i));
                    } else if (Character.isSurrogate(c)) {
                        hex(out, c);
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.append('"');
    }

    private static void hex(StringBuilder out, char c) {
        String digits = "0123456789abcdef";
        out.append("\\u").append(digits.charAt(c >> 12)).append(digits.charAt((c >> 8) & 15))
                .append(digits.charAt((c >> 4) & 15)).append(digits.charAt(c & 15));
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
     * Skips one JSON value starting exactly at {@code from}, checking it as {@link #parse} would but building
     * nothing: the fast path of reading records.
     *
     * @param depth how deep the value is nested already (0 at the top)
     * @return the index after the value, or -1 if it is not a valid value (or one {@link #parse} must judge, such as
     *         a number with a very long exponent)
     */
    static int skipValue(String text, int from, int depth) {
        return skip(text, from, depth);
    }

    private static int skip(String text, int at, int depth) {
        int n = text.length();
        if (at >= n || depth > MAX_DEPTH) {
            return -1;
        }
        char c = text.charAt(at);
        switch (c) {
            case '"': {
                for (int i = at + 1; i < n; i++) {
                    char d = text.charAt(i);
                    if (d == '"') {
                        return i + 1;
                    }
                    if (d < 0x20) {
                        return -1;
                    }
                    if (d == '\\') {
                        if (++i >= n) {
                            return -1;
                        }
                        char e = text.charAt(i);
                        if (e == 'u') {
                            if (i + 4 >= n) {
                                return -1;
                            }
                            for (int k = 1; k <= 4; k++) {
                                char h = text.charAt(i + k);
                                if (!(h >= '0' && h <= '9' || h >= 'a' && h <= 'f' || h >= 'A' && h <= 'F')) {
                                    return -1;
                                }
                            }
                            i += 4;
                        } else if ("\"\\/bfnrt".indexOf(e) < 0) {
                            return -1;
                        }
                    }
                }
                return -1;
            }
            case '{': {
                int i = skipSpace(text, at + 1);
                if (i < n && text.charAt(i) == '}') {
                    return i + 1;
                }
                while (true) {
                    i = skipSpace(text, i);
                    if (i >= n || text.charAt(i) != '"') {
                        return -1;
                    }
                    i = skip(text, i, depth + 1);
                    if (i < 0) {
                        return -1;
                    }
                    i = skipSpace(text, i);
                    if (i >= n || text.charAt(i) != ':') {
                        return -1;
                    }
                    i = skip(text, skipSpace(text, i + 1), depth + 1);
                    if (i < 0) {
                        return -1;
                    }
                    i = skipSpace(text, i);
                    if (i >= n) {
                        return -1;
                    }
                    char d = text.charAt(i++);
                    if (d == '}') {
                        return i;
                    }
                    if (d != ',') {
                        return -1;
                    }
                }
            }
            case '[': {
                int i = skipSpace(text, at + 1);
                if (i < n && text.charAt(i) == ']') {
                    return i + 1;
                }
                while (true) {
                    i = skip(text, skipSpace(text, i), depth + 1);
                    if (i < 0) {
                        return -1;
                    }
                    i = skipSpace(text, i);
                    if (i >= n) {
                        return -1;
                    }
                    char d = text.charAt(i++);
                    if (d == ']') {
                        return i;
                    }
                    if (d != ',') {
                        return -1;
                    }
                }
            }
            case 't':
                return text.startsWith("true", at) ? at + 4 : -1;
            case 'f':
                return text.startsWith("false", at) ? at + 5 : -1;
            case 'n':
                return text.startsWith("null", at) ? at + 4 : -1;
            default: {
                int i = at;
                if (c == '-') {
                    i++;
                }
                if (i < n && text.charAt(i) == '0') {
                    i++;
                } else {
                    int d = digits(text, i);
                    if (d == i) {
                        return -1;
                    }
                    i = d;
                }
                if (i < n && text.charAt(i) == '.') {
                    int d = digits(text, i + 1);
                    if (d == i + 1) {
                        return -1;
                    }
                    i = d;
                }
                if (i < n && (text.charAt(i) == 'e' || text.charAt(i) == 'E')) {
                    i++;
                    if (i < n && (text.charAt(i) == '+' || text.charAt(i) == '-')) {
                        i++;
                    }
                    int d = digits(text, i);
                    if (d == i || d - i > 9) {
                        return -1; // none, or long enough to need BigDecimal's judgement
                    }
                    i = d;
                }
                return i;
            }
        }
    }

    private static int digits(String text, int at) {
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
    private static boolean startsWith(byte[] text, int end, int at, String word) {
        if (at + word.length() > end) {
            return false;
        }
        for (int i = 0; i < word.length(); i++) {
            if (text[at + i] != word.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    /**
     * The string whose opening quote is at {@code at}: the index after its closing quote, or -1. A byte at a time: the
     * strings of events are short, and one after another each must be found to end before the next can start, so
     * testing eight bytes at once only lengthened that chain (measured: a flat event of 150 bytes took 83 ns that way,
     * 40 ns this way). An escape takes {@link #skipEscapes}.
     */
    private static int skipString(byte[] text, int n, int at) {
        for (int i = at + 1; i < n; i++) {
            int d = text[i] & 0xff;
            if (d == '"') {
                return i + 1;
            }
            if (d < 0x20) {
                return -1;
            }
            if (d == '\\') {
                return skipEscapes(text, n, i);
            }
        }
        return -1;
    }

    /** The rest of a string from the backslash at {@code at}: the index after its closing quote, or -1. */
    private static int skipEscapes(byte[] text, int n, int at) {
        for (int i = at; i < n; i++) {
            final int d = text[i] & 0xff;
            if (d == '"') {
                return i + 1;
            }
            if (d < 0x20) {
                return -1;
            }
            if (d == '\\') {
                if (++i >= n) {
                    return -1;
                }
                switch (text[i]) {
                    case '"', '\\', '/', 'b', 'f', 'n', 'r', 't' -> {
                    }
                    case 'u' -> {
                        if (i + 4 >= n) {
                            return -1;
                        }
                        for (int k = 1; k <= 4; k++) {
                            int h = text[i + k];
                            if (!(h >= '0' && h <= '9' || h >= 'a' && h <= 'f' || h >= 'A' && h <= 'F')) {
                                return -1;
                            }
                        }
                        i += 4;
                    }
                    default -> {
                        return -1;
                    }
                }
            }
        }
        return -1;
    }

    /**
     * {@link #skipValue(String, int, int)} over UTF-8 bytes {@code [at, end)}: bytes of multi-byte characters are
     * all at least 0x80, so they are string content like any other. The bytes are one line of a file: a {@code '\n'}
     * is not taken for whitespace, so the skip never runs past a line break, which the reader relies on when it parses
     * a line before it has found where the line ends.
     */
    static int skipValue(byte[] text, int at, int end, int depth) {
        int n = end;
        if (at >= n || depth > MAX_DEPTH) {
            return -1;
        }
        char c = (char) (text[at] & 0xff);
        switch (c) {
            case '"':
                return skipString(text, n, at);
            case '{': {
                int i = skipSpace(text, end, at + 1);
                if (i < n && (char) (text[i] & 0xff) == '}') {
                    return i + 1;
                }
                while (true) {
                    i = skipSpace(text, end, i);
                    if (i >= n || (char) (text[i] & 0xff) != '"') {
                        return -1;
                    }
                    // Keys, and values that are strings, go straight to skipString (what skip would do with them).
                    i = depth >= MAX_DEPTH ? -1 : skipString(text, n, i);
                    if (i < 0) {
                        return -1;
                    }
                    i = skipSpace(text, end, i);
                    if (i >= n || (char) (text[i] & 0xff) != ':') {
                        return -1;
                    }
                    i = skipSpace(text, end, i + 1);
                    i = i < n && text[i] == '"' && depth < MAX_DEPTH
                            ? skipString(text, n, i)
                            : skipValue(text, i, end, depth + 1);
                    if (i < 0) {
                        return -1;
                    }
                    i = skipSpace(text, end, i);
                    if (i >= n) {
                        return -1;
                    }
                    char d = (char) (text[i++] & 0xff);
                    if (d == '}') {
                        return i;
                    }
                    if (d != ',') {
                        return -1;
                    }
                }
            }
            case '[': {
                int i = skipSpace(text, end, at + 1);
                if (i < n && (char) (text[i] & 0xff) == ']') {
                    return i + 1;
                }
                while (true) {
                    i = skipValue(text, skipSpace(text, end, i), end, depth + 1);
                    if (i < 0) {
                        return -1;
                    }
                    i = skipSpace(text, end, i);
                    if (i >= n) {
                        return -1;
                    }
                    char d = (char) (text[i++] & 0xff);
                    if (d == ']') {
                        return i;
                    }
                    if (d != ',') {
                        return -1;
                    }
                }
            }
            case 't':
                return startsWith(text, end, at, "true") ? at + 4 : -1;
            case 'f':
                return startsWith(text, end, at, "false") ? at + 5 : -1;
            case 'n':
                return startsWith(text, end, at, "null") ? at + 4 : -1;
            default: {
                int i = at;
                if (c == '-') {
                    i++;
                }
                if (i < n && (char) (text[i] & 0xff) == '0') {
                    i++;
                } else {
                    int d = digits(text, end, i);
                    if (d == i) {
                        return -1;
                    }
                    i = d;
                }
                if (i < n && (char) (text[i] & 0xff) == '.') {
                    int d = digits(text, end, i + 1);
                    if (d == i + 1) {
                        return -1;
                    }
                    i = d;
                }
                if (i < n && ((char) (text[i] & 0xff) == 'e' || (char) (text[i] & 0xff) == 'E')) {
                    i++;
                    if (i < n && ((char) (text[i] & 0xff) == '+' || (char) (text[i] & 0xff) == '-')) {
                        i++;
                    }
                    int d = digits(text, end, i);
                    if (d == i || d - i > 9) {
                        return -1; // none, or long enough to need BigDecimal's judgement
                    }
                    i = d;
                }
                return i;
            }
        }
    }

    private static int digits(byte[] text, int end, int at) {
        while (at < end && (char) (text[at] & 0xff) >= '0' && (char) (text[at] & 0xff) <= '9') {
            at++;
        }
        return at;
    }

    private static int skipSpace(byte[] text, int end, int at) {
        if (at < end && text[at] > ' ') {
            return at; // the usual case: no whitespace at all
        }
        while (at < end) {
            char c = (char) (text[at] & 0xff);
            if (c != ' ' && c != '\t' && c != '\r') { // not '\n': see skipValue(byte[], ...)
                return at;
            }
            at++;
        }
        return at;
    }

    /**
     * Whether {@code text} is exactly one JSON value (surrounding whitespace allowed): the grammar {@link #parse}
     * accepts, checked by {@link #skipValue(String, int, int)}, which builds nothing; the json-file sink checks every
     * record an encoder gives it. What the skip leaves to the parser (a number with a very long exponent) is parsed.
     */
    static boolean isValue(String text) {
        int at = skip(text, skipSpace(text, 0), 0);
        if (at >= 0) {
            return skipSpace(text, at) == text.length();
        }
        try {
            parse(text);
            return true;
        } catch (IllegalArgumentException notAValue) {
            return false;
        }
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
                        int code = 0;
                        for (int k = 0; k < 4; k++) {
                            int digit = Character.digit(text.charAt(at + k), 16);
                            if (digit < 0 || text.charAt(at + k) > 'f') {
                                throw error("bad \\u escape");
                            }
                            code = code * 16 + digit;
                        }
                        out.append((char) code);
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
        try {
            return new BigDecimal(text.substring(start, at));
        } catch (NumberFormatException tooLarge) { // an exponent beyond 32 bits
            at = start;
            throw error("number out of range");
        }
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
